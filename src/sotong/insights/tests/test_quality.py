"""Quality on ../shared/data/petition_titles.csv (청와대 국민청원 titles with the petitioner's own
category, 17 categories, noisy): similar-case precision and category suggestion accuracy of the real
pipeline (Kiwi → TF-IDF + SVD → usearch → sparse re-rank; the suggestion classifier) against simple
baselines, on a fixed random sample (no database: the same functions the tasks call).

Run with `-s` to print the figures quoted in README.md.
"""

from __future__ import annotations

import csv
import os
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from sotong.insights import index
from sotong.insights.index import CANDIDATES
from sotong.insights.representation import Representation, fit
from sotong.insights.suggest import TOP, train_classifier, vote
from sotong.insights.text import analyse_many

DATA = Path(__file__).resolve().parents[5] / "shared" / "data" / "petition_titles.csv"
# The same 8,400 rows, already drawn and in order, for a checkout without the shared folder (tests/data).
SAMPLE = Path(__file__).resolve().parent / "data" / "petition_sample.csv"
TRAIN, TEST, K = 8_000, 400, 10


@dataclass
class Split:
    train_text: list[str]
    train_nouns: list[set[str]]
    train_labels: np.ndarray
    test_text: list[str]
    test_nouns: list[set[str]]
    test_labels: np.ndarray
    model: Representation
    graph: index.SharedIndex
    folder: Path


def _rows() -> list[tuple[str, str]]:
    """(title, category) of the fixed sample: from SOTONG_PETITION_TITLES or the shared file when there,
    else the copy of the same sample kept in tests/data."""
    configured = os.environ.get("SOTONG_PETITION_TITLES", "")
    source = Path(configured) if configured else DATA
    if not source.exists():
        with SAMPLE.open(encoding="utf-8") as handle:
            return [(row["title"], row["category"]) for row in csv.DictReader(handle)]
    with source.open(encoding="utf-8-sig") as handle:
        rows = [(row["title"], row["category"]) for row in csv.DictReader(handle) if row["title"].strip()]
    random.Random(6).shuffle(rows)
    return rows[: TRAIN + TEST]


def test_the_kept_sample_is_the_sample_drawn_from_the_shared_file():
    if not DATA.exists():
        assert len(_rows()) == TRAIN + TEST  # no shared folder here: the kept copy is all there is
        return
    with SAMPLE.open(encoding="utf-8") as handle:
        kept = [(row["title"], row["category"]) for row in csv.DictReader(handle)]
    with DATA.open(encoding="utf-8-sig") as handle:
        rows = [(row["title"], row["category"]) for row in csv.DictReader(handle) if row["title"].strip()]
    random.Random(6).shuffle(rows)
    assert kept == rows[: TRAIN + TEST]


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Split]:
    from django.conf import settings

    rows = _rows()
    analyses = list(analyse_many(title for title, _c in rows))
    morphemes = [" ".join(a.morphemes) for a in analyses]
    nouns = [set(a.nouns) for a in analyses]
    labels = np.array([category for _t, category in rows])
    model = fit(morphemes[TEST:])
    folder = tmp_path_factory.mktemp("insights")
    old, settings.SOTONG_INSIGHTS_DIR = getattr(settings, "SOTONG_INSIGHTS_DIR", None), folder
    index.save_graph(model.version, np.arange(TRAIN), model.dense(morphemes[TEST:]), model.dimensions)
    yield Split(
        morphemes[TEST:],
        nouns[TEST:],
        labels[TEST:],
        morphemes[:TEST],
        nouns[:TEST],
        labels[:TEST],
        model,
        index.SharedIndex(model.version),
        folder,
    )
    settings.SOTONG_INSIGHTS_DIR = old


@pytest.fixture(autouse=True)
def _split_folder(split: Split, settings) -> None:
    """The index files of the module's split (the app's conftest gives each test an empty folder)."""
    settings.SOTONG_INSIGHTS_DIR = split.folder


def _ours(split: Split, position: int) -> list[tuple[int, float]]:
    """Index candidates re-ranked by sparse cosine: what `similar.search` does against the database."""
    query = split.test_text[position]
    sparse = split.model.sparse([query])
    hits = split.graph.search(split.model.dense([query], sparse=sparse)[0], CANDIDATES)
    ids = [hit.case_id for hit in hits]
    if not ids or not sparse.nnz:  # a title with no known term finds nothing
        return []
    scores = (split.model.sparse([split.train_text[i] for i in ids]) @ sparse.T).toarray().ravel()
    return sorted(zip(ids, scores, strict=True), key=lambda item: -item[1])[:K]


def _overlap(split: Split, position: int) -> list[tuple[int, float]]:
    """Baseline: the titles sharing the most nouns (Jaccard)."""
    query = split.test_nouns[position]
    scores = [len(query & other) / (len(query | other) or 1) for other in split.train_nouns]
    best = np.argsort(-np.array(scores), kind="stable")[:K]
    return [(int(i), scores[i]) for i in best]


def _precision(split: Split, finder) -> float:
    hits = [
        sum(split.train_labels[i] == split.test_labels[p] for i, _s in finder(split, p)) / K
        for p in range(TEST)
    ]
    return float(np.mean(hits))


def test_similar_case_precision_beats_keyword_overlap_and_chance(split: Split):
    ours = _precision(split, _ours)
    overlap = _precision(split, _overlap)
    chance = sum((n / TRAIN) ** 2 for n in Counter(split.train_labels).values())
    print(f"\nP@{K}: ours {ours:.3f}, keyword overlap {overlap:.3f}, chance {chance:.3f}")
    assert ours > overlap + 0.005
    assert ours > 2 * chance


def test_category_suggestion_beats_majority_and_keyword_vote(split: Split):
    classifier = train_classifier(split.model.sparse(split.train_text), list(split.train_labels))
    probabilities = classifier.predict_proba(split.model.sparse(split.test_text))
    top = classifier.classes_[np.argsort(-probabilities, axis=1)[:, :TOP]]
    accuracy = float(np.mean(top[:, 0] == split.test_labels))
    top3 = float(np.mean([label in row for label, row in zip(split.test_labels, top, strict=True)]))
    majority = Counter(split.train_labels).most_common(1)[0][0]
    majority_accuracy = float(np.mean(split.test_labels == majority))
    keyword = [vote([(split.train_labels[i], s) for i, s in _overlap(split, p)]) for p in range(TEST)]
    keyword_accuracy = float(
        np.mean([bool(v) and v[0][0] == label for v, label in zip(keyword, split.test_labels, strict=True)])
    )
    knn = [vote([(split.train_labels[i], s) for i, s in _ours(split, p)]) for p in range(TEST)]
    knn_accuracy = float(
        np.mean([bool(v) and v[0][0] == label for v, label in zip(knn, split.test_labels, strict=True)])
    )
    print(
        f"\naccuracy: classifier {accuracy:.3f} (top-3 {top3:.3f}), similar-case vote {knn_accuracy:.3f}, "
        f"keyword vote {keyword_accuracy:.3f}, majority {majority_accuracy:.3f}"
    )
    assert accuracy > majority_accuracy + 0.15
    assert accuracy > keyword_accuracy + 0.04
    assert knn_accuracy > majority_accuracy + 0.15
    assert top3 > accuracy + 0.15
