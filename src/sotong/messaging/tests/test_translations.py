"""Every Korean string of the outbox has an English translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from sotong.messaging.exceptions import OutboxError
from sotong.messaging.models import Status

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalogue_translates_every_message():
    # given the catalogue, entry by entry (the first is the header)
    entries = PO.read_text(encoding="utf-8").strip().split("\n\n")[1:]

    # then each has a non-empty translation, and none is marked fuzzy
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$', e, re.MULTILINE)]
    assert entries
    assert untranslated == []
    assert not any("#, fuzzy" in e for e in entries)


def test_errors_and_statuses_read_in_english_when_english_is_chosen(db):
    from sotong.messaging.actions import queue_sms

    with translation.override("en"):
        assert str(Status.DEAD.label) == "Failed"
        with pytest.raises(OutboxError) as excinfo:
            queue_sms("02-2286-5678", "안내")
    assert excinfo.value.message.startswith("Not a valid mobile phone number")
