"""Every Korean string of organizations and committees has an English translation."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from sotong.accounts.models import User
from sotong.communities import actions
from sotong.communities.errors import CommunitiesError
from sotong.communities.models import OrganizationType
from sotong.core.testing import po

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalogue_translates_every_message() -> None:
    assert po.entries(PO)
    assert [entry.text for entry in po.untranslated(PO)] == []


@pytest.mark.django_db
def test_errors_and_types_read_in_english_when_english_is_chosen(programme_manager: User) -> None:
    with translation.override("en"):
        assert str(OrganizationType.TONGJANG_COUNCIL.label) == "Tong leaders' council"
        with pytest.raises(CommunitiesError) as excinfo:
            actions.record_minutes(
                programme_manager, _organization(programme_manager), date=date(2026, 1, 5), agenda=""
            )
    assert excinfo.value.message == "Please enter the Agenda."


def _organization(actor: Any) -> Any:
    with translation.override("ko"):
        return actions.create_organization(actor, name="시민모임", type="civic")


@pytest.mark.django_db
def test_the_expert_table_reads_in_english(verified_client: Any, programme_manager: User) -> None:
    client = verified_client(programme_manager)
    client.cookies["django_language"] = "en"

    page = client.get(reverse("communities_office:experts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Professionals (lawyers, accountants, doctors etc.)" in page
