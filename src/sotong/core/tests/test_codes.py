import pytest

from sotong.core import demo
from sotong.core.codes import code_choices, code_name
from sotong.core.models import Code

pytestmark = pytest.mark.django_db


def test_demo_code_tables_give_channels_in_order():
    demo.load()

    choices = code_choices("channel")

    assert choices[0] == ("web", "인터넷")
    assert ("mayor_dialogue", "구청장과의 대화") in choices
    assert ("parents_meeting", "학부모간담회") in choices


def test_inactive_codes_are_not_offered_but_keep_their_name():
    demo.load()
    Code.objects.filter(group__key="channel", code="epeople").update(is_active=False)

    assert "epeople" not in dict(code_choices("channel"))
    assert code_name("channel", "epeople") == "국민신문고"
    assert code_name("channel", "unknown") == "unknown"


def test_complaint_kinds_carry_their_statutory_periods():
    demo.load()

    kinds = {c.code: c.attributes for c in Code.objects.in_group("case_kind")}

    assert kinds["inquiry_law"] == {"days": 14}
    assert kinds["other"] == {"hours": 3}


def test_loading_twice_adds_nothing():
    demo.load()
    count = Code.objects.count()

    assert demo.load().endswith(" 0 codes")
    assert Code.objects.count() == count
