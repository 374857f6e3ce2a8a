"""Export (masked by default, unmasked for the role with a reason, both logged) and the summaries."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sotong.core.models import PersonalDataAccessLog, PersonalDataAction
from sotong.people import actions
from sotong.people.models import Person
from sotong.people.segments import SegmentFilter
from sotong.people.tests.conftest import MakePerson

EXPORT = reverse("people_office:export")
SUMMARY = reverse("people_office:summary")


@pytest.fixture
def people(make_person: MakePerson) -> list[Person]:
    return [
        make_person(name="김민준", mobile="010-1234-5678", gender="M", birth_year=1985, dong="행당1동"),
        make_person(name="이서연", mobile="010-2222-3333", gender="F", birth_year=1962, dong="마장동"),
        make_person(name="박도윤", mobile="010-4444-5555", gender="M", birth_year=1999, dong="행당1동"),
    ]


def test_the_export_page_counts_the_selected_people(verified_client, programme_manager, people):
    response = verified_client(programme_manager).get(EXPORT, {"genders": "M"})
    assert response.status_code == 200
    assert response.context["count"] == 2


def _download(client, job_page: str, run_worker):
    assert 'hx-trigger="every 2s"' in client.get(job_page).content.decode()
    run_worker()
    status = client.get(job_page.rstrip("/") + "/status/")
    assert status["HX-Refresh"] == "true"
    assert not PersonalDataAccessLog.objects.exists()
    return client.post(job_page + "download/")


def test_a_masked_csv_export_is_logged_with_its_reason(
    verified_client, programme_manager, people, run_worker
):
    client = verified_client(programme_manager)
    queued = client.post(EXPORT + "?dong=행당1동", {"fmt": "csv", "reason": "설명회 안내"})
    assert queued.status_code == 302
    response = _download(client, queued["Location"], run_worker)

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="people-masked-')
    assert "김*준" in body
    assert "010-****-5678" in body
    assert "010-1234-5678" not in body
    assert "이*연" not in body
    log = PersonalDataAccessLog.objects.get()
    assert (log.action, log.reason, log.record_count) == (PersonalDataAction.DOWNLOAD, "설명회 안내", 2)


def test_an_unmasked_xlsx_export_for_the_programme_manager(
    verified_client, programme_manager, people, run_worker
):
    client = verified_client(programme_manager)
    queued = client.post(EXPORT, {"fmt": "xlsx", "unmasked": "on", "reason": "위원 위촉 통보"})
    response = _download(client, queued["Location"], run_worker)

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert response.status_code == 200
    assert [values[1][1], values[1][5]] == ["김민준", "010-1234-5678"]
    log = PersonalDataAccessLog.objects.get()
    assert log.path == "people.export.xlsx.unmasked"
    assert log.reason == "위원 위촉 통보"


def test_an_export_without_a_reason_writes_and_logs_nothing(verified_client, programme_manager, people):
    response = verified_client(programme_manager).post(EXPORT, {"fmt": "csv", "reason": " "})
    assert response.status_code == 400
    assert "내려받는 사유" in response.content.decode()
    assert not PersonalDataAccessLog.objects.exists()


def test_the_programme_manager_is_offered_the_unmasked_option(verified_client, programme_manager, people):
    form = verified_client(programme_manager).get(EXPORT).context["form"]
    assert "unmasked" in form.fields


def test_summaries_count_by_gender_age_dong_and_occupation(verified_client, sysadmin, people):
    response = verified_client(sysadmin).get(SUMMARY)

    assert response.status_code == 200
    tables = {table["key"]: table for table in response.context["tables"]}
    assert ("남", 2, 66.7) in tables["gender"]["rows"]
    assert ("60대", 1, 33.3) in tables["age"]["rows"]
    assert tables["dong"]["rows"][0] == ("행당1동", 2, 66.7)
    assert response.context["total"] == 3
    page = response.content.decode()
    assert "vendor/echarts/echarts.min.js" in page
    charts = json.loads(page.split('id="summary-charts" type="application/json">')[1].split("</script>")[0])
    assert charts["gender"] == {"labels": ["남", "여", "미상"], "values": [2, 1, 0]}
    assert '<table class="tbl col data" id="table-occupation">' in page


def test_summaries_of_a_segment(verified_client, programme_manager, people):
    segment = actions.save_segment(
        programme_manager, name="행당1동", filters=SegmentFilter(dongs=["행당1동"])
    )
    response = verified_client(programme_manager).get(SUMMARY, {"segment": segment.pk})
    assert response.context["total"] == 2
    assert response.context["scope"] == "저장된 조건 '행당1동'"
