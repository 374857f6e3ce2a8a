"""Reading cases for the citizen: the look-up by receipt number and phone, and what the 신청 내역 page shows.

Nothing here writes. The citizen sees the status steps, the handling unit and officer (public servants:
department, name and office phone), public replies, answers and the files they sent; never internal notes,
reports, transfers' reasons or anything about other citizens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sotong.cases import receipt
from sotong.cases.models import (
    Answer,
    Attachment,
    Case,
    CaseKind,
    CaseNote,
    CaseStatus,
    NoteVisibility,
    SatisfactionSurvey,
)
from sotong.core.crypto import phone_index_for
from sotong.messaging.text import normalize_mobile

# What a citizen may file on the portal (법정민원 goes through its own application forms).
PORTAL_KINDS: tuple[CaseKind, ...] = (
    CaseKind.SUGGESTION,
    CaseKind.INQUIRY_PROCEDURE,
    CaseKind.INQUIRY_LAW,
    CaseKind.GRIEVANCE,
    CaseKind.OTHER,
    CaseKind.PROPOSAL,
)

# The four steps the citizen sees, and the status that puts a case on each.
CITIZEN_STEPS: tuple[tuple[str, Promise], ...] = (
    (CaseStatus.RECEIVED, _("접수")),
    (CaseStatus.ASSIGNED, _("배정")),
    (CaseStatus.IN_PROGRESS, _("처리중")),
    (CaseStatus.ANSWERED, _("답변완료")),
)
_STEP_OF_STATUS = {
    CaseStatus.RECEIVED: 0,
    CaseStatus.ASSIGNED: 1,
    CaseStatus.IN_PROGRESS: 2,
    CaseStatus.ANSWERED: 3,
    CaseStatus.CLOSED: 3,
}
DISSATISFIED_MAX_SCORE = 2


def normalize_receipt_no(value: str) -> str:
    """Receipt numbers as typed (spaces, no hyphens, other dashes) in their canonical form."""
    value = re.sub(r"[\u2010-\u2015\u2212]", "-", value or "")
    return receipt.normalize_receipt_no(re.sub(r"\s+", "", value))


def find_citizen_case(receipt_no: str, phone: str) -> Case | None:
    """The case with this receipt number whose applicant's phone is `phone`, or None (no hint which failed)."""
    receipt_no = normalize_receipt_no(receipt_no)
    digits = normalize_mobile(phone or "")
    if not receipt_no or digits is None:
        return None
    return Case.objects.filter(receipt_no=receipt_no, phone_index=phone_index_for(digits)).first()


@dataclass(frozen=True)
class Step:
    number: int
    label: Promise
    state: str  # "done", "active" or ""


@dataclass
class CitizenCaseView:
    """Everything the 신청 내역 page shows, read in a fixed number of queries."""

    case: Case
    steps: list[Step]
    current_step: int
    public_notes: list[CaseNote]
    answers: list[Answer]
    attachments: list[Attachment]
    latest_answer: Answer | None
    survey: SatisfactionSurvey | None
    can_rate: bool
    can_request_additional: bool

    @property
    def status_note(self) -> Promise | None:
        notes = {
            CaseStatus.TRANSFERRED_OUT: _(
                "소관 기관이 달라 다른 기관으로 이송했습니다. 이송한 기관에서 처리 결과를 알려 드립니다."
            ),
            CaseStatus.MERGED: _("같은 내용의 다른 민원과 함께 처리합니다."),
            CaseStatus.WITHDRAWN: _("신청을 취하했습니다."),
            CaseStatus.CLOSED: _("처리가 끝나 종결했습니다."),
        }
        return notes.get(CaseStatus(self.case.status))


def citizen_case_view(receipt_no: str) -> CitizenCaseView | None:
    """The 신청 내역 of one case by its receipt number (the caller has already checked the phone)."""
    case = (
        Case.objects.select_related(
            "handling_department", "intake_department", "officer", "officer__department"
        )
        .prefetch_related(
            Prefetch(
                "notes",
                queryset=CaseNote.objects.filter(visibility=NoteVisibility.PUBLIC).order_by(
                    "created_at", "id"
                ),
                to_attr="public_notes",
            ),
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("department", "answered_by").order_by(
                    "answered_at", "id"
                ),
                to_attr="answer_list",
            ),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(from_citizen=True).order_by("uploaded_at", "id"),
                to_attr="citizen_attachments",
            ),
            Prefetch(
                "surveys", queryset=SatisfactionSurvey.objects.order_by("submitted_at"), to_attr="survey_list"
            ),
        )
        .filter(receipt_no=normalize_receipt_no(receipt_no))
        .first()
    )
    if case is None:
        return None
    answers: list[Answer] = case.answer_list  # type: ignore[attr-defined]
    surveys: list[SatisfactionSurvey] = case.survey_list  # type: ignore[attr-defined]
    latest = answers[-1] if answers else None
    survey = next((s for s in surveys if latest is not None and s.answer_id == latest.pk), None)
    current = _STEP_OF_STATUS.get(CaseStatus(case.status), 0)
    steps = [
        Step(number=n + 1, label=label, state="done" if n < current else ("active" if n == current else ""))
        for n, (_status, label) in enumerate(CITIZEN_STEPS)
    ]
    answered = case.status in (CaseStatus.ANSWERED, CaseStatus.CLOSED) and latest is not None
    can_rate = answered and survey is None
    can_request_additional = bool(
        answered
        and survey is not None
        and survey.score <= DISSATISFIED_MAX_SCORE
        and case.additional_answer_requested_at is None
        and not (latest and latest.is_additional)
    )
    return CitizenCaseView(
        case=case,
        steps=steps,
        current_step=current,
        public_notes=case.public_notes,  # type: ignore[attr-defined]
        answers=answers,
        attachments=case.citizen_attachments,  # type: ignore[attr-defined]
        latest_answer=latest,
        survey=survey,
        can_rate=can_rate,
        can_request_additional=can_request_additional,
    )
