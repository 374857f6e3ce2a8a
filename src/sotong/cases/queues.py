"""Staff work queues (업무 목록): the cases a user or department must act on, with counts, filters and search.

Every queue starts from `Case.objects.visible_to(user)` (department scoping), optionally narrowed to one
department's subtree, and is a QuerySet the office pages paginate:

    new                접수: received, not yet assigned
    due_soon           처리기한 임박: open, due within 24 working hours
    overdue            지연민원: open, past the deadline
    report_requested   보고요청: open, a progress report waits for the department (requested or returned)
    report_submitted   보고확인: open, a submitted report waits for approval (coordinator's and intake's queue)
    unreported         미보고: open, a report was not made in time
    ping_pong          핑퐁민원: open, transferred 3 or more times
    avoidance_pending  기피신청: open, a department's request not to handle it waits for the coordinator

Every queue holds open cases only (접수, 배정, 처리중), which keeps the scans on the status index. For
staff scoped to departments, `queue` and `queue_counts` start from the departments' open cases, found as
a UNION of three index searches (handled, received, cooperated on) instead of testing every case
against the department condition; at 1,000,000 cases that is what keeps a list page under 100 ms
(`bench/cases_intake.py`, README "Measured").

`queue_counts(user)` answers all of them in one query: a conditional `Count` per queue over a
department's open cases, or, for coordinators, one `COUNT` subquery per queue on its own index. Text search is
`icontains` on title, body and receipt number, which works the same on SQLite and PostgreSQL; a Korean
full-text index (PostgreSQL `pg_bigm`/`pg_trgm` or morpheme tokens from kiwipiepy) is future work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotong.accounts.models import Department, Role, departments_for
from sotong.cases.models import (
    OPEN_STATUSES,
    AssignmentRole,
    AvoidanceRequest,
    Case,
    CaseAssignment,
    CaseStatus,
    DecisionStatus,
)
from sotong.cases.search import search_cases
from sotong.core.business_calendar import SEOUL, business_calendar

__all__ = [
    "FLAGS",
    "QUEUE_LABELS",
    "CaseFilters",
    "Queue",
    "apply_filters",
    "queue",
    "queue_condition",
    "queue_counts",
    "scoped_cases",
    "search",
]

DUE_SOON_WORKING_HOURS = 24


class Queue(StrEnum):
    NEW = "new"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    REPORT_REQUESTED = "report_requested"
    REPORT_SUBMITTED = "report_submitted"
    UNREPORTED = "unreported"
    PING_PONG = "ping_pong"
    AVOIDANCE_PENDING = "avoidance_pending"


QUEUE_LABELS = {
    Queue.NEW: _("신규 접수"),
    Queue.DUE_SOON: _("처리기한 임박"),
    Queue.OVERDUE: _("지연민원"),
    Queue.REPORT_REQUESTED: _("보고요청"),
    Queue.REPORT_SUBMITTED: _("보고승인 대기"),
    Queue.UNREPORTED: _("미보고"),
    Queue.PING_PONG: _("핑퐁민원"),
    Queue.AVOIDANCE_PENDING: _("기피신청"),
}

# Flag filters: name → the condition.
FLAGS: dict[str, Q] = {
    "urgent_safety": Q(is_urgent_safety=True),
    "serious_civic_disaster": Q(is_serious_civic_disaster=True),
    "grievance": Q(is_grievance=True),
    "multi_party": Q(is_multi_party=True),
    "ping_pong": Q(is_ping_pong=True),
    "additional_answer": Q(additional_answer_requested_at__isnull=False),
}


def queue_condition(name: str, *, now: datetime, horizon: datetime | None = None) -> Q:
    """The condition of queue `name` as a Q, usable in `filter()` and in `Count(filter=...)`."""
    open_ = Q(status__in=OPEN_STATUSES)
    match Queue(name):
        case Queue.NEW:
            return Q(status=CaseStatus.RECEIVED)
        case Queue.DUE_SOON:
            horizon = horizon or business_calendar().add_working_hours(now, DUE_SOON_WORKING_HOURS)
            return open_ & Q(deadline_at__gte=now, deadline_at__lte=horizon)
        case Queue.OVERDUE:
            return open_ & Q(deadline_at__lt=now)
        case Queue.REPORT_REQUESTED:
            return open_ & Q(reports_pending=True)  # kept by triggers: cases.report_flags
        case Queue.REPORT_SUBMITTED:
            return open_ & Q(reports_submitted=True)
        case Queue.UNREPORTED:
            return open_ & Q(reports_missed=True)
        case Queue.PING_PONG:
            # `pk IN (...)` reads the partial index WHERE is_ping_pong (a handful of rows); a plain filter
            # lets SQLite walk the open cases or the received_at order instead (500 ms at 1,000,000 cases).
            return open_ & Q(pk__in=Case.objects.filter(is_ping_pong=True).values("pk"))
        case Queue.AVOIDANCE_PENDING:
            # `pk IN (...)` like the reports: pending requests are few, probing each open case is not.
            return open_ & Q(
                pk__in=AvoidanceRequest.objects.filter(status=DecisionStatus.PENDING).values("case_id")
            )
    raise ValueError(name)  # pragma: no cover - StrEnum() already refused it


def _department_condition(department: Department) -> Q:
    subtree = Department.objects.subtree_of([department])
    # As in `Case.objects.visible_to`: `pk IN (...)` keeps every branch of the OR indexable.
    cooperating = CaseAssignment.objects.filter(department__in=subtree, ended_at__isnull=True)
    return (
        Q(handling_department__in=subtree)
        | Q(intake_department__in=subtree)
        | Q(pk__in=cooperating.values("case_id"))
    )


def scoped_cases(user: Any, department: Department | None = None) -> QuerySet[Case]:
    """The cases `user` may see, narrowed to `department` (and its subtree) when given."""
    cases: QuerySet[Case] = Case.objects.visible_to(user)
    if department is not None:
        cases = cases.filter(_department_condition(department))
    return cases


def _open_case_ids(
    departments: QuerySet[Department], condition: Q | None = None, statuses: tuple[str, ...] = OPEN_STATUSES
) -> QuerySet[Any]:
    """Ids of the open cases of `departments`: a UNION of three index searches.

    Handled there (index handling_department, status, deadline_at), received there (intake_department,
    status, received_at) or cooperated on there (the open-cooperation index of CaseAssignment). An open
    *handling* assignment always names the case's `handling_department` (assign and transfer set both),
    so the first branch covers it. The set is the departments' open cases only (a few thousand at a
    million cases), which the queue then probes by primary key and sorts.

    The department ids are read first (one small query) and go in as a list: with a subquery in their
    place SQLite cannot tell how many there are and may scan all assignments instead of searching.
    A queue's `condition` narrows the handled branch, whose index leads with the department; the
    received branch takes only the queue's `statuses` (one intake office often receives most of a
    district's cases, and a deadline range there lures the planner to the wrong index). The caller
    still applies the condition to the result.
    """
    ids = list(departments.values_list("pk", flat=True))
    in_status = Case.objects.filter(status__in=statuses).order_by()
    handled = in_status.filter(handling_department_id__in=ids)
    if condition is not None:
        handled = handled.filter(condition)
    return handled.values("pk").union(
        in_status.filter(intake_department_id__in=ids).values("pk"),
        CaseAssignment.objects.filter(
            department_id__in=ids, role=AssignmentRole.COOPERATING, ended_at__isnull=True
        )
        .order_by()
        .values("case_id"),
    )


def _queue_scope(
    user: Any,
    department: Department | None,
    condition: Q | None = None,
    statuses: tuple[str, ...] = OPEN_STATUSES,
) -> QuerySet[Case] | None:
    """The open cases a queue starts from, or None when that is every case (coordinators, no department).

    The same cases as `scoped_cases(user, department)` restricted to open statuses (and to `condition`
    when given), written so that the database starts from the department's open cases instead of
    walking all of them.
    """
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    unrestricted = user.has_role(Role.COORDINATOR, Role.SYSADMIN)
    if department is not None:
        subtree = Department.objects.subtree_of([department])
        cases = Case.objects.filter(pk__in=_open_case_ids(subtree, condition, statuses))
        return cases if unrestricted else cases.filter(pk__in=Case.objects.visible_to(user).values("pk"))
    if unrestricted:
        return None
    departments = departments_for(user, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER)
    return Case.objects.filter(pk__in=_open_case_ids(departments, condition, statuses))


def queue(
    user: Any, name: str, *, now: datetime | None = None, department: Department | None = None
) -> QuerySet[Case]:
    """The cases of queue `name` for `user`, ready for a list page (related rows joined, sensibly ordered)."""
    now = now or timezone.now()
    condition = queue_condition(name, now=now)
    statuses = (CaseStatus.RECEIVED,) if name == Queue.NEW else OPEN_STATUSES
    scope = _queue_scope(user, department, condition, statuses)
    cases = (Case.objects.all() if scope is None else scope).filter(condition)
    if name in (Queue.DUE_SOON, Queue.OVERDUE):
        cases = cases.order_by("deadline_at", "id")
    return cases.select_related("handling_department", "intake_department", "officer")


def queue_counts(
    user: Any, *, now: datetime | None = None, department: Department | None = None
) -> dict[str, int]:
    """How many cases each queue holds for `user`, in one query.

    Scoped to departments: one aggregate with a conditional `Count` per queue over the departments' open
    cases. Unscoped (coordinators): one row of eight `COUNT` subqueries, each on its own index, which at a
    million cases beats evaluating eight conditions on every open case.
    """
    now = now or timezone.now()
    horizon = business_calendar().add_working_hours(now, DUE_SOON_WORKING_HOURS)
    conditions = {name: queue_condition(name, now=now, horizon=horizon) for name in Queue}
    scope = _queue_scope(user, department)
    if scope is not None:
        # The scope holds the departments' open cases already and every condition tests the status
        # again; a further status filter here would make PostgreSQL read every open case of the
        # district instead of probing the department's few thousand by primary key.
        counts = scope.order_by().aggregate(
            **{name.value: Count("pk", filter=condition) for name, condition in conditions.items()}
        )
        return {name: int(value or 0) for name, value in counts.items()}
    # Each condition names the open statuses itself; repeating them makes PostgreSQL misjudge how many
    # cases match (it multiplies the two) and pick a plan for a few where there are many.
    every = Case.objects.order_by()
    return _count_each({name.value: every.filter(condition) for name, condition in conditions.items()})


def _count_each(querysets: dict[str, QuerySet[Case]]) -> dict[str, int]:
    """COUNT(*) of each QuerySet in one statement: SELECT (SELECT COUNT(*) ...), (SELECT COUNT(*) ...)."""
    parts: list[str] = []
    params: list[Any] = []
    for queryset in querysets.values():
        sql, part_params = queryset.values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")  # noqa: S608 - SQL from the ORM
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {name: int(value) for name, value in zip(querysets, row, strict=True)}


@dataclass
class CaseFilters:
    """Filters of the office case lists (all optional; lists of codes match any)."""

    status: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    department: Department | None = None
    dong: str = ""
    received_from: date | None = None
    received_to: date | None = None
    flags: list[str] = field(default_factory=list)
    text: str = ""


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), SEOUL)


def apply_filters(cases: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    """Narrow `cases` by `filters`; dates are Seoul calendar days, both ends included."""
    if filters.status:
        cases = cases.filter(status__in=filters.status)
    if filters.kind:
        cases = cases.filter(kind__in=filters.kind)
    if filters.channel:
        cases = cases.filter(channel__in=filters.channel)
    if filters.category:
        cases = cases.filter(category__in=filters.category)
    if filters.department is not None:
        cases = cases.filter(_department_condition(filters.department))
    if filters.dong.strip():
        cases = cases.filter(dong=filters.dong.strip())
    if filters.received_from is not None:
        cases = cases.filter(received_at__gte=_start_of(filters.received_from))
    if filters.received_to is not None:
        cases = cases.filter(received_at__lt=_start_of(filters.received_to + timedelta(days=1)))
    for flag in filters.flags:
        if flag not in FLAGS:
            raise ValueError(f"unknown flag {flag!r}")
        cases = cases.filter(FLAGS[flag])
    if filters.text.strip():
        cases = search(cases, filters.text)
    return cases


def search(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Every term of `text` in the title, body or receipt number: Korean full-text search (cases.search)."""
    return search_cases(cases, text)
