"""Fixtures for the report, sweep and queue tests: cases written directly as rows (test set-up only).

Import the fixtures into a test module with `from sotong.cases.tests.fixtures_reports import *`.
`report_case(...)` builds an assigned case in the test district (intake 감사담당관, handling 청소행정과).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from sotong.cases.models import (
    AssignmentRole,
    Case,
    CaseAssignment,
    CaseKind,
    CaseStatus,
    Channel,
)
from sotong.core.business_calendar import SEOUL

__all__ = ["SEOUL", "make_case_row", "report_case", "seoul"]

_numbers = itertools.count(1)


def seoul(*args: int) -> datetime:
    """An aware datetime in Seoul time: seoul(2026, 3, 2, 10)."""
    return datetime(*args, tzinfo=SEOUL)  # type: ignore[misc]


MakeCase = Callable[..., Case]


@pytest.fixture
def make_case_row(org: Any) -> MakeCase:
    """Factory: a case row with sensible defaults; `handling=None` leaves it unassigned (접수)."""

    def make(
        *,
        kind: str = CaseKind.PROPOSAL,
        channel: str = Channel.MAYOR_DIALOGUE,
        status: str | None = None,
        title: str = "놀이터 그늘막 설치 제안",
        body: str = "아이들이 여름에 놀 수 있도록 그늘막을 설치해 주세요.",
        received_at: datetime | None = None,
        deadline_at: datetime | None = None,
        intake: Any = None,
        handling: Any = "default",
        officer: Any = None,
        cooperating: tuple[Any, ...] = (),
        **extra: Any,
    ) -> Case:
        received_at = received_at or timezone.now() - timedelta(days=1)
        handling_department = org.sanitation if handling == "default" else handling
        if status is None:
            status = CaseStatus.ASSIGNED if handling_department is not None else CaseStatus.RECEIVED
        case = Case.objects.create(
            receipt_no=f"T{next(_numbers):09d}",
            kind=kind,
            channel=channel,
            title=title,
            body=body,
            citizen_name="홍길동",
            citizen_phone=extra.pop("citizen_phone", "010-1234-5678"),
            citizen_email=extra.pop("citizen_email", "hong@example.com"),
            intake_department=intake or org.audit,
            handling_department=handling_department,
            officer=officer,
            status=status,
            received_at=received_at,
            deadline_at=deadline_at,
            original_deadline_at=deadline_at,
            **extra,
        )
        if handling_department is not None:
            CaseAssignment.objects.create(
                case=case, department=handling_department, role=AssignmentRole.HANDLING, officer=officer
            )
        for department in cooperating:
            CaseAssignment.objects.create(case=case, department=department, role=AssignmentRole.COOPERATING)
        return case

    return make


@pytest.fixture
def report_case(make_case_row: MakeCase) -> Case:
    """A proposal heard at 구청장과의 대화, assigned to 청소행정과, received yesterday."""
    return make_case_row()
