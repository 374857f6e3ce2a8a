import pytest

from sotong.core.masking import format_phone, mask_address, mask_email, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [("홍길동", "홍*동"), ("홍길", "홍*"), ("남궁민수", "남**수"), ("김", "김"), ("", ""), (None, "")],
)
def test_names_keep_first_and_last_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("010-1234-5678", "010-****-5678"),
        ("01012345678", "010-****-5678"),
        ("010 1234 5678", "010-****-5678"),
        ("02-123-4567", "02-***-4567"),
        ("031-1234-5678", "031-****-5678"),
        ("1588-1234", "****-1234"),
    ],
)
def test_phone_numbers_hide_the_middle_group(phone, masked):
    assert mask_phone(phone) == masked


def test_phone_formatting_accepts_hyphens_and_spaces():
    assert format_phone(" 010 1234-5678 ") == "010-1234-5678"
    assert format_phone("0222860000") == "02-2286-0000"


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("honggildong@example.com", "hong***@example.com"),
        ("hong@example.com", "ho***@example.com"),
        ("a@b.kr", "a***@b.kr"),
        ("not-an-email", "***"),
    ],
)
def test_email_keeps_a_short_prefix_and_the_domain(email, masked):
    assert mask_email(email) == masked


def test_address_hides_building_numbers():
    assert mask_address("서울특별시 성동구 왕십리로 270 101동 1203호") == "서울특별시 성동구 왕십리로 ***"


def test_template_filters_mask(rf):
    from django.template import Context, Template

    rendered = Template("{% load masking %}{{ n|mask_name }} {{ p|mask_phone }}").render(
        Context({"n": "홍길동", "p": "01012345678"})
    )
    assert rendered == "홍*동 010-****-5678"
