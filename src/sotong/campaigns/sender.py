"""The campaign sender: pages the materialised audience by key, renders each message once, delivers through
the transports under a sliding-window rate limit, and records every outcome so a killed worker's successor
resumes at the exact recipient.

One run holds a campaign at a time (a lease: `run_token` + `lease_until`, renewed every batch; a crashed
run's lease runs out and the `campaigns.resume` sweep starts another). A batch is claimed with one UPDATE
(pending → sending, `batch` = its first recipient id), consent and suppression are checked again for it,
then:

- e-mail: per window of `concurrency` connections, the messages are staged (all but the final "."), the
  staged rows are committed as sent, and the "." is written (see `transports`). Rows still "sending" when
  a run starts were never terminated: the server discarded them, so they go back to pending.
- SMS: the batch goes to the gateway in one call under the key `c<campaign>-b<batch>`; rows still
  "sending" when a run starts are re-sent under the same key, which the gateway answers without sending.

Counters, hourly figures and recipient states change in one transaction per commit, so the report never
disagrees with the rows. A run pauses the campaign itself after `max_errors` failures in a row.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.campaigns import audience
from sotong.campaigns.mime import EmailShape, build_email
from sotong.campaigns.models import (
    Campaign,
    Channel,
    HourlyStat,
    Recipient,
    RecipientStatus,
    State,
    Suppression,
    SuppressionReason,
    hour_of,
    reference,
)
from sotong.campaigns.rendering import CompiledTemplate
from sotong.campaigns.tokens import unsubscribe_token, unsubscribe_url_prefix
from sotong.campaigns.transports import (
    EmailTransport,
    Outcome,
    SmsTransport,
    StagedEmail,
    email_transport,
    sms_transport,
)
from sotong.core.crypto import decrypt
from sotong.core.events import record_event
from sotong.messaging.text import SMS_MAX_BYTES, TextTooLong, UnencodableText, classify_sms

logger = logging.getLogger(__name__)

NIGHT_START = clock_time(21, 0)
NIGHT_END = clock_time(8, 0)
# The person's columns a template may use (`rendering.PERSON_FIELDS` less the derived masked name).
TEMPLATE_COLUMNS = ("name", "dong", "district", "birth_year", "occupation")


def is_night(moment: datetime) -> bool:
    """21:00–08:00 in Asia/Seoul: no advertising without a separate night consent (정보통신망법 §50③)."""
    local = timezone.localtime(moment).time()
    return local >= NIGHT_START or local < NIGHT_END


def night_ends(moment: datetime) -> datetime:
    """The next 08:00 (Asia/Seoul) at or after `moment`."""
    local = timezone.localtime(moment)
    day = local.date() if local.time() < NIGHT_END else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, NIGHT_END))


class SlidingWindow:
    """At most `limit` messages in any `window` seconds, over every connection of the run."""

    def __init__(
        self,
        limit: int,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit, self.window, self.clock, self.sleep = max(1, limit), window, clock, sleep
        self.sent: deque[tuple[float, int]] = deque()
        self.in_window = 0
        self.lock = threading.Lock()

    def acquire(self, count: int) -> None:
        with self.lock:
            self._acquire(count)

    def _acquire(self, count: int) -> None:
        count = min(count, self.limit)
        while True:
            now = self.clock()
            while self.sent and self.sent[0][0] <= now - self.window:
                self.in_window -= self.sent.popleft()[1]
            if self.in_window + count <= self.limit:
                self.sent.append((now, count))
                self.in_window += count
                return
            self.sleep(max(self.sent[0][0] + self.window - now, 0.001))


def lease_seconds() -> int:
    return int(getattr(settings, "SOTONG_CAMPAIGN_LEASE_SECONDS", 120))


def take_lease(campaign_id: int, now: datetime) -> str | None:
    """Hold a running campaign for this run; None when another live run holds it or it is not running."""
    token = secrets.token_hex(8)
    free = Q(run_token="") | Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    taken = Campaign.objects.filter(Q(pk=campaign_id, state=State.RUNNING) & free).update(
        run_token=token, lease_until=now + timedelta(seconds=lease_seconds())
    )
    return token if taken == 1 else None


InFlight = tuple[int, list[int], list[int], dict[int, Outcome], "Future[list[Outcome]]"]


class CampaignSender:
    """Sends one campaign until it is finished, paused, cancelled or held for the night."""

    # SMS batches on the wire while the next is claimed and built (the gateway call of batch k overlaps
    # the claiming, checking and rendering of batch k+1 and the recording of batch k-1).
    sms_ahead = 1

    def __init__(
        self,
        campaign_id: int,
        *,
        email: EmailTransport | None = None,
        sms: SmsTransport | None = None,
        batch_size: int | None = None,
        now: Callable[[], datetime] = timezone.now,
    ) -> None:
        self.campaign_id = campaign_id
        self._email, self._sms = email, sms
        self.batch_size = batch_size or int(getattr(settings, "SOTONG_CAMPAIGN_BATCH_SIZE", 500))
        self.now = now
        self.token = ""
        self.pending: Counter[str] = Counter()
        # SMS batches handed to the gateway's thread and not yet recorded (at most `sms_ahead` after a
        # call returns); the thread exists only for a transport that goes over the network.
        self.in_flight: deque[InFlight] = deque()
        self.gateway: ThreadPoolExecutor | None = None

    # --- the run ------------------------------------------------------------------------------------

    def run(self) -> str:
        token = take_lease(self.campaign_id, self.now())
        if token is None:
            return "busy"
        self.token = token
        campaign = Campaign.objects.select_related("newsletter", "template").get(pk=self.campaign_id)
        self.campaign = campaign
        self.channel = campaign.channel
        self.limiter = SlidingWindow(campaign.rate_per_second)
        template = campaign.template
        self.compiled = CompiledTemplate(
            campaign.channel, template.subject, template.body_text, template.body_html, campaign.newsletter
        )
        self.shape = EmailShape(campaign.newsletter.sender_name, campaign.newsletter.sender_email)
        self.unsubscribe_prefix = unsubscribe_url_prefix()
        self.errors_in_row = campaign.errors_in_row
        self.sql = Statements(campaign.channel)
        try:
            audience.materialise(campaign, self.now())
            self.transport_open()
            self.recover()
            self.recount()
            with commits_not_flushed():
                return self.loop()
        finally:
            self.transport_close()
            Campaign.objects.filter(pk=self.campaign_id, run_token=self.token).update(
                run_token="", lease_until=None
            )

    def loop(self) -> str:
        try:
            while True:
                state = self.renew()
                if state != State.RUNNING:
                    self.drain()
                    return str(state)
                now = self.now()
                night = self.campaign.newsletter.is_advertising and is_night(now)
                batch = self.claim(night)
                if not batch:
                    self.drain()
                    if self.errors_in_row >= self.campaign.max_errors:
                        return self.pause_for_errors()
                    pending = Recipient.objects.filter(
                        campaign_id=self.campaign_id, status=RecipientStatus.PENDING
                    )
                    if night and pending.exists():
                        return self.hold_until(night_ends(now))
                    return self.finish()
                self.deliver(batch)
                if self.errors_in_row >= self.campaign.max_errors:
                    self.drain()
                    return self.pause_for_errors()
        finally:
            if self.gateway is not None:
                self.gateway.shutdown(wait=True)
                self.gateway = None

    def renew(self) -> str:
        """Extend the lease; the campaign's state as staff left it (paused, cancelled) or "lost"."""
        now = self.now()
        kept = Campaign.objects.filter(pk=self.campaign_id, run_token=self.token).update(
            lease_until=now + timedelta(seconds=lease_seconds())
        )
        if kept != 1:
            return "lost"
        return str(Campaign.objects.values_list("state", flat=True).get(pk=self.campaign_id))

    def claim(self, night: bool) -> int:
        """Take the next `batch_size` pending recipients by key (one SELECT of ids, one UPDATE of that key
        range); during the night only those with night consent. The batch is named by its first id, 0 when
        nothing is left. A run holds the lease, so no other claim runs between the two statements."""
        sql = self.sql
        night_sql = " AND night_ok" if night else ""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {sql.recipient} WHERE campaign_id = %s AND status = %s{night_sql} "  # noqa: S608
                "ORDER BY id LIMIT %s",
                [self.campaign_id, RecipientStatus.PENDING, self.batch_size],
            )
            ids = cursor.fetchall()
            if not ids:
                return 0
            first, last = ids[0][0], ids[-1][0]
            cursor.execute(
                f"UPDATE {sql.recipient} SET status = %s, batch = %s WHERE campaign_id = %s "  # noqa: S608
                f"AND status = %s{night_sql} AND id >= %s AND id <= %s",
                [RecipientStatus.SENDING, first, self.campaign_id, RecipientStatus.PENDING, first, last],
            )
        return int(first)

    def recover(self) -> None:
        """Finish what a killed run left "sending" (see the module docstring)."""
        left = Recipient.objects.filter(campaign_id=self.campaign_id, status=RecipientStatus.SENDING)
        if self.channel == Channel.EMAIL:
            returned = left.update(status=RecipientStatus.PENDING, batch=None)
            if returned:
                logger.info(
                    "campaign %s: %s unterminated e-mails back to pending", self.campaign_id, returned
                )
            return
        batches = {batch for batch in left.values_list("batch", flat=True) if batch is not None}
        for batch in sorted(batches):
            logger.info("campaign %s: re-sending SMS batch %s under its key", self.campaign_id, batch)
            self.deliver(batch)
            self.drain()

    # --- one batch ----------------------------------------------------------------------------------

    def deliver(self, batch: int) -> None:
        targets, skipped = self.targets(batch)
        if self.channel == Channel.EMAIL:
            self.deliver_email(targets, skipped)
            self.flush()
        else:
            self.deliver_sms(batch, targets, skipped)

    def targets(self, batch: int) -> tuple[list[tuple[int, int, str, dict[str, str]]], list[int]]:
        """The batch's recipients who may still be written to, as (recipient, person, address, template
        values), and those who may not. One query: the batch's rows with their person, whether a live
        consent for the purpose and channel exists now and whether the address is suppressed (the rule of
        `ConsentQuerySet.live` + `for_channel` and of `audience.suppressed_q`). Only the allowed
        addresses are decrypted."""
        now = connection.ops.adapt_datetimefield_value(self.now())
        params = [self.campaign.newsletter.purpose_id, now, now, self.channel]
        params += [self.campaign_id, RecipientStatus.SENDING, batch]
        with connection.cursor() as cursor:
            cursor.execute(self.sql.batch, params)
            rows = cursor.fetchall()
        targets: list[tuple[int, int, str, dict[str, str]]] = []
        skipped: list[int] = []
        mask = self.compiled.uses_masked_name
        for rid, pid, allowed, address, name, dong, district, birth_year, occupation in rows:
            if not allowed:
                skipped.append(rid)
                continue
            name = name or ""
            values = {
                "name": name,
                "masked_name": _mask(name) if mask else "",
                "dong": dong or "",
                "district": district or "",
                "birth_year": str(birth_year or ""),
                "occupation": occupation or "",
            }
            targets.append((rid, pid, decrypt(address), values))
        return targets, skipped

    def unsubscribe_link(self, person_id: int) -> str:
        token = unsubscribe_token(
            newsletter_id=self.campaign.newsletter_id, person_id=person_id, channel=self.channel
        )
        return f"{self.unsubscribe_prefix}{token}/"

    def deliver_email(
        self, targets: Sequence[tuple[int, int, str, dict[str, str]]], skipped: list[int]
    ) -> None:
        transport = self.email_transport
        local, _at, domain = self.campaign.newsletter.sender_email.partition("@")
        if skipped:
            self.commit(skipped=skipped)

        def rendered() -> Iterator[tuple[int, StagedEmail]]:
            # Rendered as the transport asks for them, so connections send while the rest is rendered.
            for rid, pid, address, values in targets:
                ref = reference(self.campaign_id, rid)
                link = self.unsubscribe_link(pid)
                message = self.compiled.render(values, link)
                raw = build_email(
                    self.shape,
                    to=address,
                    subject=message.subject,
                    text=message.text,
                    html=message.html,
                    reference=ref,
                    unsubscribe_url=link,
                )
                # VERP: the bounce comes back to <local>+<reference>@domain and names the message.
                yield rid, StagedEmail(ref, f"{local}+{ref}@{domain}", address, raw)

        transport.deliver(rendered(), len(targets), self.limiter.acquire, self.commit)

    def deliver_sms(
        self, batch: int, targets: Sequence[tuple[int, int, str, dict[str, str]]], skipped: list[int]
    ) -> None:
        """Build the batch's gateway payloads and hand them to the gateway's thread; meanwhile the batch
        before is recorded, so its bookkeeping overlaps this one's time on the wire."""
        newsletter = self.campaign.newsletter
        sender = "".join(c for c in newsletter.sender_phone if c.isdigit()) or settings.SOTONG_SMS_SENDER
        subject = self.campaign.template.subject.strip()
        urgent = self.campaign.kind == "urgent"
        prefix = f"c{self.campaign_id}r"
        payloads: list[dict[str, Any]] = []
        ids: list[int] = []
        failed: dict[int, Outcome] = {}
        render = self.compiled.render
        for rid, _pid, address, values in targets:
            text = render(values).text
            try:
                kind = classify_sms(text)
            except (UnencodableText, TextTooLong) as exc:
                failed[rid] = Outcome(ok=False, error=str(exc)[:300], permanent=True)
                continue
            if urgent and kind != "sms":
                failed[rid] = Outcome(
                    ok=False, error=f"urgent SMS longer than {SMS_MAX_BYTES} bytes", permanent=True
                )
                continue
            item: dict[str, Any] = {
                "to": address,
                "from": sender,
                "text": text,
                "type": kind.upper(),
                "customFields": {"messageId": f"{prefix}{rid}"},
            }
            if kind == "lms" and subject:
                item["subject"] = subject
            payloads.append(item)
            ids.append(rid)
        key = f"c{self.campaign_id}-b{batch}"
        if payloads:
            self.limiter.acquire(len(payloads))
        if payloads and self.gateway is not None:
            future = self.gateway.submit(self.sms_transport.send_batch, key, payloads)
        else:
            future = Future()
            future.set_result(self.sms_transport.send_batch(key, payloads) if payloads else [])
        self.in_flight.append((batch, ids, skipped, failed, future))
        while len(self.in_flight) > self.sms_ahead:
            self.record_sms(*self.in_flight.popleft())

    def drain(self) -> None:
        """Wait for every SMS batch still on the wire and record it."""
        while self.in_flight:
            self.record_sms(*self.in_flight.popleft())

    def record_sms(
        self,
        batch: int,
        ids: list[int],
        skipped: list[int],
        failed: dict[int, Outcome],
        future: Future[list[Outcome]],
    ) -> None:
        """One transaction for the batch: refusals and skips by id, then the rest of the batch as sent by
        its key (no id list), then the counters and the hour's figures."""
        outcomes = future.result()
        refused = {rid: o for rid, o in zip(ids, outcomes, strict=True) if not o.ok}
        with transaction.atomic():
            if skipped or failed:
                self.commit(skipped=skipped, failed=failed)
            if refused:
                self.commit(failed=refused)
            if len(ids) > len(refused):
                sent = mark_batch_sent(self.campaign_id, batch, self.now())
                self.pending["sent"] += sent
                self._errors_after(sent, len(refused))
            self.flush()

    # --- bookkeeping --------------------------------------------------------------------------------

    def commit(
        self,
        *,
        sent: Sequence[int] = (),
        failed: dict[int, Outcome] | None = None,
        skipped: Sequence[int] = (),
        were_sent: bool = False,
    ) -> None:
        """Record outcomes. The recipients' states are written at once (what resuming relies on); the
        campaign's counters and the hour's figures are added up and written once a batch (`flush`), and
        recounted from the states when a run starts, so a crash costs them nothing."""
        failed = failed or {}
        now = self.now()
        was = RecipientStatus.SENT if were_sent else RecipientStatus.SENDING
        if sent and not failed and not skipped and not were_sent:
            # The common case, once per SMTP group commit: one statement, no ORM compilation.
            self.pending["sent"] += mark_sent(self.campaign_id, sent, now)
            self._errors_after(len(sent), 0)
            return
        with transaction.atomic():
            mine = Recipient.objects.filter(campaign_id=self.campaign_id, status=was)
            n_sent = (
                mine.filter(id__in=list(sent)).update(status=RecipientStatus.SENT, sent_at=now) if sent else 0
            )
            n_failed = 0
            by_error: dict[str, list[int]] = {}
            for rid, outcome in failed.items():
                by_error.setdefault(outcome.error[:300], []).append(rid)
            for error, ids in by_error.items():
                n_failed += mine.filter(id__in=ids).update(status=RecipientStatus.FAILED, error=error)
            n_skipped = (
                mine.filter(id__in=list(skipped)).update(status=RecipientStatus.SKIPPED) if skipped else 0
            )
            hard = [rid for rid, outcome in failed.items() if outcome.permanent]
            if hard and self.channel == Channel.EMAIL:
                suppress_recipients(self.campaign_id, hard, self.channel, SuppressionReason.HARD_BOUNCE, now)
        if were_sent:
            n_sent = -n_failed
        self.pending["sent"] += n_sent
        self.pending["failed"] += n_failed
        self.pending["skipped"] += n_skipped
        self._errors_after(n_sent, n_failed)

    def flush(self) -> None:
        """Write the batch's counters and hourly figures in one transaction."""
        counts, self.pending = self.pending, Counter()
        if not any(counts.values()):
            return
        with transaction.atomic(savepoint=False):
            Campaign.objects.filter(pk=self.campaign_id).update(
                sent=F("sent") + counts["sent"],
                failed=F("failed") + counts["failed"],
                skipped=F("skipped") + counts["skipped"],
                errors_in_row=self.errors_in_row,
            )
            bump_hour(self.campaign_id, self.now(), sent=counts["sent"], failed=counts["failed"])

    def recount(self) -> None:
        """The campaign's counters from its recipients' states (after a crash they may lag one batch)."""
        S = RecipientStatus
        counts = Recipient.objects.filter(campaign_id=self.campaign_id).aggregate(
            sent=Count("pk", filter=Q(status__in=[S.SENT, S.DELIVERED, S.BOUNCED])),
            failed=Count("pk", filter=Q(status=S.FAILED)),
            skipped=Count("pk", filter=Q(status=S.SKIPPED)),
        )
        Campaign.objects.filter(pk=self.campaign_id).update(**counts)

    def _errors_after(self, n_sent: int, n_failed: int) -> int:
        self.errors_in_row = n_failed if n_sent > 0 else self.errors_in_row + n_failed
        return self.errors_in_row

    def finish(self) -> str:
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=self.campaign_id)
            if campaign.state != State.RUNNING or campaign.run_token != self.token:
                return str(campaign.state)
            campaign.state, campaign.finished_at = State.FINISHED, self.now()
            campaign.save(update_fields=["state", "finished_at"])
            record_event("campaigns", "campaigns.finished", campaign, after=_progress(campaign))
        return str(State.FINISHED)

    def pause_for_errors(self) -> str:
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=self.campaign_id)
            if campaign.state != State.RUNNING:
                return str(campaign.state)
            campaign.state = State.PAUSED
            campaign.paused_reason = _("연속 오류 %(count)d건으로 자동 정지했습니다.") % {
                "count": self.errors_in_row
            }
            campaign.save(update_fields=["state", "paused_reason"])
            record_event("campaigns", "campaigns.paused", campaign, after={"reason": campaign.paused_reason})
        return str(State.PAUSED)

    def hold_until(self, moment: datetime) -> str:
        """Night: the rest waits for 08:00; the task is enqueued to run then."""
        from sotong.campaigns.tasks import run_campaign

        with transaction.atomic():
            Campaign.objects.filter(pk=self.campaign_id).update(next_run_at=moment)
            run_campaign.using(run_after=moment).enqueue(self.campaign_id)
        return "held"

    # --- transports ---------------------------------------------------------------------------------

    def transport_open(self) -> None:
        if self.channel == Channel.EMAIL:
            self.email_transport = self._email or email_transport(self.campaign.concurrency)
            self.email_transport.open()
        else:
            self.sms_transport = self._sms or sms_transport()
            if self.sms_transport.over_network:
                self.gateway = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sms-gateway")

    def transport_close(self) -> None:
        transport = getattr(self, "email_transport", None) or getattr(self, "sms_transport", None)
        if transport is not None:
            transport.close()


@contextlib.contextmanager
def commits_not_flushed() -> Iterator[None]:
    """On PostgreSQL, the run's commits return before their WAL reaches the disk (`synchronous_commit`
    off for this session while the loop runs; reset after).

    E-mail commits its recipients as sent before each end-of-data dot, a few messages per commit: a
    flush to disk per commit made the SMTP connections wait for the disk, not for the server. A killed
    worker loses nothing (the commit is in the server's WAL buffers and reaches the disk within
    `wal_writer_delay`); a crash of the database server itself may lose the last fraction of a second of
    marks, whose e-mails are then sent again (their SMS batches are answered by their keys). That is
    SQLite's level here too: WAL with `synchronous=NORMAL` (settings) keeps every commit through a
    process crash and may lose the last ones to a power cut."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        # A broken connection is closed by Django anyway; its error must not hide the one that broke it.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def mark_sent(campaign_id: int, recipient_ids: Sequence[int], now: datetime) -> int:
    """sending → sent for these recipients, in one UPDATE (autocommit: its own transaction)."""
    table = connection.ops.quote_name(Recipient._meta.db_table)
    marks = ", ".join(["%s"] * len(recipient_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s "  # noqa: S608 - names are ours, values bound
            f"WHERE campaign_id = %s AND status = %s AND id IN ({marks})",
            [
                RecipientStatus.SENT,
                connection.ops.adapt_datetimefield_value(now),
                campaign_id,
                RecipientStatus.SENDING,
                *recipient_ids,
            ],
        )
        return int(cursor.rowcount)


def mark_batch_sent(campaign_id: int, batch: int, now: datetime) -> int:
    """sending → sent for the rest of a claimed batch, by its key: one UPDATE with no id list."""
    table = connection.ops.quote_name(Recipient._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s "  # noqa: S608 - names are ours, values bound
            "WHERE campaign_id = %s AND status = %s AND batch = %s",
            [
                RecipientStatus.SENT,
                connection.ops.adapt_datetimefield_value(now),
                campaign_id,
                RecipientStatus.SENDING,
                batch,
            ],
        )
        return int(cursor.rowcount)


class Statements:
    """The sender's hand-written SQL for one channel, composed once per run from the models' names."""

    def __init__(self, channel: str) -> None:
        from sotong.people.models import Consent, Person

        qn = connection.ops.quote_name

        def column(model: Any, name: str) -> str:
            return qn(model._meta.get_field(name).column)

        self.recipient = qn(Recipient._meta.db_table)
        person, consent = qn(Person._meta.db_table), qn(Consent._meta.db_table)
        suppression = qn(Suppression._meta.db_table)
        address = column(Person, "email" if channel == Channel.EMAIL else "mobile")
        index = column(Person, audience.contact_index_field(channel))
        fields = ", ".join(f"p.{column(Person, name)}" for name in TEMPLATE_COLUMNS)
        # SQLite would pick the consent table's purpose index (every consent of the newsletter) over its
        # person index (a handful of rows); a unary + keeps the purpose out of the index choice there.
        purpose = "+c.purpose_id" if connection.vendor == "sqlite" else "c.purpose_id"
        self.batch = (
            f"SELECT r.id, p.id, CASE WHEN p.{column(Person, 'anonymised_at')} IS NULL AND p.{index} <> '' "  # noqa: S608
            f"AND EXISTS (SELECT 1 FROM {consent} c WHERE c.person_id = p.id AND {purpose} = %s "
            f"AND c.{column(Consent, channel)} AND c.withdrawn_at IS NULL AND c.superseded_at IS NULL "
            "AND c.given_at <= %s AND c.expires_at > %s) "
            f"AND NOT EXISTS (SELECT 1 FROM {suppression} s WHERE s.channel = %s AND s.address_index = p.{index}) "
            f"THEN 1 ELSE 0 END, p.{address}, {fields} "
            f"FROM {self.recipient} r JOIN {person} p ON p.id = r.person_id "
            "WHERE r.campaign_id = %s AND r.status = %s AND r.batch = %s ORDER BY r.id"
        )


def bump_hour(campaign_id: int, moment: datetime, **counts: int) -> None:
    """Add `counts` to the campaign's figures for the hour of `moment` (an UPDATE, or the first INSERT)."""
    counts = {k: v for k, v in counts.items() if v}
    if not counts:
        return
    hour = hour_of(moment)
    changes = {name: F(name) + value for name, value in counts.items()}
    if not HourlyStat.objects.filter(campaign_id=campaign_id, hour=hour).update(**changes):
        with transaction.atomic():
            _stat, created = HourlyStat.objects.get_or_create(
                campaign_id=campaign_id, hour=hour, defaults=counts
            )
            if not created:
                HourlyStat.objects.filter(campaign_id=campaign_id, hour=hour).update(**changes)


def suppress_recipients(
    campaign_id: int, recipient_ids: Sequence[int], channel: str, reason: str, now: datetime
) -> None:
    """Suppress the addresses of these recipients (an SMTP 5xx refusal is a hard bounce on the spot)."""
    from sotong.people.models import Person

    index = audience.contact_index_field(channel)
    person_ids = Recipient.objects.filter(id__in=list(recipient_ids)).values_list("person_id", flat=True)
    indexes = (
        Person.objects.filter(pk__in=list(person_ids)).exclude(**{index: ""}).values_list(index, flat=True)
    )
    Suppression.objects.bulk_create(
        [Suppression(channel=channel, address_index=i, reason=reason, created_at=now) for i in indexes],
        ignore_conflicts=True,
    )


def _progress(campaign: Campaign) -> dict[str, int]:
    return {
        "total": campaign.total,
        "sent": campaign.sent,
        "failed": campaign.failed,
        "skipped": campaign.skipped,
    }


def _mask(name: str) -> str:
    from sotong.core.masking import mask_name

    return mask_name(name) if name else ""
