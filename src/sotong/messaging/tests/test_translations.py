"""Every Korean string of the outbox has an English translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from sotong.core.testing import po
from sotong.messaging.exceptions import OutboxError
from sotong.messaging.models import Status

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalogue_translates_every_message():
    # every entry has a non-empty translation (continued lines included), and none is marked fuzzy
    assert po.entries(PO)
    assert [entry.text for entry in po.untranslated(PO)] == []


def test_errors_and_statuses_read_in_english_when_english_is_chosen(db):
    from sotong.messaging.actions import queue_sms

    with translation.override("en"):
        assert str(Status.DEAD.label) == "Failed"
        with pytest.raises(OutboxError) as excinfo:
            queue_sms("02-2286-5678", "안내")
    assert excinfo.value.message.startswith("Not a valid mobile phone number")
