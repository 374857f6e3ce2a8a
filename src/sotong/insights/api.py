"""Insights API at /api/v1/insights/: similar cases, department suggestions and suggested answers for a
text (at intake) or for a visible case. Staff only (session auth); personal data never appears."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from sotong.accounts.models import Role, User
from sotong.cases.models import Case
from sotong.insights import suggestions
from sotong.insights.similar import Similar

router = Router(tags=["insights"])

STAFF_ROLES = (Role.COORDINATOR, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER, Role.SYSADMIN)


class TextIn(Schema):
    title: str = ""
    body: str = ""


class SimilarOut(Schema):
    receipt_no: str | None
    title: str
    status: str
    similarity: float
    answer: str


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    confidence: float


class InsightOut(Schema):
    ready: bool
    similar: list[SimilarOut]
    departments: list[DepartmentOut]
    answers: list[SimilarOut]


def _staff(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not user.has_role(*STAFF_ROLES):
        raise PermissionDenied(_("민원 업무 권한이 없습니다."))
    return user


def _similar(item: Similar) -> SimilarOut:
    return SimilarOut(
        receipt_no=item.case.receipt_no if item.visible else None,
        title=item.public_title,
        status=item.case.status,
        similarity=round(item.similarity, 4),
        answer=item.public_answer,
    )


def _out(insight: suggestions.Insight) -> InsightOut:
    return InsightOut(
        ready=insight.ready,
        similar=[_similar(item) for item in insight.similar],
        departments=[
            DepartmentOut(
                id=s.department.pk,
                code=s.department.code,
                name=s.department.name,
                confidence=round(s.confidence, 4),
            )
            for s in insight.departments
        ],
        answers=[_similar(item) for item in insight.answers],
    )


@router.post("/suggest", response=InsightOut)
def suggest(request: HttpRequest, payload: TextIn) -> InsightOut:
    """처리부서 추천, 유사민원, 답변 추천 for a text being registered (title and body)."""
    user = _staff(request)
    return _out(suggestions.for_staff_text(payload.title, payload.body, Case.objects.visible_to(user)))


@router.get("/cases/{receipt_no}", response=InsightOut)
def case_insight(request: HttpRequest, receipt_no: str) -> InsightOut:
    """The same for a stored case the user may see (another department's case is a 404)."""
    user = _staff(request)
    case = Case.objects.visible_to(user).filter(receipt_no=receipt_no).first()
    if case is None:
        raise Http404
    return _out(suggestions.for_case(case, Case.objects.visible_to(user)))
