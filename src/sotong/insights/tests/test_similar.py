"""Similar cases, department suggestions and answers on the portal, the office pages and the API."""

from __future__ import annotations

import json

from django.urls import reverse

from sotong.cases.actions import submit_case
from sotong.cases.models import Case, CaseStatus
from sotong.cases.tests.conftest import case_values
from sotong.insights import pipeline
from sotong.insights.similar import public_text


def _ready(corpus, answered=True):
    cases = corpus(answered=answered)
    pipeline.analyse_new()
    return cases


def test_portal_lists_similar_cases_answered_first_with_answers_and_no_personal_data(client, corpus):
    _ready(corpus)

    response = client.get(
        reverse("insights:similar"), {"title": "쓰레기 무단투기", "body": "골목에 쓰레기를 버려요"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "골목길 쓰레기 무단투기 단속 요청" in html
    assert "담당 부서에서 조치했습니다" in html  # the public answer
    assert "김민원" not in html  # the citizen's name in the answer is masked
    assert "김*원" in html
    assert "9876" not in html  # contact details never appear
    assert "주차" not in html  # another topic is not similar
    statuses = [line for line in html.splitlines() if "krds-badge" in line]
    answered = ["답변완료" in line for line in statuses]
    assert answered == sorted(answered, reverse=True)  # answered ones first


def test_portal_shows_nothing_for_very_short_text_and_refuses_huge_text_in_korean(client, corpus):
    _ready(corpus)

    short = client.get(reverse("insights:similar"), {"title": "쓰"})
    huge = client.get(reverse("insights:similar"), {"title": "쓰레기", "body": "가" * 5000})

    assert "sotong-similar-item" not in short.content.decode()
    assert "자 이하로 입력해 주세요" in huge.content.decode()


def test_portal_never_suggests_grievances(client, corpus, org):
    _ready(corpus)
    secret = submit_case(
        **case_values(
            org, title="쓰레기 무단투기 과태료 처분이 부당합니다", body="쓰레기 과태료", is_grievance=True
        )
    )
    pipeline.analyse_new()

    response = client.get(reverse("insights:similar"), {"title": "쓰레기 무단투기 과태료 처분"})

    assert secret.title not in response.content.decode()


def test_public_text_masks_names_phones_and_emails():
    text = "홍길동 님(010-1234-5678, hong@example.com)께 답변드립니다."
    assert public_text(text, ["홍길동"]) == "홍*동 님(***, ***)께 답변드립니다."


def test_case_page_lists_similar_cases_and_merges_a_duplicate_with_the_cases_action(
    verified_client, corpus, org, intake_officer
):
    _ready(corpus, answered=False)
    case = submit_case(**case_values(org, title="골목 쓰레기 무단투기 단속해 주세요", body="쓰레기 무단투기"))
    pipeline.analyse_new()
    client = verified_client(intake_officer)
    duplicate = Case.objects.get(title="골목길 쓰레기 무단투기 단속 요청")

    page = client.get(reverse("cases_office:detail", args=[case.receipt_no])).content.decode()
    assert "유사민원" in page
    assert reverse("cases_office:detail", args=[duplicate.receipt_no]) in page
    assert f'name="merge-receipt_nos" value="{duplicate.receipt_no}"' in page

    response = client.post(
        reverse("cases_office:action", args=[case.receipt_no, "merge"]),
        {"merge-receipt_nos": duplicate.receipt_no, "merge-reason": "유사민원 병합"},
    )

    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED
    assert duplicate.merged_into_id == case.pk


def test_intake_form_panel_suggests_the_department_that_answered_similar_cases(
    verified_client, corpus, intake_officer, org
):
    _ready(corpus)

    response = verified_client(intake_officer).get(
        reverse("insights_office:suggestions"),
        {"title": "불법 주차 단속", "body": "골목에 불법 주차 차량이 많습니다"},
    )

    html = response.content.decode()
    assert "처리부서 추천" in html
    first = html.index("<ol")
    assert html.index(org.transport.name, first) < html.index("</ol>", first)
    assert "답변 추천" in html


def test_citizen_and_other_staff_cannot_open_the_office_panel(client, verified_client, programme_manager):
    assert client.get(reverse("insights_office:suggestions")).status_code == 302
    assert verified_client(programme_manager).get(reverse("insights_office:suggestions")).status_code == 403


def test_api_suggests_top_three_departments_with_confidence(verified_client, corpus, intake_officer, org):
    _ready(corpus)
    client = verified_client(intake_officer)

    response = client.post(
        "/api/v1/insights/suggest",
        data=json.dumps({"title": "음식물 쓰레기 수거 요청", "body": "음식물 쓰레기가 수거되지 않았습니다"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert body["departments"][0]["code"] == org.sanitation.code
    assert len(body["departments"]) <= 3
    confidences = [d["confidence"] for d in body["departments"]]
    assert confidences == sorted(confidences, reverse=True)
    assert 0 < sum(confidences) <= 1.0001
    assert body["answers"]
    assert "김민원" not in response.content.decode()


def test_api_case_insight_is_404_for_another_departments_case_and_422_for_huge_text(
    verified_client, corpus, other_dept_handler, intake_officer
):
    cases = _ready(corpus, answered=False)
    client = verified_client(other_dept_handler)

    assert client.get(f"/api/v1/insights/cases/{cases[0].receipt_no}").status_code == 404
    response = verified_client(intake_officer).post(
        "/api/v1/insights/suggest", data=json.dumps({"title": "가" * 5000}), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["field"] == "body"
    assert response.json()["message"]


def test_suggestions_say_the_model_is_being_prepared_before_any_fit(verified_client, intake_officer):
    response = verified_client(intake_officer).get(
        reverse("insights_office:suggestions"), {"title": "불법 주차 단속"}
    )
    assert "민원 분석 모델을 준비하고 있습니다" in response.content.decode()


def test_a_repeated_query_reads_no_candidate_morphemes_again(corpus):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sotong.insights import similar

    _ready(corpus)
    query = similar.query_for_text("쓰레기 무단투기", "골목 쓰레기")

    with CaptureQueriesContext(connection) as first:
        found = similar.search(query, similar.public_cases())
    with CaptureQueriesContext(connection) as second:
        again = similar.search(query, similar.public_cases())

    def analysis_reads(captured):
        return [q for q in captured.captured_queries if "insights_caseanalysis" in q["sql"]]

    assert [item.case.pk for item in again] == [item.case.pk for item in found]
    assert len(analysis_reads(first)) == 1
    assert analysis_reads(second) == []
