"""Re-clustering a year of cases (issue 6: "a year in under 20 minutes", 2.4 million cases a year):

1. in memory, at full size: 2.4 million synthetic unit vectors of 256 dimensions with planted topics
   (Zipf-sized, with noise), spread over 365 days, through `runs.cluster_period` — the computation a run
   does (k by size, mini-batch k-means, counts per day, c-TF-IDF keywords over a sample of nouns,
   matching to named topics). Printed beside one exact assignment pass over the same vectors (the floor
   any k-means needs), with the NMI against the planted topics and the memory it took;
2. through the database, at `--db-cases` (100,000 by default): cases and analyses inserted straight into
   the tables, named topics planted, then the real `runs.execute_run` (load by day, cluster, store the
   clusters, write the topics' cases), its load phase timed apart; the per-case database cost is then
   added to the in-memory figure to give the minutes for a year.

    .venv/bin/python bench/insights_clusters.py [--cases 2400000] [--db-cases 100000] [--topics 300]

SQLite by default (a fresh file); for PostgreSQL set DATABASE_URL to an empty database (`--cases 0`
skips the in-memory part).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

WORKDIR = tempfile.mkdtemp(prefix="clusters-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORKDIR}/bench.sqlite3")
os.environ.update(
    DEBUG="0", SOTONG_DEMO="1", SOTONG_VAR_DIR=WORKDIR, DJANGO_SETTINGS_MODULE="sotong.settings"
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from sklearn.metrics import normalized_mutual_info_score  # noqa: E402

from sotong.insights.clusters import engine, runs  # noqa: E402

DIMENSIONS = 256
DAYS = 365


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def planted(n: int, topics: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(vectors, topic of each row, topic centres): Zipf-sized topics, noise about as wide as the
    distance between topics (cosine to the own centre ≈ 0.6, as stored TF-IDF+SVD vectors of one topic)."""
    rng = np.random.default_rng(seed)
    centres = engine.unit(rng.standard_normal((topics, DIMENSIONS)).astype(np.float32))
    weights = 1 / np.arange(1, topics + 1) ** 0.8
    topic = rng.choice(topics, size=n, p=weights / weights.sum()).astype(np.int32)
    vectors = np.empty((n, DIMENSIONS), dtype=np.float32)
    for start in range(0, n, 200_000):
        end = min(n, start + 200_000)
        noise = rng.standard_normal((end - start, DIMENSIONS), dtype=np.float32) * np.float32(0.085)
        vectors[start:end] = engine.unit(centres[topic[start:end]] + noise)
    return vectors, topic, centres


def fake_nouns(topics: np.ndarray) -> object:
    """Nouns of a case: three words of its topic and two common ones (what c-TF-IDF must see through)."""

    def nouns(ids: list[int]) -> dict[int, list[str]]:
        return {i: [f"t{topics[i]}a", f"t{topics[i]}b", f"t{topics[i] % 7}c", "민원", "요청"] for i in ids}

    return nouns


def bench_memory(n: int, topics: int) -> dict[str, float]:
    print(f"in memory: {n:,} vectors × {DIMENSIONS}, {topics} planted topics, {DAYS} days")
    vectors, topic, centres = planted(n, topics)
    rng = np.random.default_rng(1)
    loaded = runs.Loaded(
        ids=np.arange(n, dtype=np.int64),
        stamps=np.zeros(n, dtype=np.int64),
        days=rng.integers(0, DAYS, n).astype(np.int32),
        vectors=vectors,
    )
    named = centres[:20]  # twenty named topics to match

    started = time.perf_counter()
    floor = (vectors @ centres.T[:, : engine.choose_k(n)]).argmax(axis=1) if n <= 3_000_000 else None
    one_pass = time.perf_counter() - started
    del floor

    base = rss_mib()
    tracemalloc.start()
    cpu = time.process_time()
    started = time.perf_counter()
    described = runs.cluster_period(loaded, DAYS, named, seed=0, nouns=fake_nouns(topic))  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    labels = np.empty(n, dtype=np.int32)
    for item in described:
        labels[item.members] = item.number
    sample = rng.choice(n, size=min(n, 200_000), replace=False)
    nmi = normalized_mutual_info_score(topic[sample], labels[sample])
    shuffled = normalized_mutual_info_score(topic[sample], rng.permutation(labels[sample]))
    matched = sum(1 for item in described if item.topic_position >= 0)
    print(
        f"  k = {len(described)}, clustering {elapsed:,.1f} s wall, {cpu:,.1f} s CPU: {n / elapsed:,.0f} cases/s"
    )
    print(
        f"  one exact assignment pass over the same vectors: {one_pass:,.1f} s (ratio {elapsed / one_pass:,.1f})"
    )
    print(
        f"  NMI against the planted topics {nmi:.3f} (shuffled labels {shuffled:.3f}); {matched} clusters matched a named topic"
    )
    print(
        f"  memory: vectors {vectors.nbytes / 2**20:,.0f} MiB; clustering peak {peak / 2**20:,.0f} MiB traced"
        f" ({peak / vectors.nbytes:.2f}× the vectors); process max RSS {rss_mib():,.0f} MiB (+{rss_mib() - base:,.0f})"
    )
    return {"seconds": elapsed, "n": n}


def bench_database(n: int, topics: int) -> dict[str, float]:
    from sotong.accounts.actions import create_department
    from sotong.accounts.models import DepartmentLevel
    from sotong.cases.models import Case
    from sotong.insights.models import CaseAnalysis
    from sotong.insights.models_clusters import ClusterRun, Topic, TopicAssignment

    print(f"\ndatabase ({os.environ['DATABASE_URL'].split(':')[0]}): {n:,} cases over {DAYS} days")
    call_command("migrate", verbosity=0)
    department = create_department(None, code="B9", name="벤치부서", level=DepartmentLevel.DIVISION)
    vectors, topic, centres = planted(n, topics, seed=2)
    last = date(2026, 6, 30)
    first = last - timedelta(days=DAYS - 1)
    start_at = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(hours=9)
    rng = np.random.default_rng(3)
    offsets = np.sort(rng.integers(0, DAYS * 86_400, n))
    started = time.perf_counter()
    for begin in range(0, n, 5_000):
        end = min(n, begin + 5_000)
        Case.objects.bulk_create(
            [
                Case(
                    pk=i + 1,
                    receipt_no=f"B{i:09d}",
                    kind="suggestion",
                    channel="web",
                    title="제목",
                    body="내용",
                    citizen_name="벤치",
                    intake_department=department,
                    received_at=start_at + timedelta(seconds=int(offsets[i])),
                )
                for i in range(begin, end)
            ]
        )
        CaseAnalysis.objects.bulk_create(
            [
                CaseAnalysis(
                    case_id=i + 1,
                    version=1,
                    morphemes="",
                    nouns=f"t{topic[i]}a t{topic[i]}b 민원 요청",
                    length=10,
                    sentences=1,
                    vector=vectors[i].tobytes(),
                    model_version="bench",
                )
                for i in range(begin, end)
            ]
        )
    print(f"  inserted in {time.perf_counter() - started:,.0f} s (set-up, not timed below)")
    for number in range(20):  # twenty named topics: about a third of the cases are theirs
        Topic.objects.create(name=f"주제 {number}", centroid=centres[number].tobytes(), model_version="bench")
    runs.current_model = lambda: SimpleNamespace(version="bench", svd=True)  # type: ignore[assignment]

    started = time.perf_counter()
    loaded = runs.load_period("bench", first, last)
    load = time.perf_counter() - started
    assert loaded.n == n, loaded.n
    del loaded

    run = ClusterRun.objects.create(first_day=first, last_day=last)
    started = time.perf_counter()
    run = runs.execute_run(run.pk)
    total = time.perf_counter() - started
    assert run.status == ClusterRun.Status.DONE, run.error
    written = TopicAssignment.objects.count()
    phases = run.parameters["seconds"]
    print("  phases (s): " + ", ".join(f"{name} {value:,.1f}" for name, value in phases.items()))
    print(f"  load_period: {load:,.1f} s, {n / load:,.0f} cases/s")
    print(
        f"  execute_run (load, cluster, store, {written:,} topic assignments): {total:,.1f} s, {n / total:,.0f} cases/s"
    )
    database = total - phases["partition"]  # everything but the k-means itself grows with the cases
    return {"load": load, "total": total, "n": n, "written": written, "database": database}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2_400_000)
    parser.add_argument("--db-cases", type=int, default=100_000)
    parser.add_argument("--topics", type=int, default=300)
    args = parser.parse_args()
    memory = bench_memory(args.cases, args.topics) if args.cases else None
    database = bench_database(args.db_cases, args.topics) if args.db_cases else None
    if memory is None:
        return
    print("\nyear (2.4 million cases):")
    per_case_db = database["database"] / database["n"] if database else 0.0
    if database:
        # Loading, describing (nouns), storing and writing the topics' cases grow linearly with the cases;
        # the k-means itself is taken from the full-size run in memory.
        print(
            f"  database work at {database['n']:,}: {per_case_db * 1e6:,.1f} µs a case (all but the k-means)"
        )
    year = memory["seconds"] * 2_400_000 / memory["n"] + per_case_db * 2_400_000
    print(
        f"  clustering at full size {memory['seconds'] / 60:,.1f} min + database work scaled "
        f"{per_case_db * 2_400_000 / 60:,.1f} min ≈ {year / 60:,.1f} min (target 20)"
    )


if __name__ == "__main__":
    main()
