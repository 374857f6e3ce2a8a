"""Duplicates and repeats: merge, link, closure of a repeated complaint (법 §23), flags."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import User
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
from sotong.cases.errors import CasesError, CaseTransitionError
from sotong.cases.models import (
    Case,
    CaseStatus,
)
from sotong.cases.workflow import (
    check_transition,
)
from sotong.core.events import record_event


@transaction.atomic
def merge_cases(target: Case, duplicates: Iterable[Case], *, actor: User, reason: str) -> Case:
    """병합 (령 §6): open duplicates end as 병합 into `target`, which keeps the work."""
    target = _lock(target)
    _require(_manages(actor, target), target)
    reason = _text(reason, "reason", _("병합 사유를 입력해 주세요."))
    if target.status in (CaseStatus.MERGED, CaseStatus.WITHDRAWN, CaseStatus.TRANSFERRED_OUT):
        raise CaseTransitionError(_("병합 대상 민원이 이미 끝났습니다."))
    ids = list(dict.fromkeys(case.pk for case in duplicates))
    if not ids or target.pk in ids:
        raise CasesError(_("병합할 다른 민원을 선택해 주세요."), field="duplicates")
    now = timezone.now()
    for pk in ids:
        duplicate = _lock(Case(pk=pk))
        _require(_manages(actor, duplicate), duplicate)
        check_transition(duplicate, CaseStatus.MERGED)
        before = _snapshot(duplicate)
        _end_assignments(duplicate, now)
        duplicate.status, duplicate.merged_into, duplicate.closed_at = CaseStatus.MERGED, target, now
        duplicate.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
        target.related.add(duplicate)
        _event(actor, "cases.merged", duplicate, before, note=reason, merged_into=target.pk)
    record_event(actor, "cases.merged_in", target, after={"duplicates": ids}, note=reason)
    return target


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
    case.repeated_answers.set(answered)
    case.related.add(*answered)
    _event(actor, "cases.closed_as_repeated", case, before, earlier=[other.pk for other in answered])
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
