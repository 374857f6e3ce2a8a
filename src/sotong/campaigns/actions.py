"""Campaign use cases: newsletters, templates, campaigns and their states, test and urgent sends.

Every function runs in `transaction.atomic`, checks the actor's permission and writes an Event. Starting
or resuming a campaign enqueues the sender task in the same transaction. What comes back from outside
(unsubscribes, bounces, delivery reports) is in `inbound.py`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import rules
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import User
from sotong.campaigns.models import (
    Campaign,
    CampaignError,
    Channel,
    DeliveryEvent,
    IllegalTransition,
    Kind,
    Newsletter,
    Recipient,
    State,
    Suppression,
    SuppressionReason,
    Template,
    check_transition,
)
from sotong.campaigns.rendering import (
    PERSON_FIELDS,
    CompiledTemplate,
    check_lms_subject,
    check_sms_text,
    check_syntax,
    person_context,
    worst_case_sms,
)
from sotong.campaigns.tokens import unsubscribe_token, unsubscribe_url
from sotong.core.events import record_event
from sotong.messaging.actions import queue_email, queue_sms
from sotong.messaging.text import SMS_MAX_BYTES, normalize_sender_number
from sotong.people.errors import NotPermitted
from sotong.people.models import ConsentPurpose, DestructionReason, Person, PersonList, Segment
from sotong.people.segments import SegmentFilter

SYSTEM = "campaigns"
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,30}$")
_OPT_OUT = re.compile(r"^080-?\d{3,4}-?\d{4}$")


def require(actor: Any, perm: str) -> None:
    if isinstance(actor, User) and actor.is_active and rules.has_perm(perm, actor):
        return
    raise NotPermitted(_("이 작업을 할 권한이 없습니다."), code="not_permitted")


# --- newsletters and templates ---------------------------------------------------------------------


@transaction.atomic
def create_newsletter(
    actor: Any,
    *,
    name: str,
    code: str,
    sender_name: str,
    sender_email: str,
    sender_phone: str,
    contact_line: str,
    is_advertising: bool = False,
    opt_out_number: str = "",
    description: str = "",
    retention_months: int = 24,
) -> Newsletter:
    """뉴스레터 만들기, with its own consent purpose (and a night-time one when it advertises)."""
    require(actor, "campaigns.manage")
    name, code = (name or "").strip(), (code or "").strip().lower()
    if not _CODE.match(code):
        raise CampaignError(_("코드는 영문 소문자, 숫자, -, _ 로 2~31자여야 합니다."), field="code")
    if ConsentPurpose.objects.filter(code__in=[code, f"{code}-night"]).exists():
        raise CampaignError(_("이미 쓰는 코드입니다: %(code)s") % {"code": code}, field="code")
    _check_sender(
        name=name,
        sender_phone=sender_phone,
        contact_line=contact_line,
        is_advertising=is_advertising,
        opt_out_number=opt_out_number,
    )
    purpose = ConsentPurpose.objects.create(
        code=code,
        name=_("%(name)s 수신") % {"name": name},
        items=_("성명, 휴대전화, 전자우편"),
        retention_months=retention_months,
        is_advertising=is_advertising,
        description=description,
    )
    night = None
    if is_advertising:
        night = ConsentPurpose.objects.create(
            code=f"{code}-night",
            name=_("%(name)s 야간 수신(21시~08시)") % {"name": name},
            items=_("휴대전화, 전자우편"),
            retention_months=retention_months,
            is_advertising=True,
        )
    newsletter = Newsletter.objects.create(
        name=name,
        purpose=purpose,
        night_purpose=night,
        description=description,
        is_advertising=is_advertising,
        sender_name=sender_name.strip() or name,
        sender_email=sender_email.strip(),
        sender_phone=normalize_sender_number(sender_phone) or "",
        contact_line=contact_line.strip(),
        opt_out_number=(opt_out_number or "").strip(),
        created_by=actor,
    )
    record_event(actor, "campaigns.newsletter_created", newsletter, after={"name": name, "code": code})
    return newsletter


def _check_sender(
    *, name: str, sender_phone: str, contact_line: str, is_advertising: bool, opt_out_number: str
) -> None:
    """What every newsletter must carry (정보통신망법 제50조: sender, contact, and for advertising the 080
    free opt-out number)."""
    if not name:
        raise CampaignError(_("뉴스레터 이름을 입력해 주세요."), field="name")
    if normalize_sender_number(sender_phone) is None:
        raise CampaignError(_("발신번호가 올바르지 않습니다 (예: 02-2286-5114)."), field="sender_phone")
    if not (contact_line or "").strip():
        raise CampaignError(_("발신자 연락처를 입력해 주세요 (정보통신망법 제50조)."), field="contact_line")
    if is_advertising and not _OPT_OUT.match((opt_out_number or "").strip()):
        raise CampaignError(
            _("광고성 정보에는 무료수신거부 080 번호가 필요합니다 (예: 080-123-4567)."),
            field="opt_out_number",
        )


@transaction.atomic
def update_newsletter(
    actor: Any,
    newsletter: Newsletter,
    *,
    name: str,
    sender_name: str,
    sender_email: str,
    sender_phone: str,
    contact_line: str,
    opt_out_number: str = "",
    description: str = "",
    is_advertising: bool | None = None,
) -> Newsletter:
    """뉴스레터 고치기: name, sender and contact lines, description.

    The consent purpose (its code, name and wording) stays as the people consented to it, and the
    advertising flag cannot change: consent to advertising is a separate consent (정보통신망법 §50), so a
    newsletter that starts or stops advertising is a new newsletter.
    """
    require(actor, "campaigns.manage")
    locked = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    if is_advertising is not None and bool(is_advertising) != locked.is_advertising:
        raise CampaignError(
            _(
                "광고성 여부는 바꿀 수 없습니다. 광고성 정보는 따로 동의를 받아야 하므로 새 뉴스레터를 만들어 주세요."
            ),
            code="advertising_fixed",
            field="is_advertising",
        )
    name = (name or "").strip()
    _check_sender(
        name=name,
        sender_phone=sender_phone,
        contact_line=contact_line,
        is_advertising=locked.is_advertising,
        opt_out_number=opt_out_number,
    )
    values = {
        "name": name,
        "sender_name": (sender_name or "").strip() or name,
        "sender_email": (sender_email or "").strip(),
        "sender_phone": normalize_sender_number(sender_phone) or "",
        "contact_line": contact_line.strip(),
        "opt_out_number": (opt_out_number or "").strip(),
        "description": description or "",
    }
    before = {key: getattr(locked, key) for key in values}
    changed = {key: value for key, value in values.items() if before[key] != value}
    for key, value in changed.items():
        setattr(locked, key, value)
    if changed:
        locked.save(update_fields=list(changed))
        record_event(
            actor,
            "campaigns.newsletter_changed",
            locked,
            before={key: before[key] for key in changed},
            after=changed,
        )
    return locked


# Campaigns in these states still render from their template: changing it would change messages mid-send.
SENDING_STATES = (State.SCHEDULED, State.RUNNING, State.PAUSED)


def _check_template_change(template: Template, channel: str) -> None:
    uses = Campaign.objects.filter(template=template)
    if uses.filter(state__in=SENDING_STATES).exists():
        raise IllegalTransition(
            _(
                "예약·발송 중이거나 일시 정지된 캠페인이 쓰는 서식은 고칠 수 없습니다. 새 서식을 만들어 주세요."
            ),
            code="template_in_use",
        )
    if channel != template.channel and uses.exists():
        raise CampaignError(
            _("캠페인에 쓰인 서식의 채널은 바꿀 수 없습니다."), code="channel_fixed", field="channel"
        )


@transaction.atomic
def save_template(
    actor: Any,
    newsletter: Newsletter,
    *,
    name: str,
    channel: str,
    body_text: str,
    subject: str = "",
    body_html: str = "",
    template: Template | None = None,
) -> Template:
    """발송 서식 저장: checked against the sandbox, and SMS against the byte limits with every field at its
    longest (the advertising prefix and the 080 line included)."""
    require(actor, "campaigns.manage")
    if channel not in Channel.values:
        raise CampaignError(_("채널을 골라 주세요."), field="channel")
    name, subject, body_text = (
        (name or "").strip(),
        (subject or "").strip(),
        (body_text or "").replace("\r\n", "\n"),
    )
    if not name:
        raise CampaignError(_("서식 이름을 입력해 주세요."), field="name")
    if not body_text.strip():
        raise CampaignError(_("본문을 입력해 주세요."), field="body_text")
    for field, source in (("subject", subject), ("body_text", body_text), ("body_html", body_html)):
        check_syntax(source, field=field)
    if channel == Channel.EMAIL:
        if not subject or "\n" in subject:
            raise CampaignError(_("전자우편 제목을 한 줄로 입력해 주세요."), field="subject")
        body_html = body_html or ""
    else:
        body_html = ""
        check_lms_subject(subject)
        compiled = CompiledTemplate(channel, subject, body_text, "", newsletter)
        sample = compiled.render(dict(PERSON_FIELDS)).text
        check_sms_text(sample)
        text, _length = worst_case_sms(compiled)
        check_sms_text(text)
    values = {
        "name": name,
        "channel": channel,
        "subject": subject,
        "body_text": body_text,
        "body_html": body_html,
    }
    if template is None:
        template = Template.objects.create(newsletter=newsletter, **values)
        record_event(actor, "campaigns.template_created", template, after={"name": name, "channel": channel})
        return template
    _check_template_change(template, channel)
    for key, value in values.items():
        setattr(template, key, value)
    template.save()
    record_event(actor, "campaigns.template_changed", template, after={"name": name})
    return template


def preview(template: Template, person: Person | None = None) -> dict[str, str]:
    """The template rendered for `person` (or the sample values), as the recipient would get it."""
    values = person_context(person) if person is not None else dict(PERSON_FIELDS)
    compiled = CompiledTemplate(
        template.channel, template.subject, template.body_text, template.body_html, template.newsletter
    )
    token = unsubscribe_token(
        newsletter_id=template.newsletter_id, person_id=person.pk if person else 0, channel=template.channel
    )
    rendered = compiled.render(values, unsubscribe_url(token))
    return {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}


@transaction.atomic
def send_test(actor: Any, template: Template, *, person: Person, to: str) -> Any:
    """시험 발송: the template rendered for `person`, sent through the outbox to a staff address."""
    require(actor, "campaigns.manage")
    message = preview(template, person)
    if template.channel == Channel.EMAIL:
        sent = queue_email(
            to,
            f"[{_('시험')}] {message['subject']}",
            message["text"],
            html=message["html"],
            purpose="campaigns.test",
            about=template,
            actor=actor,
        )
    else:
        sent = queue_sms(to, message["text"], purpose="campaigns.test", about=template, actor=actor)
    record_event(actor, "campaigns.test_sent", template, after={"person": person.pk})
    return sent


# --- campaigns -------------------------------------------------------------------------------------


@transaction.atomic
def create_campaign(
    actor: Any,
    *,
    name: str,
    template: Template,
    lists: Iterable[PersonList] = (),
    segments: Iterable[Segment] = (),
    rate_per_second: int = 200,
    concurrency: int = 4,
    max_errors: int = 100,
) -> Campaign:
    """캠페인 만들기 (작성 중): a template and an audience of lists and segments."""
    require(actor, "campaigns.manage")
    lists, segments = list(lists), list(segments)
    if not (name or "").strip():
        raise CampaignError(_("캠페인 이름을 입력해 주세요."), field="name")
    if not lists and not segments:
        raise CampaignError(_("받는 사람(명단 또는 저장된 조건)을 하나 이상 골라 주세요."), field="audience")
    if not 1 <= rate_per_second <= 100_000:
        raise CampaignError(_("초당 발송 한도는 1~100,000 사이여야 합니다."), field="rate_per_second")
    if not 1 <= concurrency <= 32:
        raise CampaignError(_("동시 연결 수는 1~32 사이여야 합니다."), field="concurrency")
    campaign = Campaign.objects.create(
        newsletter=template.newsletter,
        template=template,
        name=name.strip(),
        channel=template.channel,
        rate_per_second=rate_per_second,
        concurrency=concurrency,
        max_errors=max(1, max_errors),
        created_by=actor,
    )
    campaign.lists.set(lists)
    campaign.segments.set(segments)
    record_event(actor, "campaigns.created", campaign, after={"name": campaign.name, "template": template.pk})
    return campaign


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("newsletter").get(pk=campaign.pk)


def _move(
    actor: Any, campaign: Campaign, new: str, *, only_from: tuple[str, ...] = (), **changes: Any
) -> Campaign:
    """Change the state through the transition table; `only_from` narrows it for one verb (resume is
    paused → running, start is draft/scheduled → running)."""
    locked = _locked(campaign)
    before = locked.state
    if only_from and before not in only_from:
        raise IllegalTransition(
            _("'%(current)s' 상태의 캠페인에는 이 작업을 할 수 없습니다.") % {"current": State(before).label}
        )
    check_transition(before, new)
    locked.state = new
    for key, value in changes.items():
        setattr(locked, key, value)
    locked.save(update_fields=["state", *changes])
    record_event(actor, f"campaigns.{new}", locked, before={"state": before}, after={"state": new, **changes})
    return locked


def _enqueue(campaign: Campaign, *, urgent: bool = False) -> None:
    from sotong.campaigns.tasks import run_campaign

    task = run_campaign.using(priority=100) if urgent else run_campaign
    task.enqueue(campaign.pk)


@transaction.atomic
def schedule_campaign(actor: Any, campaign: Campaign, at: datetime) -> Campaign:
    """발송 예약: the scheduler starts it at `at`."""
    require(actor, "campaigns.manage")
    if at <= timezone.now():
        raise CampaignError(_("예약 시각은 지금보다 뒤여야 합니다."), field="scheduled_at")
    return _move(actor, campaign, State.SCHEDULED, scheduled_at=at)


@transaction.atomic
def start_campaign(actor: Any, campaign: Campaign) -> Campaign:
    """발송 시작: the sender task is enqueued in this transaction."""
    require(actor, "campaigns.manage")
    started = _move(
        actor, campaign, State.RUNNING, only_from=(State.DRAFT, State.SCHEDULED), started_at=timezone.now()
    )
    _enqueue(started)
    return started


@transaction.atomic
def pause_campaign(actor: Any, campaign: Campaign, *, reason: str = "") -> Campaign:
    """일시 정지: the sender stops at the end of the batch it is on."""
    require(actor, "campaigns.manage")
    return _move(actor, campaign, State.PAUSED, paused_reason=(reason or _("담당자 정지"))[:300])


@transaction.atomic
def resume_campaign(actor: Any, campaign: Campaign) -> Campaign:
    """다시 시작: from the first recipient not yet sent."""
    require(actor, "campaigns.manage")
    resumed = _move(
        actor, campaign, State.RUNNING, only_from=(State.PAUSED,), paused_reason="", errors_in_row=0
    )
    _enqueue(resumed)
    return resumed


@transaction.atomic
def cancel_campaign(actor: Any, campaign: Campaign) -> Campaign:
    """발송 취소: what has not gone out never will."""
    require(actor, "campaigns.manage")
    return _move(actor, campaign, State.CANCELLED, finished_at=timezone.now())


def start_due_campaigns(now: datetime) -> int:
    """Start every scheduled campaign whose time has come (the scheduler's sweep)."""
    started = 0
    for pk in Campaign.objects.filter(state=State.SCHEDULED, scheduled_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=pk)
            if campaign.state != State.SCHEDULED:
                continue
            moved = _move(SYSTEM, campaign, State.RUNNING, started_at=now)
            _enqueue(moved)
            started += 1
    return started


def resume_stalled_campaigns(now: datetime) -> int:
    """Re-enqueue running campaigns that no live run holds (a killed worker's lease ran out) and whose
    night hold, if any, is over."""
    stalled = Campaign.objects.filter(state=State.RUNNING).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, run_token="")
    )
    stalled = stalled.filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
    count = 0
    for campaign in stalled:
        with transaction.atomic():
            _enqueue(campaign, urgent=campaign.kind == Kind.URGENT)
            Campaign.objects.filter(pk=campaign.pk).update(next_run_at=None)
        count += 1
    return count


# --- urgent SMS ------------------------------------------------------------------------------------


@transaction.atomic
def send_urgent_sms(
    actor: Any,
    newsletter: Newsletter,
    *,
    text: str,
    dongs: Iterable[str] = (),
    segment: Segment | None = None,
) -> Campaign:
    """긴급 문자: a short SMS (90 bytes at most) to a dong or a segment, started at once ahead of the queue
    (priority task), with the same consent and suppression checks as any campaign."""
    require(actor, "campaigns.urgent")
    if newsletter.is_advertising:
        raise CampaignError(_("긴급 문자는 광고성 뉴스레터로 보낼 수 없습니다."), field="newsletter")
    dongs = [d.strip() for d in dongs if d and d.strip()]
    if not dongs and segment is None:
        raise CampaignError(_("받을 행정동이나 저장된 조건을 골라 주세요."), field="dongs")
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise CampaignError(_("문자 내용을 입력해 주세요."), field="text")
    check_syntax(text, field="text")
    compiled = CompiledTemplate(Channel.SMS, "", text, "", newsletter)
    worst, length = worst_case_sms(compiled)
    check_sms_text(worst, field="text")
    if length > SMS_MAX_BYTES:
        raise CampaignError(
            _("긴급 문자는 단문(%(limit)d바이트) 이내여야 합니다. 지금 %(length)d바이트입니다.")
            % {"limit": SMS_MAX_BYTES, "length": length},
            field="text",
        )
    now = timezone.now()
    label = _("긴급 문자 %(at)s") % {"at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}
    template = Template.objects.create(newsletter=newsletter, name=label, channel=Channel.SMS, body_text=text)
    campaign = Campaign.objects.create(
        newsletter=newsletter,
        template=template,
        name=label,
        kind=Kind.URGENT,
        channel=Channel.SMS,
        dongs=dongs,
        state=State.RUNNING,
        started_at=now,
        rate_per_second=1000,
        created_by=actor,
    )
    if segment is not None:
        campaign.segments.set([segment])
    record_event(actor, "campaigns.urgent_sent", campaign, after={"dongs": dongs, "segment": segment})
    _enqueue(campaign, urgent=True)
    return campaign


# --- suppression -----------------------------------------------------------------------------------


@transaction.atomic
def add_suppression(
    actor: Any, channel: str, address_index: str, *, reason: str, note: str = ""
) -> Suppression:
    """수신 차단 등록 (manual, or a bounce's or complaint's)."""
    if actor != SYSTEM:
        require(actor, "campaigns.manage")
    suppression, created = Suppression.objects.get_or_create(
        channel=channel, address_index=address_index, defaults={"reason": reason, "note": note[:300]}
    )
    if created:
        record_event(actor, "campaigns.suppressed", suppression, after={"channel": channel, "reason": reason})
    return suppression


# --- retention of recipient rows -------------------------------------------------------------------

PURGE_BATCH = 5000
# Deleted with the rows: who was in the audience, and each one's state, time and error.
PURGED_FIELDS = "발송 대상(정책고객 번호), 발송 상태, 발송 시각, 오류 내용, 야간 수신 여부"


def purge_recipients(
    now: datetime, *, batch: int = PURGE_BATCH, seconds: float | None = None
) -> dict[str, int]:
    """발송 대상 기록 파기: delete the recipient rows of campaigns that ended more than
    SOTONG_CAMPAIGN_RECIPIENT_KEEP_DAYS ago, in keyed batches, for at most SOTONG_CAMPAIGN_PURGE_SECONDS.

    Each batch is one transaction that counts the rows it deletes by status into `Campaign.purged_counts`,
    so the report's totals never change; the hourly figures (`HourlyStat`) and the delivery events (their
    link to the row set to null) stay. A campaign whose last row is gone gets `recipients_purged_at` and
    one Event that logs the destruction (what, how many, why, how). The next run goes on where this one
    stopped."""
    keep = timedelta(days=settings.SOTONG_CAMPAIGN_RECIPIENT_KEEP_DAYS)
    budget = float(settings.SOTONG_CAMPAIGN_PURGE_SECONDS if seconds is None else seconds)
    deadline = time.monotonic() + budget
    done = {"rows": 0, "campaigns": 0}
    due = (
        Campaign.objects.filter(
            state__in=[State.FINISHED, State.CANCELLED],
            finished_at__lt=now - keep,
            recipients_purged_at__isnull=True,
        )
        .order_by("finished_at", "pk")
        .values_list("pk", flat=True)
    )
    for campaign_id in list(due[:100]):
        while time.monotonic() < deadline:
            deleted = _purge_batch(campaign_id, batch, now, keep)
            if deleted is None:
                done["campaigns"] += 1
                break
            done["rows"] += deleted
        else:
            break
    return done


@transaction.atomic
def _purge_batch(campaign_id: int, batch: int, now: datetime, keep: timedelta) -> int | None:
    """Delete the next `batch` rows of one campaign (by key); None once it has none left."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.recipients_purged_at is not None:
        return None
    rows = list(
        Recipient.objects.select_for_update()
        .filter(campaign_id=campaign_id)
        .order_by("pk")
        .values_list("pk", "status")[:batch]
    )
    counts = {str(key): int(value) for key, value in (campaign.purged_counts or {}).items()}
    if not rows:
        campaign.recipients_purged_at = now
        campaign.save(update_fields=["recipients_purged_at"])
        destroyed = sum(counts.values())
        if destroyed:
            record_event(
                SYSTEM,
                "campaigns.recipients_destroyed",
                campaign,
                after={
                    "rows": destroyed,
                    "by_status": counts,
                    "fields": PURGED_FIELDS,
                    "reason": str(DestructionReason.RETENTION.label),
                    "method": "삭제(복원 불가)",
                    "finished_at": campaign.finished_at,
                    "keep_days": keep.days,
                },
                note=_("캠페인 종료 후 %(days)d일 경과") % {"days": keep.days},
            )
        return None
    last = rows[-1][0]
    for _pk, status in rows:
        counts[str(status)] = counts.get(str(status), 0) + 1
    DeliveryEvent.objects.filter(recipient__campaign_id=campaign_id, recipient_id__lte=last).update(
        recipient=None
    )
    # One DELETE by key range: the delivery events were unlinked just above, so there is nothing for
    # Django's collector to cascade to, and fetching every row first only for it to find that out costs
    # as much as the delete itself.
    Recipient.objects.filter(campaign_id=campaign_id, pk__lte=last)._raw_delete(using=Recipient.objects.db)
    campaign.purged_counts = counts
    campaign.save(update_fields=["purged_counts"])
    return len(rows)


def segment_people(segment: Segment) -> Any:
    return Person.objects.filter(SegmentFilter.from_dict(segment.filters).q())


__all__ = [
    "SuppressionReason",
    "add_suppression",
    "cancel_campaign",
    "create_campaign",
    "create_newsletter",
    "pause_campaign",
    "preview",
    "purge_recipients",
    "resume_campaign",
    "save_template",
    "schedule_campaign",
    "send_test",
    "send_urgent_sms",
    "start_campaign",
    "update_newsletter",
]
