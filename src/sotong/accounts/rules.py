"""Who may do what: `rules` predicates and permissions (auto-discovered by rules' AppConfig).

Other apps combine these predicates for their own permissions, e.g.

    rules.add_perm("cases.report_progress", is_handler & role_in_department(Role.HANDLER))

and scope lists with QuerySets, never in templates: `departments_for(user, Role.HANDLER)` or
`Department.objects.visible_to(user)`.
"""

from __future__ import annotations

from typing import Any

import rules

from sotong.accounts.models import Department, Role, departments_for

__all__ = [
    "departments_for",
    "has_role_in_department",
    "is_coordinator",
    "is_handler",
    "is_intake",
    "is_programme_manager",
    "is_sns_officer",
    "is_staff_member",
    "is_sysadmin",
    "role_in_department",
]


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def department_of(target: Any) -> Department | None:
    """The department a permission target belongs to: the target itself or its `department`."""
    if target is None or isinstance(target, Department):
        return target
    return getattr(target, "department", None)


@rules.predicate
def is_staff_member(user: Any) -> bool:
    """Any active staff account (citizens are never users)."""
    return _active(user)


@rules.predicate
def is_coordinator(user: Any) -> bool:
    """총괄부서: sees everything, grants roles, chases overdue cases."""
    return _active(user) and user.has_role(Role.COORDINATOR)


@rules.predicate
def is_sysadmin(user: Any) -> bool:
    """시스템 관리자 (a superuser counts as one)."""
    return _active(user) and (user.is_superuser or user.has_role(Role.SYSADMIN))


@rules.predicate
def is_intake(user: Any) -> bool:
    """주관부서: registers proposals heard at meetings and assigns the handler."""
    return _active(user) and user.has_role(Role.INTAKE)


@rules.predicate
def is_handler(user: Any) -> bool:
    """처리·협조부서: handles and reports."""
    return _active(user) and user.has_role(Role.HANDLER)


@rules.predicate
def is_sns_officer(user: Any) -> bool:
    """소통담당: triages SNS posts."""
    return _active(user) and user.has_role(Role.SNS_OFFICER)


@rules.predicate
def is_programme_manager(user: Any) -> bool:
    """사업 담당: campaigns, consultations, budgets, committees, monitors."""
    return _active(user) and user.has_role(Role.PROGRAMME_MANAGER)


@rules.predicate
def has_role_in_department(user: Any, target: Any = None) -> bool:
    """Some role in the target's department or a department above it (a grant covers its subtree)."""
    department = department_of(target)
    return _active(user) and department is not None and user.has_role_in(department)


def role_in_department(*roles: str) -> rules.Predicate:
    """A predicate: one of `roles` in the target's department or above it."""

    def check(user: Any, target: Any = None) -> bool:
        department = department_of(target)
        return _active(user) and department is not None and user.has_role_in(department, *roles)

    return rules.predicate(check, name=f"role_in_department({','.join(roles)})")


@rules.predicate
def is_own_department(user: Any, target: Any = None) -> bool:
    """The target's department is the user's own department or lies below it."""
    department = department_of(target)
    if not _active(user) or department is None or user.department_id is None:
        return False
    return department.path.startswith(user.department.path)


@rules.predicate
def can_see_department(user: Any, target: Any = None) -> bool:
    if target is None:
        return _active(user)
    return bool(is_coordinator(user) or is_sysadmin(user) or has_role_in_department(user, target)) or bool(
        is_own_department(user, target)
    )


oversees = is_coordinator | is_sysadmin

# Organisation and accounts (the names of the model permissions Django's admin asks for).
rules.add_perm("accounts.view_department", can_see_department)
rules.add_perm("accounts.add_department", is_sysadmin)
rules.add_perm("accounts.change_department", is_sysadmin)
rules.add_perm("accounts.view_user", oversees)
rules.add_perm("accounts.add_user", is_sysadmin)
rules.add_perm("accounts.change_user", is_sysadmin)
rules.add_perm("accounts.view_rolegrant", oversees)
# Role management: coordinators and system administrators; the sysadmin role only by a sysadmin.
rules.add_perm("accounts.manage_roles", oversees)
rules.add_perm("accounts.grant_role", oversees)
rules.add_perm("accounts.revoke_role", oversees)
rules.add_perm("accounts.grant_sysadmin", is_sysadmin)
# The personal-data access log is reviewed by system administrators (개인정보의 안전성 확보조치 기준 §8).
rules.add_perm("office.view_access_log", is_sysadmin)
rules.add_perm("core.view_personaldataaccesslog", is_sysadmin)
rules.add_perm("core.view_event", is_sysadmin)
