"""Clustering quality on real Korean text: 3,000 national-petition titles (tests/data/petition_sample.csv)
with the petitioner's own category (17). The categories are noisy and overlap (기타, 정치개혁, 행정), so the
bar is relative: the clusters carry several times the information a random partition of the same size
does, and their keywords describe them."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

from sotong.insights.clusters import engine
from sotong.insights.representation import fit
from sotong.insights.text import analyse_many

SAMPLE = Path(__file__).resolve().parent / "data" / "petition_sample.csv"
N = 3_000
K = 17


def _purity(labels: np.ndarray, clusters: np.ndarray) -> float:
    majority = sum(np.unique(labels[clusters == c], return_counts=True)[1].max() for c in np.unique(clusters))
    return majority / labels.size


def test_clusters_of_petition_titles_beat_a_random_partition():
    with SAMPLE.open(encoding="utf-8") as handle:
        rows = [(row["title"], row["category"]) for row in csv.DictReader(handle)][:N]
    analyses = list(analyse_many(title for title, _c in rows))
    morphemes = [" ".join(a.morphemes) for a in analyses]
    labels = np.array([category for _t, category in rows])
    vectors = fit(morphemes).dense(morphemes)

    part = engine.partition(vectors, K, seed=0)

    ours = normalized_mutual_info_score(labels, part.labels)
    rng = np.random.default_rng(0)
    chance = [rng.permutation(part.labels) for _ in range(5)]  # same cluster sizes, members at random
    chance_nmi = max(normalized_mutual_info_score(labels, c) for c in chance)
    chance_purity = max(_purity(labels, c) for c in chance)
    assert ours >= 3 * chance_nmi
    assert ours >= 0.05
    assert _purity(labels, part.labels) >= chance_purity + 0.03

    keywords = engine.ctfidf(
        [[w for i in np.flatnonzero(part.labels == c) for w in analyses[i].nouns] for c in range(part.k)]
    )
    # a cluster's first keyword is in many of its titles (the largest cluster, the catch-all, aside)
    shares = []
    for cluster, words in enumerate(keywords):
        members = np.flatnonzero(part.labels == cluster)
        shares.append(np.mean([words[0] in analyses[i].nouns for i in members]))
    assert np.median(shares[1:]) >= 0.4
