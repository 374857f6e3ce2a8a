"""Every Korean string of the office shell (menu, home, access log) has an English translation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sotong.accounts.models import User
from sotong.core.testing import po

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalogue_translates_every_message() -> None:
    assert po.entries(PO)
    assert [entry.text for entry in po.untranslated(PO)] == []


@pytest.mark.django_db
def test_the_access_log_reads_in_english(verified_client: Any, sysadmin: User) -> None:
    client = verified_client(sysadmin)
    client.cookies["django_language"] = "en"

    page = client.get("/office/access-log/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Monthly review" in page
    assert "Mark as reviewed" in page
    assert "11 months not reviewed" in page
