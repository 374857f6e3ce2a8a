"""The staff import: upload → column mapping → preview (report, proposals) → commit → report download."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from sotong.core.models import PersonalDataAccessLog, PersonalDataAction
from sotong.people.import_jobs import storage
from sotong.people.models import Consent, ImportBatch, ImportJob, Membership, Person
from sotong.people.tests.conftest import MakePerson
from sotong.people.views.office_import import SESSION_KEY

HEADER = "성명,연락처,메일,성별,생년,동,비고\n"
ROWS = (
    "김민준,010-1111-0001,minjun@example.com,남,1985,행당1동,\n"
    "이서연,010-1111-000,,여,1990,마장동,\n"  # row 3: bad phone
    "박도윤,010-3333-4444,,남,1970,옥수동,\n"  # row 4: the registered person
    "김민준,010-1111-0001,,남,,,\n"  # row 5: duplicate of row 2
)


def upload(client: Client, text: str, name: str = "가입자.csv", **extra: Any) -> Any:
    data = {
        "file": SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv"),
        "source": "homepage",
        "purposes": ["e_sotong"],
        "channels": ["sms", "email"],
        **extra,
    }
    return client.post(reverse("people_office:import"), data)


def map_and_preview(client: Client, run_worker: Any, mapping: dict[str, str] | None = None) -> Any:
    """Map the columns (the job starts), let the real worker analyse the file, open the job page."""
    page = client.get(reverse("people_office:import_mapping"))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].initial or "" for name in form.fields}
    data.update(mapping or {})
    response = client.post(reverse("people_office:import_mapping"), data)
    assert response.status_code == 302, response.context["form"].errors
    waiting = client.get(response["Location"])
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    run_worker()
    return client.get(response["Location"])


@pytest.fixture
def client_pm(verified_client, programme_manager, purposes) -> Client:
    return verified_client(programme_manager)


@pytest.fixture
def registered(make_person: MakePerson) -> Person:
    return make_person(name="박도윤", mobile="010-3333-4444", email="", occupation="자영업")


def test_the_mapping_step_guesses_columns_from_korean_headers(client_pm, purposes):
    assert upload(client_pm, HEADER + ROWS).status_code == 302
    form = client_pm.get(reverse("people_office:import_mapping")).context["form"]
    assert [form[f"col{i}"].initial for i in range(7)] == [
        "name", "mobile", "email", "gender", "birth_year", "dong", "",
    ]  # fmt: skip


def test_preview_reports_rows_and_proposals_and_writes_nothing(client_pm, registered, run_worker):
    upload(client_pm, HEADER + ROWS)
    response = map_and_preview(client_pm, run_worker)

    assert response.status_code == 200
    by_row = {row.row: row for row in response.context["problems"]}
    assert by_row[3].status == "rejected"
    assert by_row[4].status == "proposal"
    assert by_row[4].person_id == registered.pk
    assert by_row[5].status == "duplicate"
    page = response.content.decode()
    assert "휴대전화 번호가 올바르지 않습니다" in page
    assert f"#{registered.pk}에 병합" in page
    assert Person.objects.count() == 1
    assert not ImportBatch.objects.exists()


def test_commit_merges_the_chosen_proposals_and_reports_every_row(client_pm, registered, run_worker):
    upload(client_pm, HEADER + ROWS, membership="subscriber")
    preview = map_and_preview(client_pm, run_worker)
    job = preview.context["job"]

    response = client_pm.post(reverse("people_office:import_confirm", args=[job.pk]), {"decision-4": "merge"})
    assert response.status_code == 302
    assert response["Location"] == reverse("people_office:import_job", args=[job.pk])
    status = client_pm.get(reverse("people_office:import_status", args=[job.pk]))
    assert "반영 중" in status.content.decode()
    assert "HX-Refresh" not in status
    run_worker()
    assert client_pm.get(reverse("people_office:import_status", args=[job.pk]))["HX-Refresh"] == "true"

    batch = ImportBatch.objects.get()
    assert batch.counts == {"new": 1, "merged": 1, "rejected": 1, "duplicate": 1}
    kim = Person.objects.get(mobile_index__isnull=False, name="김민준")
    assert Consent.objects.get(person=kim).evidence["row"] == 2
    assert Consent.objects.filter(person=registered, method="import").exists()
    assert Membership.objects.filter(person=kim, kind="subscriber").exists()
    job.refresh_from_db()
    assert not (storage() / f"{job.token}.csv").exists()  # the upload is gone

    result = client_pm.get(response["Location"])
    assert "기존 정책고객에 병합: <strong>1</strong>" in result.content.decode()
    download = client_pm.post(
        reverse("people_office:import_report", args=[job.pk, "commit"]), {"report-reason": "결과 확인"}
    )
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert download.status_code == 200
    assert "3,오류,휴대전화 번호가 올바르지 않습니다" in body
    assert "4,기존 정책고객에 병합" in body
    log = PersonalDataAccessLog.objects.get(action=PersonalDataAction.DOWNLOAD)
    assert log.reason == "결과 확인"


def test_a_declined_proposal_leaves_the_registered_person_alone(client_pm, registered, run_worker):
    upload(client_pm, HEADER + ROWS)
    job = map_and_preview(client_pm, run_worker).context["job"]
    client_pm.post(reverse("people_office:import_confirm", args=[job.pk]), {"decision-4": "skip"})
    run_worker()
    assert ImportBatch.objects.get().counts["proposal"] == 1
    assert not Consent.objects.filter(person=registered, method="import").exists()


def test_the_job_and_its_report_belong_to_the_uploader(
    client_pm, make_staff, org, verified_client, run_worker
):
    upload(client_pm, HEADER + ROWS)
    job = map_and_preview(client_pm, run_worker).context["job"]
    url = reverse("people_office:import_report", args=[job.pk, "preview"])

    assert client_pm.post(url, {"report-reason": ""}).status_code == 302
    other = verified_client(make_staff("programme2", org.new_media, "programme_manager", name="두사업"))
    assert other.post(url, {"report-reason": "확인"}).status_code == 403
    assert other.get(reverse("people_office:import_job", args=[job.pk])).status_code == 403
    assert other.post(reverse("people_office:import_confirm", args=[job.pk])).status_code == 403
    assert not PersonalDataAccessLog.objects.exists()
    assert client_pm.post(url, {"report-reason": "확인"}).status_code == 200
    job.refresh_from_db()
    assert job.state == "previewed"


def test_a_file_with_resident_numbers_is_refused_at_upload(client_pm):
    response = upload(client_pm, "성명,주민등록번호,휴대폰\n홍길동,900101-1234567,010-1111-2222\n")
    assert response.status_code == 400
    assert "주민등록번호 열" in response.content.decode()
    assert SESSION_KEY not in client_pm.session


def test_other_file_types_are_refused(client_pm):
    response = upload(client_pm, "hello", name="people.txt")
    assert response.status_code == 400
    assert "xlsx 또는 csv" in response.content.decode()


def test_mapping_without_a_contact_column_is_refused(client_pm, run_worker):
    upload(client_pm, "이름,전화번호\n홍길동,010-1111-2222\n")
    page = client_pm.get(reverse("people_office:import_mapping"))
    assert page.context["form"]["col1"].initial == ""
    refused = client_pm.post(reverse("people_office:import_mapping"), {"col0": "name", "col1": ""})
    assert refused.status_code == 400
    assert "휴대전화나 전자우편 열" in refused.content.decode()
    preview = map_and_preview(client_pm, run_worker, {"col1": "mobile"})
    assert preview.context["job"].preview_counts == {"new": 1}


def test_an_xlsx_file_goes_through_the_same_steps(client_pm, run_worker):
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["성명", "휴대전화", "출생연도"])
    sheet.append(["최하은", "010-5555-6666", 1999])
    stream = io.BytesIO()
    workbook.save(stream)
    response = client_pm.post(
        reverse("people_office:import"),
        {
            "file": SimpleUploadedFile("목록.xlsx", stream.getvalue()),
            "source": "mobile_web",
            "purposes": ["e_sotong"],
            "channels": ["sms"],
        },
    )
    assert response.status_code == 302
    job = map_and_preview(client_pm, run_worker).context["job"]
    assert job.preview_counts == {"new": 1}
    client_pm.post(reverse("people_office:import_confirm", args=[job.pk]))
    run_worker()
    assert Person.objects.get().birth_year == 1999


def test_steps_out_of_order_send_back_to_the_upload(client_pm):
    response = client_pm.get(reverse("people_office:import_mapping"))
    assert response.status_code == 302
    assert response["Location"] == reverse("people_office:import")
    assert client_pm.get(reverse("people_office:import_job", args=[999])).status_code == 404
    assert not ImportJob.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_job_is_confirmed_once(client_pm, run_worker):
    upload(client_pm, HEADER + ROWS)
    job = map_and_preview(client_pm, run_worker).context["job"]
    confirm = reverse("people_office:import_confirm", args=[job.pk])
    client_pm.post(confirm)
    again = client_pm.post(confirm, follow=True)
    assert "미리보기가 준비된 작업만 반영할 수 있습니다." in again.content.decode()
    run_worker()
    assert ImportBatch.objects.count() == 1
    assert Person.objects.count() == 2
