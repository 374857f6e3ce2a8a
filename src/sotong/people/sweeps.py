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
                          second run send nothing.
people.expire_files       export files after their download period (SOTONG_PEOPLE_EXPORT_HOURS, 24) and
                          import files of jobs left for SOTONG_PEOPLE_IMPORT_KEEP_DAYS (7) days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
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


def reconfirm_sms_text(consent: Consent) -> str:
    """The SMS notice, the longest wording that fits in one SMS (90 EUC-KR bytes)."""
    site = settings.SITE_NAME
    given = timezone.localtime(consent.given_at if consent.reconfirmed_at is None else consent.reconfirmed_at)
    day = f"{given:%Y.%m.%d}"
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


def reconfirm_email(consent: Consent) -> tuple[str, str]:
    given = timezone.localtime(consent.given_at)
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


def _channel_labels(consent: Consent) -> list[str]:
    return [
        str(label)
        for value, label in (("sms", _("문자")), ("email", _("전자우편")))
        if getattr(consent, value)
    ]


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
    for consent in due[:BATCH]:
        person = consent.person
        key = f"people.reconfirm.{consent.pk}.{consent.reconfirm_due_at:%Y%m%d}"
        if consent.sms and person.mobile and sms_allowed:
            queue_sms(
                person.mobile,
                reconfirm_sms_text(consent),
                purpose="people.reconfirm",
                about=consent,
                idempotency_key=key,
                actor=SCHEDULER,
            )
            channel = "sms"
        elif consent.email and person.email:
            subject, body = reconfirm_email(consent)
            queue_email(
                person.email,
                subject,
                body,
                purpose="people.reconfirm",
                about=consent,
                idempotency_key=key,
                actor=SCHEDULER,
            )
            channel = "email"
        elif consent.sms and person.mobile:
            sent["later"] += 1  # SMS at night: the next daytime run sends it
            continue
        else:
            channel = "none"
        Consent.objects.filter(pk=consent.pk).update(reconfirm_notice_for=consent.reconfirm_due_at)
        record_event(
            SCHEDULER,
            "people.reconfirm_notice_queued",
            person,
            after={"consent": consent.pk, "channel": channel, "due": consent.reconfirm_due_at},
        )
        sent[channel] += 1
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
