"""Bulk actions: each case done whole or not at all, with a per-case result."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from sotong.accounts.models import Department, User
from sotong.cases.actions._common import (
    _takes_in,
)
from sotong.cases.actions.routing import assign_case, extend_deadline, set_officer, transfer_case
from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import (
    Case,
    TransferKind,
)


@dataclass(frozen=True)
class BulkResult:
    """One case's outcome in a bulk action: done, or the Korean reason it was refused."""

    case_id: int
    receipt_no: str
    ok: bool
    message: str = ""


def _each(cases: Iterable[Case], apply: Callable[[Case], object]) -> list[BulkResult]:
    results = []
    for case in cases:
        try:
            with transaction.atomic():
                apply(case)
        except (CasesError, CaseTransitionError, NotPermitted) as exc:
            results.append(BulkResult(case.pk, case.receipt_no, False, exc.message))
        else:
            results.append(BulkResult(case.pk, case.receipt_no, True))
    return results


def bulk_reassign(
    cases: Iterable[Case], *, actor: User, department: Department, reason: str, officer: User | None = None
) -> list[BulkResult]:
    """일괄 재지정: reassign each case (assign if it has no handling department yet, else 재지정);
    each case is done whole or not at all, and the result says which and why."""

    def apply(case: Case) -> None:
        if _takes_in(actor, case):
            assign_case(case, actor=actor, department=department, officer=officer)
        else:
            moved = transfer_case(
                case, actor=actor, to_department=department, kind=TransferKind.REASSIGN, reason=reason
            )
            if officer is not None:
                set_officer(moved, actor=actor, officer=officer)

    return _each(cases, apply)


def bulk_extend(
    cases: Iterable[Case], *, actor: User, days: int, reason: str, citizen_consent: str = ""
) -> list[BulkResult]:
    """일괄 처리기한 연장: `extend_deadline` per case, with a per-case result."""
    return _each(
        cases,
        lambda case: extend_deadline(
            case, actor=actor, days=days, reason=reason, citizen_consent=citizen_consent
        ),
    )
