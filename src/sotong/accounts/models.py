"""Departments (실·국 → 과 → 팀), staff users and their roles per department."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from collections.abc import Iterable


class DepartmentLevel(models.TextChoices):
    BUREAU = "bureau", _("실·국")
    DIVISION = "division", _("과")
    TEAM = "team", _("팀")


class DepartmentQuerySet(models.QuerySet["Department"]):
    def active(self) -> DepartmentQuerySet:
        return self.filter(is_active=True)

    def subtree_of(self, departments: Iterable[Department]) -> DepartmentQuerySet:
        """The given departments and everything below them (by materialised path)."""
        return self.under_paths(dept.path for dept in departments)

    def under_paths(self, paths: Iterable[str]) -> DepartmentQuerySet:
        condition = Q(pk__in=[])
        for path in set(paths):
            condition |= Q(path__startswith=path)
        return self.filter(condition)

    def visible_to(self, user: Any) -> DepartmentQuerySet:
        """Departments a member of staff may see: all for coordinators and system administrators,
        otherwise the subtrees where they hold any role, plus their own department's subtree."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_role(Role.COORDINATOR, Role.SYSADMIN):
            return self.all()
        paths = user.role_paths()
        if user.department_id is not None:
            paths.append(user.department.path)
        return self.under_paths(paths)

    def with_roles(self, user: Any, *roles: str) -> DepartmentQuerySet:
        """Departments (with their subtrees) where `user` holds one of `roles` (any role when none given).

        Coordinators and system administrators hold every department.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_role(Role.COORDINATOR, Role.SYSADMIN):
            return self.all()
        return self.under_paths(user.role_paths(*roles))


class Department(models.Model):
    """부서: a node of the organisation tree, with a stable code (행정기관 코드 or a local one)."""

    code = models.CharField(_("부서 코드"), max_length=20, unique=True)
    name = models.CharField(_("부서명"), max_length=100)
    name_en = models.CharField(_("영문 부서명"), max_length=150, blank=True)
    level = models.CharField(_("단계"), max_length=10, choices=DepartmentLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("상위 부서"),
    )
    # Materialised path of codes ("/B01/D03/T02/") so subtree queries are one indexed LIKE.
    path = models.CharField(max_length=255, editable=False, db_index=True)
    phone = models.CharField(_("대표 전화"), max_length=20, blank=True)
    sort_order = models.PositiveIntegerField(_("순서"), default=0)
    is_active = models.BooleanField(_("사용"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("부서")
        verbose_name_plural = _("부서")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        old_path = self.path
        self.path = self.compute_path()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"parent", "code"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "path"}
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # One UPDATE rewrites the prefix of every descendant's path.
            Department.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(self.path), Substr("path", len(old_path) + 1))
            )

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        allowed: dict[DepartmentLevel, set[DepartmentLevel | None]] = {
            DepartmentLevel.BUREAU: {None},
            DepartmentLevel.DIVISION: {None, DepartmentLevel.BUREAU},
            DepartmentLevel.TEAM: {DepartmentLevel.DIVISION},
        }
        allowed_parent = allowed[DepartmentLevel(self.level)]
        parent_level = DepartmentLevel(self.parent.level) if self.parent else None
        if parent_level not in allowed_parent:
            raise ValidationError({"parent": _("실·국 → 과 → 팀 순서로만 하위 부서를 둘 수 있습니다.")})
        node = self.parent
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError(
                    {"parent": _("자기 자신이나 하위 부서를 상위 부서로 지정할 수 없습니다.")}
                )
            node = node.parent

    def compute_path(self) -> str:
        return (self.parent.path if self.parent else "/") + f"{self.code}/"

    def is_descendant_of(self, other: Department) -> bool:
        return self.pk != other.pk and self.path.startswith(other.path)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def ancestors(self) -> list[Department]:
        codes = self.path.strip("/").split("/")[:-1]
        by_code = {d.code: d for d in Department.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    def full_name(self) -> str:
        return " > ".join([*(d.name for d in self.ancestors()), self.name])


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("총괄")
    INTAKE = "intake", _("주관")
    HANDLER = "handler", _("처리·협조")
    SNS_OFFICER = "sns_officer", _("소통담당")
    PROGRAMME_MANAGER = "programme_manager", _("사업 담당")
    SYSADMIN = "sysadmin", _("시스템 관리자")


class User(AbstractUser):
    """A member of staff. Citizens are not users: they are identified per case or in the people registry."""

    name = models.CharField(_("이름"), max_length=50)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("소속 부서"),
    )
    position = models.CharField(_("직위"), max_length=50, blank=True)
    office_phone = models.CharField(_("사무실 전화"), max_length=20, blank=True)

    objects = UserManager()  # type: ignore[misc]

    REQUIRED_FIELDS = ["email", "name"]

    class Meta:
        ordering = ["department__path", "name"]
        verbose_name = _("직원")
        verbose_name_plural = _("직원")

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    def active_grants(self) -> RoleGrantQuerySet:
        return RoleGrant.objects.active().filter(user=self)

    def _grants_cache(self) -> list[tuple[str, int, str]]:
        """(role, department id, department path) of every active grant, cached on the instance."""
        cache = self.__dict__.get("_role_cache")
        if cache is None:
            if self.pk is None or not self.is_active:
                cache = []
            else:
                cache = list(self.active_grants().values_list("role", "department_id", "department__path"))
            self.__dict__["_role_cache"] = cache
        return cache

    def roles(self) -> set[str]:
        """Roles held in any department (cached per instance for the request)."""
        return {role for role, _dept, _path in self._grants_cache()}

    def departments_with(self, *roles: str) -> list[int]:
        """Ids of the departments where one of `roles` was granted (not their subtrees)."""
        return [dept for role, dept, _path in self._grants_cache() if role in roles]

    def role_paths(self, *roles: str) -> list[str]:
        """Tree paths of the departments where one of `roles` (any role when none given) was granted."""
        wanted = set(roles or Role.values)
        return [path for role, _dept, path in self._grants_cache() if role in wanted]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    def has_role_in(self, department: Department, *roles: str) -> bool:
        """Whether one of `roles` (any role when none given) was granted in `department` or above it."""
        wanted = set(roles or Role.values)
        return any(
            role in wanted and department.path.startswith(path) for role, _dept, path in self._grants_cache()
        )

    def forget_roles(self) -> None:
        """Drop the per-instance role cache (after a grant or revocation)."""
        self.__dict__.pop("_role_cache", None)

    @property
    def needs_two_factor(self) -> bool:
        """Superusers and holders of a role in SOTONG_TWO_FACTOR_ROLES must pass TOTP."""
        return self.is_superuser or self.has_role(*settings.SOTONG_TWO_FACTOR_ROLES)


def departments_for(user: Any, *roles: str) -> DepartmentQuerySet:
    """Departments, with their subtrees, where `user` holds one of `roles` (any role when none given).

    Coordinators and system administrators get every department. Other apps scope their QuerySets
    with it: `Case.objects.filter(department__in=departments_for(user, Role.HANDLER))`.
    """
    return Department.objects.with_roles(user, *roles)


class RoleGrantQuerySet(models.QuerySet["RoleGrant"]):
    def active(self) -> RoleGrantQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleGrant(models.Model):
    """권한 부여: one role of one user in one department, from grant to revocation (kept 3 years)."""

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_grants", verbose_name=_("직원")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="role_grants", verbose_name=_("부서")
    )
    role = models.CharField(_("역할"), max_length=30, choices=Role.choices)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("부여 시각"), default=timezone.now)
    grant_reason = models.CharField(_("부여 사유"), max_length=200, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("회수 시각"), null=True, blank=True)
    revoke_reason = models.CharField(_("회수 사유"), max_length=200, blank=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department", "role"],
                condition=Q(revoked_at__isnull=True),
                name="accounts_one_active_grant",
            )
        ]
        verbose_name = _("역할 부여")
        verbose_name_plural = _("역할 부여")

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
