"""Campaign sending at scale, all in one run (a fresh SQLite database, or DATABASE_URL's):

(a) the sender's own cost: one e-mail campaign and one SMS campaign to N people (default 200,000) through
    the whole pipeline — audience materialised from a list (consent and suppression checks), batches
    claimed by key, consent and suppression checked again per batch, rendering with personalisation,
    unsubscribe token and headers (e-mail) or EUC-KR byte check and gateway payload (SMS), and the
    bookkeeping (states, counters, hourly figures) — into null transports. Prints messages/second and
    the peak resident memory above the baseline, for N and for N/10 (memory must not grow with N).
(b) the same sender against loopback sinks in another process (`bench/support/campaign_sinks.py`: a minimal
    asyncio SMTP sink, since aiosmtpd tops out near 500/s here, and a minimal HTTP gateway), as a ratio
    to the bare limit measured in the same run with the same sink and connection count: a plain smtplib
    loop (one thread per connection, the same raw message) and a plain HTTP batch loop (one kept-alive
    connection, the same JSON batches).

    .venv/bin/python bench/campaign_send.py                       # 200,000 people, 20,000 to the sinks
    .venv/bin/python bench/campaign_send.py --people 20000 --sink 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/campaign_bench .venv/bin/python bench/campaign_send.py

A PostgreSQL database is created when it does not exist; one that exists must be empty.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from people_import import PeakMemory  # noqa: E402

# Recipients claimed per batch by the sender, hence messages per gateway call, and the bare HTTP loop's
# batch too (the two must send the same JSON batches).
BATCH = 1000
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = "민서지현우영수진하준도윤예은채원시아주연"
DONGS = [
    "왕십리도선동",
    "행당1동",
    "행당2동",
    "응봉동",
    "금호1가동",
    "옥수동",
    "성수1가1동",
    "성수2가3동",
    "송정동",
]


def create_postgres_database(url: str) -> None:
    """A PostgreSQL DATABASE_URL's database is created when missing (as the SQLite file is); one that
    exists must be empty, since the bench adds its people to whatever is there."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return
    with psycopg.connect(urlunsplit(parts._replace(scheme="postgresql"))) as existing:
        tables = existing.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        if tables and tables[0]:
            sys.exit(f"database {name} is not empty: drop it (DROP DATABASE {name}) or name another")


def setup(workdir: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    if os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        create_postgres_database(os.environ["DATABASE_URL"])
    os.environ.update(
        DEBUG="0",
        SOTONG_DEMO="1",
        SOTONG_VAR_DIR=workdir,
        SOTONG_SMS_BACKEND="null",
        SOTONG_EMAIL_BACKEND="null",
        DJANGO_SETTINGS_MODULE="sotong.settings",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(count: int) -> tuple[Any, Any, Any]:
    """`count` people with e-mail and mobile, consenting to one newsletter by both channels; a list of all
    of them and a list of the first tenth."""
    from django.db import transaction
    from django.utils import timezone

    from sotong.campaigns.models import Newsletter
    from sotong.people.cleaning import email_index_for, phone_index_for
    from sotong.people.models import Consent, ConsentPurpose, Person, PersonList, PersonListMember

    purpose = ConsentPurpose.objects.create(
        code="bench-news", name="벤치 소식", items="성명, 연락처", retention_months=24
    )
    newsletter = Newsletter.objects.create(
        name="벤치 소식",
        purpose=purpose,
        sender_name="성동구청",
        sender_email="news@sd.example.kr",
        sender_phone="0222865114",
        contact_line="성동구청 02-2286-5114",
    )
    everyone = PersonList.objects.create(name="전체")
    tenth = PersonList.objects.create(name="10%")
    now = timezone.now()
    later = now.replace(year=now.year + 2)
    for start in range(0, count, 5000):
        people = []
        for n in range(start, min(start + 5000, count)):
            mobile, email = f"010{n + 10000000:08d}", f"reader{n}@example.com"
            name = SURNAMES[n % 20] + GIVEN[n // 20 % 20] + GIVEN[n // 400 % 20]
            people.append(
                Person(
                    name=name,
                    dong=DONGS[n % len(DONGS)],
                    mobile=mobile,
                    mobile_index=phone_index_for(mobile),
                    email=email,
                    email_index=email_index_for(email),
                    birth_year=1950 + n % 50,
                )
            )
        with transaction.atomic():
            created = Person.objects.bulk_create(people)
            Consent.objects.bulk_create(
                Consent(
                    person=p,
                    purpose=purpose,
                    items="성명, 연락처",
                    sms=True,
                    email=True,
                    method="web_form",
                    evidence={"ip": "127.0.0.1"},
                    given_at=now,
                    expires_at=later,
                    reconfirm_due_at=later,
                )
                for p in created
            )
            PersonListMember.objects.bulk_create(
                PersonListMember(person_list=everyone, person=p) for p in created
            )
            if start < count // 10:
                PersonListMember.objects.bulk_create(
                    PersonListMember(person_list=tenth, person=p)
                    for p in created[: max(0, count // 10 - start)]
                )
    return newsletter, everyone, tenth


def make_campaign(newsletter: Any, person_list: Any, channel: str, name: str, concurrency: int = 4) -> Any:
    from django.utils import timezone

    from sotong.campaigns.models import Campaign, State, Template

    if channel == "email":
        template = Template.objects.create(
            newsletter=newsletter,
            name=name,
            channel="email",
            subject="{{ name }}님, 11월 성동 소식",
            body_text="{{ name }}님 안녕하세요.\n{{ dong }} 주민 설명회와 축제 소식을 전해 드립니다.\n" * 5,
            body_html="<html><body><h1>{{ name }}님 안녕하세요</h1><p>{{ dong }} 소식</p>"
            + "<p>본문 단락입니다.</p>" * 10
            + "</body></html>",
        )
    else:
        template = Template.objects.create(
            newsletter=newsletter,
            name=name,
            channel="sms",
            body_text="{{ name }}님, {{ dong }} 주민 설명회 안내",
        )
    campaign = Campaign.objects.create(
        newsletter=newsletter,
        template=template,
        name=name,
        channel=channel,
        state=State.RUNNING,
        started_at=timezone.now(),
        rate_per_second=1_000_000,
        concurrency=concurrency,
        max_errors=10**9,
    )
    campaign.lists.set([person_list])
    return campaign


def run_sender(campaign: Any, **transports: Any) -> tuple[float, float, int]:
    from sotong.campaigns.sender import CampaignSender

    with PeakMemory() as memory:
        started = time.perf_counter()
        state = CampaignSender(campaign.pk, batch_size=BATCH, **transports).run()
        seconds = time.perf_counter() - started
    campaign.refresh_from_db()
    assert state == "finished", state
    return campaign.sent / seconds, memory.mib, campaign.sent


# --- (b) sinks and bare loops ---------------------------------------------------------------------


def start_sink(kind: str, port: int) -> subprocess.Popen[str]:
    sink = subprocess.Popen(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "support" / "campaign_sinks.py"), kind, str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None
    assert sink.stdout.readline().strip() == "ready"
    return sink


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bare_smtp(port: int, count: int, connections: int, raw: bytes) -> float:
    """Plain smtplib: `connections` threads, each its own kept-open connection, the same message."""

    def work(n: int) -> None:
        smtp = smtplib.SMTP("127.0.0.1", port)
        for i in range(n):
            smtp.sendmail("news@sd.example.kr", [f"reader{i}@example.com"], raw)
        smtp.quit()

    share = count // connections
    threads = [threading.Thread(target=work, args=(share,)) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return share * connections / (time.perf_counter() - started)


def bare_http(port: int, count: int, batch: int) -> float:
    """Plain HTTP batch loop: one kept-alive connection, `batch` messages a call (the sender's batch size).
    Each call carries its own messages, as the sender's do: the loop builds a fresh JSON body per batch
    (numbers, names and message ids differ), signs it as the gateway asks (HMAC `Authorization` and an
    `Idempotency-Key`) and reads the answer; it checks no consent and records nothing."""
    from sotong.messaging.backends.http import sign

    connection = http.client.HTTPConnection("127.0.0.1", port)
    started = time.perf_counter()
    for first in range(0, count // batch * batch, batch):
        payload = [
            {
                "to": f"010{n + 10000000:08d}",
                "from": "0222865114",
                "text": f"{SURNAMES[n % 20]}{GIVEN[n // 20 % 20]}{GIVEN[n // 400 % 20]}님, "
                f"{DONGS[n % len(DONGS)]} 주민 설명회 안내",
                "type": "SMS",
                "customFields": {"messageId": f"c1r{n}"},
            }
            for n in range(first, first + batch)
        ]
        key = f"c1-b{first}"
        body = json.dumps({"messages": payload, "idempotencyKey": key}, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": sign("k", "s"),
            "Idempotency-Key": key,
        }
        connection.request("POST", "/messages/v4/send-many", body=body, headers=headers)
        json.loads(connection.getresponse().read())
    connection.close()
    return count // batch * batch / (time.perf_counter() - started)


def sample_email(newsletter: Any) -> bytes:
    from sotong.campaigns.mime import EmailShape, build_email

    return build_email(
        EmailShape(newsletter.sender_name, newsletter.sender_email),
        to="reader1@example.com",
        subject="김민지님, 11월 성동 소식",
        text="김민지님 안녕하세요.\n행당1동 주민 설명회와 축제 소식을 전해 드립니다.\n" * 5,
        html="<html><body><h1>김민지님 안녕하세요</h1><p>행당1동 소식</p>"
        + "<p>본문 단락입니다.</p>" * 10
        + "</body></html>",
        reference="c1r1",
        unsubscribe_url="http://127.0.0.1:8000/campaigns/u/1-1-e-0123456789abcdef01234567/",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--sink", type=int, default=20_000, help="messages of each channel sent to the sinks")
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        setup(workdir)
        from sotong.campaigns.transports import (
            GatewaySmsTransport,
            NullEmailTransport,
            NullSmsTransport,
            SmtpTransport,
        )

        started = time.perf_counter()
        newsletter, everyone, tenth = populate(args.people)
        from django.db import connection

        with connection.cursor() as cursor:
            # Statistics for the bulk-loaded tables, as autovacuum would gather (without them PostgreSQL
            # plans the audience's counts for empty tables and takes minutes).
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(f"setup: {args.people:,} people with consent in {time.perf_counter() - started:.0f} s")

        warm = type(everyone).objects.create(name="warm-up")
        from sotong.people.models import PersonListMember

        PersonListMember.objects.bulk_create(
            PersonListMember(person_list=warm, person_id=pid)
            for pid in everyone.members.values_list("pk", flat=True)[:500]
        )
        for channel in ("email", "sms"):  # imports, catalogues and caches, outside the figures
            transport = {"email": NullEmailTransport()} if channel == "email" else {"sms": NullSmsTransport()}
            run_sender(make_campaign(newsletter, warm, channel, f"warm-{channel}"), **transport)
        print("(a) whole pipeline into null transports (aim ≥ 5,000 msg/s, memory flat in N)")
        for label, person_list in (("N/10", tenth), ("N", everyone)):
            for channel in ("email", "sms"):
                campaign = make_campaign(newsletter, person_list, channel, f"{channel}-{label}")
                transport = (
                    {"email": NullEmailTransport()} if channel == "email" else {"sms": NullSmsTransport()}
                )
                rate, mib, sent = run_sender(campaign, **transport)
                print(f"    {channel:5} {label:4} {sent:>8,} sent  {rate:>8,.0f} msg/s  peak +{mib:6.1f} MiB")

        print(
            f"(b) to loopback sinks, {args.sink:,} each, {args.connections} SMTP connections (aim ≥ 0.8 of bare)"
        )
        from django.test import override_settings

        sink_list = type(everyone).objects.create(name="sink")
        PersonListMember.objects.bulk_create(
            PersonListMember(person_list=sink_list, person_id=pid)
            for pid in everyone.members.values_list("pk", flat=True)[: args.sink]
        )
        port = free_port()
        smtp_sink = start_sink("smtp", port)
        try:
            bare = bare_smtp(port, args.sink, args.connections, sample_email(newsletter))
            with override_settings(EMAIL_HOST="127.0.0.1", EMAIL_PORT=port):
                campaign = make_campaign(newsletter, sink_list, "email", "smtp", args.connections)
                ours, _mib, _sent = run_sender(campaign, email=SmtpTransport(args.connections))
            print(f"    e-mail: sender {ours:,.0f}/s vs bare smtplib {bare:,.0f}/s  ratio {ours / bare:.2f}")
        finally:
            smtp_sink.terminate()
        port = free_port()
        http_sink = start_sink("http", port)
        try:
            bare = bare_http(port, args.sink, BATCH)
            url = f"http://127.0.0.1:{port}/messages/v4/send-many"
            with override_settings(SOTONG_SMS_API_KEY="k", SOTONG_SMS_API_SECRET="s"):  # noqa: S106
                campaign = make_campaign(newsletter, sink_list, "sms", "http")
                ours, _mib, _sent = run_sender(campaign, sms=GatewaySmsTransport(url))
            print(
                f"    SMS:    sender {ours:,.0f}/s vs bare HTTP batches {bare:,.0f}/s  ratio {ours / bare:.2f}"
            )
        finally:
            http_sink.terminate()


if __name__ == "__main__":
    main()
