"""Every Korean string of campaigns has an English translation, and refusals read in English."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from sotong.campaigns import actions
from sotong.campaigns.models import CampaignError, State
from sotong.core.testing import po

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalogue_translates_every_message() -> None:
    assert po.entries(PO)
    assert [entry.text for entry in po.untranslated(PO)] == []


def test_refusals_and_states_read_in_english(programme_manager, newsletter) -> None:
    with translation.override("en"):
        assert str(State.PAUSED.label) == "Paused"
        with pytest.raises(CampaignError) as excinfo:
            actions.save_template(
                programme_manager, newsletter, name="x", channel="sms", body_text="가" * 1001
            )
    assert "over the LMS limit" in excinfo.value.message
