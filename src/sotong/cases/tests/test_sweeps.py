"""Case sweeps: each does its work once, and running it again changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sotong.accounts.models import Role
from sotong.cases.actions import request_report
from sotong.cases.models import CaseKind, CaseStatus, ProgressReport, ReportStatus
from sotong.cases.sweeps import (
    check_monthly_reports,
    escalate_overdue_cases,
    send_deadline_reminders,
    send_progress_notices,
)
from sotong.cases.tests.fixtures_reports import *  # noqa: F403
from sotong.cases.tests.fixtures_reports import seoul
from sotong.core import scheduler
from sotong.core.models import Event
from sotong.messaging.models import Message

pytestmark = pytest.mark.django_db

# Monday 2030-03-04 10:00 in Seoul (삼일절 was the Friday before).
NOW = seoul(2030, 3, 4, 10)


@pytest.fixture
def officer(org, make_staff):
    return make_staff("officer", org.sanitation, Role.HANDLER, name="김담당", email="officer@example.com")


@pytest.fixture
def chief(org, make_staff):
    return make_staff("chief", org.grievance, Role.COORDINATOR, name="정총괄", email="chief@example.com")


def messages(case, purpose):
    return Message.objects.about(case).filter(purpose=purpose)


# --- deadline reminders ---------------------------------------------------------------------------


def test_deadline_reminder_goes_to_the_officer_once_per_deadline(make_case_row, officer):
    # given a case due tomorrow afternoon (within 24 working hours) and one due next week
    case = make_case_row(
        officer=officer, received_at=NOW - timedelta(days=5), deadline_at=seoul(2030, 3, 5, 17)
    )
    later = make_case_row(officer=officer, deadline_at=seoul(2030, 3, 12, 18))

    # when the sweep runs twice
    first = send_deadline_reminders(NOW)
    second = send_deadline_reminders(NOW + timedelta(minutes=30))

    # then one e-mail to the officer, about the near case only
    sent = messages(case, "case.deadline_reminder").get()
    assert sent.recipient == "officer@example.com"
    assert case.receipt_no in sent.subject
    assert not messages(later, "case.deadline_reminder").exists()
    assert first == "reminded 1 cases"
    assert second == "reminded 0 cases"
    assert Event.objects.for_target(case).filter(verb="cases.deadline_reminded").count() == 1

    # and an extended deadline that comes near again is reminded again
    case.deadline_at = seoul(2030, 3, 6, 11)
    case.save(update_fields=["deadline_at"])
    send_deadline_reminders(seoul(2030, 3, 5, 12))
    assert messages(case, "case.deadline_reminder").count() == 2


def test_deadline_reminder_without_officer_goes_to_the_department_handlers(
    make_case_row, officer, org, make_staff
):
    make_staff(
        "teamlead", org.sanitation_team, Role.HANDLER, email="team@example.com"
    )  # a team below: not it
    make_staff("nomail", org.sanitation, Role.HANDLER)  # no address: skipped
    case = make_case_row(handling=org.sanitation_team, deadline_at=seoul(2030, 3, 4, 17))

    send_deadline_reminders(NOW)
    send_deadline_reminders(NOW)

    recipients = sorted(messages(case, "case.deadline_reminder").values_list("recipient", flat=True))
    assert recipients == ["officer@example.com", "team@example.com"]


def test_no_reminder_for_closed_or_overdue_cases(make_case_row, officer):
    make_case_row(officer=officer, status=CaseStatus.CLOSED, deadline_at=seoul(2030, 3, 4, 17))
    make_case_row(officer=officer, deadline_at=seoul(2030, 3, 4, 9))

    assert send_deadline_reminders(NOW) == "reminded 0 cases"
    assert not Message.objects.exists()


# --- overdue escalation ---------------------------------------------------------------------------


def test_overdue_cases_are_escalated_to_coordinators_once_a_day(make_case_row, chief, coordinator):
    # `coordinator` (the cast) has no e-mail address: only `chief` gets mail
    case = make_case_row(deadline_at=seoul(2030, 2, 27, 18))
    make_case_row(deadline_at=seoul(2030, 3, 8, 18))

    assert escalate_overdue_cases(NOW) == "escalated 1 cases"
    assert escalate_overdue_cases(NOW + timedelta(hours=3)) == "escalated 0 cases"

    sent = messages(case, "case.overdue_escalation").get()
    assert sent.recipient == "chief@example.com"
    assert "지연민원 독촉" in sent.subject
    assert Event.objects.for_target(case).filter(verb="cases.overdue_escalated").count() == 1

    # the next day it is escalated again
    assert escalate_overdue_cases(NOW + timedelta(days=1)) == "escalated 1 cases"
    assert messages(case, "case.overdue_escalation").count() == 2


# --- monthly report check -------------------------------------------------------------------------


def test_monthly_check_marks_missed_and_requests_the_next_report(make_case_row, coordinator):
    # given a proposal whose report was due last week and a complaint (no monthly reports)
    case = make_case_row(received_at=seoul(2030, 1, 20, 10))
    report = request_report(case, actor=coordinator, due_at=seoul(2030, 2, 25, 18), now=seoul(2030, 2, 1, 9))
    make_case_row(kind=CaseKind.SUGGESTION, channel="web")

    # when the check runs twice
    first = check_monthly_reports(NOW)
    second = check_monthly_reports(NOW + timedelta(hours=1))

    # then the report is 미보고 and next month's is requested, once
    report.refresh_from_db()
    assert report.status == ReportStatus.MISSED
    following = ProgressReport.objects.exclude(pk=report.pk).get()
    assert following.case == case
    assert following.status == ReportStatus.REQUESTED
    assert following.due_at.date().isoformat() == "2030-03-25"
    assert first == "missed 1, requested 1"
    assert second == "missed 0, requested 0"


def test_monthly_check_gives_a_proposal_without_reports_its_first(make_case_row):
    case = make_case_row(received_at=seoul(2030, 3, 4, 9))

    check_monthly_reports(NOW)
    check_monthly_reports(NOW)

    report = ProgressReport.objects.get(case=case)
    assert report.is_first
    assert report.due_at.date().isoformat() == "2030-03-12"


# --- 30-day progress notices ----------------------------------------------------------------------


def test_progress_notice_every_30_days_names_unit_officer_and_contact(make_case_row, officer, org):
    org.sanitation.phone = "02-2286-5500"
    org.sanitation.save(update_fields=["phone"])
    case = make_case_row(
        officer=officer,
        received_at=NOW - timedelta(days=31),
        deadline_at=seoul(2030, 3, 20, 18),
        notify_sms=True,
        notify_email=True,
        kind=CaseKind.SUGGESTION,
    )
    recent = make_case_row(received_at=NOW - timedelta(days=10), notify_sms=True)

    assert send_progress_notices(NOW) == "noticed 1 cases"
    assert send_progress_notices(NOW + timedelta(hours=1)) == "noticed 0 cases"

    sms = messages(case, "cases.progress").get(channel__in=["sms", "lms"])
    assert "03.20." in sms.body_text
    assert "청소행정과" in sms.body_text
    assert "02-2286-5500" in sms.body_text
    email = messages(case, "cases.progress").get(channel="email")
    assert "김담당" in email.body_text
    assert "청소행정과" in email.body_text
    assert not messages(recent, "cases.progress").exists()
    case.refresh_from_db()
    assert case.last_progress_notice_at == NOW

    # 30 days later, again (and the recent one has reached its first 30 days)
    assert send_progress_notices(NOW + timedelta(days=30)) == "noticed 2 cases"
    assert messages(case, "cases.progress").count() == 4


def test_progress_notice_without_a_channel_asks_for_a_written_notice(make_case_row):
    case = make_case_row(received_at=NOW - timedelta(days=40))

    send_progress_notices(NOW)
    send_progress_notices(NOW)

    assert not Message.objects.exists()
    event = Event.objects.for_target(case).get(verb="cases.progress_notice")
    assert "서면 통지" in event.note


# --- registration ---------------------------------------------------------------------------------


def test_sweeps_are_registered_with_the_scheduler():
    names = set(scheduler.registered_sweeps())
    assert {
        "cases.deadline_reminders",
        "cases.overdue_escalation",
        "cases.monthly_report_check",
        "cases.progress_notices",
    } <= names


def test_purge_sweeps_remove_old_codes_and_drafts_and_run_twice_harmlessly(settings, tmp_path):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from sotong.cases.drafts import DRAFT_FOLDER
    from sotong.cases.models import PhoneVerification
    from sotong.core.scheduler import run_due

    settings.MEDIA_ROOT = tmp_path
    old = timezone.now() - timedelta(days=2)
    PhoneVerification.objects.create(phone_index="x" * 64, code_hash="h", sent_at=old, expires_at=old)
    fresh = PhoneVerification.objects.create(
        phone_index="y" * 64, code_hash="h", expires_at=timezone.now() + timedelta(minutes=3)
    )
    path = default_storage.save(f"{DRAFT_FOLDER}/abc/photo.jpg", ContentFile(b"jpeg"))
    stamp = old.timestamp()
    import os

    os.utime(default_storage.path(path), (stamp, stamp))

    first = run_due(only=["cases.purge_verifications", "cases.purge_drafts"], force=True)
    second = run_due(only=["cases.purge_verifications", "cases.purge_drafts"], force=True)

    assert first == {
        "cases.purge_drafts": "deleted 1 draft files",
        "cases.purge_verifications": "deleted 1 codes",
    }
    assert second == {
        "cases.purge_drafts": "deleted 0 draft files",
        "cases.purge_verifications": "deleted 0 codes",
    }
    assert list(PhoneVerification.objects.all()) == [fresh]
    assert not default_storage.exists(path)
