"""The arithmetic of clustering, on arrays only (no database): k by size, seeded mini-batch k-means over
the stored unit vectors, c-TF-IDF keywords over nouns, counts per day, matching clusters to topics.

Kept apart from the database so the benchmark times exactly what a run does with 2.4 million vectors.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans

MIN_K = 2
MAX_K = 200
KEYWORDS = 10
# A new run's cluster takes over a topic when their centroids are at least this similar (cosine).
MATCH_SIMILARITY = 0.6
# Up to this many rows full k-means (several starts) is cheap and steadier; above it, mini-batches.
EXACT_UP_TO = 5_000


def choose_k(n: int) -> int:
    """About √n / 3 clusters, at least 2 and at most 200 (a list staff can still read)."""
    if n < 2 * MIN_K:
        return max(1, min(n, MIN_K))
    return int(min(MAX_K, max(MIN_K, round(math.sqrt(n) / 3)), n))


def unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero)."""
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return (rows / np.where(norms == 0, 1, norms)).astype(np.float32, copy=False)


@dataclass
class Partition:
    labels: np.ndarray  # int32 per row, 0..k-1, numbered by decreasing size
    centroids: np.ndarray  # float32 (k, d), unit rows

    @property
    def k(self) -> int:
        return int(self.centroids.shape[0])


def partition(vectors: np.ndarray, k: int, seed: int = 0) -> Partition:
    """Seeded k-means (mini-batch above `EXACT_UP_TO` rows); clusters renumbered by size (0 the largest), empty ones dropped."""
    n = vectors.shape[0]
    if n == 0:
        return Partition(np.zeros(0, dtype=np.int32), np.zeros((0, vectors.shape[1]), dtype=np.float32))
    k = max(1, min(k, n))
    if k == 1:
        return Partition(np.zeros(n, dtype=np.int32), unit(vectors.mean(axis=0, keepdims=True)))
    model: KMeans | MiniBatchKMeans
    if n <= EXACT_UP_TO:
        model = KMeans(n_clusters=k, random_state=seed, n_init=10)
    else:
        model = MiniBatchKMeans(
            n_clusters=k,
            random_state=seed,
            batch_size=min(n, 8192),
            init_size=min(n, max(3 * k, 3 * 8192)),
            n_init=1,  # a k-means++ start on 24,576 rows is good enough; more starts cost 3× (bench)
            max_no_improvement=10,
            reassignment_ratio=0.01,
        )
    raw = model.fit_predict(vectors).astype(np.int32)
    counts = np.bincount(raw, minlength=k)
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] > 0]
    renumber = np.full(k, -1, dtype=np.int32)
    renumber[order] = np.arange(order.size, dtype=np.int32)
    labels = renumber[raw]
    return Partition(labels, centroids_of(vectors, labels, order.size))


def centroids_of(vectors: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Unit mean vector of each label, summed in one pass (no copy of the rows per cluster)."""
    sums = np.zeros((k, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, labels, vectors) if vectors.shape[0] < 50_000 else _add_by_chunks(sums, vectors, labels)
    return unit(sums)


def _add_by_chunks(sums: np.ndarray, vectors: np.ndarray, labels: np.ndarray, chunk: int = 200_000) -> None:
    k = sums.shape[0]
    for start in range(0, vectors.shape[0], chunk):
        part = labels[start : start + chunk]
        onehot = np.zeros((k, part.size), dtype=np.float32)
        onehot[part, np.arange(part.size)] = 1
        sums += onehot @ vectors[start : start + chunk]


def daily(labels: np.ndarray, days: np.ndarray, k: int, n_days: int) -> np.ndarray:
    """Counts per (cluster, day index) as a (k, n_days) int array."""
    flat = labels.astype(np.int64) * n_days + days
    return np.bincount(flat, minlength=k * n_days).reshape(k, n_days)


def ctfidf(documents: Sequence[Sequence[str]], top: int = KEYWORDS) -> list[list[str]]:
    """c-TF-IDF keywords: each class's nouns as one document; a term weighs its frequency in the class
    (normalised by the class size) times log(1 + average class length / its frequency over all classes)."""
    counts = [Counter(words) for words in documents]
    overall: Counter[str] = Counter()
    for counter in counts:
        overall.update(counter)
    if not overall:
        return [[] for _c in counts]
    average = sum(overall.values()) / max(1, len(counts))
    keywords = []
    for counter in counts:
        total = sum(counter.values()) or 1
        scored = sorted(
            counter.items(),
            key=lambda item: (-(item[1] / total) * math.log(1 + average / overall[item[0]]), item[0]),
        )
        keywords.append([word for word, _n in scored[:top]])
    return keywords


def match(
    centroids: np.ndarray, topic_centroids: np.ndarray, threshold: float = MATCH_SIMILARITY
) -> list[tuple[int, float]]:
    """For each cluster, (topic position, similarity) of its most similar topic, or (-1, best) below the
    threshold. Several clusters may take the same topic (a topic staff merged from two)."""
    if centroids.shape[0] == 0:
        return []
    if topic_centroids.shape[0] == 0:
        return [(-1, 0.0)] * centroids.shape[0]
    similarity = centroids @ topic_centroids.T
    best = similarity.argmax(axis=1)
    return [
        (int(b) if similarity[i, b] >= threshold else -1, float(similarity[i, b])) for i, b in enumerate(best)
    ]


def trend(counts: Sequence[int]) -> float | None:
    """Change from the first half of the period to the second, as a ratio (0.5 = +50 %); None without cases
    in the first half."""
    half = len(counts) // 2
    if half == 0:
        return None
    first, second = sum(counts[:half]), sum(counts[len(counts) - half :])
    return None if first == 0 else (second - first) / first
