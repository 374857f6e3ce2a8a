"""신청 내역 on the portal: the look-up by receipt number and phone, the case page, rating and the
additional-answer request."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sotong.cases.actions import CITIZEN, add_attachment, add_note, request_additional_answer
from sotong.cases.models import Case, CaseStatus, NoteVisibility, SatisfactionSurvey
from sotong.core.models import Event, PersonalDataAccessLog

pytestmark = pytest.mark.django_db

PHONE = "010-1234-5678"
GENERIC = "접수번호 또는 휴대전화 번호가 맞지 않습니다. 다시 확인해 주세요."


def look_up(client: Client, receipt_no: str, phone: str = PHONE, **extra: Any) -> Any:
    return client.post(reverse("cases:portal_lookup"), {"receipt_no": receipt_no, "phone": phone}, **extra)


def case_page(client: Client, case: Case) -> str:
    response = client.get(reverse("cases:portal_case", args=[case.receipt_no]))
    assert response.status_code == 200
    return response.content.decode()


def test_wrong_phone_and_unknown_number_get_the_same_generic_message(client, make_case):
    case = make_case()

    wrong_phone = look_up(client, case.receipt_no, "010-9999-9999")
    unknown = look_up(client, "2601-999999-0")

    assert GENERIC in wrong_phone.content.decode()
    assert GENERIC in unknown.content.decode()
    assert wrong_phone.status_code == unknown.status_code == 200
    assert client.get(reverse("cases:portal_case", args=[case.receipt_no]))["Location"] == reverse(
        "cases:portal_lookup"
    )
    failures = Event.objects.filter(verb="cases.citizen_lookup_failed")
    assert failures.count() == 2
    assert all(e.after == {} and e.note == "" for e in failures)


def test_right_number_and_phone_open_the_case_page_and_reloads_keep_it(client, make_case):
    case = make_case()

    response = look_up(client, f" {case.receipt_no.replace('-', '')} ", "01012345678")

    assert response["Location"] == reverse("cases:portal_case", args=[case.receipt_no])
    assert case.title in case_page(client, case)
    assert case.title in case_page(client, case)
    assert not PersonalDataAccessLog.objects.exists()


def test_look_ups_are_limited_after_ten_failures_from_one_address(client, make_case):
    case = make_case()
    for _ in range(10):
        look_up(client, case.receipt_no, "010-0000-0000", REMOTE_ADDR="203.0.113.7")

    blocked = look_up(client, case.receipt_no, PHONE, REMOTE_ADDR="203.0.113.7")
    other = look_up(Client(), case.receipt_no, PHONE, REMOTE_ADDR="198.51.100.8")

    assert "조회에 여러 번 실패했습니다." in blocked.content.decode()
    assert other.status_code == 302


def test_case_page_shows_every_step_with_the_current_one(client, assigned_case, handler):
    look_up(client, assigned_case.receipt_no)

    page = case_page(client, assigned_case)

    steps = page[page.index('aria-label="처리 단계"') :]
    assert steps.index('class="done"') < steps.index('class="active"')
    assert steps.count("<li") >= 4
    assert "현재 상태: 배정" in page
    assert "청소행정과" in page
    assert handler.name in page


def test_case_page_shows_public_replies_and_never_internal_notes(client, in_progress_case, handler):
    add_note(
        in_progress_case,
        actor=handler,
        body="내부 검토: 민원인 성향 주의",
        visibility=NoteVisibility.INTERNAL,
    )
    add_note(
        in_progress_case, actor=handler, body="현장 확인을 마쳤습니다.", visibility=NoteVisibility.PUBLIC
    )
    look_up(client, in_progress_case.receipt_no)

    page = case_page(client, in_progress_case)

    assert "현장 확인을 마쳤습니다." in page
    assert "내부 검토" not in page
    assert "현재 상태: 처리중" in page


def test_citizen_can_download_only_their_own_attachment(client, make_case, settings):
    case = make_case()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    attachment = add_attachment(
        case, uploaded_file=SimpleUploadedFile("사진.png", png, content_type="image/png"), actor=CITIZEN
    )
    url = reverse("cases:portal_case_attachment", args=[case.receipt_no, attachment.pk])

    assert client.get(url).status_code == 404
    look_up(client, case.receipt_no)
    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png
    assert "사진.png" in case_page(client, case)


def test_rating_is_offered_after_the_answer_once(client, answered_case):
    look_up(client, answered_case.receipt_no)
    page = case_page(client, answered_case)
    assert "단속 카메라를 다음 달에 설치하겠습니다." in page
    assert "만족도 평가" in page
    url = reverse("cases:portal_case_rate", args=[answered_case.receipt_no])

    empty = client.post(url, {})
    assert empty.status_code == 422
    assert "만족도를 선택해 주세요." in empty.content.decode()

    assert client.post(url, {"score": "4", "comment": "빨리 답해 주셔서 고맙습니다."}).status_code == 302
    survey = SatisfactionSurvey.objects.get()
    assert (survey.score, survey.comment) == (4, "빨리 답해 주셔서 고맙습니다.")
    page = case_page(client, answered_case)
    assert "5점 만점에 4점" in page
    assert 'name="score"' not in page
    assert "추가 답변 요청" not in page

    again = client.post(url, {"score": "1"}, follow=True)
    assert "이미 만족도를 남기셨습니다" in again.content.decode()
    assert SatisfactionSurvey.objects.count() == 1


def test_no_rating_before_an_answer(client, assigned_case):
    look_up(client, assigned_case.receipt_no)

    assert 'name="score"' not in case_page(client, assigned_case)
    refused = client.post(
        reverse("cases:portal_case_rate", args=[assigned_case.receipt_no]), {"score": "5"}, follow=True
    )

    assert "답변" in refused.content.decode()
    assert not SatisfactionSurvey.objects.exists()


def test_dissatisfied_citizen_may_ask_once_for_an_additional_answer(client, answered_case):
    look_up(client, answered_case.receipt_no)
    client.post(reverse("cases:portal_case_rate", args=[answered_case.receipt_no]), {"score": "2"})
    assert "추가 답변 요청" in case_page(client, answered_case)
    url = reverse("cases:portal_case_additional", args=[answered_case.receipt_no])

    empty = client.post(url, {"reason": ""})
    assert "추가로 답변을 바라는 내용을 입력해 주세요." in empty.content.decode()

    assert client.post(url, {"reason": "설치 일정을 구체적으로 알려 주세요."}).status_code == 302
    answered_case.refresh_from_db()
    assert answered_case.additional_answer_requested_at is not None
    assert answered_case.status == CaseStatus.IN_PROGRESS
    assert "추가 답변을 요청하셨습니다" in case_page(client, answered_case)

    again = client.post(url, {"reason": "다시"}, follow=True)
    assert "sotong-message error" in again.content.decode()
    assert Event.objects.filter(verb="cases.additional_answer_requested").count() == 1


def test_satisfied_citizen_is_not_offered_an_additional_answer(client, answered_case):
    look_up(client, answered_case.receipt_no)
    client.post(reverse("cases:portal_case_rate", args=[answered_case.receipt_no]), {"score": "5"})

    refused = client.post(
        reverse("cases:portal_case_additional", args=[answered_case.receipt_no]),
        {"reason": "더 알려 주세요"},
        follow=True,
    )

    assert "이하로 평가한 답변에만 추가 답변을 요청할 수 있습니다." in refused.content.decode()
    with pytest.raises(Exception):  # noqa: B017, PT011 - the action refuses it too
        request_additional_answer(answered_case, reason="더 알려 주세요")
    answered_case.refresh_from_db()
    assert answered_case.additional_answer_requested_at is None


def test_ending_the_look_up_forgets_the_cases(client, make_case):
    case = make_case()
    look_up(client, case.receipt_no)

    client.post(reverse("cases:portal_lookup_end"))

    assert client.get(reverse("cases:portal_case", args=[case.receipt_no])).status_code == 302


def test_case_page_reads_in_a_fixed_number_of_queries(
    client, answered_case, handler, django_assert_max_num_queries
):
    for n in range(5):
        add_note(answered_case, actor=handler, body=f"안내 {n}", visibility=NoteVisibility.PUBLIC)
    look_up(client, answered_case.receipt_no)

    with django_assert_max_num_queries(12):
        case_page(client, answered_case)
