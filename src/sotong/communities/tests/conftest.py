"""Communities fixtures: organizations and committees made through the real actions, and people from the
registry's own fixtures (`make_person`).

make_organization(name="성수1가1동 주민자치회")    make_committee(name="도시계획위원회")
png(name="photo.png"), pdf(name="minutes.pdf")     small uploads recognised by their content
CAST, no_role                                      every role of the permission tests, and staff without one
snapshot()                                         what a refused request must leave unchanged
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sotong.accounts.models import User
from sotong.communities import actions
from sotong.communities.models import (
    ActivityPhoto,
    Committee,
    CommitteeMeeting,
    Organization,
    OrganizationActivity,
    OrganizationMinutes,
    OrganizationType,
)
from sotong.core.models import Event
from sotong.people.models import Membership
from sotong.people.tests.conftest import _korean, make_person, purposes  # noqa: F401

CAST = ["programme_manager", "sysadmin", "coordinator", "intake_officer", "handler", "sns_officer", "no_role"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n" + b"0" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name: str = "minutes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def make_organization(programme_manager: User) -> Callable[..., Organization]:
    def make(**values: Any) -> Organization:
        values.setdefault("name", "성수1가1동 주민자치회")
        values.setdefault("type", OrganizationType.RESIDENTS_COUNCIL)
        return actions.create_organization(programme_manager, **values)

    return make


@pytest.fixture
def make_committee(programme_manager: User, org: Any) -> Callable[..., Committee]:
    def make(**values: Any) -> Committee:
        values.setdefault("name", "도시계획위원회")
        values.setdefault("department", org.new_media)
        return actions.create_committee(programme_manager, **values)

    return make


@pytest.fixture
def no_role(org: Any, make_staff: Any) -> User:
    return make_staff("norole", org.new_media, name="권한없음")


def snapshot() -> dict[str, Any]:
    return {
        "organizations": sorted(Organization.objects.values_list("pk", "name", "dong", "is_active")),
        "committees": sorted(Committee.objects.values_list("pk", "name", "legal_basis", "is_active")),
        "memberships": sorted(Membership.objects.values_list("pk", "role", "ended_on")),
        "activities": OrganizationActivity.objects.count(),
        "photos": ActivityPhoto.objects.count(),
        "minutes": OrganizationMinutes.objects.count(),
        "meetings": CommitteeMeeting.objects.count(),
        "events": Event.objects.count(),
    }
