"""The insights text pipeline at scale, each figure beside its reference in the same run:

* analysis throughput on generated complaints of about 650 characters: the pipeline (`analyse_many`:
  contact scrubbing, Kiwi, content morphemes, nouns, keywords) against Kiwi's bare `tokenize` (the
  issue's yardstick, "about 100,000 characters a second"), and Kiwi with the typo option;
* vectorising (TF-IDF + SVD from stored morphemes) and the usearch graph build rate from the vectors;
* similar-case query latency (p50/p95) and recall@10 of the graph against exact search (numpy), and the
  sparse re-ranking of the candidates that `similar.search` adds;
* index memory against the plain float32 matrix exact search needs.

Documents are generated from ../shared/data/petition_titles.csv: each is a few titles of one category
(a topic, as real complaints cluster), as morphemes; no database is involved (the stored vectors are
read from memory, so the build rate is the index's alone).

    .venv/bin/python bench/insights.py [--cases 100000] [--queries 500] [--analyse 400]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.sparse import vstack

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data" / "petition_titles.csv"

from django.conf import settings  # noqa: E402

settings.configure(SOTONG_INSIGHTS_DIR=Path(tempfile.mkdtemp(prefix="insights-bench-")), USE_TZ=True)

from sotong.insights import index  # noqa: E402
from sotong.insights.index import CANDIDATES  # noqa: E402
from sotong.insights.representation import fit  # noqa: E402
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


def bench_analysis(rng: random.Random, topics: dict[str, list[str]], count: int) -> None:
    texts = [complaint(rng, topics[rng.choice(list(topics))]) for _ in range(count)]
    chars = sum(map(len, texts))
    kiwi().tokenize(texts[:10])  # warm up
    bare, typos, ours = [], [], []
    # Interleaved, best of three: the machine is shared, so the ratio is what counts.
    for _round in range(3):
        start = time.perf_counter()
        list(kiwi().tokenize(texts))
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        list(analyse_many(texts))
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        list(kiwi().tokenize(texts, typos="basic"))
        typos.append(time.perf_counter() - start)
    bare, typos, ours = min(bare), min(typos), min(ours)
    print(f"analysis of {count} complaints, {chars / count:.0f} characters on average")
    print(f"  Kiwi tokenize alone      {chars / bare:>10,.0f} chars/s  {count / bare:>7,.0f} cases/s")
    print(f"  Kiwi with typos='basic'  {chars / typos:>10,.0f} chars/s  ratio {bare / typos:.2f} of bare")
    print(
        f"  analyse_many (pipeline)  {chars / ours:>10,.0f} chars/s  {count / ours:>7,.0f} cases/s  ratio {bare / ours:.2f} of bare"
    )
    print(
        f"  a year of 2.4 million cases at this rate (Kiwi on both cores): {2_400_000 / (count / ours) / 3600:.1f} h"
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

    ids = np.arange(1, len(stored) + 1, dtype=np.int64)
    tracemalloc.start()
    start = time.perf_counter()
    built = index.save_graph(model.version, ids, vectors, model.dimensions)
    elapsed = time.perf_counter() - start
    tracemalloc.stop()
    graph = index.SharedIndex(model.version)
    graph.refresh()
    file_size = index.index_path(model.version).stat().st_size
    print(
        f"  usearch graph ({index.DTYPE}, M={index.CONNECTIVITY}) build + save: {built / elapsed:,.0f} cases/s"
    )
    print(
        f"  index file {file_size / 2**20:,.0f} MiB (memory-mapped by every web process) vs float32 matrix for exact search {vectors.nbytes / 2**20:,.0f} MiB (ratio {file_size / vectors.nbytes:.2f})"
    )

    query_vectors = model.dense(queries)
    exact_times, graph_times, candidate_times, rerank_times, recalls = [], [], [], [], []
    cached_times: list[float] = []
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
        start = time.perf_counter()
        sparse = model.sparse([queries[position]])
        rows = model.sparse([stored[hit.case_id - 1] for hit in candidates])
        (rows @ sparse.T).toarray()
        rerank_times.append(time.perf_counter() - start)
        # The same query again (the citizen typed on): the rows come from the per-process cache.
        cached = [rows[i] for i in range(rows.shape[0])]
        start = time.perf_counter()
        (vstack(cached) @ model.sparse([queries[position]]).T).toarray()
        cached_times.append(time.perf_counter() - start)
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
    )
    print(
        f"  re-rank, rows cached   p50 {percentile(cached_times, 50) * ms:6.1f} ms  p95 {percentile(cached_times, 95) * ms:6.1f} ms"
    )


if __name__ == "__main__":
    main()
