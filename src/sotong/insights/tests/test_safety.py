"""Urgent safety (안전 위험 민원): keyword flags by the real minute task, never in intake; the classifier
learns from staff decisions; the map page's scope and placement; decisions and the keyword page's
permissions and bad input; the board's alert panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.template.loader import render_to_string
from django_tasks_db.models import DBTaskResult

from sotong.accounts.models import User
from sotong.cases.actions import assign_case, submit_case
from sotong.cases.models import Case, Channel
from sotong.cases.tests.conftest import case_values
from sotong.core.models import Event
from sotong.core.scheduler import run_due
from sotong.insights.alerts import actions, safety, terms
from sotong.insights.alerts.read import board_alerts, flags_for, map_points
from sotong.insights.board.rollup import seoul_today
from sotong.insights.models_alerts import SafetyFlag, SafetyFlagReason, SafetyFlagStatus, SafetyTerm

pytestmark = pytest.mark.django_db

MAP = "/office/insights/safety/"
TERMS = "/office/insights/safety/terms/"


@pytest.fixture(autouse=True)
def seeded_terms(db: Any) -> None:
    terms.seed_default_terms()


def case(org: Any, title: str, number: int, **extra: Any) -> Case:
    values = case_values(
        org, title=title, body=f"{title}. 확인 부탁드립니다.", citizen_phone=f"010-5555-{number:04d}"
    )
    values.update(extra)
    return submit_case(**values)


def test_a_keyword_case_is_flagged_by_the_minute_task_and_intake_pays_nothing(
    org: Any, run_worker: Any
) -> None:
    tasks_before = DBTaskResult.objects.filter(task_path__startswith="sotong.insights.alerts").count()
    sinkhole = case(org, "집 앞 도로에 싱크홀이 생겼습니다", 1)
    gas = case(org, "골목에서 가스누출 냄새가 납니다", 2)  # the term is "가스 누출": spaces are ignored
    ordinary = case(org, "골목길 쓰레기 무단투기 단속 요청", 3)
    assert SafetyFlag.objects.count() == 0
    assert DBTaskResult.objects.filter(task_path__startswith="sotong.insights.alerts").count() == tasks_before

    assert run_due(only=["insights.safety_scan"], force=True) == {"insights.safety_scan": "enqueued"}
    run_worker()

    flags = {flag.case_id: flag for flag in SafetyFlag.objects.all()}
    assert set(flags) == {sinkhole.pk, gas.pk}
    assert flags[sinkhole.pk].terms == ["싱크홀"]
    assert flags[gas.pk].terms == ["가스 누출"]
    assert flags[sinkhole.pk].reason == SafetyFlagReason.KEYWORD
    assert flags[sinkhole.pk].status == SafetyFlagStatus.OPEN
    assert ordinary.pk not in flags
    assert Event.objects.filter(verb="insights.safety_flagged").count() == 2
    # the watermark has passed them: the sweep has nothing to do and a second scan flags nothing twice
    assert run_due(only=["insights.safety_scan"], force=True) == {"insights.safety_scan": "up to date"}
    assert safety.scan().keyword_flags == 0


def test_a_stopped_term_flags_no_new_case(org: Any, coordinator: User) -> None:
    fire = SafetyTerm.objects.get(term="화재")
    actions.set_term_active(coordinator, fire, False)

    case(org, "화재보험 가입 안내 문의", 1)
    result = safety.scan()

    assert result.keyword_flags == 0
    assert not SafetyFlag.objects.exists()


DANGER = [  # no listed term; staff marked each 긴급 안전 at intake
    "도로 한가운데 큰 구멍이 생겨 차량이 빠질 위험이 있습니다",
    "보도 바닥이 내려앉아 구멍이 생겨 보행자가 다칠 위험",
    "차도 구멍이 점점 커져 오토바이가 넘어질 위험이 큽니다",
    "인도 바닥 구멍 때문에 아이들이 다칠 위험이 있습니다",
    "도로 포장이 내려앉아 큰 구멍 위험 차량 통행 위험",
    "횡단보도 앞 도로 구멍이 깊어 보행자 위험",
]
INSURANCE = [  # "화재" hits; staff dismiss them
    "화재보험 가입 안내 문의",
    "주택 화재보험 가입 방법 문의",
    "화재보험 가입비 지원 사업 문의",
    "소상공인 화재보험 가입 지원 문의",
    "화재보험 보장 내용 안내 문의",
    "전통시장 화재보험 가입 지원 신청 문의",
]


def probability(classifier: Any, case_id: int) -> float:
    from sotong.insights.models import CaseAnalysis

    row = CaseAnalysis.objects.get(case_id=case_id)
    return float(classifier.probabilities(row.vector_array()[None, :])[0])


def test_the_classifier_learns_from_staff_decisions(
    corpus: Any, org: Any, intake_officer: User, coordinator: User
) -> None:
    from sotong.insights import pipeline

    # given the ordinary corpus, cases staff marked 긴급 안전, and keyword hits that are not dangers
    corpus(answered=False)
    for number, title in enumerate(DANGER):
        case(org, title, 100 + number, actor=intake_officer, channel=Channel.PHONE, is_urgent_safety=True)
    insurance = [case(org, title, 200 + number) for number, title in enumerate(INSURANCE)]
    probe_insurance = case(org, "화재보험 가입 지원 문의 드립니다", 300)
    pipeline.analyse_new()
    safety.scan_keywords(safety.ScanResult())
    before = safety.refit_classifier()
    assert before is not None
    weak = probability(before, probe_insurance.pk)

    # when staff dismiss the insurance flags and the classifier is fitted again
    for item in insurance:
        actions.decide_flag(coordinator, SafetyFlag.objects.get(case=item), SafetyFlagStatus.DISMISSED)
    assert safety.refit_due()
    after = safety.refit_classifier()
    assert after is not None
    assert after.decisions == len(INSURANCE)

    # then the insurance question scores lower than when it was a weak positive, and under the threshold
    learned = probability(after, probe_insurance.pk)
    assert learned < weak
    assert learned < after.threshold
    # and a new danger case without any listed term is flagged by the classifier within the next scan
    danger = case(org, "집 앞 도로에 큰 구멍이 생겨 차량 위험", 400)
    pipeline.analyse_new()
    result = safety.scan()
    flag = SafetyFlag.objects.get(case=danger)
    assert flag.reason == SafetyFlagReason.CLASSIFIER
    assert flag.score is not None
    assert flag.score >= after.threshold
    assert result.classifier_flags >= 1
    assert not SafetyFlag.objects.filter(
        case=probe_insurance, status=SafetyFlagStatus.OPEN, reason=SafetyFlagReason.CLASSIFIER
    ).exists()


def test_confirming_marks_the_case_and_other_departments_may_not_decide(
    org: Any,
    verified_client: Any,
    coordinator: User,
    intake_officer: User,
    handler: User,
    other_dept_handler: User,
) -> None:
    item = assign_case(case(org, "공사장 낙하물 위험", 1), actor=intake_officer, department=org.sanitation)
    safety.scan()
    flag = SafetyFlag.objects.get(case=item)

    # another department's handler neither sees the flag nor may decide it
    other = verified_client(other_dept_handler)
    assert item.receipt_no not in other.get(MAP).content.decode()
    response = other.post(f"{MAP}{flag.pk}/decide/", {"status": "confirmed"})
    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.status == SafetyFlagStatus.OPEN
    assert not Case.objects.get(pk=item.pk).is_urgent_safety

    # the handling department's handler confirms: the case gets its 긴급 안전 mark
    mine = verified_client(handler)
    assert item.receipt_no in mine.get(MAP).content.decode()
    response = mine.post(f"{MAP}{flag.pk}/decide/", {"status": "confirmed", "next": MAP})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert (flag.status, flag.decided_by) == (SafetyFlagStatus.CONFIRMED, handler)
    assert Case.objects.get(pk=item.pk).is_urgent_safety
    assert Event.objects.filter(verb="insights.safety_flag_decided").count() == 1

    # a bad status is refused with a message and changes nothing
    response = verified_client(coordinator).post(f"{MAP}{flag.pk}/decide/", {"status": "maybe"}, follow=True)
    assert "확인 또는 해당 없음 중에서 골라 주세요." in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == SafetyFlagStatus.CONFIRMED


def test_the_map_places_cases_by_coordinates_or_dong_centre(org: Any, coordinator: User) -> None:
    exact = case(org, "맨홀 뚜껑이 열려 있습니다", 1, latitude=37.5501, longitude=127.0402)
    by_dong = case(org, "축대가 무너질 것 같습니다", 2, dong="마장동")
    unknown = case(org, "옹벽에 금이 갔습니다", 3, dong="")
    safety.scan()

    rows = {row.case.pk: row for row in flags_for(coordinator, seoul_today(), seoul_today())}
    points = {point["receipt"]: point for point in map_points(list(rows.values()))}

    assert (rows[exact.pk].placement, rows[exact.pk].latitude) == ("point", 37.5501)
    assert rows[by_dong.pk].placement == "dong"
    assert rows[by_dong.pk].latitude == pytest.approx(37.5665, abs=0.001)
    assert rows[unknown.pk].placement == ""
    assert set(points) == {exact.receipt_no, by_dong.receipt_no}
    assert points[by_dong.receipt_no]["approximate"] is True
    assert "citizen" not in str(points)
    assert "홍길동" not in str(points)


def test_map_page_roles(
    verified_client: Any, coordinator: User, sysadmin: User, sns_officer: User, handler: User
) -> None:
    assert verified_client(coordinator).get(MAP).status_code == 200
    assert verified_client(sysadmin).get(MAP).status_code == 200
    assert verified_client(handler).get(MAP).status_code == 200
    assert verified_client(sns_officer).get(MAP).status_code == 403


def test_keyword_page_refuses_bad_input_in_korean_and_writes_nothing(
    verified_client: Any, coordinator: User
) -> None:
    client = verified_client(coordinator)
    count = SafetyTerm.objects.count()
    for value, message in [
        ("", "핵심어를 입력해 주세요."),
        ("   ", "핵심어를 입력해 주세요."),
        ("불", "핵심어는 띄어쓰기를 빼고 2자 이상이어야 합니다."),
        ("가스누출", "이미 등록된 핵심어입니다: 가스 누출"),
        ("!!!", "핵심어에는 한글, 영문 또는 숫자가 있어야 합니다."),
        ("위험" * 21, "핵심어는 40자 이내로 입력해 주세요."),
    ]:
        response = client.post(TERMS, {"term": value})
        assert response.status_code == 400, value
        assert message in response.content.decode(), value
    assert SafetyTerm.objects.count() == count

    response = client.post(TERMS, {"term": "  전신주   기울어짐 "})
    assert response.status_code == 302
    assert SafetyTerm.objects.filter(term="전신주 기울어짐", created_by=coordinator).exists()
    assert Event.objects.filter(verb="insights.safety_term_added").count() == 1


def test_only_coordinators_and_sysadmins_manage_terms(
    verified_client: Any, handler: User, coordinator: User
) -> None:
    term = SafetyTerm.objects.get(term="침수")
    client = verified_client(handler)
    assert client.get(TERMS).status_code == 403
    assert client.post(TERMS, {"term": "새 위험"}).status_code == 403
    assert client.post(f"{TERMS}{term.pk}/", {"action": "remove"}).status_code == 403
    assert SafetyTerm.objects.filter(pk=term.pk, is_active=True).exists()
    assert not SafetyTerm.objects.filter(term="새 위험").exists()

    manager = verified_client(coordinator)
    assert manager.post(f"{TERMS}{term.pk}/", {"action": "off"}).status_code == 302
    assert not SafetyTerm.objects.get(pk=term.pk).is_active
    assert manager.post(f"{TERMS}{term.pk}/", {"action": "remove"}).status_code == 302
    assert not SafetyTerm.objects.filter(pk=term.pk).exists()


def test_board_alerts_count_open_flags_and_link_to_the_map(org: Any, coordinator: User) -> None:
    first = case(org, "공원 나무가 쓰러질 것 같습니다", 1)
    second = case(org, "지하도 침수 위험", 2)
    safety.scan()
    actions.decide_flag(coordinator, SafetyFlag.objects.get(case=second), SafetyFlagStatus.DISMISSED)
    today = seoul_today()

    alerts = board_alerts(today - timedelta(days=6), today)

    assert alerts.open_flags == 1
    assert [flag.case_id for flag in alerts.recent_open] == [first.pk]
    assert alerts.safety_url.startswith(MAP)
    assert "status=open" in alerts.safety_url
    assert dict(alerts.surge_counts) == {"분야": 0, "행정동": 0, "주제 군집": 0}
    # and the partial the board includes renders them, with the links
    html = render_to_string("insights/office/_board_alerts.html", {"alerts": alerts})
    assert first.receipt_no in html
    assert second.receipt_no not in html
    assert alerts.safety_url.replace("&", "&amp;") in html


def test_the_whole_governments_board_shows_the_alert_panel_and_a_departments_board_does_not(
    org: Any, coordinator: User, handler: User, intake_officer: User, verified_client: Any
) -> None:
    flagged = case(org, "보도블록 아래 싱크홀", 1)
    assign_case(flagged, actor=intake_officer, department=org.sanitation)
    safety.scan()

    page = verified_client(coordinator).get("/office/insights/board/")
    assert page.status_code == 200
    assert page.context["alerts"].open_flags == 1
    html = page.content.decode()
    assert 'id="board-alerts"' in html
    assert flagged.receipt_no in html

    # 청소행정과's own board is scoped to its cases: the government-wide panel is left out
    scoped = verified_client(handler).get("/office/insights/board/")
    assert scoped.status_code == 200
    assert scoped.context["alerts"] is None
    assert 'id="board-alerts"' not in scoped.content.decode()


def test_map_page_queries_do_not_grow_with_the_flags(
    org: Any, verified_client: Any, handler: User, intake_officer: User, django_assert_max_num_queries: Any
) -> None:
    client = verified_client(handler)
    for number in range(3):
        item = case(org, f"맨홀 뚜껑 파손 {number}", number, dong="마장동")
        assign_case(item, actor=intake_officer, department=org.sanitation)
    safety.scan()
    with django_assert_max_num_queries(12) as few:
        client.get(MAP)
    for number in range(3, 9):
        item = case(org, f"축대 균열 {number}", number, dong="")
        assign_case(item, actor=intake_officer, department=org.sanitation)
    safety.scan()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MAP)
    assert response.content.decode().count('data-flag="') == 9


def test_refit_sweep_runs_the_refit_on_the_worker_when_due(
    corpus: Any, org: Any, intake_officer: User, run_worker: Any
) -> None:
    from sotong.insights import pipeline
    from sotong.insights.models_alerts import SafetyClassifier

    corpus(answered=False)
    for number, title in enumerate(DANGER):
        case(org, title, 100 + number, actor=intake_officer, channel=Channel.PHONE, is_urgent_safety=True)
    pipeline.analyse_new()
    assert safety.refit_due()

    assert run_due(only=["insights.safety_refit"], force=True) == {"insights.safety_refit": "enqueued"}
    run_worker()

    classifier = SafetyClassifier.objects.get()
    assert classifier.positives == len(DANGER)
    assert classifier.negatives == 36
    assert run_due(only=["insights.safety_refit"], force=True) == {"insights.safety_refit": "not due"}
