"""Duplicates and repeats: merge, merge at receipt (령 §6), link, closure of a repeated complaint (법 §23),
flags. Every merged citizen hears which receipt number now carries their complaint; a repeated closure
names the earlier answers."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import User
from sotong.cases import notifications
from sotong.cases.actions._common import (
    FLAG_FIELDS,
    _end_assignments,
    _event,
    _lock,
    _manages,
    _require,
    _snapshot,
    _text,
)
from sotong.cases.actions._finish import finish_case_work
from sotong.cases.errors import CasesError, CaseTransitionError
from sotong.cases.models import (
    Case,
    CaseStatus,
)
from sotong.cases.workflow import (
    NoticeStep,
    check_transition,
)
from sotong.core.events import record_event
from sotong.core.models import Event


def _merge_into(target: Case, duplicates: list[Case], *, actor: User, reason: str) -> None:
    """End each locked duplicate as 병합 into the locked `target` and tell its citizen (no checks here)."""
    now = timezone.now()
    for duplicate in duplicates:
        before = _snapshot(duplicate)
        _end_assignments(duplicate, now)
        duplicate.status, duplicate.merged_into, duplicate.closed_at = CaseStatus.MERGED, target, now
        duplicate.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
        finish_case_work(duplicate, actor=actor, now=now, why=_("병합"))
        target.related.add(duplicate)
        _event(actor, "cases.merged", duplicate, before, note=reason, merged_into=target.pk)
        notifications.notify_citizen(
            duplicate, NoticeStep.MERGED, actor=actor, contact_of=target, into=target, reason=reason
        )


def _duplicates(target: Case, duplicates: Iterable[Case], *, actor: User) -> list[Case]:
    """The other cases, locked, each one the actor manages and may end as 병합."""
    ids = list(dict.fromkeys(case.pk for case in duplicates))
    if not ids or target.pk in ids:
        raise CasesError(_("병합할 다른 민원을 선택해 주세요."), field="duplicates")
    locked = []
    for pk in ids:
        duplicate = _lock(Case(pk=pk))
        _require(_manages(actor, duplicate), duplicate)
        check_transition(duplicate, CaseStatus.MERGED)
        locked.append(duplicate)
    return locked


@transaction.atomic
def merge_cases(target: Case, duplicates: Iterable[Case], *, actor: User, reason: str) -> Case:
    """병합 (령 §6): open duplicates end as 병합 into `target`, which keeps the work; each duplicate's
    citizen is told the receipt number that now carries their complaint."""
    target = _lock(target)
    _require(_manages(actor, target), target)
    reason = _text(reason, "reason", _("병합 사유를 입력해 주세요."))
    if target.status in (CaseStatus.MERGED, CaseStatus.WITHDRAWN, CaseStatus.TRANSFERRED_OUT):
        raise CaseTransitionError(_("병합 대상 민원이 이미 끝났습니다."))
    locked = _duplicates(target, duplicates, actor=actor)
    _merge_into(target, locked, actor=actor, reason=reason)
    record_event(actor, "cases.merged_in", target, after={"duplicates": [c.pk for c in locked]}, note=reason)
    return target


MERGE_AT_RECEIPT_MIN = 5


@transaction.atomic
def merge_at_receipt(representative: Case, others: Iterable[Case], *, actor: User, reason: str) -> Case:
    """접수 단계 병합 (령 §6): 5 or more complaints of the same intent, all open and not yet answered,
    become one: the others end as 병합 into `representative`, which is marked 다수인관련민원. Every merged
    citizen is told the representative's receipt number. Fewer than 5 in all is refused."""
    representative = _lock(representative)
    _require(_manages(actor, representative), representative)
    reason = _text(reason, "reason", _("병합 사유를 입력해 주세요."))
    ids = list(dict.fromkeys(case.pk for case in others if case.pk != representative.pk))
    if len(ids) + 1 < MERGE_AT_RECEIPT_MIN:
        raise CasesError(
            _(
                "접수 단계 병합은 같은 취지의 민원 %(min)d건 이상이어야 합니다 "
                "(대표 민원 포함 %(n)d건 선택됨, 민원 처리에 관한 법률 시행령 제6조)."
            )
            % {"min": MERGE_AT_RECEIPT_MIN, "n": len(ids) + 1},
            field="duplicates",
        )
    locked = _duplicates(representative, [Case(pk=pk) for pk in ids], actor=actor)
    for case in [representative, *locked]:
        if not case.is_open or case.answers.exists():
            raise CaseTransitionError(
                _("%(no)s: 처리 중이고 아직 답변하지 않은 민원만 접수 단계에서 병합할 수 있습니다.")
                % {"no": case.receipt_no}
            )
    before = _snapshot(representative)
    if not representative.is_multi_party:
        representative.is_multi_party = True
        representative.save(update_fields=["is_multi_party", "updated_at"])
    _merge_into(representative, locked, actor=actor, reason=reason)
    _event(
        actor,
        "cases.merged_at_receipt",
        representative,
        before,
        note=reason,
        duplicates=[case.pk for case in locked],
    )
    return representative


@transaction.atomic
def link_cases(case: Case, others: Iterable[Case], *, actor: User) -> Case:
    """관련 민원 연결: mark cases as related (both ways) without changing their states."""
    case = _lock(case)
    _require(_manages(actor, case), case)
    ids = [pk for pk in dict.fromkeys(other.pk for other in others) if pk != case.pk]
    if not ids:
        raise CasesError(_("연결할 민원을 선택해 주세요."), field="related")
    case.related.add(*Case.objects.filter(pk__in=ids))
    record_event(actor, "cases.linked", case, after={"related": ids})
    return case


@transaction.atomic
def close_as_repeated(case: Case, *, actor: User, earlier_cases: Iterable[Case]) -> Case:
    """반복민원 종결 (법 §23): the same content filed 3 or more times and answered at least twice may be
    closed, with the earlier answered cases linked. The earlier cases must come from the same citizen."""
    case = _lock(case)
    _require(_manages(actor, case), case)
    if not case.is_open:
        raise CaseTransitionError(_("처리 중인 민원만 반복민원으로 종결할 수 있습니다."))
    check_transition(case, CaseStatus.CLOSED)
    ids = [pk for pk in dict.fromkeys(other.pk for other in earlier_cases) if pk != case.pk]
    earlier = list(Case.objects.filter(pk__in=ids, received_at__lte=case.received_at))
    answered = [other for other in earlier if other.answers.exists()]
    if len(answered) < 2:
        raise CasesError(
            _(
                "같은 내용으로 두 번 이상 답변한 앞선 민원을 두 건 이상 선택해 주세요 (민원 처리에 관한 법률 제23조)."
            ),
            field="earlier_cases",
        )
    for other in answered:
        same_phone = case.phone_index and other.phone_index == case.phone_index
        same_email = case.email_index and other.email_index == case.email_index
        if not (same_phone or same_email):
            raise CasesError(
                _("%(no)s은(는) 다른 신청인의 민원입니다.") % {"no": other.receipt_no}, field="earlier_cases"
            )
    before, now = _snapshot(case), timezone.now()
    _end_assignments(case, now)
    case.status, case.closed_at, case.closed_as_repeated = CaseStatus.CLOSED, now, True
    case.save(update_fields=["status", "closed_at", "closed_as_repeated", "updated_at"])
    finish_case_work(case, actor=actor, now=now, why=_("반복민원 종결"))
    case.repeated_answers.set(answered)
    case.related.add(*answered)
    _event(actor, "cases.closed_as_repeated", case, before, earlier=[other.pk for other in answered])
    answered.sort(key=lambda other: (other.received_at, other.pk))
    # A reopened case may be closed as repeated again: each closure is its own notice.
    number = Event.objects.for_target(case).filter(verb="cases.closed_as_repeated").count()
    notifications.notify_citizen(
        case, NoticeStep.REPEATED_CLOSURE, sequence=number, actor=actor, earlier=answered
    )
    return case


@transaction.atomic
def set_flags(case: Case, *, actor: User, **flags: bool) -> Case:
    """표시 변경: urgent safety, 중대시민재해 public facility, 고충민원, 다수인관련민원."""
    case = _lock(case)
    _require(_manages(actor, case), case)
    unknown = set(flags) - set(FLAG_FIELDS)
    if unknown:
        raise CasesError(
            _("알 수 없는 표시입니다: %(names)s") % {"names": ", ".join(sorted(unknown))}, field="flags"
        )
    before = _snapshot(case)
    changed = [name for name, value in flags.items() if getattr(case, name) != bool(value)]
    if not changed:
        return case
    for name in changed:
        setattr(case, name, bool(flags[name]))
    case.save(update_fields=[*changed, "updated_at"])
    _event(actor, "cases.flags_set", case, before)
    return case
