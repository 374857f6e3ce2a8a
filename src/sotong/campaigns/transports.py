"""Where the campaign sender hands messages: SMTP connections kept open, the SMS gateway's batch call, or
nothing at all (the null transports of the benchmark).

E-mail is sent in two phases so that a worker killed at any moment neither repeats nor loses a message:
`stage` sends MAIL FROM, RCPT TO, DATA and the whole content but not the final ".", the sender then commits
those recipients as sent, and `finish` writes the "." that makes the server accept the message. A worker
that dies before the commit leaves an unterminated DATA, which an SMTP server must discard (RFC 5321
§4.1.1.4), and the rows still say "sending", so the next run sends them again; one that dies after the
commit has sent them. What is left is the few microseconds between the commit returning and five bytes
being written to the socket.

SMS go to the gateway in one batch call per claimed batch, under an idempotency key made of the campaign
and the batch number: a batch re-sent after a crash carries the same key and the gateway answers it from
its record instead of sending it twice (Solapi's equivalent is a message group, which sends only once).
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import queue
import smtplib
import socket
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from sotong.messaging.backends.http import sign


@dataclass
class Outcome:
    """What happened to one message: ok, or an error that is permanent (5xx) or temporary."""

    ok: bool
    error: str = ""
    permanent: bool = False
    provider_id: str = ""


OK = Outcome(ok=True)


@dataclass
class StagedEmail:
    reference: str
    mail_from: str
    to: str
    raw: bytes
    # The connection the message was staged on (its "." must go down the same one).
    slot: int = -1


Commit = Callable[..., None]


class EmailTransport(ABC):
    """Sends e-mails in two phases over `concurrency` connections; `window` messages per group commit."""

    window = 1

    def deliver(
        self,
        items: Iterator[tuple[int, StagedEmail]],
        count: int,
        acquire: Callable[[int], None],
        commit: Commit,
    ) -> None:
        """Stage a window, commit the staged as sent, finish them; correct the few the server then refuses."""
        while window := list(itertools.islice(items, self.window)):
            acquire(len(window))
            outcomes = self.stage_many([item for _rid, item in window])
            ok = [(rid, item) for (rid, item), outcome in zip(window, outcomes, strict=True) if outcome.ok]
            failed = {
                rid: outcome for (rid, _i), outcome in zip(window, outcomes, strict=True) if not outcome.ok
            }
            commit(sent=[rid for rid, _item in ok], failed=failed)
            if ok:
                finished = self.finish_many([item for _rid, item in ok])
                late = {
                    rid: outcome for (rid, _i), outcome in zip(ok, finished, strict=True) if not outcome.ok
                }
                if late:
                    commit(failed=late, were_sent=True)

    def open(self) -> None:  # noqa: B027 - most transports hold nothing open
        """Open connections before the first batch (nothing by default)."""

    def close(self) -> None:  # noqa: B027
        """Close what `open` opened (nothing by default)."""

    @abstractmethod
    def stage_many(self, items: Sequence[StagedEmail]) -> list[Outcome]:
        """Send each message up to its final dot; the outcome of each (staged or refused)."""

    @abstractmethod
    def finish_many(self, items: Sequence[StagedEmail]) -> list[Outcome]:
        """Write the final dot of each staged message; the server's answer to each."""


class NullEmailTransport(EmailTransport):
    """Accepts everything and keeps a count (the benchmark's measure of the sender's own cost)."""

    window = 500

    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0

    def stage_many(self, items: Sequence[StagedEmail]) -> list[Outcome]:
        self.bytes += sum(len(item.raw) for item in items)
        return [OK] * len(items)

    def finish_many(self, items: Sequence[StagedEmail]) -> list[Outcome]:
        self.count += len(items)
        return [OK] * len(items)


class _Connection:
    """One SMTP connection, reused for every message, reopened after a network error."""

    def __init__(self, host: str, port: int, timeout: float, user: str, password: str, tls: bool) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.user, self.password, self.tls = user, password, tls
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self.smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            # The "." goes out as its own small write after the body: without NODELAY, Nagle holds it
            # for the server's delayed ACK (40 ms a message).
            if smtp.sock is not None:
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            smtp.ehlo()
            if self.tls:
                smtp.starttls()
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password)
            self.smtp = smtp
        return self.smtp

    def stage(self, item: StagedEmail) -> Outcome:
        try:
            smtp = self._connect()
            if smtp.does_esmtp and smtp.has_extn("pipelining"):
                refused = self._envelope_pipelined(smtp, item)
            else:
                refused = self._envelope(smtp, item)
            if refused is not None:
                return refused
            smtp.send(_dot_stuffed(item.raw))
        except (smtplib.SMTPException, OSError) as exc:
            self.drop()
            return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
        return OK

    def _envelope(self, smtp: smtplib.SMTP, item: StagedEmail) -> Outcome | None:
        """MAIL, RCPT and DATA one after the other, each waiting for its answer."""
        code, reply = smtp.mail(item.mail_from)
        if code != 250:
            return self._refused(smtp, code, reply)
        code, reply = smtp.rcpt(item.to)
        if code not in (250, 251):
            return self._refused(smtp, code, reply)
        code, reply = smtp.docmd("DATA")
        if code != 354:
            return self._refused(smtp, code, reply)
        return None

    def _envelope_pipelined(self, smtp: smtplib.SMTP, item: StagedEmail) -> Outcome | None:
        """MAIL, RCPT and DATA in one write when the server offers PIPELINING (RFC 2920), then their three
        answers: one round trip instead of three. DATA is the last command of the group, as §3.1 asks."""
        smtp.send(
            f"MAIL FROM:{smtplib.quoteaddr(item.mail_from)}\r\n"
            f"RCPT TO:{smtplib.quoteaddr(item.to)}\r\nDATA\r\n"
        )
        answers = [smtp.getreply() for _ in range(3)]
        (mail, mail_reply), (rcpt, rcpt_reply), (data, data_reply) = answers
        if data == 354 and (mail != 250 or rcpt not in (250, 251)):
            # The server took DATA without a valid envelope: drop the connection rather than end a message.
            self.drop()
        if mail != 250:
            return self._refused(smtp, mail, mail_reply)
        if rcpt not in (250, 251):
            return self._refused(smtp, rcpt, rcpt_reply)
        if data != 354:
            return self._refused(smtp, data, data_reply)
        return None

    def terminate(self) -> str:
        """Write the end-of-data "." (five bytes, no waiting); an error text, or "" when written."""
        if self.smtp is None:
            return "connection lost before the end of data"
        try:
            self.smtp.send(b".\r\n")
        except (smtplib.SMTPException, OSError) as exc:
            self.drop()
            return f"{type(exc).__name__}: {exc}"[:300]
        return ""

    def reply(self, error: str) -> Outcome:
        """The server's answer to the "." (250: accepted)."""
        smtp = self.smtp
        if error or smtp is None:
            return Outcome(ok=False, error=error or "connection lost")
        try:
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self.drop()
            return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
        if code != 250:
            return Outcome(
                ok=False, error=f"{code} {reply.decode(errors='replace')}"[:300], permanent=code >= 500
            )
        return OK

    def _refused(self, smtp: smtplib.SMTP, code: int, reply: bytes) -> Outcome:
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.drop()
        return Outcome(
            ok=False, error=f"{code} {reply.decode(errors='replace')}"[:300], permanent=code >= 500
        )

    def drop(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError):
                self.smtp.close()
        self.smtp = None

    def quit(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
        self.drop()


def _dot_stuffed(raw: bytes) -> bytes:
    """The message as DATA must carry it: CRLF line ends, a leading "." doubled, ending in CRLF. The
    sender's own messages (`mime.build_email`) already are, which three byte counts show without the
    regular expressions of `smtplib.quotedata`."""
    crlf = raw.count(b"\r\n")
    if crlf == raw.count(b"\n") == raw.count(b"\r") and b"\n." not in raw and not raw.startswith(b"."):
        return raw if raw.endswith(b"\r\n") else raw + b"\r\n"
    body = smtplib.quotedata(raw.decode("ascii", "surrogateescape")).encode("ascii", "surrogateescape")
    return body if body.endswith(b"\r\n") else body + b"\r\n"


class SmtpTransport(EmailTransport):
    """`concurrency` SMTP connections, each in its own thread; one message per connection per window."""

    def __init__(self, concurrency: int = 4, host: str | None = None, port: int | None = None) -> None:
        self.window = max(1, concurrency)
        self.connections = [
            _Connection(
                host or settings.EMAIL_HOST,
                int(port or settings.EMAIL_PORT),
                float(settings.EMAIL_TIMEOUT or 30),
                settings.EMAIL_HOST_USER,
                settings.EMAIL_HOST_PASSWORD,
                bool(settings.EMAIL_USE_TLS),
            )
            for _ in range(self.window)
        ]
        self.pool: ThreadPoolExecutor | None = None

    def open(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=self.window, thread_name_prefix="smtp")

    def close(self) -> None:
        if self.pool is not None:
            list(self.pool.map(lambda c: c.quit(), self.connections))
            self.pool.shutdown()
            self.pool = None

    def deliver(
        self,
        items: Iterator[tuple[int, StagedEmail]],
        count: int,
        acquire: Callable[[int], None],
        commit: Commit,
    ) -> None:
        """Group commit: each connection's thread stages its next message and waits; this thread commits
        every message staged meanwhile in one transaction and lets their threads write the ".". No
        connection waits for another, only for the commit. Messages are rendered (pulled from `items`)
        by this thread whenever it has nothing to commit, a few ahead of the connections."""
        work: queue.SimpleQueue[tuple[int, StagedEmail] | None] = queue.SimpleQueue()
        ahead = 2 * len(self.connections)
        for item in itertools.islice(items, ahead):
            work.put(item)
        events: queue.SimpleQueue[tuple[str, int, Outcome, threading.Event | None]] = queue.SimpleQueue()

        aborted = threading.Event()

        def run(connection: _Connection) -> None:
            while (entry := work.get()) is not None and not aborted.is_set():
                rid, item = entry
                acquire(1)
                outcome = connection.stage(item)
                if not outcome.ok:
                    events.put(("failed", rid, outcome, None))
                    continue
                go = threading.Event()
                events.put(("staged", rid, outcome, go))
                go.wait()
                if aborted.is_set():
                    # The commit failed: the message must not be ended; dropping the connection discards it.
                    connection.drop()
                    return
                events.put(("finished", rid, connection.reply(connection.terminate()), None))

        threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in self.connections]
        for thread in threads:
            thread.start()

        def refill() -> bool:
            """Render one more for the connections; False once there is none left (and stop them)."""
            item = next(items, None)
            if item is None:
                for _ in threads:
                    work.put(None)
                return False
            work.put(item)
            return True

        waiting: list[threading.Event] = []
        try:
            self._collect(events, count, commit, waiting, refill)
        except BaseException:
            aborted.set()
            for go in waiting:
                go.set()
            raise
        finally:
            for _ in threads:
                work.put(None)  # each thread stops at the first None it takes; spares are harmless
            for thread in threads:
                thread.join()

    @staticmethod
    def _collect(
        events: queue.SimpleQueue[tuple[str, int, Outcome, threading.Event | None]],
        open_: int,
        commit: Commit,
        waiting: list[threading.Event],
        refill: Callable[[], bool],
    ) -> None:
        more = True
        while open_:
            while more and events.empty():
                more = refill()
            pending = [events.get()]
            while True:
                try:
                    pending.append(events.get_nowait())
                except queue.Empty:
                    break
            staged = [(rid, go) for kind, rid, _o, go in pending if kind == "staged" and go is not None]
            failed = {rid: o for kind, rid, o, _g in pending if kind == "failed"}
            late = {rid: o for kind, rid, o, _g in pending if kind == "finished" and not o.ok}
            waiting[:] = [go for _rid, go in staged]
            if staged or failed:
                commit(sent=[rid for rid, _go in staged], failed=failed)
            if late:
                commit(failed=late, were_sent=True)
            for go in waiting:
                go.set()
            waiting.clear()
            open_ -= len(failed) + sum(1 for kind, *_rest in pending if kind == "finished")

    def stage_many(self, items: Sequence[StagedEmail]) -> list[Outcome]:
        assert self.pool is not None
        for slot, item in enumerate(items):
            item.slot = slot
        return list(
            self.pool.map(lambda pair: pair[0].stage(pair[1]), zip(self.connections, items, strict=False))
        )

    def finish_many(self, items: Sequence[StagedEmail]) -> list[Outcome]:
        """Write every "." from this thread first (the commit has just returned: the gap to the wire is a
        few microseconds per connection), then wait for the answers in parallel."""
        assert self.pool is not None
        connections = [self.connections[item.slot] for item in items]
        errors = [connection.terminate() for connection in connections]
        return list(self.pool.map(lambda pair: pair[0].reply(pair[1]), zip(connections, errors, strict=True)))


class SmsTransport(ABC):
    """Posts a batch of SMS/LMS to the gateway in one call, under an idempotency key."""

    # True when a call waits on the network: the sender then makes it from a thread of its own while it
    # prepares the next batch (the development and null transports run inline).
    over_network = False

    @abstractmethod
    def send_batch(self, key: str, payloads: Sequence[dict[str, Any]]) -> list[Outcome]:
        """Post `payloads` in one call under the idempotency `key`; the outcome of each."""

    def close(self) -> None:  # noqa: B027 - a batch call holds nothing open by default
        """Release the gateway connection (nothing by default)."""


class NullSmsTransport(SmsTransport):
    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0

    def send_batch(self, key: str, payloads: Sequence[dict[str, Any]]) -> list[Outcome]:
        self.bytes += len(json.dumps({"messages": payloads, "idempotencyKey": key}, ensure_ascii=False))
        self.count += len(payloads)
        return [OK] * len(payloads)


class GatewaySmsTransport(SmsTransport):
    """The HTTP gateway of `messaging.backends.http` (Solapi v4 shape), over one kept-alive connection."""

    over_network = True

    def __init__(self, url: str | None = None) -> None:
        self.url = urlsplit(url or settings.SOTONG_SMS_GATEWAY_URL)
        self.api_key = settings.SOTONG_SMS_API_KEY
        self.api_secret = settings.SOTONG_SMS_API_SECRET
        self.timeout = float(settings.SOTONG_SMS_TIMEOUT)
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            cls = http.client.HTTPSConnection if self.url.scheme == "https" else http.client.HTTPConnection
            self.connection = cls(self.url.hostname or "", self.url.port, timeout=self.timeout)
        return self.connection

    def send_batch(self, key: str, payloads: Sequence[dict[str, Any]]) -> list[Outcome]:
        body = json.dumps({"messages": list(payloads), "idempotencyKey": key}, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": sign(self.api_key, self.api_secret),
            "Idempotency-Key": key,
        }
        for attempt in (1, 2):
            try:
                connection = self._connect()
                connection.request("POST", self.url.path or "/", body=body, headers=headers)
                response = connection.getresponse()
                raw = response.read()
                break
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                self.close()
                if attempt == 2:
                    return [Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])] * len(payloads)
        if response.status >= 400:
            error = f"HTTP {response.status}: {raw[:200].decode(errors='replace')}"
            permanent = response.status < 500 and response.status not in (408, 425, 429)
            return [Outcome(ok=False, error=error, permanent=permanent)] * len(payloads)
        return _gateway_outcomes(payloads, raw)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _gateway_outcomes(payloads: Sequence[dict[str, Any]], raw: bytes) -> list[Outcome]:
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and not answer.get("failedMessageList"):
        # Everything accepted (the usual answer): the sender keeps no provider id, so no per-item look-up.
        return [OK] * len(payloads)
    failed: dict[str, str] = {}
    accepted: dict[str, str] = {}
    for name, target in (("failedMessageList", failed), ("messageList", accepted)):
        items = answer.get(name) or []
        for item in items.values() if isinstance(items, dict) else items:
            ref = str((item.get("customFields") or {}).get("messageId", ""))
            target[ref] = str(
                item.get("messageId") or f"{item.get('statusCode', '')} {item.get('statusMessage', '')}"
            )
    outcomes = []
    for payload in payloads:
        ref = payload["customFields"]["messageId"]
        if ref in failed:
            outcomes.append(Outcome(ok=False, error=f"gateway refused: {failed[ref]}"[:300], permanent=True))
        else:
            outcomes.append(Outcome(ok=True, provider_id=accepted.get(ref, "")))
    return outcomes


def email_transport(concurrency: int) -> EmailTransport:
    """The transport SOTONG_EMAIL_BACKEND implies: SMTP for "smtp", nothing for "null"."""
    if settings.SOTONG_EMAIL_BACKEND == "null":
        return NullEmailTransport()
    if settings.SOTONG_EMAIL_BACKEND == "smtp":
        return SmtpTransport(concurrency)
    return DjangoMailTransport()


def sms_transport() -> SmsTransport:
    if settings.SOTONG_SMS_BACKEND == "http":
        return GatewaySmsTransport()
    if settings.SOTONG_SMS_BACKEND == "null":
        return NullSmsTransport()
    return OutboxSmsTransport()


class DjangoMailTransport(EmailTransport):
    """Development backends (console, file, locmem): the raw message through Django's e-mail backend."""

    window = 50

    def stage_many(self, items: Sequence[StagedEmail]) -> list[Outcome]:
        return [OK] * len(items)

    def finish_many(self, items: Sequence[StagedEmail]) -> list[Outcome]:
        from email import message_from_bytes, policy

        from django.core.mail import EmailMessage, get_connection

        class _Raw(EmailMessage):
            def __init__(self, raw: bytes, to: str, sender: str) -> None:
                super().__init__(to=[to], from_email=sender)
                self._raw = raw

            def message(self, *, policy: Any = None) -> Any:  # type: ignore[override]
                return message_from_bytes(self._raw, policy=_policy)

        _policy = policy.SMTP
        with get_connection() as connection:
            connection.send_messages([_Raw(item.raw, item.to, item.mail_from) for item in items])
        return [OK] * len(items)


class OutboxSmsTransport(SmsTransport):
    """Development backends (console, file, locmem) of the outbox's SMS layer."""

    def send_batch(self, key: str, payloads: Sequence[dict[str, Any]]) -> list[Outcome]:
        from sotong.messaging.backends import sms

        backend = sms.get_sms_backend()
        if isinstance(backend, sms.LocmemSmsBackend):
            sms.outbox.extend(payloads)
        elif isinstance(backend, sms.ConsoleSmsBackend | sms.FileSmsBackend):
            for payload in payloads:
                print(json.dumps(payload, ensure_ascii=False))  # noqa: T201
        return [OK] * len(payloads)
