"""The outbox: messages to addresses (e-mail, SMS, LMS) and the log of each delivery attempt.

The outbox knows addresses, not people; campaigns and the people registry sit above it.
Rows are written by `sotong.messaging.actions` only.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotong.messaging.exceptions import IllegalTransition
from sotong.messaging.text import mask_address


class Channel(models.TextChoices):
    EMAIL = "email", _("전자우편")
    SMS = "sms", _("단문 문자(SMS)")
    LMS = "lms", _("장문 문자(LMS)")


class Status(models.TextChoices):
    QUEUED = "queued", _("대기")
    SENDING = "sending", _("발송 중")
    SENT = "sent", _("발송 완료")
    RETRYING = "retrying", _("재시도 대기")
    DEAD = "dead", _("발송 실패")
    CANCELLED = "cancelled", _("취소")


# The one place that says which status may follow which. A message stuck in `sending` (the worker
# stopped mid-send) goes back to `retrying` or, out of attempts, to `dead`; staff may re-queue a dead one.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.QUEUED: frozenset({Status.SENDING, Status.CANCELLED}),
    Status.SENDING: frozenset({Status.SENT, Status.RETRYING, Status.DEAD}),
    Status.RETRYING: frozenset({Status.SENDING, Status.CANCELLED}),
    Status.DEAD: frozenset({Status.QUEUED, Status.CANCELLED}),
    Status.SENT: frozenset(),
    Status.CANCELLED: frozenset(),
}

# Statuses from which a worker may claim a message.
CLAIMABLE = (Status.QUEUED, Status.RETRYING)


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def check_transition(current: str, new: str) -> None:
    """Raise `IllegalTransition` (with a Korean message) unless `current` → `new` is allowed."""
    if not can_transition(current, new):
        raise IllegalTransition(
            _("'%(current)s' 상태의 메시지는 '%(new)s' 상태로 바꿀 수 없습니다.")
            % {"current": Status(current).label, "new": Status(new).label},
            code="illegal_transition",
            params={"current": str(current), "new": str(new)},
        )


def default_max_attempts() -> int:
    return int(settings.SOTONG_OUTBOX_MAX_ATTEMPTS)


class MessageQuerySet(models.QuerySet["Message"]):
    def about(self, obj: models.Model) -> MessageQuerySet:
        """Messages caused by `obj` (for a case page's "messages sent" list)."""
        return self.filter(about_type=obj._meta.label_lower, about_id=str(obj.pk))

    def stuck_sending(self, before: datetime) -> MessageQuerySet:
        """Claimed by a worker before `before` and never finished: the worker stopped mid-send."""
        return self.filter(status=Status.SENDING, claimed_at__lt=before)

    def overdue(self, before: datetime) -> MessageQuerySet:
        """Waiting for a delivery task that should have run before `before` but did not take them."""
        return self.filter(status__in=CLAIMABLE, next_attempt_at__lt=before, enqueued_at__lt=before)


class Message(models.Model):
    """발송 메시지: one e-mail, SMS or LMS to one address, delivered at least once by a worker.

    The UUID primary key is the message id: it makes delivery idempotent, names the e-mail's
    Message-ID and travels to the SMS gateway so bounces and receipts find their way back.
    """

    id = models.UUIDField(_("메시지 ID"), primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(_("채널"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("수신 주소"), max_length=254)
    sender = models.CharField(_("발신 주소"), max_length=254)
    subject = models.CharField(_("제목"), max_length=255, blank=True)
    body_text = models.TextField(_("본문"))
    body_html = models.TextField(_("HTML 본문"), blank=True)
    headers = models.JSONField(_("추가 헤더"), default=dict, blank=True)
    purpose = models.CharField(
        _("용도"),
        max_length=60,
        blank=True,
        db_index=True,
        help_text=_("예: case.received, consent.reconfirm"),
    )
    # What caused the message, as "app_label.model" and pk text, so the outbox needs no foreign keys upward.
    about_type = models.CharField(_("관련 대상 유형"), max_length=100, blank=True)
    about_id = models.CharField(_("관련 대상 ID"), max_length=64, blank=True)
    idempotency_key = models.CharField(
        _("중복 방지 키"), max_length=200, null=True, blank=True, unique=True, default=None
    )
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("시도 횟수"), default=0)
    max_attempts = models.PositiveIntegerField(_("최대 시도 횟수"), default=default_max_attempts)
    next_attempt_at = models.DateTimeField(_("다음 시도 시각"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("작업 등록 시각"), default=timezone.now)
    claimed_at = models.DateTimeField(_("발송 시작 시각"), null=True, blank=True)
    last_error = models.TextField(_("마지막 오류"), blank=True)
    provider_message_id = models.CharField(_("사업자 메시지 ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("생성 시각"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("발송 시각"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="messaging_status_next_idx"),
            models.Index(fields=["about_type", "about_id"], name="messaging_about_idx"),
        ]
        verbose_name = _("발송 메시지")
        verbose_name_plural = _("발송 메시지")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.masked_recipient}"

    @property
    def masked_recipient(self) -> str:
        return mask_address(self.recipient)

    @property
    def is_sms(self) -> bool:
        return self.channel in {Channel.SMS, Channel.LMS}

    @property
    def is_final(self) -> bool:
        return not TRANSITIONS.get(self.status)


class Outcome(models.TextChoices):
    SENT = "sent", _("성공")
    RETRY = "retry", _("일시 오류")
    FAILED = "failed", _("영구 오류")
    LOST = "lost", _("중단됨")


class DeliveryAttempt(models.Model):
    """발송 시도 기록: one try at delivering a message, with its outcome and error."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveIntegerField(_("회차"))
    started_at = models.DateTimeField(_("시작 시각"))
    finished_at = models.DateTimeField(_("종료 시각"), default=timezone.now)
    outcome = models.CharField(_("결과"), max_length=8, choices=Outcome.choices)
    error = models.TextField(_("오류"), blank=True)
    provider_message_id = models.CharField(_("사업자 메시지 ID"), max_length=200, blank=True)

    class Meta:
        ordering = ["message", "number", "id"]
        verbose_name = _("발송 시도")
        verbose_name_plural = _("발송 시도")

    def __str__(self) -> str:
        return f"#{self.number} {self.get_outcome_display()}"
