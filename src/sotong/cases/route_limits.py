"""배정·이송 기한 (법 §16, 령 §13): the open cases late to reach their handling department, and the count
of routing steps (first assignments and transfers) that missed their time limit.

The due moment of a case is `actions.routing.route_due` (its `route_due_at`, or 1 working hour after
receipt for a 접수 case without one). The database narrows the candidates; the business calendar decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet, Value

from sotong.cases.actions.routing import is_route_late
from sotong.cases.models import OPEN_STATUSES, Case, CaseAssignment, CaseStatus, Transfer
from sotong.cases.workflow import NEW_CASE_ROUTE_HOURS
from sotong.core.business_calendar import BusinessCalendar, business_calendar

__all__ = ["RoutingCounts", "late_to_route", "route_candidates", "routing_counts"]


def route_candidates(cases: QuerySet[Case], now: datetime) -> QuerySet[Case]:
    """Open cases that may be late: past `route_due_at`, or 접수 without one for more than an hour.

    A working hour never ends sooner than an hour of clock time, so no late case is left out.
    """
    return cases.filter(status__in=OPEN_STATUSES).filter(
        Q(route_due_at__lt=now)
        | Q(
            route_due_at__isnull=True,
            status=CaseStatus.RECEIVED,
            received_at__lt=now - timedelta(hours=NEW_CASE_ROUTE_HOURS),
        )
    )


def late_to_route(
    cases: QuerySet[Case], now: datetime, calendar: BusinessCalendar | None = None
) -> list[Case]:
    """배정 지연: the cases of `cases` that have not reached their handling department in time."""
    calendar = calendar or business_calendar()
    candidates = route_candidates(cases, now).select_related("intake_department", "handling_department")
    return [case for case in candidates.order_by("received_at", "id") if is_route_late(case, now, calendar)]


@dataclass(frozen=True)
class RoutingCounts:
    """For the coordinator: cases late to be routed now, and routing steps that missed their limit."""

    waiting: int
    late_assignments: int
    late_transfers: int

    @property
    def late_steps(self) -> int:
        return self.late_assignments + self.late_transfers


def routing_counts(
    cases: QuerySet[Case], now: datetime, calendar: BusinessCalendar | None = None
) -> RoutingCounts:
    """Two queries over `cases` (already scoped to the user): the late candidates (checked against the
    calendar), and both counts of late steps in one UNION of two grouped counts."""
    ids = cases.values("pk")
    assignments = (
        CaseAssignment.objects.filter(case_id__in=ids, on_time=False)
        .order_by()
        .annotate(step=Value("assignment"))
        .values("step")
        .annotate(n=Count("pk"))
        .values_list("step", "n")
    )
    transfers = (
        Transfer.objects.filter(case_id__in=ids, on_time=False)
        .order_by()
        .annotate(step=Value("transfer"))
        .values("step")
        .annotate(n=Count("pk"))
        .values_list("step", "n")
    )
    late = dict(assignments.union(transfers, all=True))
    return RoutingCounts(
        waiting=len(late_to_route(cases, now, calendar)),
        late_assignments=int(late.get("assignment", 0)),
        late_transfers=int(late.get("transfer", 0)),
    )
