"""Staff changes to the alerts: the keyword list (추가, 사용/중지, 삭제) and decisions on safety flags.

Each action runs in a transaction, checks who may do it and writes an Event; refused input raises
`InsightsError` with a Korean message (the page shows it, nothing is written).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import Role, User
from sotong.cases.actions import set_flags
from sotong.cases.models import Case
from sotong.core.events import record_event
from sotong.insights.alerts.terms import MAX_TERM_LENGTH, MIN_TERM_LENGTH, compact
from sotong.insights.errors import InsightsError
from sotong.insights.models_alerts import SafetyFlag, SafetyFlagStatus, SafetyTerm

TERM_MANAGERS = (Role.COORDINATOR, Role.SYSADMIN)
# A term needs at least one Hangul syllable, letter or digit: "!!" or "--" would match nothing useful.
_WORD = re.compile(r"[0-9A-Za-z\uac00-\ud7a3]")


def may_manage_terms(user: User) -> bool:
    return user.is_active and user.has_role(*TERM_MANAGERS)


def may_decide(user: User, case: Case) -> bool:
    """Coordinators, the handling department's handlers and the intake department's intake officers
    (the people who may set the case's 긴급 안전 mark) confirm or dismiss its flag."""
    if not user.is_active:
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    handling = case.handling_department is not None and user.has_role_in(
        case.handling_department, Role.HANDLER
    )
    return handling or user.has_role_in(case.intake_department, Role.INTAKE)


def _require(allowed: bool) -> None:
    if not allowed:
        raise InsightsError(_("이 작업을 할 권한이 없습니다."), code="forbidden")


def clean_term(value: str) -> str:
    """The term as stored (spaces collapsed), or `InsightsError` with the reason it is refused."""
    term = " ".join((value or "").split())
    if not term:
        raise InsightsError(_("핵심어를 입력해 주세요."), code="term_required", field="term")
    if len(compact(term)) < MIN_TERM_LENGTH:
        raise InsightsError(
            _("핵심어는 띄어쓰기를 빼고 %(n)d자 이상이어야 합니다.") % {"n": MIN_TERM_LENGTH},
            code="term_too_short",
            field="term",
        )
    if len(term) > MAX_TERM_LENGTH:
        raise InsightsError(
            _("핵심어는 %(n)d자 이내로 입력해 주세요.") % {"n": MAX_TERM_LENGTH},
            code="term_too_long",
            field="term",
        )
    if not _WORD.search(term):
        raise InsightsError(
            _("핵심어에는 한글, 영문 또는 숫자가 있어야 합니다."), code="term_invalid", field="term"
        )
    return term


@transaction.atomic
def add_term(actor: User, value: str) -> SafetyTerm:
    """안전 위험 핵심어 추가: a new active term; refused when it is already listed (spaces ignored)."""
    _require(may_manage_terms(actor))
    term = clean_term(value)
    same = [t for t in SafetyTerm.objects.select_for_update().all() if compact(t.term) == compact(term)]
    if same:
        raise InsightsError(
            _("이미 등록된 핵심어입니다: %(term)s") % {"term": same[0].term}, code="term_exists", field="term"
        )
    created = SafetyTerm.objects.create(term=term, created_by=actor)
    record_event(actor, "insights.safety_term_added", created, after={"term": term})
    return created


@transaction.atomic
def set_term_active(actor: User, term: SafetyTerm, active: bool) -> SafetyTerm:
    """핵심어 사용/중지: a stopped term flags no new case (flags already made stay)."""
    _require(may_manage_terms(actor))
    term = SafetyTerm.objects.select_for_update().get(pk=term.pk)
    if term.is_active != active:
        before = {"is_active": term.is_active}
        term.is_active = active
        term.save(update_fields=["is_active"])
        record_event(actor, "insights.safety_term_switched", term, before=before, after={"is_active": active})
    return term


@transaction.atomic
def remove_term(actor: User, term: SafetyTerm) -> None:
    """핵심어 삭제 (the Event keeps the term)."""
    _require(may_manage_terms(actor))
    record_event(actor, "insights.safety_term_removed", term, before={"term": term.term})
    SafetyTerm.objects.filter(pk=term.pk).delete()


@transaction.atomic
def decide_flag(actor: User, flag: SafetyFlag, status: str) -> SafetyFlag:
    """안전 위험 판단: confirm (the case gets its 긴급 안전 mark, through the cases action) or dismiss.

    A decision may be changed; the classifier learns from the latest one at its next refit.
    """
    if status not in (SafetyFlagStatus.CONFIRMED, SafetyFlagStatus.DISMISSED):
        raise InsightsError(
            _("확인 또는 해당 없음 중에서 골라 주세요."), code="invalid_status", field="status"
        )
    flag = SafetyFlag.objects.select_for_update().select_related("case").get(pk=flag.pk)
    _require(may_decide(actor, flag.case))
    if flag.status == status:
        return flag
    before = {"status": flag.status}
    flag.status, flag.decided_by, flag.decided_at = status, actor, timezone.now()
    flag.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(actor, "insights.safety_flag_decided", flag.case, before=before, after={"status": status})
    if status == SafetyFlagStatus.CONFIRMED and not flag.case.is_urgent_safety:
        set_flags(flag.case, actor=actor, is_urgent_safety=True)
    return flag
