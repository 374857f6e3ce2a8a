"""Case intake throughput and the department queue at scale.

Two parts, on a fresh SQLite file database (or DATABASE_URL when set, e.g. PostgreSQL):

intake — N cases submitted by citizens through the real `submit_case` (validation, receipt number,
         deadline from the business calendar, encryption and blind index of the contact, Event, SMS
         receipt notice in the outbox with its delivery task), each in its own transaction as a web
         request would, and the same rows written by a bare single-row INSERT of prepared parameters,
         also one transaction per row (the like-for-like baseline: a request cannot batch), the two
         interleaved in blocks of 50 so that load from elsewhere falls on both alike. Then, for
         reference, submit_case with all rows in one transaction, and the same rows by `bulk_create` in
         batches and by one `executemany`. Prints cases per second and the ratios real/bare.
queue  — M cases generated directly with `bulk_create` (one open handling assignment each, some
         cooperating assignments, progress reports, avoidance requests) across the demo departments, then
         the handler's queue page: the list query of each queue (first page, 20 rows, related rows joined)
         and `queue_counts` (one aggregate). Prints p50/p95 latency and the number of queries.

    .venv/bin/python bench/cases_intake.py [--intake N] [--queue-cases M] [--repeat R]
    .venv/bin/python bench/cases_intake.py --queue-cases 1000000      # the issue's 1 million cases
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sotong_bench .venv/bin/python bench/cases_intake.py

The PostgreSQL database must exist and be empty (it is migrated here, not dropped).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

PAGE = 20


def setup(workdir: str) -> Any:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.update(
        SOTONG_DEMO="1",
        DEBUG="0",
        SOTONG_VAR_DIR=workdir,
        SOTONG_SMS_BACKEND="locmem",
        SOTONG_EMAIL_BACKEND="locmem",
        DJANGO_SETTINGS_MODULE="sotong.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from sotong.accounts import demo as accounts_demo
    from sotong.accounts.models import Department
    from sotong.core import demo as core_demo

    call_command("migrate", verbosity=0)
    if not Department.objects.exists():  # a database kept with --workdir has them already
        core_demo.load()
        accounts_demo.load()
    return django


# --- intake -------------------------------------------------------------------------------------------


def bench_intake(count: int) -> dict[str, float]:
    from django.db import connection, transaction
    from django.utils import timezone

    from sotong.accounts.models import Department
    from sotong.cases.actions import CITIZEN, submit_case
    from sotong.cases.models import Case, CaseKind, Channel
    from sotong.cases.workflow import statutory_period
    from sotong.core.business_calendar import business_calendar
    from sotong.core.crypto import email_index_for, phone_index_for

    intake = Department.objects.get(code="D102")
    consent = {
        "purpose": "민원 처리",
        "items": "이름, 휴대전화",
        "retention": "10년",
        "required": True,
        "agreed": True,
    }
    rows = [
        {
            "kind": CaseKind.SUGGESTION,
            "channel": Channel.WEB if i % 2 else Channel.MOBILE,
            "title": f"골목길 쓰레기 무단투기 단속 요청 {i}",
            "body": "행당동 골목에 쓰레기가 매일 버려집니다. 단속 카메라를 설치해 주세요. " * 3,
            "citizen_name": "홍길동",
            "citizen_phone": f"010-{2000 + i // 10000:04d}-{i % 10000:04d}",
            "category": "cleaning",
            "dong": "행당1동",
        }
        for i in range(count)
    ]

    def submit_one(row: dict[str, Any]) -> None:
        submit_case(actor=CITIZEN, intake_department=intake, notify_sms=True, consents=[consent], **row)

    # The same rows, as model instances with every value the real path computes (deadline, indexes).
    now = timezone.now()
    deadline = business_calendar().deadline(now, statutory_period(CaseKind.SUGGESTION))

    def instances(prefix: str) -> list[Case]:
        return [
            Case(
                receipt_no=f"{prefix}{i:09d}",
                intake_department=intake,
                received_at=now,
                period_days=14,
                original_deadline_at=deadline,
                deadline_at=deadline,
                phone_index=phone_index_for(row["citizen_phone"].replace("-", "")),
                email_index=email_index_for(""),
                notify_sms=True,
                consents=[consent],
                **row,
            )
            for i, row in enumerate(rows)
        ]

    # Prepared parameters of a plain INSERT: the database's own cost (encryption done beforehand).
    fields = [f for f in Case._meta.local_concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    # Table and column names come from the model; the values go as parameters.
    columns, marks = ", ".join(quote(f.column or f.name) for f in fields), ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(Case._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608

    def prepared(prefix: str) -> list[list[Any]]:
        return [
            [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
            for obj in instances(prefix)
        ]

    # Every row a submission writes, as bare statements of prepared parameters: the receipt counter,
    # the case, its Event, the outbox message, the message's Event and its delivery task (the real path
    # writes these six; `submit_case` adds validation, the deadline, encryption and the notice text).
    from uuid import uuid4

    from django.contrib.contenttypes.models import ContentType
    from django_tasks_db.models import DBTaskResult, get_date_max

    from sotong.cases.receipt import _next_serial_sql
    from sotong.core.db.inserts import _statement
    from sotong.core.models import Event
    from sotong.messaging.models import Message

    def bare(obj: Any) -> tuple[str, list[Any]]:
        statement = _statement(type(obj), "default", None)
        values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in statement.fields]
        return statement.sql, values

    case_type = ContentType.objects.get_for_model(Case)
    message_type = ContentType.objects.get_for_model(Message)

    def every_row(prefix: str) -> list[list[tuple[str, list[Any]]]]:
        out = []
        for i, obj in enumerate(instances(prefix)):
            message_id = uuid4()
            out.append(
                [
                    (_next_serial_sql(), [1999]),  # another year's counter: the same statement
                    bare(obj),
                    bare(
                        Event(
                            actor_label="citizen",
                            verb="cases.submitted",
                            target_type=case_type,
                            target_id=str(i),
                            target_label=obj.title[:200],
                            after={"receipt_no": obj.receipt_no, "kind": obj.kind, "channel": obj.channel},
                        )
                    ),
                    bare(
                        Message(
                            id=message_id,
                            channel="sms",
                            recipient=obj.citizen_phone,
                            body_text="[성동구] 민원 접수 안내",
                            purpose="cases.receipt",
                            about_type="cases.case",
                            about_id=str(i),
                            idempotency_key=f"{prefix}:{i}",
                        )
                    ),
                    bare(
                        Event(
                            actor_label="citizen",
                            verb="messaging.queued",
                            target_type=message_type,
                            target_id=str(message_id),
                            target_label="SMS",
                            after={"channel": "sms", "purpose": "cases.receipt"},
                        )
                    ),
                    bare(
                        DBTaskResult(
                            id=uuid4(),
                            args_kwargs={"args": [str(message_id)], "kwargs": {}},
                            task_path="sotong.messaging.tasks.deliver_message",
                            queue_name="default",
                            backend_name="default",
                            priority=0,
                            run_after=get_date_max(),
                        )
                    ),
                ]
            )
        return out

    every_params = every_row("A")

    # Like for like, interleaved in blocks so that load from other processes hits both alike:
    # submit_case in its own transaction (one web request) and a bare single-row INSERT of the same row
    # in its own transaction (BEGIN, INSERT, COMMIT: what a request that only stored the row would do).
    single_params = prepared("S")
    for row, params in zip(rows[:20], prepared("W")[:20], strict=True):  # warm up both paths
        submit_one({**row, "title": row["title"] + " (준비)"})
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    real_seconds = single_seconds = every_seconds = 0.0
    block = 50
    for first in range(0, count, block):
        start = time.perf_counter()
        for row in rows[first : first + block]:
            submit_one(row)
        real_seconds += time.perf_counter() - start
        start = time.perf_counter()
        for params in single_params[first : first + block]:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
        single_seconds += time.perf_counter() - start
        start = time.perf_counter()
        for statements in every_params[first : first + block]:
            with transaction.atomic(), connection.cursor() as cursor:
                for statement, params in statements:
                    cursor.execute(statement, params)
        every_seconds += time.perf_counter() - start

    # submit_case with many cases in one transaction (an import): the commit is shared.
    one_tx_rows = [{**row, "title": row["title"] + " (일괄)"} for row in rows[: count // 2]]
    start = time.perf_counter()
    with transaction.atomic():
        for row in one_tx_rows:
            submit_one(row)
    real_one_tx = len(one_tx_rows) / (time.perf_counter() - start)

    bulk_rows = instances("B")
    start = time.perf_counter()
    with transaction.atomic():
        Case.objects.bulk_create(bulk_rows, batch_size=500)
    bulk = count / (time.perf_counter() - start)

    many_params = prepared("M")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, many_params)
    many = count / (time.perf_counter() - start)
    return {
        "real": count / real_seconds,
        "single": count / single_seconds,
        "every": count / every_seconds,
        "real_one_tx": real_one_tx,
        "bulk": bulk,
        "executemany": many,
    }


# --- queue at scale -----------------------------------------------------------------------------------


def _shapes() -> dict[str, Any]:
    """What both generators draw from: the divisions, the intake office, the handler, and the mixes of
    kind, channel and status (12 of 16 closed, 2 answered, 2 open)."""
    from django.utils import timezone

    from sotong.accounts.models import Department, DepartmentLevel, User
    from sotong.cases.models import CaseKind, CaseStatus, Channel

    return {
        "divisions": list(Department.objects.filter(level=DepartmentLevel.DIVISION).order_by("code")),
        "intake": Department.objects.get(code="D102"),
        "handler": User.objects.get(username="handler"),
        "now": timezone.now(),
        "kinds": [
            CaseKind.SUGGESTION,
            CaseKind.OTHER,
            CaseKind.INQUIRY_PROCEDURE,
            CaseKind.GRIEVANCE,
            CaseKind.PROPOSAL,
        ],
        "channels": [Channel.WEB, Channel.MOBILE, Channel.PHONE, Channel.EPEOPLE, Channel.MAYOR_DIALOGUE],
        "statuses": (
            [CaseStatus.CLOSED] * 12
            + [CaseStatus.ANSWERED] * 2
            + [CaseStatus.IN_PROGRESS, CaseStatus.ASSIGNED]
        ),
    }


def generate(total: int, seed: int = 7) -> None:
    """`total` cases straight into the tables, with the shapes the queues look at."""
    from django.db import transaction

    from sotong.cases.models import (
        AssignmentRole,
        AvoidanceRequest,
        Case,
        CaseAssignment,
        CaseKind,
        CaseStatus,
        ProgressReport,
        ReportStatus,
    )

    rng = random.Random(seed)  # noqa: S311 - benchmark data
    shapes = _shapes()
    divisions, intake, handler, now = shapes["divisions"], shapes["intake"], shapes["handler"], shapes["now"]
    kinds, channels, statuses = shapes["kinds"], shapes["channels"], shapes["statuses"]
    batch = 5000
    made = Case.objects.count()
    sanitation = next(d for d in divisions if d.code == "D151")
    while made < total:
        size = min(batch, total - made)
        cases = []
        for i in range(made, made + size):
            received: datetime = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
            status = CaseStatus.RECEIVED if i % 200 == 0 else rng.choice(statuses)
            division = None if status == CaseStatus.RECEIVED else rng.choice(divisions)
            cases.append(
                Case(
                    receipt_no=f"G{i:010d}",
                    kind=rng.choice(kinds),
                    channel=rng.choice(channels),
                    title=f"민원 제목 {i} 쓰레기 주차 소음",
                    body="본문",
                    category="cleaning",
                    dong="행당1동",
                    status=status,
                    citizen_name="홍길동",
                    intake_department=intake,
                    handling_department=division,
                    officer=handler if division == sanitation and i % 3 == 0 else None,
                    received_at=received,
                    deadline_at=received + timedelta(days=rng.randrange(1, 30)),
                    is_ping_pong=i % 997 == 0,
                )
            )
        with transaction.atomic():
            created = Case.objects.bulk_create(cases, batch_size=1000)
            assignments, reports, avoidances = [], [], []
            for case in created:
                if case.handling_department_id is None:
                    continue
                assignments.append(
                    CaseAssignment(
                        case=case, department=case.handling_department, role=AssignmentRole.HANDLING
                    )
                )
                if case.pk % 50 == 0:
                    assignments.append(
                        CaseAssignment(
                            case=case, department=rng.choice(divisions), role=AssignmentRole.COOPERATING
                        )
                    )
                if case.kind == CaseKind.PROPOSAL and case.status in (
                    CaseStatus.ASSIGNED,
                    CaseStatus.IN_PROGRESS,
                ):
                    reports.append(
                        ProgressReport(
                            case=case,
                            department=case.handling_department,
                            status=rng.choice(
                                [ReportStatus.REQUESTED, ReportStatus.MISSED, ReportStatus.APPROVED]
                            ),
                            due_at=case.received_at + timedelta(days=9),
                        )
                    )
                if case.pk % 1009 == 0 and case.status in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS):
                    avoidances.append(
                        AvoidanceRequest(
                            case=case,
                            department=case.handling_department,
                            reason="소관 아님",
                            requested_by=handler,
                        )
                    )
            CaseAssignment.objects.bulk_create(assignments, batch_size=1000)
            ProgressReport.objects.bulk_create(reports, batch_size=1000)
            AvoidanceRequest.objects.bulk_create(avoidances, batch_size=1000)
        made += size
        print(f"  generated {made:,} cases", end="\r", flush=True)
    print()


def _insert_select(
    model: Any, template: Any, overrides: dict[str, str], source: str, params: list[Any]
) -> int:
    """INSERT INTO model's table SELECT ... FROM `source`: every column from `template` (a parameter)
    except those in `overrides` (SQL expressions over `source`). Returns the number of rows."""
    from django.db import connection

    from sotong.core.db.inserts import _statement

    fields = _statement(type(template), "default", None).fields
    quote = connection.ops.quote_name
    values: list[Any] = []
    exprs = []
    for field in fields:
        if field.column in overrides:
            exprs.append(overrides[field.column])
        else:
            exprs.append("%s")
            values.append(field.get_db_prep_save(field.pre_save(template, True), connection))
    columns = ", ".join(quote(field.column) for field in fields)
    # Names come from the models; the values go as parameters.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {', '.join(exprs)} FROM {source}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *params])
        return cursor.rowcount


def generate_postgres(total: int) -> None:
    """The same shapes as `generate`, made by the server (INSERT ... SELECT over generate_series):
    a million cases in minutes instead of half an hour of bulk_create."""
    from django.db import connection, transaction

    from sotong.accounts.models import Department
    from sotong.cases.models import (
        AssignmentRole,
        AvoidanceRequest,
        Case,
        CaseAssignment,
        CaseKind,
        CaseStatus,
        Channel,
        ProgressReport,
        ReportStatus,
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.7)")
    shapes = _shapes()
    divisions = [division.pk for division in shapes["divisions"]]
    intake, handler, now = shapes["intake"], shapes["handler"], shapes["now"]
    sanitation = Department.objects.get(code="D151").pk
    kinds, channels, statuses = shapes["kinds"], shapes["channels"], shapes["statuses"]
    template = Case(
        receipt_no="G",
        kind=CaseKind.SUGGESTION,
        channel=Channel.WEB,
        title="",
        body="본문",
        category="cleaning",
        dong="행당1동",
        citizen_name="홍길동",
        intake_department=intake,
        received_at=now,
        deadline_at=now,
    )
    made = Case.objects.count()
    if made >= total:
        return  # a database kept from an earlier run: its cases and their rows are all there
    step = 100_000
    while made < total:
        last = min(total, made + step) - 1
        source = """(
            SELECT i, kind, channel, status, received, days,
                   CASE WHEN status = 'received' THEN NULL ELSE division END AS division
            FROM (
                SELECT i,
                       (%s::text[])[1 + floor(random() * 5)::int] AS kind,
                       (%s::text[])[1 + floor(random() * 5)::int] AS channel,
                       CASE WHEN i %% 200 = 0 THEN 'received'
                            ELSE (%s::text[])[1 + floor(random() * 16)::int] END AS status,
                       %s::timestamptz - floor(random() * 525600) * interval '1 minute' AS received,
                       1 + floor(random() * 29)::int AS days,
                       (%s::bigint[])[1 + floor(random() * %s)::int] AS division
                FROM generate_series(%s, %s) AS i
            ) AS drawn
        ) AS g"""
        overrides = {
            "receipt_no": "'G' || lpad(i::text, 10, '0')",
            "kind": "kind",
            "channel": "channel",
            "status": "status",
            "title": "'민원 제목 ' || i || ' 쓰레기 주차 소음'",
            "handling_department_id": "division",
            "officer_id": f"CASE WHEN division = {int(sanitation)} AND i %% 3 = 0 THEN {int(handler.pk)} END",
            "received_at": "received",
            "created_at": "received",
            "deadline_at": "received + days * interval '1 day'",
            "original_deadline_at": "received + days * interval '1 day'",
            "is_ping_pong": "i %% 997 = 0",
        }
        params = [
            [str(k) for k in kinds],
            [str(c) for c in channels],
            [str(x) for x in statuses],
            now,
            divisions,
            len(divisions),
            made,
            last,
        ]
        with transaction.atomic():
            _insert_select(Case, template, overrides, source, params)
        made = last + 1
        print(f"  generated {made:,} cases", end="\r", flush=True)
    print()
    division_array = "ARRAY[" + ",".join(str(int(pk)) for pk in divisions) + "]::bigint[]"
    generated = "cases_case c WHERE c.receipt_no LIKE 'G%%' AND c.handling_department_id IS NOT NULL"
    open_cases = f" AND c.status IN ('{CaseStatus.ASSIGNED}', '{CaseStatus.IN_PROGRESS}')"
    case = Case.objects.filter(receipt_no__startswith="G").first()
    with transaction.atomic():
        _insert_select(
            CaseAssignment,
            CaseAssignment(case=case, department=intake, role=AssignmentRole.HANDLING),
            {"case_id": "c.id", "department_id": "c.handling_department_id"},
            generated,
            [],
        )
        _insert_select(
            CaseAssignment,
            CaseAssignment(case=case, department=intake, role=AssignmentRole.COOPERATING),
            {
                "case_id": "c.id",
                "department_id": f"({division_array})[1 + floor(random() * {len(divisions)})::int]",
            },
            generated + " AND c.id %% 50 = 0",
            [],
        )
        report_statuses = (
            "ARRAY['"
            + "','".join(str(x) for x in (ReportStatus.REQUESTED, ReportStatus.MISSED, ReportStatus.APPROVED))
            + "']"
        )
        _insert_select(
            ProgressReport,
            ProgressReport(case=case, department=intake, due_at=now),
            {
                "case_id": "c.id",
                "department_id": "c.handling_department_id",
                "status": f"({report_statuses})[1 + floor(random() * 3)::int]",
                "due_at": "c.received_at + interval '9 days'",
            },
            generated + f" AND c.kind = '{CaseKind.PROPOSAL}'" + open_cases,
            [],
        )
        _insert_select(
            AvoidanceRequest,
            AvoidanceRequest(case=case, department=intake, reason="소관 아님", requested_by=handler),
            {"case_id": "c.id", "department_id": "c.handling_department_id"},
            generated + " AND c.id %% 1009 = 0" + open_cases,
            [],
        )
    print("  assignments, reports and avoidance requests made")


def measure(label: str, func: Any, repeat: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    func()  # warm the caches (and the database's)
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            func()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured.captured_queries)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"  {label:34s} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   queries {queries}")
    return p50, p95, queries


def bench_queue(total: int, repeat: int) -> dict[str, tuple[float, float, int]]:
    from django.db import connection
    from django.utils import timezone

    from sotong.accounts.models import User
    from sotong.cases.models import Case
    from sotong.cases.queues import Queue, queue, queue_counts

    start = time.perf_counter()
    if connection.vendor == "postgresql":
        generate_postgres(total)
    else:
        generate(total)
    with connection.cursor() as cursor:
        # Planner statistics after the bulk load, as autovacuum would gather them; on PostgreSQL also
        # the visibility map that lets index-only scans skip the table (autovacuum sets it after inserts).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"  generation: {Case.objects.count():,} cases in {time.perf_counter() - start:.0f} s")
    results = {}
    for username in ("handler", "coordinator"):
        user = User.objects.get(username=username)
        print(f" {username}:")
        for name in (Queue.NEW, Queue.DUE_SOON, Queue.OVERDUE, Queue.REPORT_REQUESTED, Queue.UNREPORTED):

            def page(name: str = name, user: Any = user) -> None:
                user.forget_roles()
                rows = list(queue(user, name, now=timezone.now())[:PAGE])
                for case in rows:
                    _ = (case.handling_department, case.intake_department, case.officer)

            results[f"{username}:{name}"] = measure(f"list {name} (first {PAGE})", page, repeat)

        def counts(user: Any = user) -> None:
            user.forget_roles()
            queue_counts(user)

        results[f"{username}:counts"] = measure("queue_counts (8 queues)", counts, repeat)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intake", type=int, default=2000, help="cases submitted through submit_case")
    parser.add_argument("--queue-cases", type=int, default=100_000, help="cases generated for the queue part")
    parser.add_argument("--repeat", type=int, default=30, help="measurements per queue query")
    parser.add_argument(
        "--workdir",
        help="keep the SQLite database here and reuse it (generation resumes; for repeated queue runs)",
    )
    args = parser.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="sotong-bench-")
    os.makedirs(workdir, exist_ok=True)
    django = setup(workdir)
    from django.db import connection

    print(f"database: {connection.vendor}")
    if args.intake:
        rates = bench_intake(args.intake)
        print(f"intake: {args.intake} cases")
        print(f"  submit_case, own transaction each  {rates['real']:10,.0f} cases/s")
        print(f"  bare INSERT, own transaction each  {rates['single']:10,.0f} cases/s")
        print(f"  bare INSERTs of all 6 rows, own tx {rates['every']:10,.0f} cases/s")
        print(f"  submit_case, all in one transaction{rates['real_one_tx']:10,.0f} cases/s")
        print(f"  bare bulk_create (batches of 500)  {rates['bulk']:10,.0f} cases/s")
        print(f"  bare executemany (one transaction) {rates['executemany']:10,.0f} cases/s")
        print(
            f"  ratio submit_case / bare INSERT, transaction each (like for like) {rates['real'] / rates['single']:.3f}"
        )
        print(
            f"  ratio submit_case / bare INSERTs of the same 6 rows, tx each  {rates['real'] / rates['every']:.3f}"
        )
        print(
            f"  ratio submit_case / bulk_create                                   {rates['real'] / rates['bulk']:.3f}"
        )
        print(
            f"  ratio submit_case / executemany                                   {rates['real'] / rates['executemany']:.3f}"
        )
    if args.queue_cases:
        print(f"queue: {args.queue_cases:,} cases")
        bench_queue(args.queue_cases, args.repeat)
    del django


if __name__ == "__main__":
    main()
