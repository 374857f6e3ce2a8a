"""Use cases of the organisation: departments, staff accounts and role grants.

Views, admin, commands and the demo loader call these functions; nothing else writes Department, User
or RoleGrant. Each runs in one transaction and writes an Event with the values before and after, so the
grant and revocation history required by 개인정보의 안전성 확보조치 기준 (권한 부여·변경·말소 내역, kept at
least 3 years) lives in the Event timeline as well as in RoleGrant rows, which are never deleted.

`actor` is the member of staff doing it, or None for the system (migrations, the demo loader, a
management command run by an operator); permission checks apply only to a real actor.
"""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from sotong.accounts.models import Department, DepartmentLevel, Role, RoleGrant, User
from sotong.core.events import record_event

TOTP_DEVICE_NAME = "sotong"


class AccountsError(Exception):
    """Illegal input to an accounts action; `message` is Korean text for the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(AccountsError, PermissionDenied):
    """The actor may not do this (a view that does not catch it answers 403)."""


def _require(actor: User | None, permission: str, message: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise NotAllowed(message)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AccountsError(_("사유를 입력해 주세요."))
    return reason


def _department_values(department: Department) -> dict[str, Any]:
    return {
        "code": department.code,
        "name": department.name,
        "level": department.level,
        "parent": department.parent_id,
        "path": department.path,
        "phone": department.phone,
        "is_active": department.is_active,
    }


def _check_tree(department: Department) -> None:
    try:
        department.clean()
    except ValidationError as exc:
        raise AccountsError(" ".join(exc.messages)) from exc


# Departments ---------------------------------------------------------------------------------------


@transaction.atomic
def create_department(
    actor: User | None,
    *,
    code: str,
    name: str,
    level: str,
    parent: Department | None = None,
    phone: str = "",
    name_en: str = "",
    sort_order: int = 0,
) -> Department:
    """부서 신설: add a bureau (실·국), division (과) or team (팀) under `parent`.

    Bureaus sit at the top, divisions at the top or under a bureau, teams only under a division.
    Only a system administrator may do it.
    """
    _require(actor, "accounts.add_department", _("부서를 만들 권한이 없습니다."))
    code = code.strip()
    if not code or not name.strip():
        raise AccountsError(_("부서 코드와 부서명을 입력해 주세요."))
    if level not in DepartmentLevel.values:
        raise AccountsError(_("부서 단계가 올바르지 않습니다."))
    if Department.objects.filter(code=code).exists():
        raise AccountsError(_("부서 코드 %(code)s는 이미 사용 중입니다.") % {"code": code})
    if parent is not None and not parent.is_active:
        raise AccountsError(_("사용하지 않는 부서 아래에는 부서를 만들 수 없습니다."))
    department = Department(
        code=code,
        name=name.strip(),
        name_en=name_en,
        level=level,
        parent=parent,
        phone=phone,
        sort_order=sort_order,
    )
    _check_tree(department)
    department.save()
    record_event(actor, "department.created", department, after=_department_values(department))
    return department


@transaction.atomic
def update_department(
    actor: User | None,
    department: Department,
    *,
    name: str | None = None,
    name_en: str | None = None,
    phone: str | None = None,
    sort_order: int | None = None,
    is_active: bool | None = None,
) -> Department:
    """부서 정보 변경: name, phone, order or whether it is in use (the code and place stay; see move)."""
    _require(actor, "accounts.change_department", _("부서를 바꿀 권한이 없습니다."))
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = _department_values(department)
    changes = {
        "name": name.strip() if name is not None else None,
        "name_en": name_en,
        "phone": phone,
        "sort_order": sort_order,
        "is_active": is_active,
    }
    changed = [field for field, value in changes.items() if value is not None]
    if "name" in changed and not changes["name"]:
        raise AccountsError(_("부서명을 입력해 주세요."))
    if is_active is False and department.staff.filter(is_active=True).exists():
        raise AccountsError(_("소속 직원이 있는 부서는 사용 중지할 수 없습니다."))
    for field in changed:
        setattr(department, field, changes[field])
    department.save(update_fields=changed or None)
    record_event(actor, "department.updated", department, before=before, after=_department_values(department))
    return department


@transaction.atomic
def move_department(
    actor: User | None, department: Department, new_parent: Department | None, reason: str = ""
) -> Department:
    """부서 이동(직제 개편): put `department` and its whole subtree under `new_parent`.

    The materialised paths of the department and every descendant are rewritten in the same transaction.
    """
    _require(actor, "accounts.change_department", _("부서를 바꿀 권한이 없습니다."))
    department = Department.objects.select_for_update().get(pk=department.pk)
    if new_parent is not None:
        new_parent = Department.objects.get(pk=new_parent.pk)
        if new_parent.pk == department.pk or new_parent.is_descendant_of(department):
            raise AccountsError(_("자기 자신이나 하위 부서를 상위 부서로 지정할 수 없습니다."))
        if not new_parent.is_active:
            raise AccountsError(_("사용하지 않는 부서 아래로는 옮길 수 없습니다."))
    if department.parent_id == (new_parent.pk if new_parent else None):
        raise AccountsError(_("이미 그 부서 아래에 있습니다."))
    before = _department_values(department)
    department.parent = new_parent
    _check_tree(department)
    department.save(update_fields=["parent"])
    record_event(
        actor,
        "department.moved",
        department,
        before=before,
        after=_department_values(department),
        note=reason.strip(),
    )
    return department


# Staff ---------------------------------------------------------------------------------------------


def _user_values(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": user.name,
        "department": user.department_id,
        "position": user.position,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
    }


@transaction.atomic
def create_staff_user(
    actor: User | None,
    *,
    username: str,
    name: str,
    department: Department | None,
    password: str | None = None,
    email: str = "",
    position: str = "",
    office_phone: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """직원 계정 등록: one account per person (least privilege: no role until one is granted).

    Without a password the account cannot log in until one is set. Only a system administrator may do it.
    """
    _require(actor, "accounts.add_user", _("직원 계정을 만들 권한이 없습니다."))
    username = username.strip()
    if not username or not name.strip():
        raise AccountsError(_("아이디와 이름을 입력해 주세요."))
    if User.objects.filter(username__iexact=username).exists():
        raise AccountsError(_("아이디 %(username)s는 이미 사용 중입니다.") % {"username": username})
    if department is not None and not department.is_active:
        raise AccountsError(_("사용하지 않는 부서에는 직원을 둘 수 없습니다."))
    if is_superuser and actor is not None and not actor.is_superuser:
        raise NotAllowed(_("최고 관리자 계정은 최고 관리자만 만들 수 있습니다."))
    user = User(
        username=username,
        name=name.strip(),
        department=department,
        email=email,
        position=position,
        office_phone=office_phone,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record_event(actor, "user.created", user, after=_user_values(user))
    return user


@transaction.atomic
def update_staff_user(
    actor: User | None,
    user: User,
    *,
    name: str | None = None,
    email: str | None = None,
    department: Department | None = None,
    position: str | None = None,
    office_phone: str | None = None,
) -> User:
    """직원 정보 변경: name, e-mail, department, position, phone (roles change only through grants)."""
    _require(actor, "accounts.change_user", _("직원 정보를 바꿀 권한이 없습니다."))
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _user_values(user)
    changes: dict[str, Any] = {
        "name": name.strip() if name is not None else None,
        "email": email,
        "department": department,
        "position": position,
        "office_phone": office_phone,
    }
    changed = [field for field, value in changes.items() if value is not None]
    if "name" in changed and not changes["name"]:
        raise AccountsError(_("이름을 입력해 주세요."))
    if department is not None and not department.is_active:
        raise AccountsError(_("사용하지 않는 부서에는 직원을 둘 수 없습니다."))
    for field in changed:
        setattr(user, field, changes[field])
    if changed:
        user.save(update_fields=changed)
    record_event(actor, "user.updated", user, before=before, after=_user_values(user))
    return user


@transaction.atomic
def deactivate_user(actor: User | None, user: User, reason: str) -> User:
    """계정 말소(퇴직·전출): the account can no longer log in and every active role is revoked.

    Accounts are never deleted: the Event trail and the PII access log keep pointing at them.
    The revocations are logged one by one like any other (kept 3 years).
    """
    _require(actor, "accounts.change_user", _("직원 계정을 비활성화할 권한이 없습니다."))
    reason = _require_reason(reason)
    given_user, user = user, User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise AccountsError(_("이미 비활성화된 계정입니다."))
    if actor is not None and actor.pk == user.pk:
        raise AccountsError(_("자기 계정은 비활성화할 수 없습니다."))
    before = _user_values(user)
    for grant in user.active_grants().select_related("department"):
        _revoke(actor, grant, reason)
    user.is_active = False
    user.save(update_fields=["is_active"])
    given_user.forget_roles()
    record_event(actor, "user.deactivated", user, before=before, after=_user_values(user), note=reason)
    return user


# Roles ---------------------------------------------------------------------------------------------


def _grant_values(grant: RoleGrant) -> dict[str, Any]:
    return {
        "user": grant.user_id,
        "department": grant.department_id,
        "role": grant.role,
        "granted_by": grant.granted_by_id,
        "granted_at": grant.granted_at,
        "grant_reason": grant.grant_reason,
        "revoked_by": grant.revoked_by_id,
        "revoked_at": grant.revoked_at,
        "revoke_reason": grant.revoke_reason,
    }


def _check_may_manage(actor: User | None, role: str) -> None:
    if actor is None:
        return
    if not actor.has_perm("accounts.grant_role"):
        raise NotAllowed(
            _("역할을 부여하거나 회수할 권한이 없습니다. 총괄부서나 시스템 관리자에게 요청해 주세요.")
        )
    if role == Role.SYSADMIN and not actor.has_perm("accounts.grant_sysadmin"):
        raise NotAllowed(_("시스템 관리자 역할은 시스템 관리자만 부여하거나 회수할 수 있습니다."))


@transaction.atomic
def grant_role(actor: User | None, user: User, department: Department, role: str, reason: str) -> RoleGrant:
    """권한 부여: give `user` the `role` in `department` (and so in its subtree).

    Only a coordinator (총괄) or a system administrator may grant, and the system administrator role
    only a system administrator. The grant and its reason are logged (kept 3 years).
    """
    if role not in Role.values:
        raise AccountsError(_("알 수 없는 역할입니다."))
    _check_may_manage(actor, role)
    reason = _require_reason(reason)
    given_user, user = user, User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise AccountsError(_("비활성화된 계정에는 역할을 부여할 수 없습니다."))
    if not department.is_active:
        raise AccountsError(_("사용하지 않는 부서에서는 역할을 부여할 수 없습니다."))
    label = Role(role).label
    duplicate_message = _("%(name)s님은 이미 %(department)s에서 %(role)s 역할을 가지고 있습니다.") % {
        "name": user.name or user.username,
        "department": department.name,
        "role": label,
    }
    if RoleGrant.objects.active().filter(user=user, department=department, role=role).exists():
        raise AccountsError(duplicate_message)
    grant = RoleGrant(
        user=user,
        department=department,
        role=role,
        granted_by=actor if actor is not None else None,
        granted_at=timezone.now(),
        grant_reason=reason,
    )
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError as exc:  # a concurrent grant of the same role won the race
        raise AccountsError(duplicate_message) from exc
    given_user.forget_roles()
    record_event(actor, "role.granted", grant, after=_grant_values(grant), note=reason)
    return grant


@transaction.atomic
def revoke_role(actor: User | None, grant: RoleGrant, reason: str) -> RoleGrant:
    """권한 회수: end a role grant; the row stays as history (kept 3 years) and an Event is written.

    The same people who may grant may revoke; the last active system administrator cannot be revoked,
    so the platform never loses its administrator.
    """
    return _revoke(actor, grant, reason)


def _revoke(actor: User | None, grant: RoleGrant, reason: str) -> RoleGrant:
    given_user = grant.user
    grant = RoleGrant.objects.select_for_update().select_related("user", "department").get(pk=grant.pk)
    _check_may_manage(actor, grant.role)
    reason = _require_reason(reason)
    if grant.revoked_at is not None:
        raise AccountsError(_("이미 회수된 역할입니다."))
    if (
        grant.role == Role.SYSADMIN
        and not RoleGrant.objects.active()
        .filter(role=Role.SYSADMIN, user__is_active=True)
        .exclude(pk=grant.pk)
        .exists()
    ):
        raise AccountsError(
            _("마지막 시스템 관리자의 역할은 회수할 수 없습니다. 다른 시스템 관리자를 먼저 지정해 주세요.")
        )
    before = _grant_values(grant)
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor if actor is not None else None
    grant.revoke_reason = reason
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    given_user.forget_roles()
    record_event(actor, "role.revoked", grant, before=before, after=_grant_values(grant), note=reason)
    return grant


# Two-factor devices ----------------------------------------------------------------------------------


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def start_totp_enrolment(user: User) -> TOTPDevice:
    """OTP 등록 시작: the unconfirmed device (fresh random key) shown as a QR code until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(user: User, device: TOTPDevice) -> TOTPDevice:
    """OTP 등록 완료: the user proved the app shows the right code; other pending devices are dropped."""
    if device.user_id != user.pk:
        raise NotAllowed(_("다른 사람의 인증 기기입니다."))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    # `user` may be request.user (a lazy wrapper); the Event targets the stored row.
    record_event(user, "otp.enrolled", User.objects.get(pk=user.pk), after={"device": device.pk})
    return device


@transaction.atomic
def reset_two_factor(actor: User | None, user: User, reason: str) -> int:
    """OTP 초기화 (lost phone): remove the user's TOTP devices so they enrol again at the next login."""
    _require(actor, "accounts.change_user", _("인증 기기를 초기화할 권한이 없습니다."))
    reason = _require_reason(reason)
    deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
    record_event(
        actor, "otp.reset", User.objects.get(pk=user.pk), after={"devices_removed": deleted}, note=reason
    )
    return deleted


# Lockout ----------------------------------------------------------------------------------------------


@transaction.atomic
def unlock_user(actor: User | None, user: User, reason: str) -> int:
    """계정 잠금 해제: clear the failed logins that locked `user` out (django-axes) before the cool-off ends."""
    _require(actor, "accounts.change_user", _("계정 잠금을 해제할 권한이 없습니다."))
    reason = _require_reason(reason)
    cleared = axes_reset(username=user.get_username())
    record_event(
        actor, "user.unlocked", User.objects.get(pk=user.pk), after={"attempts_cleared": cleared}, note=reason
    )
    return cleared
