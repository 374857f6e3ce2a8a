"""The personal-data access-log page in Chromium: a system administrator opens it from the menu, filters
the log, marks last month reviewed with a note; axe-core on each state of the page."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.core.models import AccessLogReview, PersonalDataAccessLog, PersonalDataAction
from sotong.office.views.access_log import month_start
from tests.browser.helpers import assert_accessible, confirmed_totp_device, press, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_row(account, day, **values) -> PersonalDataAccessLog:
    from django.utils import timezone

    values.setdefault("subject_type", "people.Person")
    values.setdefault("subject_id", "1")
    values.setdefault("subject_label", "#1 홍*동")
    values.setdefault("action", PersonalDataAction.VIEW)
    return PersonalDataAccessLog.objects.create(
        account=account,
        account_label=account.username,
        accessed_at=timezone.make_aware(datetime.combine(day, time(10))),
        ip_address="203.0.113.9",
        **values,
    )


def check_page(page, name: str) -> None:
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, name)


def test_sysadmin_filters_the_log_and_marks_last_month_reviewed(
    page, live_server, sysadmin, programme_manager, handler
):
    from django.utils import timezone

    # given rows of two staff members in last month and this month
    this_month = month_start(timezone.localdate())
    last_month = month_start(this_month - timedelta(days=1))
    log_row(programme_manager, last_month + timedelta(days=2), fields="연락처")
    log_row(
        programme_manager,
        last_month + timedelta(days=5),
        action=PersonalDataAction.DOWNLOAD,
        reason="주민참여예산 설명회 안내 발송",
        record_count=35,
    )
    log_row(handler, this_month, subject_type="cases.Case", subject_id="7", subject_label="2026-000007")

    # when the system administrator signs in (with the code) and opens 접근기록 from the menu
    sign_in(page, live_server, sysadmin.username, STAFF_PASSWORD, confirmed_totp_device(sysadmin))
    with page.expect_navigation():
        press(page.locator("#krds-header .krds-main-menu a", has_text="접근기록"))

    # then the log and the review table show, last month not yet reviewed
    assert page.locator("h1").inner_text() == "개인정보 접근기록"
    assert page.locator("#log-table tbody tr").count() == 3
    last = page.locator(f"#review-table tr[data-month='{last_month:%Y-%m}']")
    assert last.locator(".review-status").inner_text() == "미점검"
    check_page(page, "office-access-log")

    # when filtering by account and action
    page.fill("#id_account", "programme")
    page.select_option("#id_action", "download")
    with page.expect_navigation():
        press(page.locator("#log-filter button[type=submit]"))

    # then only that download remains, with its reason and count
    rows = page.locator("#log-table tbody tr")
    assert rows.count() == 1
    assert "주민참여예산 설명회 안내 발송" in rows.first.inner_text()
    assert "35건" in rows.first.inner_text()
    assert page.locator("#log-count").inner_text() == "1건"
    check_page(page, "office-access-log-filtered")

    # when last month is marked reviewed with a note
    page.select_option("#id_month", f"{last_month:%Y-%m}")
    page.fill("#id_note", "다운로드 1건 사유 확인, 이상 없음")
    with page.expect_navigation():
        press(page.locator("#review-form button[type=submit]"))

    # then the page says so and the month shows as reviewed by this administrator
    assert (
        f"{last_month:%Y-%m} 접근기록을 점검 완료로 표시했습니다."
        in page.locator(".sotong-messages").inner_text()
    )
    last = page.locator(f"#review-table tr[data-month='{last_month:%Y-%m}']")
    assert last.locator(".review-status").inner_text() == "점검 완료"
    assert "다운로드 1건 사유 확인" in last.inner_text()
    review = AccessLogReview.objects.get()
    assert (review.month, review.reviewer_id) == (last_month, sysadmin.pk)
    check_page(page, "office-access-log-reviewed")


def test_an_empty_note_is_refused_on_the_page(page, live_server, sysadmin):
    sign_in(page, live_server, sysadmin.username, STAFF_PASSWORD, confirmed_totp_device(sysadmin))
    page.goto(f"{live_server.url}/office/access-log/")
    page.locator("#id_note").evaluate("element => element.removeAttribute('required')")

    with page.expect_navigation():
        press(page.locator("#review-form button[type=submit]"))

    assert page.locator("#id_note").get_attribute("aria-invalid") == "true"
    assert "필수 항목" in page.locator("#id_note_error").inner_text()
    assert not AccessLogReview.objects.exists()
    check_page(page, "office-access-log-refused")
