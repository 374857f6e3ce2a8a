"""뉴스레터·대량 발송 (PCRM mass messaging): newsletters, templates, campaigns and what came of them.

Designed like listmonk rather than the per-message outbox: one `Campaign` row per send, its audience
materialised once into the compact `Recipient` table (ids only: the address is read from the person when
the batch is rendered), and the sender walks that table by key in batches. Addresses that must never be
written to again are `Suppression` rows keyed by channel and the people registry's blind index.
Rows are written by `sotong.campaigns.actions` and the sender only.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotong.core.errors import DomainError
from sotong.core.errors import IllegalTransition as _IllegalTransition
from sotong.people.models import ConsentPurpose, Person, PersonList, Segment


class CampaignError(DomainError):
    """Refused input for a newsletter, template or campaign (Korean message; the API answers 422)."""


class IllegalTransition(_IllegalTransition):
    """A campaign state change the transition table does not allow (409)."""


class Channel(models.TextChoices):
    EMAIL = "email", _("전자우편")
    SMS = "sms", _("문자")


class Newsletter(models.Model):
    """뉴스레터·소식지: a regular publication with its own consent purpose (and, when it advertises, its
    own night-time consent purpose, 정보통신망법 §50③)."""

    name = models.CharField(_("이름"), max_length=100)
    purpose = models.OneToOneField(
        ConsentPurpose, on_delete=models.PROTECT, related_name="newsletter", verbose_name=_("동의 목적")
    )
    night_purpose = models.OneToOneField(
        ConsentPurpose,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="night_newsletter",
        verbose_name=_("야간 수신 동의 목적"),
    )
    description = models.TextField(_("소개"), blank=True)
    is_advertising = models.BooleanField(_("광고성 정보"), default=False)
    sender_name = models.CharField(_("발신자 명칭"), max_length=100)
    sender_email = models.EmailField(_("발신 전자우편"))
    sender_phone = models.CharField(_("발신번호"), max_length=20)
    contact_line = models.CharField(
        _("발신자 연락처"), max_length=100, help_text=_("예: 성동구청 뉴미디어담당관 02-2286-5114")
    )
    opt_out_number = models.CharField(
        _("무료수신거부 번호"),
        max_length=20,
        blank=True,
        help_text=_("예: 080-123-4567 (광고성 정보에 필수)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("뉴스레터")
        verbose_name_plural = _("뉴스레터")

    def __str__(self) -> str:
        return self.name


class Template(models.Model):
    """발송 서식: e-mail (subject, HTML, text) or SMS/LMS text in a sandboxed subset of Django templates,
    personalised with the person's fields ({{ name }}, {{ dong }}…, see `rendering.PERSON_FIELDS`)."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="templates")
    name = models.CharField(_("서식 이름"), max_length=100)
    channel = models.CharField(_("채널"), max_length=8, choices=Channel.choices)
    subject = models.CharField(_("제목"), max_length=255, blank=True)
    body_html = models.TextField(_("HTML 본문"), blank=True)
    body_text = models.TextField(_("본문"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["newsletter", "name", "id"]
        verbose_name = _("발송 서식")
        verbose_name_plural = _("발송 서식")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()})"


class State(models.TextChoices):
    DRAFT = "draft", _("작성 중")
    SCHEDULED = "scheduled", _("예약")
    RUNNING = "running", _("발송 중")
    PAUSED = "paused", _("일시 정지")
    CANCELLED = "cancelled", _("취소")
    FINISHED = "finished", _("완료")


# The one place that says which state may follow which.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.SCHEDULED, State.RUNNING, State.CANCELLED}),
    State.SCHEDULED: frozenset({State.RUNNING, State.DRAFT, State.CANCELLED}),
    State.RUNNING: frozenset({State.PAUSED, State.CANCELLED, State.FINISHED}),
    State.PAUSED: frozenset({State.RUNNING, State.CANCELLED}),
    State.CANCELLED: frozenset(),
    State.FINISHED: frozenset(),
}


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(
            str(
                _("'%(current)s' 상태의 캠페인은 '%(new)s' 상태로 바꿀 수 없습니다.")
                % {"current": State(current).label, "new": State(new).label}
            )
        )


class Kind(models.TextChoices):
    REGULAR = "regular", _("정기 발송")
    URGENT = "urgent", _("긴급 문자")


class Campaign(models.Model):
    """캠페인: one send of one template to an audience (lists and segments), with its progress."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="campaigns")
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(_("캠페인 이름"), max_length=200)
    kind = models.CharField(_("구분"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    channel = models.CharField(_("채널"), max_length=8, choices=Channel.choices)
    lists = models.ManyToManyField(PersonList, blank=True, related_name="+", verbose_name=_("명단"))
    segments = models.ManyToManyField(Segment, blank=True, related_name="+", verbose_name=_("저장된 조건"))
    # Urgent messages name their audience by dong, without a saved segment.
    dongs = models.JSONField(_("행정동"), default=list, blank=True)
    state = models.CharField(_("상태"), max_length=10, choices=State.choices, default=State.DRAFT)
    scheduled_at = models.DateTimeField(_("예약 시각"), null=True, blank=True)
    started_at = models.DateTimeField(_("시작 시각"), null=True, blank=True)
    finished_at = models.DateTimeField(_("완료 시각"), null=True, blank=True)
    paused_reason = models.CharField(_("정지 사유"), max_length=300, blank=True)
    # Sending: messages per second over all connections, concurrent connections, errors before pausing.
    rate_per_second = models.PositiveIntegerField(_("초당 발송 한도"), default=200)
    concurrency = models.PositiveSmallIntegerField(_("동시 연결 수"), default=4)
    max_errors = models.PositiveIntegerField(_("오류 허용 건수"), default=100)
    # The audience is materialised once, on the first start; `total` counts it.
    materialised_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(_("대상"), default=0)
    excluded = models.JSONField(_("제외"), default=dict, blank=True)
    sent = models.PositiveIntegerField(_("발송"), default=0)
    failed = models.PositiveIntegerField(_("실패"), default=0)
    skipped = models.PositiveIntegerField(_("발송 제외"), default=0)
    errors_in_row = models.PositiveIntegerField(default=0)
    # The run that holds the campaign: a token and a lease a crashed worker's successor waits out.
    # Recipient rows are deleted some months after the campaign ended (SOTONG_CAMPAIGN_RECIPIENT_KEEP_DAYS);
    # the deleted ones are counted here by status, in the transaction that deletes them, so the report's
    # figures stay whole. `recipients_purged_at` is set once none are left.
    purged_counts = models.JSONField(default=dict, blank=True)
    recipients_purged_at = models.DateTimeField(null=True, blank=True)
    run_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(_("다음 발송 시각"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "lease_until"], name="campaigns_state_lease_idx")]
        verbose_name = _("캠페인")
        verbose_name_plural = _("캠페인")

    def __str__(self) -> str:
        return self.name

    @property
    def is_advertising(self) -> bool:
        return self.newsletter.is_advertising

    @property
    def can_edit(self) -> bool:
        return self.state in {State.DRAFT, State.SCHEDULED}

    def allowed(self, new: str) -> bool:
        return new in TRANSITIONS.get(self.state, frozenset())


class RecipientStatus(models.IntegerChoices):
    PENDING = 0, _("대기")
    SENDING = 1, _("발송 중")
    SENT = 2, _("발송")
    FAILED = 3, _("실패")
    SKIPPED = 4, _("발송 제외")
    DELIVERED = 5, _("도달")
    BOUNCED = 6, _("반송")


class Recipient(models.Model):
    """One person of a campaign's audience, materialised once: ids and small integers only.

    `batch` names the claim a sender took it in (a gateway batch is re-sent under the same key after a
    crash, so the gateway answers it without sending twice); `night_ok` says the person consented to
    advertising at night.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    status = models.PositiveSmallIntegerField(
        choices=RecipientStatus.choices, default=RecipientStatus.PENDING
    )
    night_ok = models.BooleanField(default=False)
    batch = models.PositiveIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="campaigns_recipient_unique")
        ]
        indexes = [models.Index(fields=["campaign", "status", "id"], name="campaigns_recipient_key_idx")]
        verbose_name = _("발송 대상")
        verbose_name_plural = _("발송 대상")

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.person_id}"

    @property
    def reference(self) -> str:
        """The per-message id that travels with the e-mail and the SMS and comes back with bounces."""
        return reference(self.campaign_id, self.pk)


def reference(campaign_id: int, recipient_id: int) -> str:
    return f"c{campaign_id}r{recipient_id}"


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", _("영구 반송")
    SOFT_BOUNCE = "soft_bounce", _("일시 반송 3회")
    COMPLAINT = "complaint", _("스팸 신고")
    MANUAL = "manual", _("담당자 등록")


class Suppression(models.Model):
    """수신 차단: an address (channel + blind index) no campaign writes to again, whatever the consent."""

    channel = models.CharField(_("채널"), max_length=8, choices=Channel.choices)
    address_index = models.CharField(max_length=64)
    reason = models.CharField(_("사유"), max_length=20, choices=SuppressionReason.choices)
    note = models.CharField(_("비고"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("등록 시각"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address_index"], name="campaigns_suppression_unique")
        ]
        verbose_name = _("수신 차단")
        verbose_name_plural = _("수신 차단")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_reason_display()}"


class EventKind(models.TextChoices):
    DELIVERED = "delivered", _("도달")
    FAILED = "failed", _("발송 실패")
    HARD_BOUNCE = "hard_bounce", _("영구 반송")
    SOFT_BOUNCE = "soft_bounce", _("일시 반송")
    COMPLAINT = "complaint", _("스팸 신고")
    UNSUBSCRIBED = "unsubscribed", _("수신 거부")


class DeliveryEvent(models.Model):
    """도달·반송 기록: what a gateway report, a bounce or an unsubscribe said about one recipient."""

    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        Recipient, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("채널"), max_length=8, choices=Channel.choices)
    address_index = models.CharField(max_length=64, blank=True, db_index=True)
    kind = models.CharField(_("구분"), max_length=20, choices=EventKind.choices)
    detail = models.CharField(_("내용"), max_length=500, blank=True)
    source = models.CharField(_("출처"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("시각"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["channel", "address_index", "kind"], name="campaigns_event_addr_idx")]
        verbose_name = _("도달·반송 기록")
        verbose_name_plural = _("도달·반송 기록")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class HourlyStat(models.Model):
    """시간대별 집계: counts of one campaign in one hour (Asia/Seoul), bumped as outcomes are recorded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="hourly")
    hour = models.DateTimeField()
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    bounced = models.PositiveIntegerField(default=0)
    unsubscribed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "hour"]
        constraints = [models.UniqueConstraint(fields=["campaign", "hour"], name="campaigns_hourly_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.hour:%Y-%m-%d %H}"


def hour_of(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(minute=0, second=0, microsecond=0)
