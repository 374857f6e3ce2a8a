"""Exports (masked by default, logged) and the retention and re-confirmation sweeps."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from sotong.core.models import Event, PersonalDataAccessLog
from sotong.core.scheduler import registered_sweeps
from sotong.messaging.models import Message
from sotong.messaging.text import euc_kr_length
from sotong.people import actions, exports, sweeps
from sotong.people.errors import NotPermitted, PeopleError
from sotong.people.models import Consent, DestructionLog, ExportJob, ExportState, MembershipKind, Person
from sotong.people.tests.conftest import WEB_EVIDENCE


@pytest.fixture
def two_people(make_person):
    return [
        make_person(name="김민준", mobile="010-1234-5678", email="minjun@example.com", birth_year=1985),
        make_person(name="이서연", mobile="010-2222-3333", email="", gender="여"),
    ]


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _export(run_worker, actor, **options):
    """An export as the office runs it: queued, written by the real worker, downloaded (logged)."""
    job = exports.start_export(actor, query=options.pop("query", ""), scope="전체", **options)
    assert not PersonalDataAccessLog.objects.exists()
    run_worker()
    job.refresh_from_db()
    assert job.state == ExportState.DONE, job.error
    with exports.open_export(actor, job) as stream:
        return job, stream.read()


def test_masked_csv_export_logs_one_row_with_the_count(two_people, programme_manager, run_worker):
    job, content = _export(run_worker, programme_manager, fmt="csv", reason="설명회 안내 명단")

    text = content.decode("utf-8")
    rows = _csv(text)
    assert job.count == 2
    assert rows[0][3] == "연령대"
    band = two_people[0].age_band_label
    assert rows[1][1:7] == ["김*준", "", band, "", "010-****-5678", "min***@example.com"]
    assert "01012345678" not in text
    assert "010-1234-5678" not in text
    log = PersonalDataAccessLog.objects.get()
    assert (log.action, log.record_count, log.reason) == ("download", 2, "설명회 안내 명단")
    assert log.account == programme_manager
    assert "마스킹" in log.fields


def test_unmasked_xlsx_export_for_the_programme_manager(two_people, programme_manager, run_worker):
    _job, content = _export(run_worker, programme_manager, fmt="xlsx", unmasked=True, reason="위원 위촉 통보")

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1][1] == "김민준"
    assert rows[1][3] == 1985
    assert rows[1][5] == "010-1234-5678"
    log = PersonalDataAccessLog.objects.get()
    assert log.path == "people.export.xlsx.unmasked"
    assert log.record_count == 2


def test_export_refused_without_reason_or_role_queues_and_logs_nothing(
    two_people, programme_manager, sysadmin, coordinator
):
    with pytest.raises(PeopleError, match="사유"):
        exports.start_export(programme_manager, query="", scope="", fmt="csv", reason=" ")
    for actor in (sysadmin, coordinator):
        with pytest.raises(NotPermitted):
            exports.start_export(actor, query="", scope="", unmasked=True, reason="점검")
    with pytest.raises(NotPermitted):
        exports.start_export(sysadmin, query="", scope="", reason="점검")
    assert not ExportJob.objects.exists()
    assert not PersonalDataAccessLog.objects.exists()


def test_only_the_requester_downloads_and_each_download_is_logged(
    two_people, programme_manager, make_staff, org, run_worker
):
    other_programme_manager = make_staff("programme2", org.new_media, "programme_manager", name="두사업")
    job, _content = _export(run_worker, programme_manager, fmt="csv", reason="점검")
    with exports.open_export(programme_manager, job):
        pass
    assert PersonalDataAccessLog.objects.count() == 2
    with pytest.raises(NotPermitted):
        exports.open_export(other_programme_manager, job)
    assert PersonalDataAccessLog.objects.count() == 2


def test_export_files_expire(two_people, programme_manager, run_worker):
    job, _content = _export(run_worker, programme_manager, fmt="csv", reason="점검")
    path = exports.export_path(job)
    assert path.exists()
    assert sweeps.expire_files(job.expires_at - timedelta(minutes=1)).startswith("0 export")
    assert sweeps.expire_files(job.expires_at + timedelta(minutes=1)).startswith("1 export")
    job.refresh_from_db()
    assert job.state == ExportState.EXPIRED
    assert not path.exists()
    with pytest.raises(PeopleError):
        exports.open_export(programme_manager, job)


def test_anonymised_people_are_not_exported(two_people, programme_manager, run_worker):
    actions.anonymise_person(programme_manager, two_people[0])
    job, _content = _export(run_worker, programme_manager, fmt="csv", reason="점검")
    assert job.count == 1


def test_reveal_contact_is_logged(two_people, programme_manager, sysadmin):
    shown = exports.reveal_contact(programme_manager, two_people[0])
    assert shown["mobile"] == "010-1234-5678"
    log = PersonalDataAccessLog.objects.get()
    assert (log.action, log.subject_type, log.subject_id) == ("view", "people.Person", str(two_people[0].pk))
    with pytest.raises(NotPermitted):
        exports.reveal_contact(sysadmin, two_people[0])
    assert PersonalDataAccessLog.objects.count() == 1


# --- sweeps -------------------------------------------------------------------------------------------


def test_people_sweeps_are_registered():
    assert {"people.retention", "people.reconfirm_notices"} <= set(registered_sweeps())


def test_retention_anonymises_people_without_live_consent_or_seat(make_person, programme_manager, purposes):
    kept = make_person(name="유지")
    withdrawn = make_person(name="철회")
    actions.withdraw_consent(actions.CITIZEN, Consent.objects.get(person=withdrawn))
    committee = make_person(name="위원")
    actions.withdraw_consent(actions.CITIZEN, Consent.objects.get(person=committee))
    actions.add_membership(
        programme_manager, committee, MembershipKind.COMMITTEE, group_label="도시계획위원회"
    )
    fresh_without_consent = make_person(name="신규", consent=None)
    old_without_consent = make_person(name="오래", consent=None)
    Person.objects.filter(pk=old_without_consent.pk).update(created_at=timezone.now() - timedelta(days=40))
    now = timezone.now()

    result = sweeps.destroy_expired_people(now)
    again = sweeps.destroy_expired_people(now)

    assert (result, again) == ("2 anonymised", "0 anonymised")
    anonymised = set(Person.objects.exclude(anonymised_at=None).values_list("pk", flat=True))
    assert anonymised == {withdrawn.pk, old_without_consent.pk}
    assert {kept.pk, committee.pk, fresh_without_consent.pk}.isdisjoint(anonymised)
    assert DestructionLog.objects.filter(reason="retention").count() == 2
    assert Event.objects.filter(verb="people.anonymised", actor_label="scheduler").count() == 2


def test_retention_after_expiry(make_person):
    person = make_person()
    later = timezone.now() + timedelta(days=365 * 2 + 2)
    assert list(sweeps.retention_candidates(later)) == [person]
    assert list(sweeps.retention_candidates(timezone.now())) == []


def _daytime(days_ahead: int) -> datetime:
    moment = timezone.localtime() + timedelta(days=days_ahead)
    return moment.replace(hour=10, minute=0)


def test_reconfirm_notice_once_per_cycle_by_sms_within_90_bytes(make_person, programme_manager, purposes):
    person = make_person(consent=None)
    consent = actions.give_consent(
        programme_manager, person, purposes["e_sotong"], sms=True, email=True, method="web_form",
        evidence=WEB_EVIDENCE, given_at=timezone.now() - timedelta(days=720),
    )  # fmt: skip
    email_only = make_person(channels=("email",))
    Consent.objects.filter(person=email_only).update(reconfirm_due_at=timezone.now() + timedelta(days=3))
    not_due = make_person()

    first = sweeps.send_reconfirm_notices(_daytime(1))
    second = sweeps.send_reconfirm_notices(_daytime(1))

    assert first.startswith("sms 1, email 1")
    assert second.startswith("sms 0, email 0")
    sms = Message.objects.get(channel="sms")
    assert sms.recipient == "01050010001"
    assert sms.idempotency_key == f"people.reconfirm.{consent.pk}.{consent.reconfirm_due_at:%Y%m%d}"
    assert euc_kr_length(sms.body_text) <= 90
    assert "동의" in sms.body_text
    mail = Message.objects.get(channel="email")
    assert mail.recipient == email_only.email
    assert "동의 사실 안내" in mail.subject
    assert not Message.objects.filter(about_id__in=[str(c.pk) for c in not_due.consents.all()]).exists()

    # Re-confirming starts a new cycle: the next notice is two years on, not now.
    actions.reconfirm_consent(actions.CITIZEN, consent, method="sms_code", evidence={"verification": "v1"})
    assert sweeps.send_reconfirm_notices(_daytime(1)).startswith("sms 0, email 0")


def test_reconfirm_sms_waits_for_daytime(make_person, programme_manager, purposes):
    person = make_person(channels=("sms",))
    Consent.objects.filter(person=person).update(reconfirm_due_at=timezone.now())
    night = (timezone.localtime() + timedelta(days=1)).replace(hour=23)
    assert "later 1" in sweeps.send_reconfirm_notices(night)
    assert not Message.objects.exists()
    assert sweeps.send_reconfirm_notices(night.replace(hour=9) + timedelta(days=1)).startswith("sms 1")


def test_reconfirm_sms_text_fits_even_with_a_long_purpose(make_person, purposes, settings):
    settings.SITE_NAME = "서울특별시 성동구 구민 소통 플랫폼"
    settings.SITE_URL = "https://sotong.sd.go.kr"
    person = make_person(consent="organization")
    text = sweeps.reconfirm_sms_text(Consent.objects.get(person=person))
    assert euc_kr_length(text) <= 90
