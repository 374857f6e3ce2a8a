"""Every staff URL of the registry across the demo roles, a user without a role and an anonymous visitor.

Programme managers run the registry; system administrators see it masked; nobody else opens it. A refusal
is a 403 (or the login page) and changes nothing: no row, no Event, no access-log row. Every view of
unmasked personal data writes an access-log row.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sotong.accounts.models import User
from sotong.core.models import Event, PersonalDataAccessLog
from sotong.people import actions
from sotong.people.models import (
    Consent,
    ExportJob,
    ImportBatch,
    ImportJob,
    Membership,
    Person,
    PersonList,
    PersonListMember,
    Segment,
)
from sotong.people.segments import SegmentFilter
from sotong.people.tests.conftest import MakePerson

CAST = [
    "programme_manager",
    "sysadmin",
    "coordinator",
    "intake_officer",
    "handler",
    "sns_officer",
    "no_role",
]


@pytest.fixture
def no_role(org: Any, make_staff: Any) -> User:
    return make_staff("norole", org.new_media, name="권한없음")


@pytest.fixture
def world(make_person: MakePerson, programme_manager: User) -> dict[str, Any]:
    person = make_person(name="김민준", mobile="010-1234-5678", email="minjun@example.com")
    other = make_person(name="김민준", mobile="010-9999-0000", email="")
    segment = actions.save_segment(programme_manager, name="남성", filters=SegmentFilter(genders=["M"]))
    person_list = actions.create_list(programme_manager, name="설명회")
    batch = ImportBatch.objects.create(filename="가입자.csv", source="import", started_by=programme_manager)
    job = ImportJob.objects.create(token="t" * 32, filename="가입자.csv", created_by=programme_manager)
    export = ExportJob.objects.create(token="e" * 32, fmt="csv", reason="안내", created_by=programme_manager)
    return {
        "person": person,
        "other": other,
        "consent": Consent.objects.get(person=person),
        "segment": segment,
        "list": person_list,
        "job": job,
        "export": export,
        "batch": batch,
    }


def snapshot() -> dict[str, Any]:
    return {
        "people": sorted(
            Person.objects.values_list("pk", "name", "dong", "mobile_index", "email_index", "anonymised_at")
        ),
        "consents": sorted(
            Consent.objects.values_list("pk", "sms", "email", "withdrawn_at", "superseded_at")
        ),
        "memberships": Membership.objects.count(),
        "segments": Segment.objects.count(),
        "lists": PersonList.objects.count(),
        "entries": PersonListMember.objects.count(),
        "batches": ImportBatch.objects.count(),
        "events": Event.objects.count(),
        "access_log": PersonalDataAccessLog.objects.count(),
    }


def client_for(request: pytest.FixtureRequest, verified_client: Any, role: str) -> Client:
    return verified_client(request.getfixturevalue(role))


#                        pm   sys  coord intake handler sns  none
READ = [200, 200, 403, 403, 403, 403, 403]
MANAGE = [200, 403, 403, 403, 403, 403, 403]
PAGES: dict[str, tuple[Any, list[int]]] = {
    "index": (lambda w: [], READ),
    "person": (lambda w: [w["person"].pk], READ),
    "summary": (lambda w: [], READ),
    "edit": (lambda w: [w["person"].pk], MANAGE),
    "import": (lambda w: [], MANAGE),
    "import_mapping": (lambda w: [], [302, *MANAGE[1:]]),
    "import_job": (lambda w: [w["job"].pk], MANAGE),
    "import_status": (lambda w: [w["job"].pk], MANAGE),
    "export": (lambda w: [], MANAGE),
    "export_job": (lambda w: [w["export"].pk], MANAGE),
}


@pytest.mark.parametrize("role", CAST)
@pytest.mark.parametrize("name", list(PAGES))
def test_who_may_open_each_page(request, verified_client, world, role, name):
    args, expected = PAGES[name]
    response = client_for(request, verified_client, role).get(
        reverse(f"people_office:{name}", args=args(world))
    )
    assert response.status_code == dict(zip(CAST, expected, strict=True))[role]


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for name, (args, _expected) in PAGES.items():
        response = client.get(reverse(f"people_office:{name}", args=args(world)))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def csv_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "a.csv", "성명,휴대폰\n최하은,010-5555-6666\n".encode(), content_type="text/csv"
    )


# name, args, data, status for the programme manager (everyone else: 403, nothing changed)
ACTIONS: list[tuple[str, Any, Any, int]] = [
    ("unmask", lambda w: [w["person"].pk], lambda w: {"unmask-reason": "확인"}, 200),
    ("edit", lambda w: [w["person"].pk], lambda w: {"name": "김민준", "dong": "옥수동"}, 302),
    (
        "consent_give",
        lambda w: [w["person"].pk],
        lambda w: {"consent-purpose": "committee", "consent-sms": "on", "consent-scan_ref": "1"},
        302,
    ),
    ("consent_withdraw", lambda w: [w["person"].pk, w["consent"].pk], lambda w: {}, 302),
    (
        "merge",
        lambda w: [w["person"].pk],
        lambda w: {"merge-other": w["other"].pk, "merge-confirm": "1"},
        302,
    ),
    ("segment_save", lambda w: [], lambda w: {"segment-name": "여성"}, 302),
    ("segment_delete", lambda w: [w["segment"].pk], lambda w: {}, 302),
    ("list_add", lambda w: [], lambda w: {"scope": "all", "person_list": w["list"].pk}, 302),
    (
        "import",
        lambda w: [],
        lambda w: {"file": csv_upload(), "purposes": ["e_sotong"], "channels": ["sms"]},
        302,
    ),
    ("import_confirm", lambda w: [w["job"].pk], lambda w: {}, 302),
    ("export", lambda w: [], lambda w: {"fmt": "csv", "reason": "안내"}, 302),
    ("export", lambda w: [], lambda w: {"fmt": "csv", "unmasked": "on", "reason": "안내"}, 302),
]


@pytest.mark.parametrize("role", CAST)
@pytest.mark.parametrize(("name", "args", "data", "allowed"), ACTIONS)
def test_who_may_act(request, verified_client, world, role, name, args, data, allowed):
    client = client_for(request, verified_client, role)
    before = snapshot()
    url = reverse(f"people_office:{name}", args=args(world))
    if name == "segment_save":
        url += "?genders=F"
    response = client.post(url, {**data(world), **({"source": "homepage"} if name == "import" else {})})

    if role == "programme_manager":
        assert response.status_code == allowed
    else:
        assert response.status_code == 403
        assert snapshot() == before
        assert "010-1234-5678" not in response.content.decode(errors="replace")


def test_nobody_else_downloads_an_import_report(request, verified_client, world, programme_manager):
    owner = verified_client(programme_manager)
    owner.post(
        reverse("people_office:import"),
        {"file": csv_upload(), "source": "homepage", "purposes": ["e_sotong"], "channels": ["sms"]},
    )
    started = owner.post(reverse("people_office:import_mapping"), {"col0": "name", "col1": "mobile"})
    job = owner.get(started["Location"]).context["job"]
    url = reverse("people_office:import_report", args=[job.pk, "preview"])
    others = [client_for(request, verified_client, role) for role in CAST[1:]]
    before = snapshot()
    for client in others:
        assert client.post(url, {"report-reason": "확인"}).status_code == 403
    assert snapshot() == before


UNMASKED_VIEWS: list[tuple[str, str, Any, Any]] = [
    ("unmask", "post", lambda w: [w["person"].pk], {"unmask-reason": "본인 요청 처리"}),
    ("edit", "get", lambda w: [w["person"].pk], None),
]


@pytest.mark.parametrize(("name", "method", "args", "data"), UNMASKED_VIEWS)
def test_each_view_of_personal_data_writes_an_access_log_row(
    verified_client, world, programme_manager, name, method, args, data
):
    client = verified_client(programme_manager)
    url = reverse(f"people_office:{name}", args=args(world))
    response = client.post(url, data) if method == "post" else client.get(url)

    assert response.status_code == 200
    log = PersonalDataAccessLog.objects.get()
    assert log.account == programme_manager
    assert log.reason == (data or {}).get("unmask-reason", (data or {}).get("reason", ""))


def test_masked_pages_write_no_access_log_row(verified_client, world, programme_manager, sysadmin):
    for user in (programme_manager, sysadmin):
        client = verified_client(user)
        client.get(reverse("people_office:index"))
        client.get(reverse("people_office:person", args=[world["person"].pk]))
        client.get(reverse("people_office:summary"))
    assert not PersonalDataAccessLog.objects.exists()
