"""EUC-KR byte counting, SMS/LMS choice and address normalisation (pure functions)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sotong.messaging.text import (
    LMS,
    LMS_MAX_BYTES,
    SMS,
    SMS_MAX_BYTES,
    TextTooLong,
    UnencodableText,
    classify_sms,
    euc_kr_length,
    mask_address,
    normalize_mobile,
    unencodable_characters,
)

ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
# Precomposed Hangul that KS X 1001 lists (2,350 syllables), found by asking the codec itself.
KS_HANGUL = [chr(c) for c in range(0xAC00, 0xD7A4) if len(chr(c).encode("euc_kr")) == 2]


def test_ascii_counts_one_byte_and_hangul_two():
    # given one ASCII letter, one KS X 1001 syllable
    ascii_text, hangul_text = "a", KS_HANGUL[0]

    # then
    assert euc_kr_length(ascii_text) == 1
    assert euc_kr_length(hangul_text) == 2
    assert euc_kr_length(ascii_text + hangul_text) == 3


@given(ascii_part=st.text(ASCII, max_size=60), hangul_part=st.lists(st.sampled_from(KS_HANGUL), max_size=60))
def test_length_is_one_byte_per_ascii_and_two_per_hangul(ascii_part, hangul_part):
    text = ascii_part + "".join(hangul_part)
    assert euc_kr_length(text) == len(ascii_part) + 2 * len(hangul_part)


def test_sms_holds_exactly_90_bytes_and_the_91st_makes_it_lms():
    # given text at the SMS limit, in Hangul and in ASCII, and one byte more
    at_limit_hangul = "가" * (SMS_MAX_BYTES // 2)
    at_limit_ascii = "x" * SMS_MAX_BYTES

    # then
    assert euc_kr_length(at_limit_hangul) == SMS_MAX_BYTES
    assert classify_sms(at_limit_hangul) == SMS
    assert classify_sms(at_limit_ascii) == SMS
    assert classify_sms(at_limit_hangul + "x") == LMS
    assert classify_sms(at_limit_ascii + "x") == LMS


def test_a_hangul_syllable_that_crosses_90_bytes_makes_it_lms():
    # given 89 ASCII bytes: one syllable more is 91 bytes
    text = "x" * (SMS_MAX_BYTES - 1) + "가"
    assert euc_kr_length(text) == SMS_MAX_BYTES + 1
    assert classify_sms(text) == LMS


def test_lms_holds_exactly_2000_bytes_and_2001_is_too_long():
    at_limit = "나" * (LMS_MAX_BYTES // 2)
    assert classify_sms(at_limit) == LMS

    with pytest.raises(TextTooLong) as excinfo:
        classify_sms(at_limit + "!")
    assert excinfo.value.length == LMS_MAX_BYTES + 1


@pytest.mark.parametrize("bad", ["😀", "똠", "뷁", "\u200d"])
def test_characters_without_a_ks_x_1001_code_are_unencodable(bad):
    # given text mixing fine Korean with a character carriers cannot carry
    text = f"안녕하세요 {bad} 구청입니다"

    # when / then
    with pytest.raises(UnencodableText) as excinfo:
        euc_kr_length(text)
    assert excinfo.value.characters == (bad,)
    assert unencodable_characters(text) == (bad,)
    assert f"U+{ord(bad):04X}" in str(excinfo.value)


def test_each_unencodable_character_is_named_once_in_order():
    assert unencodable_characters("😀a똠b😀c") == ("😀", "똠")


def test_ks_x_1001_symbols_and_jamo_are_encodable():
    for char in "·①ㄱ※℃":
        assert euc_kr_length(char) == 2


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("010-1234-5678", "01012345678"),
        ("010 1234 5678", "01012345678"),
        ("01012345678", "01012345678"),
        ("+82 10-1234-5678", "01012345678"),
        ("011-123-4567", "0111234567"),
    ],
)
def test_mobile_numbers_are_normalised_to_digits(raw, digits):
    assert normalize_mobile(raw) == digits


@pytest.mark.parametrize("raw", ["02-2286-5678", "010-123-456", "010-1234-56789", "phone", "", "1588-0000"])
def test_what_is_not_a_korean_mobile_number_is_refused(raw):
    assert normalize_mobile(raw) is None


def test_addresses_are_masked_for_logs():
    assert mask_address("01012345678") == "010-****-5678"
    assert "@example.kr" in mask_address("hong@example.kr")
    assert "hong@" not in mask_address("hong@example.kr")
