"""The insights text pipeline at scale, each figure beside its reference in the same run:

* analysis throughput on generated complaints of about 650 characters: the pipeline (`analyse_many`:
  contact scrubbing, Kiwi, content morphemes, nouns, keywords) against Kiwi's bare `tokenize` (the
  issue's yardstick, "about 100,000 characters a second") with one thread and with two, and Kiwi with
  the typo option; wall time and CPU time (on a shared machine CPU time is the steadier of the two);
* vectorising (TF-IDF + SVD from stored morphemes); the vectors written as `CaseAnalysis` rows and read
  back by `pipeline.stored_vectors` (the database half of every rebuild), then the usearch graph build;
* similar-case query latency (p50/p95) and recall@10 of the graph against exact search (numpy), the
  sparse re-ranking of the candidates that `similar.search` adds (against scikit-learn's own transform),
  and the first re-rank of a freshly loaded model, cold and after the load-time warm-up;
* index memory against the plain float32 matrix exact search needs.

Documents are generated from ../shared/data/petition_titles.csv: each is a few titles of one category
(a topic, as real complaints cluster), as morphemes. The database is a temporary SQLite file, or the one
in DATABASE_URL (PostgreSQL: an empty database; it is migrated here, not dropped).

    .venv/bin/python bench/insights.py [--cases 100000] [--queries 500] [--analyse 400]
"""

from __future__ import annotations

import argparse
import csv
import os
import pickle
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.preprocessing import normalize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data" / "petition_titles.csv"

WORKDIR = tempfile.mkdtemp(prefix="insights-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORKDIR}/bench.sqlite3")
os.environ.update(
    DEBUG="0", SOTONG_DEMO="1", SOTONG_VAR_DIR=WORKDIR, DJANGO_SETTINGS_MODULE="sotong.settings"
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from sotong.insights import index, pipeline  # noqa: E402
from sotong.insights.index import CANDIDATES  # noqa: E402
from sotong.insights.models import CaseAnalysis  # noqa: E402
from sotong.insights.representation import Representation, fit  # noqa: E402
from sotong.insights.text import analyse_many, kiwi  # noqa: E402

CONNECTORS = ["그리고 ", "또한 ", "특히 ", "게다가 ", "그래서 ", ""]


def titles_by_category() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    with DATA.open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["title"].strip():
                found[row["category"]].append(row["title"].strip())
    return found


def complaint(rng: random.Random, titles: list[str], length: int = 650) -> str:
    """About `length` characters of Korean complaint text on one topic."""
    parts = [f"{rng.choice(titles)}에 관한 민원입니다."]
    while sum(map(len, parts)) < length:
        parts.append(f"{rng.choice(CONNECTORS)}{rng.choice(titles)} 문제를 해결해 주시기 바랍니다.")
    return " ".join(parts)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process's threads) of one call."""
    cpu, start = _cpu(), time.perf_counter()
    work()
    return time.perf_counter() - start, _cpu() - cpu


def bench_analysis(rng: random.Random, topics: dict[str, list[str]], count: int) -> None:
    """Kiwi alone against the pipeline on the same texts, with one Kiwi thread and with two; CPU time
    is reported beside wall time, since on a shared machine wall time says more about the neighbours."""
    from kiwipiepy import Kiwi

    texts = [complaint(rng, topics[rng.choice(list(topics))]) for _ in range(count)]
    chars = sum(map(len, texts))
    one, two = Kiwi(num_workers=1), kiwi()  # the pipeline's Kiwi: num_workers=-1, both cores
    for analyser in (one, two):
        list(analyser.tokenize(texts[:10]))  # warm up
    runs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    # Interleaved, best of three: the machine is shared, so the ratios are what counts.
    for _round in range(3):
        runs["Kiwi tokenize, 1 thread"].append(_timed(lambda: list(one.tokenize(texts))))
        runs["Kiwi tokenize, 2 threads"].append(_timed(lambda: list(two.tokenize(texts))))
        runs["analyse_many (pipeline)"].append(_timed(lambda: list(analyse_many(texts))))
        runs["Kiwi with typos='basic'"].append(_timed(lambda: list(two.tokenize(texts, typos="basic"))))
    best = {name: (min(w for w, _c in found), min(c for _w, c in found)) for name, found in runs.items()}
    bare_wall, bare_cpu = best["Kiwi tokenize, 2 threads"]
    print(f"analysis of {count} complaints, {chars / count:.0f} characters on average")
    for name, (wall, cpu) in best.items():
        print(
            f"  {name:<26} {chars / wall:>9,.0f} chars/s wall (speed {bare_wall / wall:.2f} of bare, 2 threads)"
            f"  {chars / cpu:>9,.0f} chars per CPU-second ({bare_cpu / cpu:.2f} of bare)"
        )
    wall, cpu = best["analyse_many (pipeline)"]
    year = 2_400_000 * 650
    print(
        f"  a year (2.4 million × 650 characters) at this wall rate: {year / (chars / wall) / 3600:.1f} h;"
        f" with both cores busy at the pipeline's CPU rate: {year / (2 * chars / cpu) / 3600:.1f} h;"
        f" at Kiwi's 100,000 chars/s per core × the pipeline's CPU ratio: {year / (2 * 100_000 * bare_cpu / cpu) / 3600:.1f} h"
    )


def documents(rng: random.Random, topics: dict[str, list[str]], total: int) -> tuple[list[str], list[str]]:
    """`total` morpheme strings, 3–6 analysed titles of one category each, from a pool of analysed titles."""
    pool: dict[str, list[str]] = {}
    for category, titles in topics.items():
        sample = rng.sample(titles, min(len(titles), 1_500))
        pool[category] = [" ".join(a.morphemes) for a in analyse_many(sample)]
    categories = list(pool)
    docs, labels = [], []
    for _ in range(total):
        category = rng.choice(categories)
        docs.append(" ".join(rng.choice(pool[category]) for _ in range(rng.randint(3, 6))))
        labels.append(category)
    return docs, labels


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--analyse", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(6)  # noqa: S311 (reproducible test data)
    topics = titles_by_category()

    bench_analysis(rng, topics, args.analyse)

    start = time.perf_counter()
    docs, _labels = documents(rng, topics, args.cases + args.queries)
    print(
        f"\n{args.cases:,} generated cases ({time.perf_counter() - start:.0f} s to generate from analysed titles)"
    )
    stored, queries = docs[: args.cases], docs[args.cases :]

    start = time.perf_counter()
    model = fit(stored[:300_000])
    print(
        f"  fit TF-IDF + SVD({model.dimensions}) on {min(len(stored), 300_000):,}: {time.perf_counter() - start:.0f} s"
    )
    start = time.perf_counter()
    vectors = np.vstack([model.dense(stored[i : i + 20_000]) for i in range(0, len(stored), 20_000)])
    elapsed = time.perf_counter() - start
    print(f"  vectorise from morphemes: {len(stored) / elapsed:,.0f} cases/s")

    ids, vectors = store_and_read(model.version, vectors)
    start, cpu = time.perf_counter(), _cpu()
    built = index.save_graph(model.version, ids, vectors, model.dimensions)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    graph = index.SharedIndex(model.version)
    graph.refresh()
    file_size = index.index_path(model.version).stat().st_size
    print(
        f"  usearch graph ({index.DTYPE}, M={index.CONNECTIVITY}, expansion_add={index.EXPANSION_ADD}, 2 threads)"
        f" build + save: {built / elapsed:,.0f} cases/s wall, {2 * built / cpu:,.0f} cases/s per 2 CPU-seconds"
    )
    print(
        f"  index file {file_size / 2**20:,.0f} MiB (memory-mapped by every web process) vs float32 matrix for exact search {vectors.nbytes / 2**20:,.0f} MiB (ratio {file_size / vectors.nbytes:.2f})"
    )
    bench_queries(model, graph, stored, queries, vectors)


def store_and_read(version: str, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Write the vectors as `CaseAnalysis` rows (no cases behind them: constraints off) and read them
    back with `pipeline.stored_vectors`, the first half of every index rebuild."""
    call_command("migrate", "insights", verbosity=0)
    table = CaseAnalysis._meta.db_table
    start = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # no foreign-key triggers
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
        sql = (
            f"INSERT INTO {table} (case_id, version, morphemes, nouns, keywords, length, sentences,"  # noqa: S608
            " analysed_at, vector, model_version) VALUES (%s, 1, '', '', '[]', 650, 8, %s, %s, %s)"
        )
        now = timezone.now()
        for first in range(0, len(vectors), 10_000):
            chunk = vectors[first : first + 10_000]
            rows = [(first + i + 1, now, row.tobytes(), version) for i, row in enumerate(chunk)]
            cursor.executemany(sql, rows)
    print(
        f"  {len(vectors):,} CaseAnalysis rows written in {time.perf_counter() - start:.0f} s ({connection.vendor})"
    )
    start, cpu = time.perf_counter(), _cpu()
    ids, read = pipeline.stored_vectors(version)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    assert np.array_equal(read, vectors)
    print(
        f"  stored_vectors (read + decode): {len(ids) / elapsed:,.0f} rows/s wall ({cpu / elapsed:.2f} of it in this process)"
    )
    return ids, read


def bench_queries(
    model: Representation,
    graph: index.SharedIndex,
    stored: list[str],
    queries: list[str],
    vectors: np.ndarray,
) -> None:
    def reference(texts: list[str]) -> object:
        """The matrix as scikit-learn's own transform makes it (the re-rank before this change)."""
        return normalize(hstack([model.words.transform(texts), model.chars.transform(texts)]).tocsr())

    # A process that has just loaded the model: columns of no morpheme looked up yet.
    fresh = pickle.loads(pickle.dumps(model))  # noqa: S301 (a copy of this process's own object)
    first = graph.search(model.dense([queries[0]])[0], CANDIDATES, exact=False)
    start = time.perf_counter()
    (fresh.sparse([stored[hit.case_id - 1] for hit in first]) @ fresh.sparse([queries[0]]).T).toarray()
    cold_first = time.perf_counter() - start
    warmed = pickle.loads(pickle.dumps(model))  # noqa: S301
    start = time.perf_counter()
    looked_up = warmed.warm()
    warm_time = time.perf_counter() - start
    start = time.perf_counter()
    (warmed.sparse([stored[hit.case_id - 1] for hit in first]) @ warmed.sparse([queries[0]]).T).toarray()
    warm_first = time.perf_counter() - start

    query_vectors = model.dense(queries)
    exact_times, graph_times, candidate_times, rerank_times, sklearn_times, recalls = [], [], [], [], [], []
    for position, vector in enumerate(query_vectors):
        start = time.perf_counter()
        truth = np.argsort(-(vectors @ vector))[:10] + 1
        exact_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        hits = graph.search(vector, 10, exact=False)
        graph_times.append(time.perf_counter() - start)
        recalls.append(len({hit.case_id for hit in hits} & set(truth.tolist())) / 10)
        start = time.perf_counter()
        candidates = graph.search(vector, CANDIDATES, exact=False)
        candidate_times.append(time.perf_counter() - start)
        texts = [stored[hit.case_id - 1] for hit in candidates]
        start = time.perf_counter()
        (model.sparse(texts) @ model.sparse([queries[position]]).T).toarray()
        rerank_times.append(time.perf_counter() - start)
        if position < 100:  # scikit-learn's own transform, as before: slow, so on fewer queries
            start = time.perf_counter()
            (reference(texts) @ reference([queries[position]]).T).toarray()
            sklearn_times.append(time.perf_counter() - start)
    ms = 1000
    print(f"\nqueries ({len(queries)}), top 10:")
    print(
        f"  exact numpy           p50 {percentile(exact_times, 50) * ms:6.1f} ms  p95 {percentile(exact_times, 95) * ms:6.1f} ms"
    )
    print(
        f"  usearch graph         p50 {percentile(graph_times, 50) * ms:6.1f} ms  p95 {percentile(graph_times, 95) * ms:6.1f} ms  recall@10 {np.mean(recalls):.3f}  (p95 ratio {percentile(graph_times, 95) / percentile(exact_times, 95):.3f} of exact)"
    )
    print(
        f"  graph, {CANDIDATES} candidates  p50 {percentile(candidate_times, 50) * ms:6.1f} ms  p95 {percentile(candidate_times, 95) * ms:6.1f} ms"
    )
    print(
        f"  sparse re-rank of them p50 {percentile(rerank_times, 50) * ms:6.1f} ms  p95 {percentile(rerank_times, 95) * ms:6.1f} ms"
        f"  (scikit-learn transform, first 100: p50 {percentile(sklearn_times, 50) * ms:.1f} ms  p95 {percentile(sklearn_times, 95) * ms:.1f} ms;"
        f" p95 ratio {percentile(rerank_times[:100], 95) / percentile(sklearn_times, 95):.2f})"
    )
    print(
        f"  first re-rank of a fresh process: {cold_first * ms:.0f} ms cold; {warm_first * ms:.0f} ms after the"
        f" load-time warm-up ({looked_up:,} morphemes in {warm_time * ms:.0f} ms, in a background thread)"
    )


if __name__ == "__main__":
    main()
