"""Korean full-text search over cases at scale: the trigram index against the old `icontains` scan.

N cases are generated with the queue benchmark's generator (bench/cases_intake.py), then every title and
body is rewritten with varied Korean complaint text through UPDATE (so the SQLite triggers index it as
the application would). Then the coordinator's search page is timed for several kinds of query, the
first page of 20 rows and the count, with `search` (cases/search.py) and with the old per-word
`icontains` filter over title, body and receipt number; both must return the same rows.

    .venv/bin/python bench/cases_search.py [--cases N] [--repeat R]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sotong_bench .venv/bin/python bench/cases_search.py

The PostgreSQL database must exist and be empty (it is migrated here, not dropped).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases_intake import PAGE, generate, measure, setup  # noqa: E402

SUBJECTS = [
    "가로등",
    "신호등",
    "보도블록",
    "하수구",
    "맨홀 뚜껑",
    "버스정류장",
    "놀이터",
    "공원 벤치",
    "쓰레기",
    "음식물 쓰레기",
    "불법 주차",
    "공사장 소음",
    "악취",
    "횡단보도",
    "자전거 도로",
    "가로수",
    "방범 카메라",
    "공중화장실",
    "재활용품",
    "현수막",
]
PARTICLES = ["이", "가", "을", "를", "에", "의", "은", "는", "도", ""]
PLACES = ["행당동", "성수동", "왕십리", "금호동", "옥수동", "마장동", "사근동", "송정동", "용답동", "응봉동"]
PREDICATES = [
    "고장났어요",
    "부서졌습니다",
    "설치해 주세요",
    "너무 시끄럽습니다",
    "정비가 필요합니다",
    "위험해 보입니다",
    "매일 반복됩니다",
    "확인 부탁드립니다",
    "냄새가 심합니다",
    "밤에 어둡습니다",
]
RARE = "무지개다리"  # in one case of 2,000


def sentence(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    return f"{rng.choice(PLACES)} {subject}{rng.choice(PARTICLES)} {rng.choice(PREDICATES)}."


def rewrite_texts(seed: int = 11) -> None:
    """Every case gets a title and a 4–8 sentence body of varied Korean text (UPDATE, triggers fire)."""
    from django.db import connection, transaction

    from sotong.cases.models import Case

    rng = random.Random(seed)  # noqa: S311 - benchmark data
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    start = time.perf_counter()
    for offset in range(0, len(ids), 5000):
        rows = []
        for pk in ids[offset : offset + 5000]:
            title = f"{rng.choice(SUBJECTS)} {rng.choice(PREDICATES)}"
            body = " ".join(sentence(rng) for _ in range(rng.randint(4, 8)))
            if pk % 2000 == 0:
                body += f" {RARE} 근처입니다."
            rows.append((title, body, pk))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany("UPDATE cases_case SET title = %s, body = %s WHERE id = %s", rows)
        print(f"  rewritten {offset + len(rows):,} cases", end="\r", flush=True)
    print(f"\n  text rewrite: {time.perf_counter() - start:.0f} s")


def old_search(cases: Any, text: str) -> Any:
    """The search before the trigram index: icontains per word over title, body and receipt number."""
    from django.db.models import Q

    for word in text.split()[:8]:
        cases = cases.filter(
            Q(title__icontains=word) | Q(body__icontains=word) | Q(receipt_no__icontains=word)
        )
    return cases


def index_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_size_pretty(pg_relation_size('cases_case_text_trgm')), "
                "pg_size_pretty(pg_table_size('cases_case'))"
            )
            index, table = cursor.fetchone()
            return f"trigram index {index}, cases_case table {table}"
        cursor.execute("PRAGMA page_size")
        (page_size,) = cursor.fetchone()
        try:
            cursor.execute(
                "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'cases_case_fts%' "
                "OR name = 'cases_case' GROUP BY name"
            )
        except Exception:  # noqa: BLE001 - dbstat is a compile-time option
            cursor.execute("PRAGMA page_count")
            return f"database file {cursor.fetchone()[0] * page_size / 2**20:.0f} MiB (no dbstat)"
        sizes = dict(cursor.fetchall())
        fts = sum(size for name, size in sizes.items() if name.startswith("cases_case_fts"))
        return (
            f"FTS5 index {fts / 2**20:.0f} MiB, cases_case table {sizes.get('cases_case', 0) / 2**20:.0f} MiB"
        )


def bench_search(total: int, repeat: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from sotong.accounts.models import User
    from sotong.cases.models import Case
    from sotong.cases.queues import scoped_cases, search
    from sotong.cases.receipt import format_receipt_no

    start = time.perf_counter()
    generate(total)
    print(f"  generation: {Case.objects.count():,} cases in {time.perf_counter() - start:.0f} s")
    rewrite_texts()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  {index_size()}")
    # A receipt number of the real shape (the generator writes G0000000001-style placeholders).
    sample = Case.objects.order_by("pk")[total // 3]
    Case.objects.filter(pk=sample.pk).update(receipt_no=format_receipt_no(timezone.now(), 4271))
    sample.refresh_from_db()
    receipt_digits = sample.receipt_no.replace("-", "")
    queries = {
        "rare word (무지개다리)": RARE,
        "common word (가로등)": "가로등",
        "two words (가로등 성수동)": "가로등 성수동",
        "verb (고장났어요)": "고장났어요",
        "short word (주차)": "주차",
        "long + short (무지개다리 주차)": f"{RARE} 주차",
        "no match (없는단어입니다)": "없는단어입니다",
        "receipt number": sample.receipt_no,
        "receipt, no hyphens": receipt_digits,
    }
    coordinator = User.objects.get(username="coordinator")
    for label, text in queries.items():

        def page(fn: Any, text: str = text) -> tuple[int, list[int]]:
            coordinator.forget_roles()
            cases = fn(scoped_cases(coordinator), text).select_related(
                "handling_department", "intake_department", "officer"
            )
            return cases.count(), [case.pk for case in cases[:PAGE]]

        new, old = page(search), page(old_search)
        # The old search found a receipt number only as written; the new one also finds it without hyphens.
        if not label.startswith("receipt, no hyphens"):
            assert new == old, (label, new[0], old[0])
        print(f" {label}: {new[0]:,} matches")
        measure("search (trigram index)", lambda fn=search: page(fn), repeat)
        measure("old icontains scan", lambda fn=old_search: page(fn), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases generated")
    parser.add_argument("--repeat", type=int, default=5, help="measurements per query")
    args = parser.parse_args()
    django = setup(tempfile.mkdtemp(prefix="sotong-bench-"))
    from django.db import connection

    print(f"database: {connection.vendor}; search: {args.cases:,} cases (count + first {PAGE} rows)")
    bench_search(args.cases, args.repeat)
    del django


if __name__ == "__main__":
    main()
