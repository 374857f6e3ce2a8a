"""Shared by the staff case pages: roles per page, queue tabs, Event labels, the staff decorator."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotong.accounts.models import Department, Role, User
from sotong.cases import forms_office as f
from sotong.cases.models import (
    ReportStatus,
)
from sotong.cases.queues import (
    Queue,
)

CASES_PER_PAGE = 50
CASE_ROLES = (Role.COORDINATOR, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER, Role.SYSADMIN)
INTAKE_ROLES = (Role.COORDINATOR, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER)
IMPORT_ROLES = (Role.COORDINATOR, Role.INTAKE)
# Queues shown as tabs (보고승인 대기 is the approvers' queue, shown to them only).
QUEUE_TABS = (
    Queue.NEW,
    Queue.DUE_SOON,
    Queue.OVERDUE,
    Queue.REPORT_REQUESTED,
    Queue.REPORT_SUBMITTED,
    Queue.UNREPORTED,
    Queue.PING_PONG,
    Queue.AVOIDANCE_PENDING,
)
PENDING_FOR_DEPARTMENT = (ReportStatus.REQUESTED, ReportStatus.RETURNED, ReportStatus.MISSED)

VERB_LABELS = {
    "cases.submitted": gettext_lazy("접수"),
    "cases.assigned": gettext_lazy("배정"),
    "cases.officer_set": gettext_lazy("담당자 지정"),
    "cases.transferred": gettext_lazy("이송·재지정"),
    "cases.designated": gettext_lazy("총괄부서 지정"),
    "cases.avoidance_requested": gettext_lazy("기피신청"),
    "cases.avoidance_decided": gettext_lazy("기피신청 결정"),
    "cases.extended": gettext_lazy("처리기한 연장"),
    "cases.note_added": gettext_lazy("메모"),
    "cases.started": gettext_lazy("처리 시작"),
    "cases.answered": gettext_lazy("답변"),
    "cases.closed": gettext_lazy("종결"),
    "cases.reopened": gettext_lazy("재처리"),
    "cases.withdrawn": gettext_lazy("취하"),
    "cases.merged": gettext_lazy("병합됨"),
    "cases.merged_in": gettext_lazy("병합"),
    "cases.linked": gettext_lazy("관련 민원 연결"),
    "cases.closed_as_repeated": gettext_lazy("반복민원 종결"),
    "cases.flags_set": gettext_lazy("표시 변경"),
    "cases.rated": gettext_lazy("만족도 평가"),
    "cases.additional_answer_requested": gettext_lazy("추가 답변 요청"),
    "cases.attachment_added": gettext_lazy("파일 첨부"),
    "cases.report_requested": gettext_lazy("보고요청"),
    "cases.report_submitted": gettext_lazy("보고확인"),
    "cases.report_approved": gettext_lazy("보고승인"),
    "cases.report_returned": gettext_lazy("보고 반려"),
    "cases.report_missed": gettext_lazy("미보고"),
    "cases.report_moved": gettext_lazy("보고 부서 변경"),
    "cases.deadline_reminded": gettext_lazy("기한 알림"),
    "cases.overdue_escalated": gettext_lazy("독촉"),
    "cases.progress_notice": gettext_lazy("중간 통지"),
}

View = Callable[..., HttpResponse]


def _staff(*roles: str) -> Callable[[View], View]:
    """Signed in and holding one of `roles` somewhere (scoping to cases comes after)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not cast(User, request.user).has_role(*roles):
                raise PermissionDenied(_("민원 업무 권한이 없습니다."))
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _picker_departments(user: User) -> QuerySet[Department]:
    """The departments a user may narrow the queues to: their own grants (everything for coordinators)."""
    if user.has_role(Role.COORDINATOR, Role.SYSADMIN):
        return f.active_departments()
    return Department.objects.filter(pk__in=user.departments_with(*INTAKE_ROLES)).order_by("path")
