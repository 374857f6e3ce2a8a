"""Kernel models: the Event timeline, the personal-data access log, code tables, holidays, heartbeats."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("생성 시각"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only log."""


class AppendOnlyModel(models.Model):
    """Rows are written once and never changed or deleted through the ORM.

    The database enforces the same with triggers (see the core migrations), so a raw UPDATE fails too.
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{type(self).__name__} is append-only")


class EventQuerySet(models.QuerySet["Event"]):
    def for_target(self, target: models.Model) -> EventQuerySet:
        return self.filter(
            target_type=ContentType.objects.get_for_model(target._meta.model), target_id=str(target.pk)
        )


class Event(AppendOnlyModel):
    """Timeline entry (이력): who did what to which object, with the values before and after.

    Every action writes one; it is the case timeline, the audit trail and the source of notifications.
    """

    # PROTECT: staff accounts are deactivated, never deleted, so the trail keeps its actors.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("행위자"), max_length=150, blank=True)
    verb = models.CharField(_("동작"), max_length=80, db_index=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("대상"), max_length=200, blank=True)
    before = models.JSONField(_("변경 전"), default=dict, blank=True)
    after = models.JSONField(_("변경 후"), default=dict, blank=True)
    note = models.TextField(_("비고"), blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("시각"), default=timezone.now, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]
        verbose_name = _("이력")
        verbose_name_plural = _("이력")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.target_label}"


class PersonalDataAction(models.TextChoices):
    VIEW = "view", _("조회")
    CREATE = "create", _("입력")
    UPDATE = "update", _("변경")
    DELETE = "delete", _("삭제")
    PRINT = "print", _("출력")
    DOWNLOAD = "download", _("다운로드")


class PersonalDataAccessLog(AppendOnlyModel):
    """개인정보 접근기록: account, time, IP, data subject, action and (for downloads) the reason.

    Kept at least two years, reviewed monthly, never changed.
    """

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    account_label = models.CharField(_("계정"), max_length=150)
    accessed_at = models.DateTimeField(_("접근 시각"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("접속지 IP"), null=True, blank=True)
    subject_type = models.CharField(_("정보주체 유형"), max_length=80)
    subject_id = models.CharField(_("정보주체 ID"), max_length=64)
    subject_label = models.CharField(_("정보주체"), max_length=200, blank=True)
    action = models.CharField(_("처리 내역"), max_length=16, choices=PersonalDataAction.choices)
    fields = models.CharField(_("항목"), max_length=200, blank=True)
    reason = models.TextField(_("사유"), blank=True)
    path = models.CharField(_("화면/기능"), max_length=300, blank=True)
    record_count = models.PositiveIntegerField(_("건수"), default=1)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        verbose_name = _("개인정보 접근기록")
        verbose_name_plural = _("개인정보 접근기록")

    def __str__(self) -> str:
        return f"{self.accessed_at:%Y-%m-%d %H:%M} {self.account_label} {self.get_action_display()}"


class AccessLogReview(TimeStampedModel):
    """월별 접근기록 점검: a system administrator's mark that a month of the access log was reviewed."""

    month = models.DateField(_("점검 월"), unique=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("점검 의견"), blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("접근기록 점검")
        verbose_name_plural = _("접근기록 점검")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class CodeGroup(models.Model):
    """공통코드 그룹: a named table of codes (channels, categories, statutory complaint types...)."""

    key = models.SlugField(_("그룹 키"), max_length=60, unique=True)
    name = models.CharField(_("그룹명"), max_length=100)
    description = models.TextField(_("설명"), blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("공통코드 그룹")
        verbose_name_plural = _("공통코드 그룹")

    def __str__(self) -> str:
        return self.name


class CodeQuerySet(models.QuerySet["Code"]):
    def active(self) -> CodeQuerySet:
        return self.filter(is_active=True)

    def in_group(self, key: str) -> CodeQuerySet:
        return self.filter(group__key=key)


class Code(models.Model):
    """공통코드: one value of a code group, optionally nested and carrying extra attributes."""

    group = models.ForeignKey(CodeGroup, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("코드"), max_length=60)
    name = models.CharField(_("코드명"), max_length=200)
    name_en = models.CharField(_("영문명"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveIntegerField(_("순서"), default=0)
    is_active = models.BooleanField(_("사용"), default=True)
    attributes = models.JSONField(_("속성"), default=dict, blank=True)

    objects = CodeQuerySet.as_manager()

    class Meta:
        ordering = ["group", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="core_code_unique_in_group")]
        verbose_name = _("공통코드")
        verbose_name_plural = _("공통코드")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Holiday(models.Model):
    """A day off the `holidays` package does not know: 임시공휴일, 선거일, or a local closure.

    `is_working_day=True` turns the other way: a listed public holiday that this office works.
    """

    date = models.DateField(_("날짜"), unique=True)
    name = models.CharField(_("이름"), max_length=100)
    is_working_day = models.BooleanField(
        _("근무일로 지정"), default=False, help_text=_("공휴일이지만 근무하는 날이면 선택합니다.")
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("휴일")
        verbose_name_plural = _("휴일")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Heartbeat(models.Model):
    """Last sign of life of a background process (worker, scheduler), read by /healthz."""

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at}"


class SweepRun(models.Model):
    """Schedule state of one periodic sweep; the scheduler claims a due run with one conditional UPDATE."""

    name = models.CharField(max_length=80, primary_key=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_result = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    runs = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


def _hook_reference_caches() -> None:
    """Changes to codes and holidays drop this process's cached copies (see `sotong.core.process_cache`)."""
    from django.db.models.signals import post_delete, post_migrate, post_save

    from sotong.core.process_cache import CODES, HOLIDAYS, clear_all

    for model, cache in ((CodeGroup, CODES), (Code, CODES), (Holiday, HOLIDAYS)):
        for signal in (post_save, post_delete):
            signal.connect(cache.invalidate, sender=model, weak=False, dispatch_uid=f"cache:{model.__name__}")
    # `migrate` and `flush` (which empties every table, the test runner's too) send post_migrate.
    post_migrate.connect(clear_all, weak=False, dispatch_uid="cache:migrate")


_hook_reference_caches()
