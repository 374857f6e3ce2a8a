"""Kernel API: the signed-in staff member, and the public code tables."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from sotong.core.models import Code

router = Router(tags=["core"])


class RoleOut(Schema):
    department_code: str
    department_name: str
    role: str
    role_label: str


class MeOut(Schema):
    username: str
    name: str
    department: str | None
    roles: list[RoleOut]
    two_factor_verified: bool


class CodeOut(Schema):
    code: str
    name: str
    name_en: str
    attributes: dict[str, object]


@router.get("/me", response=MeOut, summary="The signed-in staff member with roles")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    grants = user.active_grants().select_related("department").order_by("department__path")  # type: ignore[union-attr]
    return MeOut(
        username=user.get_username(),
        name=getattr(user, "name", ""),
        department=user.department.name if getattr(user, "department", None) else None,  # type: ignore[union-attr]
        roles=[
            RoleOut(
                department_code=g.department.code,
                department_name=g.department.name,
                role=g.role,
                role_label=str(g.get_role_display()),
            )
            for g in grants
        ],
        two_factor_verified=bool(getattr(user, "is_verified", lambda: False)()),
    )


@router.get("/codes/{group}", response=list[CodeOut], auth=None, summary="Active codes of a code table")
def codes(request: HttpRequest, group: str) -> list[Code]:
    rows = list(Code.objects.active().in_group(group).order_by("sort_order", "code"))
    if not rows and not Code.objects.in_group(group).exists():
        raise Http404(group)
    return rows
