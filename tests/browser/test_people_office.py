"""The registry's staff pages in Chromium, with axe-core on every page:

staff import with errors → fix → commit (a merge proposal accepted) → the report downloaded;
the one-screen list filtered, a person's contact unmasked with a reason, the summaries with charts.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sotong.accounts.tests.fixtures import STAFF_PASSWORD
from sotong.core.models import PersonalDataAccessLog, PersonalDataAction
from sotong.people import actions
from sotong.people.models import Consent, ImportBatch, Person
from sotong.people.tests.conftest import WEB_EVIDENCE
from tests.browser.helpers import assert_accessible, choose, press, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "성명,휴대폰,이메일,성별,생년,행정동\n"
WITH_ERRORS = HEADER + (
    "김민준,010-1111-0001,minjun@example.com,남,1985,행당1동\n"
    "이서연,010-1111-000,,여,1990,마장동\n"  # row 3: a digit missing
    "박도윤,010-3333-4444,,남,1970,옥수동\n"  # row 4: already registered
)
FIXED = WITH_ERRORS.replace("010-1111-000,", "010-1111-0002,")


def check_page(page, name: str) -> None:
    assert page.js_errors == []
    assert page.outside_requests == []
    assert_accessible(page)
    screenshot(page, name)


def registered_person(purposes) -> Person:
    person = actions.register_person(actions.SYSTEM, name="박도윤", mobile="010-3333-4444", dong="옥수동")
    actions.give_consent(
        actions.SYSTEM,
        person,
        purposes["e_sotong"],
        sms=True,
        email=False,
        method="web_form",
        evidence=WEB_EVIDENCE,
    )
    return person


def upload(page, form: str, path) -> None:
    page.set_input_files(f"{form} input[type=file]", str(path))
    with page.expect_navigation():
        press(page.locator(f"{form} button[type=submit]"))


def test_staff_import_with_errors_then_fix_then_commit(
    page, live_server, programme_manager, purposes, tmp_path, run_worker
):
    registered = registered_person(purposes)
    (tmp_path / "가입자.csv").write_text(WITH_ERRORS, encoding="utf-8-sig")
    sign_in(page, live_server, programme_manager.username, STAFF_PASSWORD)

    # The menu leads to the registry, and the registry to the import.
    press(page.get_by_role("link", name="주민 명부").first)
    page.wait_for_url("**/office/people/")
    press(page.get_by_role("link", name="일괄 등록"))
    page.wait_for_url("**/office/people/import/")
    check_page(page, "people-import-1-upload")

    # The file with an error: columns guessed, the preview names the bad row and the proposal.
    upload(page, "#import-upload", tmp_path / "가입자.csv")
    page.wait_for_url("**/import/mapping/")
    assert page.locator("#id_col1").input_value() == "mobile"
    check_page(page, "people-import-2-mapping")
    with page.expect_navigation():
        press(page.locator("#import-mapping button[type=submit]"))
    # The job page waits for the worker, polling every 2 s; the worker runs, the page reloads itself.
    expect(page.locator("#import-state")).to_have_text("대기")
    check_page(page, "people-import-3-waiting")
    run_worker()
    rows = page.locator("#import-rows")
    rows.wait_for()
    assert "휴대전화 번호가 올바르지 않습니다" in rows.locator("tr[data-row='3']").inner_text()
    assert f"#{registered.pk}에 병합" in rows.locator("tr[data-row='4']").inner_text()
    check_page(page, "people-import-3-preview-errors")
    assert not ImportBatch.objects.exists()

    # Fixed and uploaded again from the preview page: no error left.
    (tmp_path / "가입자.csv").write_text(FIXED, encoding="utf-8-sig")
    upload(page, "#import-reupload", tmp_path / "가입자.csv")
    with page.expect_navigation():
        press(page.locator("#import-mapping button[type=submit]"))
    run_worker()
    page.locator("#import-rows").wait_for()
    assert page.locator("#import-rows tr[data-status='rejected']").count() == 0
    choose(page.locator("#decision-4-merge"))
    check_page(page, "people-import-4-preview-fixed")
    with page.expect_navigation():
        press(page.locator("#import-commit-button"))
    expect(page.locator("#import-state")).to_have_text("반영 중")
    run_worker()

    # The result, and its row-by-row report downloaded with a reason.
    page.locator("#import-result-counts").wait_for()
    counts = page.locator("#import-result-counts").inner_text()
    assert "신규: 2" in counts
    assert "기존 정책고객에 병합: 1" in counts
    check_page(page, "people-import-5-result")
    with page.expect_download() as download:
        press(page.locator("#report-download button[type=submit]"))
    report = download.value.path().read_text(encoding="utf-8-sig")
    assert "4,기존 정책고객에 병합" in report

    assert Person.objects.count() == 3
    assert Consent.objects.filter(person=registered, method="import").exists()
    assert PersonalDataAccessLog.objects.filter(action=PersonalDataAction.DOWNLOAD).count() == 1


def test_staff_filter_the_registry_and_unmask_a_contact(page, live_server, programme_manager, purposes):
    person = registered_person(purposes)
    actions.add_membership(actions.SYSTEM, person, "committee", group_label="도시계획위원회")
    actions.register_person(actions.SYSTEM, name="이서연", email="seoyeon@example.com", dong="마장동")
    sign_in(page, live_server, programme_manager.username, STAFF_PASSWORD)

    page.goto(f"{live_server.url}/office/people/")
    assert page.locator("#people-total").inner_text() == "2"
    check_page(page, "people-list")
    choose(page.locator("input[name=memberships][value=committee]"))
    with page.expect_navigation():
        press(page.locator("#people-filter button[type=submit]"))
    table = page.locator("#people-table tbody")
    assert "박*윤" in table.inner_text()
    assert "이*연" not in table.inner_text()

    with page.expect_navigation():
        press(table.get_by_role("link", name=f"#{person.pk}"))
    assert "010-****-4444" in page.locator("#person-contact").inner_text()
    check_page(page, "people-person")
    page.fill("#id_unmask-reason", "위원 위촉 통보")
    with page.expect_navigation():
        press(page.locator("#unmask-form button[type=submit]"))
    assert "010-3333-4444" in page.locator("#person-contact").inner_text()
    assert PersonalDataAccessLog.objects.get().reason == "위원 위촉 통보"
    check_page(page, "people-person-unmasked")

    # The summaries: charts drawn by ECharts, each with its data table.
    page.goto(f"{live_server.url}/office/people/summary/")
    page.locator("#chart-gender svg").wait_for()
    assert "남" in page.locator("#table-gender").inner_text()
    check_page(page, "people-summary")
