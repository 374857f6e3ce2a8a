"""People sweeps run by the scheduler; each is idempotent.

people.retention          개인정보 파기: people whose every consent has expired or been withdrawn (and who
                          hold no current organization, committee or monitor seat) are anonymised, each
                          with an Event and a destruction-log row; people registered without any consent
                          go the same way after a grace period (SOTONG_PEOPLE_UNCONSENTED_GRACE_DAYS, 30).
people.reconfirm_notices  수신동의 사실 안내 (정보통신망법 §50⑧, every 2 years): one notice per consent per
                          re-confirmation cycle, by SMS (≤ 90 EUC-KR bytes) when the consent allows it, else
                          by e-mail; SMS only between 08:00 and 21:00. Sent when the due date is within
                          SOTONG_PEOPLE_RECONFIRM_LEAD_DAYS (30) days. The outbox key
                          `people.reconfirm.<consent>.<due date>` and `Consent.reconfirm_notice_for` make a
                          second run send nothing. Apps that send for a purpose (campaigns' newsletters)
                          add what the law asks of their notice through `register_notice_source`: the
                          sender's name and contact (령 §62의3), the 080 free opt-out, the one-click
                          withdrawal link (also as List-Unsubscribe), and the channels that cannot reach
                          the person (suppressed). Each notice is recorded on the consent's evidence
                          (`evidence["notices"]`) and as an Event, naming the outbox message.
people.expire_files       export files after their download period (SOTONG_PEOPLE_EXPORT_HOURS, 24) and
                          import files of jobs left for SOTONG_PEOPLE_IMPORT_KEEP_DAYS (7) days.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from sotong.core.events import record_event
from sotong.core.scheduler import sweep
from sotong.messaging.actions import queue_email, queue_sms
from sotong.messaging.text import SMS_MAX_BYTES, UnencodableText, euc_kr_length
from sotong.people.actions import SCHEDULER, anonymise_person
from sotong.people.models import (
    Consent,
    DestructionReason,
    Membership,
    MembershipKind,
    Person,
    PersonQuerySet,
)

BATCH = 500
SMS_HOURS = range(8, 21)


@dataclass(frozen=True)
class NoticeDetails:
    """What the app that sends for a consent purpose adds to its 2-yearly notice (정보통신망법 §50⑧,
    시행령 §62의3: the sender's name, the date and fact of consent, how to keep or withdraw it)."""

    sender_name: str
    contact_line: str = ""
    sender_email: str = ""  # the From of the e-mail notice ("name <address>"); empty: DEFAULT_FROM_EMAIL
    sender_phone: str = ""  # the SMS sender number; empty: SOTONG_SMS_SENDER
    opt_out_number: str = ""  # 무료수신거부 080 number of advertising
    advertising: bool = False
    withdraw_urls: dict[str, str] = field(default_factory=dict)  # channel → one-click withdrawal link
    blocked_channels: frozenset[str] = frozenset()  # channels that cannot reach the person (suppressed)


# A source answers, for a batch of consents, the details of those whose purpose it sends for (by consent id).
NoticeSource = Callable[[Sequence[Consent]], dict[int, NoticeDetails]]
_notice_sources: dict[str, NoticeSource] = {}


def register_notice_source(name: str, source: NoticeSource) -> None:
    """Let an app above people (which may not be imported from here) add its details to the notices of
    the purposes it sends for; registered from the app's `sweeps` module, which the scheduler loads."""
    _notice_sources[name] = source


def notice_details(consents: Sequence[Consent]) -> dict[int, NoticeDetails]:
    autodiscover_modules("sweeps")  # every app's sources registered, also when this runs on its own
    found: dict[int, NoticeDetails] = {}
    for source in _notice_sources.values():
        found.update(source(consents))
    return found


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def retention_candidates(now: datetime) -> PersonQuerySet:
    """Active people with no live consent and no current seat, whose last basis has ended."""
    grace = now - timedelta(days=_setting("SOTONG_PEOPLE_UNCONSENTED_GRACE_DAYS", 30))
    live = Consent.objects.live(now).filter(person=OuterRef("pk"))
    any_consent = Consent.objects.filter(person=OuterRef("pk"))
    seat = (
        Membership.objects.current(timezone.localtime(now).date())
        .exclude(kind=MembershipKind.SUBSCRIBER)
        .filter(person=OuterRef("pk"))
    )
    return (
        Person.objects.active()
        .filter(~Exists(live), ~Exists(seat))
        .filter(Q(Exists(any_consent)) | Q(created_at__lt=grace))
        .order_by("pk")
    )


@sweep("people.retention", every=timedelta(hours=24))
def destroy_expired_people(now: datetime) -> str:
    """Anonymise people who no longer have any basis for being kept."""
    done = 0
    for person in retention_candidates(now)[:BATCH]:
        anonymise_person(
            SCHEDULER, person, reason=DestructionReason.RETENTION, note=_("보유기간 경과·동의 철회")
        )
        done += 1
    return f"{done} anonymised"


def consented_on(consent: Consent) -> datetime:
    """The date the notice states: the consent, or its last re-confirmation (which restarted the clock)."""
    return timezone.localtime(consent.given_at if consent.reconfirmed_at is None else consent.reconfirmed_at)


def reconfirm_sms_text(consent: Consent, details: NoticeDetails | None = None) -> str:
    """The SMS notice, the longest wording that fits in one SMS (90 EUC-KR bytes); with a sender's
    details, a wording that still names the sender, the date and a way to withdraw, or else the whole
    notice as an LMS."""
    if details is not None:
        return _sender_sms_text(consent, details)
    site = settings.SITE_NAME
    day = f"{consented_on(consent):%Y.%m.%d}"
    candidates = [
        _("[%(site)s] %(day)s %(purpose)s에 동의하셨습니다. 철회: %(url)s"),
        _("[%(site)s] %(day)s %(purpose)s 동의 안내. 철회: %(url)s"),
        _("[%(site)s] %(day)s 정보수신 동의 안내. 철회: %(url)s"),
        _("[%(site)s] %(day)s 정보수신에 동의하셨습니다. 철회는 홈페이지에서"),
        _("%(day)s 정보수신 동의 사실 안내. 철회는 홈페이지에서 가능"),
    ]
    values = {"site": site, "day": day, "purpose": consent.purpose.name, "url": settings.SITE_URL}
    for template in candidates:
        text = template % values
        try:
            if euc_kr_length(text) <= SMS_MAX_BYTES:
                return text
        except UnencodableText:  # a site name EUC-KR cannot carry: try the next wording
            continue
    return candidates[-1] % values


def _sender_sms_text(consent: Consent, details: NoticeDetails) -> str:
    purpose = consent.purpose.name + (_("(광고)") if details.advertising else "")
    values = {
        "sender": details.sender_name,
        "day": f"{consented_on(consent):%Y.%m.%d}",
        "purpose": purpose,
        "optout": details.opt_out_number,
        "url": details.withdraw_urls.get("sms", "") or settings.SITE_URL,
        "contact": details.contact_line,
    }
    short = []
    if details.opt_out_number:
        short = [
            _("[%(sender)s] %(day)s %(purpose)s에 동의하셨습니다. 무료거부 %(optout)s"),
            _("[%(sender)s] %(day)s %(purpose)s 동의 안내. 무료거부 %(optout)s"),
            _("[%(sender)s] %(day)s 수신동의 안내. 무료거부 %(optout)s"),
        ]
    for template in short:
        text = template % values
        try:
            if euc_kr_length(text) <= SMS_MAX_BYTES:
                return text
        except UnencodableText:
            continue
    return (
        _(
            "[%(sender)s] 수신동의 사실 안내\n"
            "%(day)s에 %(purpose)s에 동의하셨습니다 (2년마다 안내).\n"
            "계속 받으시려면 하실 일은 없습니다.\n"
            "수신 거부(동의 철회): %(url)s\n"
        )
        % values
        + (_("무료수신거부 %(optout)s\n") % values if details.opt_out_number else "")
        + (_("문의: %(contact)s") % values if details.contact_line else "")
    ).strip()


def reconfirm_email(consent: Consent, details: NoticeDetails | None = None) -> tuple[str, str]:
    if details is not None:
        return _sender_email(consent, details)
    given = consented_on(consent)
    subject = _("[%(site)s] 개인정보 수집·이용 및 정보 수신 동의 사실 안내") % {"site": settings.SITE_NAME}
    body = _(
        "안녕하세요. %(operator)s입니다.\n\n"
        "귀하께서는 %(day)s에 다음과 같이 동의하셨음을 알려 드립니다 (2년마다 안내).\n\n"
        "- 목적: %(purpose)s\n- 수집 항목: %(items)s\n- 수신 방법: %(channels)s\n- 보유 기간: %(expires)s까지\n\n"
        "계속 받기를 원하시면 따로 하실 일은 없습니다. 동의를 철회하거나 수신 방법을 바꾸려면 %(url)s 에서 "
        "본인 확인 후 한 번에 철회할 수 있습니다.\n"
    ) % {
        "operator": settings.SITE_OPERATOR,
        "day": f"{given:%Y년 %m월 %d일}",
        "purpose": consent.purpose.name,
        "items": consent.items,
        "channels": ", ".join(str(label) for label in _channel_labels(consent)),
        "expires": f"{timezone.localtime(consent.expires_at):%Y년 %m월 %d일}",
        "url": settings.SITE_URL,
    }
    return subject, body


def _sender_email(consent: Consent, details: NoticeDetails) -> tuple[str, str]:
    subject = _("[%(sender)s] %(purpose)s 동의 사실 안내") % {
        "sender": details.sender_name,
        "purpose": consent.purpose.name,
    }
    lines = [
        _("안녕하세요. %(sender)s입니다.") % {"sender": details.sender_name},
        "",
        _(
            "귀하께서는 %(day)s에 아래 정보를 받는 데 동의하셨음을 알려 드립니다 "
            "(정보통신망법 제50조제8항에 따라 2년마다 안내)."
        )
        % {"day": f"{consented_on(consent):%Y년 %m월 %d일}"},
        "",
        _("- 보내는 곳: %(sender)s") % {"sender": details.sender_name},
        _("- 받는 정보: %(purpose)s%(ad)s")
        % {"purpose": consent.purpose.name, "ad": _(" (광고성 정보)") if details.advertising else ""},
        _("- 수신 방법: %(channels)s") % {"channels": ", ".join(_channel_labels(consent))},
        _("- 수집 항목: %(items)s") % {"items": consent.items},
        _("- 보유 기간: %(expires)s까지")
        % {"expires": f"{timezone.localtime(consent.expires_at):%Y년 %m월 %d일}"},
        "",
        _("계속 받으시려면 따로 하실 일은 없습니다."),
        _("받지 않으시려면 아래 주소에서 로그인 없이 한 번에 동의를 철회할 수 있습니다."),
        details.withdraw_urls.get("email", "") or settings.SITE_URL,
    ]
    if details.opt_out_number:
        lines.append(_("무료수신거부: %(number)s") % {"number": details.opt_out_number})
    if details.contact_line:
        lines += ["", _("문의: %(contact)s") % {"contact": details.contact_line}]
    return subject, "\n".join(lines) + "\n"


def _channel_labels(consent: Consent) -> list[str]:
    return [
        str(label)
        for value, label in (("sms", _("문자")), ("email", _("전자우편")))
        if getattr(consent, value)
    ]


@transaction.atomic
def _notify(consent: Consent, details: NoticeDetails | None, now: datetime, sms_allowed: bool) -> str:
    """Queue one consent's notice by a channel that reaches the person, and record it on the consent's
    evidence and as an Event, in one transaction; the channel used, "none" or "later"."""
    person = consent.person
    blocked = details.blocked_channels if details else frozenset()
    by_sms = bool(consent.sms and person.mobile and "sms" not in blocked)
    by_email = bool(consent.email and person.email and "email" not in blocked)
    key = f"people.reconfirm.{consent.pk}.{consent.reconfirm_due_at:%Y%m%d}"
    if by_sms and sms_allowed:
        message = queue_sms(
            person.mobile,
            reconfirm_sms_text(consent, details),
            sender=details.sender_phone if details else "",
            purpose="people.reconfirm",
            about=consent,
            idempotency_key=key,
            actor=SCHEDULER,
        )
        channel = "sms"
    elif by_email:
        subject, body = reconfirm_email(consent, details)
        link = details.withdraw_urls.get("email", "") if details else ""
        headers = (
            {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
            if link
            else None
        )
        message = queue_email(
            person.email,
            subject,
            body,
            sender=details.sender_email if details else "",
            headers=headers,
            purpose="people.reconfirm",
            about=consent,
            idempotency_key=key,
            actor=SCHEDULER,
        )
        channel = "email"
    elif by_sms:
        return "later"  # SMS at night: the next daytime run sends it
    else:
        message, channel = None, "none"
    record = {
        "at": now.isoformat(),
        "due": consent.reconfirm_due_at.isoformat(),
        "channel": channel,
        "message": str(message.pk) if message else None,
        "sender": details.sender_name if details else settings.SITE_OPERATOR,
        "consented_on": consented_on(consent).date().isoformat(),
    }
    # read again under a lock: a re-confirmation may have added to the evidence since the batch
    locked = Consent.objects.select_for_update().only("evidence").get(pk=consent.pk)
    evidence = dict(locked.evidence or {})
    evidence["notices"] = [*evidence.get("notices", []), record]
    Consent.objects.filter(pk=consent.pk).update(
        reconfirm_notice_for=consent.reconfirm_due_at, evidence=evidence
    )
    record_event(
        SCHEDULER,
        "people.reconfirm_notice_queued",
        person,
        after={"consent": consent.pk, **record},
    )
    return channel


@sweep("people.reconfirm_notices", every=timedelta(hours=6))
def send_reconfirm_notices(now: datetime) -> str:
    """Queue the 2-yearly consent notices that are due (once per consent per cycle)."""
    lead = timedelta(days=_setting("SOTONG_PEOPLE_RECONFIRM_LEAD_DAYS", 30))
    sms_allowed = timezone.localtime(now).hour in SMS_HOURS
    due = (
        Consent.objects.live(now)
        .filter(reconfirm_due_at__lte=now + lead, person__anonymised_at__isnull=True)
        .exclude(reconfirm_notice_for=F("reconfirm_due_at"))
        .select_related("person", "purpose")
        .order_by("reconfirm_due_at", "pk")
    )
    sent = {"sms": 0, "email": 0, "later": 0, "none": 0}
    batch = list(due[:BATCH])
    details_of = notice_details(batch)
    for consent in batch:
        sent[_notify(consent, details_of.get(consent.pk), now, sms_allowed)] += 1
    return ", ".join(f"{k} {v}" for k, v in sent.items())


@sweep("people.expire_files", every=timedelta(hours=1))
def expire_files(now: datetime) -> str:
    """Delete export files past their download period, and import files (upload, reports) of jobs not
    touched for SOTONG_PEOPLE_IMPORT_KEEP_DAYS (7) days or uploads never started after a day."""
    from sotong.people.exports import expire_exports
    from sotong.people.import_jobs import discard_files, storage
    from sotong.people.models import ImportJob, JobState

    exports = expire_exports(now)
    cutoff = now - timedelta(days=_setting("SOTONG_PEOPLE_IMPORT_KEEP_DAYS", 7))
    imports = 0
    stale = ImportJob.objects.filter(updated_at__lt=cutoff).exclude(
        state__in=[JobState.ANALYSING, JobState.COMMITTING]
    )
    for job in stale.order_by("pk")[:BATCH]:
        discard_files(job)
        imports += 1
    day_ago = (now - timedelta(days=1)).timestamp()
    for path in storage().iterdir():
        token = path.name.split("-")[0].split(".")[0]
        if path.stat().st_mtime < day_ago and not ImportJob.objects.filter(token=token).exists():
            path.unlink(missing_ok=True)
            imports += 1
    return f"{exports} export files, {imports} import jobs or uploads"
