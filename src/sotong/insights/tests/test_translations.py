"""Every Korean string of insights has an English translation, and the portal fragment reads in English."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from sotong.core.testing import po

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalogue_translates_every_message() -> None:
    assert po.entries(PO)
    assert [entry.text for entry in po.untranslated(PO)] == []


def test_the_suggestion_panel_reads_in_english(client, verified_client, intake_officer) -> None:
    staff = verified_client(intake_officer)
    staff.cookies["django_language"] = "en"

    page = staff.get(
        reverse("insights_office:suggestions"), {"title": "불법 주차"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "The analysis model is being prepared." in page.content.decode()
