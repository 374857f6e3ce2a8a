"""정책고객 일괄 등록 at scale: the real streamed import with deduplication vs a bare bulk insert.

For each size N (a fresh database each, in its own process so that peak memory is its own):

  1. write a CSV of N generated rows: Korean names (surname + given-name syllables), 성동구's 17 행정동,
     unique mobiles, e-mail for about half, 1% repeats of an earlier row's phone (duplicates inside the
     file), 0.5% invalid rows (bad phone, bad year), 1,000 people already registered (merge proposals);
  2. bare: read the same CSV and `bulk_create` the Person rows (encryption and blind indexes included,
     as the model does them; no validation, no dedup, no consent), in batches of 1,000; then emptied;
  3. real: the import as the office runs it (`people.import_jobs`, the bodies of the worker's two tasks):
     the file stored, the preview (column mapping, validation with Korean reasons, dedup inside the file
     through the on-disk key table and against the registry by one blind-index query per batch, the
     report as CSV lines and ImportJobRow rows), every proposal accepted, then the commit (the same
     checks again, Person + Consent + Membership rows, merges, Events, the report and the job's
     progress mark in each batch's transaction).

Prints rows/second of both, their ratio (aim: real, preview + commit, ≥ 0.25 × bare; the commit alone too), and the peak resident memory above
the process's baseline during each phase (sampled from /proc every 50 ms), which must stay flat as N grows.

    .venv/bin/python bench/people_import.py                       # 100,000 rows
    .venv/bin/python bench/people_import.py --rows 100000 1000000 # memory flat in the row count
    .venv/bin/python bench/people_import.py --memory --rows 10000 100000  # the import alone, fresh processes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sotong_bench .venv/bin/python bench/people_import.py

The PostgreSQL database must exist and be empty (it is migrated here, not dropped).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

HEADER = ["성명", "휴대폰", "이메일", "성별", "생년", "행정동", "직업", "가입일"]
OCCUPATIONS = ["회사원", "자영업", "주부", "학생", "교사", "공무원", "교수", "전문직", "무직", "기타"]
DOMAINS = ["naver.com", "daum.net", "gmail.com", "hanmail.net", "kakao.com"]
EXISTING = 1000


def _stage(text: str) -> None:
    """A line on stderr as each phase ends, so that a run of hours reports what it has measured so far."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakMemory:
    """Peak resident memory above the level at entry, sampled every 50 ms by a thread."""

    def __enter__(self) -> PeakMemory:
        self.base = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def mib(self) -> float:
        return (self.peak - self.base) / 2**20


def generate(path: str, count: int, seed: int = 7) -> None:
    """N rows; row i's phone is unique (a permutation), some rows repeat earlier phones or are invalid."""
    from sotong.cases.demo import DONGS, GIVEN, SURNAMES

    rng = random.Random(seed)  # noqa: S311 - generated data
    syllables = sorted({ch for name in GIVEN for ch in name})
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(count):
            name = rng.choice(SURNAMES) + rng.choice(syllables) + rng.choice(syllables)
            serial = (i * 7919 + 12345) % 90_000_000 + 10_000_000
            if i > 100 and rng.random() < 0.01:
                j = rng.randrange(i)
                serial = (j * 7919 + 12345) % 90_000_000 + 10_000_000
            phone = f"010-{serial // 10000:04d}-{serial % 10000:04d}"
            email = f"user{serial}@{rng.choice(DOMAINS)}" if rng.random() < 0.5 else ""
            year = str(rng.randint(1940, 2006))
            roll = rng.random()
            if roll < 0.0025:
                phone = phone[:-1]
            elif roll < 0.005:
                year = "19x0"
            writer.writerow(
                [
                    name,
                    phone,
                    email,
                    rng.choice("남여"),
                    year,
                    rng.choice(DONGS),
                    rng.choice(OCCUPATIONS),
                    f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                ]
            )


def setup(workdir: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.update(
        DEBUG="0",
        SOTONG_DEMO="1",
        SOTONG_VAR_DIR=workdir,
        SOTONG_SMS_BACKEND="locmem",
        SOTONG_EMAIL_BACKEND="locmem",
        DJANGO_SETTINGS_MODULE="sotong.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from sotong.accounts import demo as accounts_demo
    from sotong.core import demo as core_demo

    call_command("migrate", verbosity=0)
    core_demo.load()
    accounts_demo.load()


def _bare_rows(path: str) -> Iterator[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        yield from reader


def bare_insert(path: str) -> tuple[int, float, float]:
    """Person rows straight from the CSV with bulk_create (encrypting, indexing), no checks at all."""
    from django.db import connection, transaction

    from sotong.people.cleaning import email_index_for, phone_index_for
    from sotong.people.models import Person

    seen: set[str] = set()  # the bare path still needs unique phones: only the first occurrence goes in
    rows = 0
    with PeakMemory() as memory:
        start = time.perf_counter()
        batch: list[Person] = []
        for cells in _bare_rows(path):
            phone = cells[1].replace("-", "")
            if phone in seen or len(phone) != 11:
                continue
            seen.add(phone)
            batch.append(
                Person(
                    name=cells[0],
                    mobile=phone,
                    mobile_index=phone_index_for(phone),
                    email=cells[2],
                    email_index=email_index_for(cells[2]),
                    gender="M" if cells[3] == "남" else "F",
                    birth_year=int(cells[4]) if cells[4].isdigit() else None,
                    dong=cells[5],
                    occupation=cells[6],
                    source="staff",
                )
            )
            if len(batch) == 1000:
                with transaction.atomic():
                    Person.objects.bulk_create(batch)
                rows += len(batch)
                batch = []
        if batch:
            Person.objects.bulk_create(batch)
            rows += len(batch)
        elapsed = time.perf_counter() - start
    seen.clear()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_person")
    return rows, elapsed, memory.mib


def real_import(path: str, count: int) -> tuple[dict[str, int], float, float, float]:
    """The import as the office runs it: the file stored, the job started, the preview task's body, the
    staff's confirmation (every proposal merged), the commit task's body. Returns (counts, preview
    seconds, commit seconds, peak MiB over both)."""
    from sotong.accounts.models import User
    from sotong.people import actions, import_jobs
    from sotong.people.models import ImportJob, Person

    manager = User.objects.get(username="programme")
    # People already registered: the file's first phones, under other names (merge proposals).
    for i in range(min(EXISTING, count // 10)):
        serial = (i * 7919 + 12345) % 90_000_000 + 10_000_000
        actions.register_person(
            actions.SYSTEM, name="기존회원", mobile=f"010{serial:08d}", source="staff", dong="마장동"
        )
    before = Person.objects.count()
    options = {
        "source": "homepage",
        "purposes": ["e_sotong"],
        "channels": ["sms", "email"],
        "membership": "subscriber",
    }
    with PeakMemory() as memory:
        start = time.perf_counter()
        with open(path, "rb") as upload:
            token, _stored = import_jobs.store_upload(
                manager, iter(lambda: upload.read(1 << 20), b""), filename=os.path.basename(path)
            )
        job = import_jobs.start_import(
            manager, token, filename=os.path.basename(path), options=options, mapping={}
        )
        assert import_jobs.analyse(job.pk) == "previewed"
        previewed = time.perf_counter()
        _stage(f"preview of {count:,} rows: {previewed - start:.1f} s, peak so far +{memory.mib:.1f} MiB")
        job.refresh_from_db()
        import_jobs.confirm_import(manager, job, decisions={}, on_match="merge")
        assert import_jobs.commit(job.pk) == "done", ImportJob.objects.get(pk=job.pk).error
        done = time.perf_counter()
    job.refresh_from_db()
    created = Person.objects.count() - before
    assert created == job.counts["new"], (created, job.counts)
    return dict(job.counts), previewed - start, done - previewed, memory.mib


def child(count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sotong-bench-people-") as workdir:
        setup(workdir)
        from django.db import connection

        path = os.path.join(workdir, f"people_{count}.csv")
        start = time.perf_counter()
        generate(path, count)
        generated = time.perf_counter() - start
        _stage(f"generated {count:,} rows in {generated:.1f} s")
        bare_rows, bare_seconds, bare_mib = bare_insert(path)
        _stage(
            f"bare: {bare_rows:,} rows in {bare_seconds:.1f} s ({bare_rows / bare_seconds:,.0f}/s), +{bare_mib:.1f} MiB"
        )
        counts, preview_seconds, commit_seconds, real_mib = real_import(path, count)
        real_seconds = preview_seconds + commit_seconds
        return {
            "rows": count,
            "database": connection.vendor,
            "generate_seconds": round(generated, 1),
            "bare_rows": bare_rows,
            "bare_seconds": round(bare_seconds, 1),
            "bare_rows_per_second": round(bare_rows / bare_seconds),
            "bare_peak_mib": round(bare_mib, 1),
            "import_counts": counts,
            "import_seconds": round(real_seconds, 1),
            "preview_seconds": round(preview_seconds, 1),
            "commit_seconds": round(commit_seconds, 1),
            "commit_ratio": round((count / commit_seconds) / (bare_rows / bare_seconds), 2),
            "import_rows_per_second": round(count / real_seconds),
            "import_peak_mib": round(real_mib, 1),
            "ratio": round((count / real_seconds) / (bare_rows / bare_seconds), 2),
        }


def memory_child(count: int) -> dict[str, Any]:
    """The import alone in a fresh process: its peak is not hidden in memory the bare insert made resident."""
    with tempfile.TemporaryDirectory(prefix="sotong-bench-people-") as workdir:
        setup(workdir)
        path = os.path.join(workdir, f"people_{count}.csv")
        generate(path, count)
        counts, preview_seconds, commit_seconds, real_mib = real_import(path, count)
        return {"rows": count, "import_peak_mib": round(real_mib, 1), "import_counts": counts}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--memory", action="store_true", help="only the import's peak memory, each size in a fresh process"
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child)))
        return
    if args.memory:
        for count in args.rows:
            done = subprocess.run(  # noqa: S603 - this script, with a number
                [sys.executable, __file__, "--memory-child", str(count)],
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"{count:>9,} rows: import alone peak +{result['import_peak_mib']} MiB | {result['import_counts']}"
            )
        return
    results = []
    for count in args.rows:
        done = subprocess.run(  # noqa: S603 - this script, with a number
            [sys.executable, __file__, "--child", str(count)], stdout=subprocess.PIPE, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(done.returncode)  # its traceback went to stderr
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{result['rows']:>9,} rows on {result['database']}: "
            f"import {result['import_rows_per_second']:,}/s (preview {result['preview_seconds']} s + commit "
            f"{result['commit_seconds']} s, "
            f"peak +{result['import_peak_mib']} MiB) | bare bulk insert {result['bare_rows_per_second']:,}/s "
            f"({result['bare_seconds']} s, peak +{result['bare_peak_mib']} MiB) | ratio {result['ratio']} "
            f"(aim ≥ 0.25; commit alone {result['commit_ratio']}) | {result['import_counts']}"
        )
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "people_import.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(
            f"memory: {small['rows']:,} rows +{small['import_peak_mib']} MiB, {large['rows']:,} rows "
            f"+{large['import_peak_mib']} MiB (×{large['rows'] / small['rows']:.0f} rows)"
        )


if __name__ == "__main__":
    main()
