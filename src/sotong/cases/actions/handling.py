"""Work on a case: notes, processing, answer, close, reopen, withdrawal; the citizen's rating and
request for an additional answer."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import Role, User
from sotong.cases import notifications
from sotong.cases.actions._common import (
    CITIZEN,
    _cooperates,
    _end_assignments,
    _event,
    _handles,
    _holds,
    _lock,
    _manages,
    _period_of,
    _require,
    _snapshot,
    _text,
)
from sotong.cases.actions._finish import finish_case_work
from sotong.cases.errors import CasesError, CaseTransitionError
from sotong.cases.models import (
    Answer,
    AssignmentRole,
    Case,
    CaseNote,
    CaseStatus,
    NoteVisibility,
    SatisfactionSurvey,
)
from sotong.cases.workflow import (
    NoticeStep,
    check_transition,
)
from sotong.core.business_calendar import business_calendar
from sotong.core.events import record_event


@transaction.atomic
def add_note(case: Case, *, actor: User, body: str, visibility: str) -> CaseNote:
    """메모·공개 답글: internal notes are never shown to the citizen; public replies are."""
    case = _lock(case)
    _require(_manages(actor, case) or _cooperates(actor, case), case)
    if visibility not in NoteVisibility.values:
        raise CasesError(_("공개 여부를 선택해 주세요."), field="visibility")
    note = CaseNote.objects.create(
        case=case, visibility=visibility, body=_text(body, "body", _("내용을 입력해 주세요.")), author=actor
    )
    record_event(actor, "cases.note_added", case, after={"note": note.pk, "visibility": visibility})
    return note


@transaction.atomic
def start_processing(case: Case, *, actor: User) -> Case:
    """처리 시작: the handling department takes the case up (배정 → 처리중); the actor becomes the officer
    when none was named."""
    case = _lock(case)
    _require(_handles(actor, case), case)
    if case.status != CaseStatus.ASSIGNED:
        # answered → in progress is a reopening, which needs its reason: `reopen_case`.
        raise CaseTransitionError(_("배정된 민원만 처리를 시작할 수 있습니다."))
    check_transition(case, CaseStatus.IN_PROGRESS)
    before = _snapshot(case)
    if case.officer is None and _holds(actor, case.handling_department, Role.HANDLER):
        case.officer = actor
        case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.HANDLING).update(officer=actor)
    case.status = CaseStatus.IN_PROGRESS
    case.save(update_fields=["status", "officer", "updated_at"])
    _event(actor, "cases.started", case, before)
    return case


@transaction.atomic
def answer_case(
    case: Case,
    *,
    actor: User,
    body: str,
    is_rejection: bool = False,
    rejection_reasons: str = "",
    remedies: str = "",
) -> Answer:
    """답변: the result told to the citizen; a rejection states its reasons and the remedies (불복 절차)."""
    case = _lock(case)
    _require(_handles(actor, case), case)
    check_transition(case, CaseStatus.ANSWERED)
    if case.handling_department is None:
        raise CasesError(_("처리부서를 먼저 지정해 주세요."), field="department")
    body = _text(body, "body", _("답변 내용을 입력해 주세요."))
    rejection_reasons, remedies = (rejection_reasons or "").strip(), (remedies or "").strip()
    if is_rejection and not rejection_reasons:
        raise CasesError(_("거부(불수용) 답변에는 거부 사유를 적어야 합니다."), field="rejection_reasons")
    if is_rejection and not remedies:
        raise CasesError(_("거부(불수용) 답변에는 구제 절차를 안내해야 합니다."), field="remedies")
    now = timezone.now()
    before = _snapshot(case)
    if case.officer is None and _holds(actor, case.handling_department, Role.HANDLER):
        case.officer = actor
        case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.HANDLING).update(officer=actor)
    answer = Answer.objects.create(
        case=case,
        body=body,
        is_rejection=bool(is_rejection),
        rejection_reasons=rejection_reasons if is_rejection else "",
        remedies=remedies if is_rejection else "",
        is_additional=case.additional_answer_requested_at is not None and case.answers.exists(),
        department=case.handling_department,
        answered_by=actor,
        answered_at=now,
    )
    case.status, case.answered_at = CaseStatus.ANSWERED, now
    case.save(update_fields=["status", "answered_at", "officer", "updated_at"])
    finish_case_work(case, actor=actor, now=now, why=_("답변"))
    _event(actor, "cases.answered", case, before, answer=answer.pk, is_rejection=answer.is_rejection)
    notifications.notify_citizen(case, NoticeStep.ANSWER, sequence=answer.pk, actor=actor, answer=answer)
    return answer


@transaction.atomic
def close_case(case: Case, *, actor: User, note: str = "") -> Case:
    """종결: an answered case is closed."""
    case = _lock(case)
    _require(_manages(actor, case), case)
    if case.status != CaseStatus.ANSWERED:
        raise CaseTransitionError(_("답변한 민원만 종결할 수 있습니다."))
    check_transition(case, CaseStatus.CLOSED)
    before = _snapshot(case)
    case.status, case.closed_at = CaseStatus.CLOSED, timezone.now()
    case.save(update_fields=["status", "closed_at", "updated_at"])
    _event(actor, "cases.closed", case, before, note=(note or "").strip())
    return case


def _reopen(case: Case) -> None:
    check_transition(case, CaseStatus.IN_PROGRESS)
    now = timezone.now()
    case.status = CaseStatus.IN_PROGRESS
    case.closed_at = None
    case.closed_as_repeated = False
    # A reopened case gets its period afresh from now (the old deadline has usually passed).
    case.deadline_at = business_calendar().deadline(now, _period_of(case))
    case.save()


@transaction.atomic
def reopen_case(case: Case, *, actor: User, reason: str) -> Case:
    """재개: an answered or closed case goes back to 처리중 with a fresh period from now."""
    case = _lock(case)
    _require(_manages(actor, case), case)
    reason = _text(reason, "reason", _("다시 처리하는 사유를 입력해 주세요."))
    before = _snapshot(case)
    _reopen(case)
    if case.closed_as_repeated:
        case.repeated_answers.clear()
    _event(actor, "cases.reopened", case, before, note=reason)
    return case


@transaction.atomic
def withdraw_case(case: Case, *, actor: User | str, reason: str = "") -> Case:
    """취하: the citizen (or staff on their behalf) withdraws an open case; the citizen is told."""
    case = _lock(case)
    if actor != CITIZEN:
        _require(_manages(actor, case), case)
    check_transition(case, CaseStatus.WITHDRAWN)
    before, now = _snapshot(case), timezone.now()
    _end_assignments(case, now)
    case.status, case.closed_at = CaseStatus.WITHDRAWN, now
    case.save(update_fields=["status", "closed_at", "updated_at"])
    finish_case_work(case, actor=actor, now=now, why=_("취하"))
    _event(actor, "cases.withdrawn", case, before, note=(reason or "").strip())
    notifications.notify_citizen(case, NoticeStep.WITHDRAWAL, actor=actor)
    return case


# The citizen's answer to the answer ----------------------------------------------------------------


def _latest_answer(case: Case) -> Answer:
    answer = case.answers.order_by("-answered_at", "-id").first()
    if answer is None or case.status not in (CaseStatus.ANSWERED, CaseStatus.CLOSED):
        raise CaseTransitionError(_("답변을 받은 뒤에 할 수 있습니다."))
    return answer


@transaction.atomic
def rate_case(case: Case, *, score: int, comment: str = "") -> SatisfactionSurvey:
    """만족도 조사: the citizen rates the latest answer, 1–5 points, once per answer."""
    case = _lock(case)
    answer = _latest_answer(case)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise CasesError(_("만족도를 1점에서 5점 사이로 선택해 주세요."), field="score")
    if SatisfactionSurvey.objects.filter(answer=answer).exists():
        raise CasesError(_("이 답변에는 이미 만족도를 남기셨습니다."), field="score")
    survey = SatisfactionSurvey.objects.create(
        case=case, answer=answer, score=score, comment=(comment or "").strip()[:2000]
    )
    record_event(CITIZEN, "cases.rated", case, after={"answer": answer.pk, "score": score})
    return survey


DISSATISFIED_MAX_SCORE = 2


@transaction.atomic
def request_additional_answer(case: Case, *, reason: str) -> Case:
    """추가 답변 요청: a citizen who rated the answer 2 points or less may ask once for another answer;
    the case goes back to 처리중 with a fresh period."""
    case = _lock(case)
    answer = _latest_answer(case)
    reason = _text(reason, "reason", _("추가 답변을 요청하는 이유를 입력해 주세요."))
    if case.additional_answer_requested_at is not None:
        raise CasesError(_("추가 답변은 한 번만 요청할 수 있습니다."), field="reason")
    survey = SatisfactionSurvey.objects.filter(answer=answer).first()
    if survey is None or survey.score > DISSATISFIED_MAX_SCORE:
        raise CasesError(
            _("만족도 %(n)d점 이하로 평가한 답변에만 추가 답변을 요청할 수 있습니다.")
            % {"n": DISSATISFIED_MAX_SCORE},
            field="reason",
        )
    before = _snapshot(case)
    _reopen(case)
    case.additional_answer_requested_at = timezone.now()
    case.save(update_fields=["additional_answer_requested_at", "updated_at"])
    _event(CITIZEN, "cases.additional_answer_requested", case, before, note=reason)
    return case
