"""Re-clustering a period (군집 분석 실행): load the stored vectors of the cases received in the period,
partition them, describe each cluster (c-TF-IDF keywords, counts per day), match the clusters to the
staff's topics so their names survive, and write the topics' cases for the period.

`execute_run(run_id)` is what the worker runs (from the sweep `insights.recluster` or a coordinator's
request); it claims the run with one conditional UPDATE, so a second worker does nothing. Clustering
needs no lock: the run is a new object. Writing the topics' cases replaces, in one transaction, those a
run or the assignment task gave in the period; cases marked as training examples keep their topic.
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import User
from sotong.cases.models import Case
from sotong.insights.board.rollup import day_bounds
from sotong.insights.clusters import engine
from sotong.insights.clusters.counts import active_topics
from sotong.insights.clusters.topics import combine, current_centroids, example_means
from sotong.insights.models import CaseAnalysis
from sotong.insights.models_clusters import Cluster, ClusterRun, Topic, TopicAssignment, TopicExample
from sotong.insights.pipeline import current_model

logger = logging.getLogger(__name__)

KEYWORD_SAMPLE = 300  # members per cluster whose nouns make its keywords
KEEP_RUNS = 12  # finished runs kept; older ones (and their member arrays) are deleted
INSERT_BATCH = 5_000


class RunError(Exception):
    """A run that cannot be done (no representation yet); the message is shown to staff."""


@dataclass
class Loaded:
    """The period's vectorised cases: ids, receipt instants (epoch seconds), day index, vectors."""

    ids: np.ndarray
    stamps: np.ndarray
    days: np.ndarray
    vectors: np.ndarray

    @property
    def n(self) -> int:
        return int(self.ids.size)


def load_period(version: str, first: date, last: date, chunk: int = 20_000) -> Loaded:
    """The period's cases with a vector of `version`, in one query driven by the receipt-time index and
    streamed in chunks into arrays sized up front (a case analysed meanwhile grows them once)."""
    start, _end = day_bounds(first)
    _, end = day_bounds(last)
    scope = (
        Case.objects.filter(received_at__gte=start, received_at__lt=end, analysis__model_version=version)
        .exclude(analysis__vector=None)
        .order_by()
    )
    expected = scope.count()
    ids = np.zeros(expected, dtype=np.int64)
    stamps = np.zeros(expected, dtype=np.int64)
    vectors: np.ndarray | None = None
    filled = 0
    rows = scope.values_list("pk", "received_at", "analysis__vector").iterator(chunk_size=chunk)
    while block := list(islice(rows, chunk)):
        matrix = np.frombuffer(b"".join(bytes(v or b"") for _pk, _at, v in block), dtype=np.float32)
        matrix = matrix.reshape(len(block), -1)
        if vectors is None:
            vectors = np.zeros((expected, matrix.shape[1]), dtype=np.float32)
        if filled + len(block) > ids.size:
            grow = filled + len(block) - ids.size + chunk
            ids, stamps = (np.concatenate([a, np.zeros(grow, dtype=a.dtype)]) for a in (ids, stamps))
            vectors = np.concatenate([vectors, np.zeros((grow, vectors.shape[1]), dtype=np.float32)])
        end_at = filled + len(block)
        ids[filled:end_at] = [pk for pk, _at, _v in block]
        stamps[filled:end_at] = [int(at.timestamp()) for _pk, at, _v in block]
        vectors[filled:end_at] = matrix
        filled = end_at
    if vectors is None:
        return Loaded(ids[:0], stamps[:0], np.zeros(0, dtype=np.int32), np.zeros((0, 0), dtype=np.float32))
    # Id order, whatever order the database gave: the same period clusters the same way every time.
    ids, stamps, vectors = ids[:filled], stamps[:filled], vectors[:filled]
    if filled > 1 and not bool(np.all(ids[1:] > ids[:-1])):
        order = np.argsort(ids, kind="stable")
        ids, stamps, vectors = ids[order], stamps[order], vectors[order]
    return Loaded(ids, stamps, seoul_day_index(stamps, first), vectors)


def seoul_day_index(stamps: np.ndarray, first: date) -> np.ndarray:
    """Seoul receipt day of each epoch-second stamp, counted from `first` (Seoul keeps UTC+9, no DST)."""
    days = (stamps + 9 * 3600) // 86_400 - (first.toordinal() - date(1970, 1, 1).toordinal())
    return days.astype(np.int32)


def nouns_of(case_ids: Sequence[int], chunk: int = 5_000) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for start in range(0, len(case_ids), chunk):
        rows = CaseAnalysis.objects.filter(pk__in=list(case_ids[start : start + chunk])).values_list(
            "pk", "nouns"
        )
        out.update((pk, nouns.split()) for pk, nouns in rows)
    return out


@dataclass
class Described:
    """One cluster of a partition with what a page shows of it."""

    number: int
    members: np.ndarray  # sorted case ids
    centroid: np.ndarray
    daily: list[int]
    keywords: list[str] = field(default_factory=list)
    topic_position: int = -1
    similarity: float | None = None


def describe(
    loaded: Loaded,
    part: engine.Partition,
    n_days: int,
    nouns: Callable[[Sequence[int]], dict[int, list[str]]],
    seed: int = 0,
) -> list[Described]:
    """Members, counts per day and c-TF-IDF keywords (from a sample of each cluster's nouns)."""
    counts = engine.daily(part.labels, loaded.days, part.k, n_days)
    order = np.argsort(part.labels, kind="stable")
    bounds = np.searchsorted(part.labels[order], np.arange(part.k + 1))
    rng = np.random.default_rng(seed)
    described: list[Described] = []
    samples: list[np.ndarray] = []
    for number in range(part.k):
        members = np.sort(loaded.ids[order[bounds[number] : bounds[number + 1]]])
        sample = (
            members if members.size <= KEYWORD_SAMPLE else rng.choice(members, KEYWORD_SAMPLE, replace=False)
        )
        samples.append(sample)
        described.append(Described(number, members, part.centroids[number], counts[number].tolist()))
    words = nouns([int(i) for sample in samples for i in sample])
    keywords = engine.ctfidf([[w for i in sample for w in words.get(int(i), [])] for sample in samples])
    for item, kw in zip(described, keywords, strict=True):
        item.keywords = kw
    return described


def cluster_period(
    loaded: Loaded,
    n_days: int,
    topic_centroids: np.ndarray,
    *,
    k: int | None = None,
    seed: int = 0,
    nouns: Callable[[Sequence[int]], dict[int, list[str]]] = nouns_of,
    timings: dict[str, float] | None = None,
) -> list[Described]:
    """The whole computation of a run over loaded vectors: partition, describe, match to the topics."""
    began = clock.perf_counter()
    part = engine.partition(loaded.vectors, k or engine.choose_k(loaded.n), seed)
    partitioned = clock.perf_counter()
    described = describe(loaded, part, n_days, nouns, seed)
    if timings is not None:
        timings["partition"] = partitioned - began
        timings["describe"] = clock.perf_counter() - partitioned
    for item, (position, similarity) in zip(
        described, engine.match(part.centroids, topic_centroids), strict=True
    ):
        item.topic_position, item.similarity = position, similarity
    return described


def request_run(
    first: date, last: date, *, actor: object = None, k: int | None = None, seed: int = 0
) -> ClusterRun:
    """군집 분석 요청: a pending run for the period, enqueued for the worker in the same transaction."""
    from sotong.core.events import record_event
    from sotong.insights.clusters import tasks

    with transaction.atomic():
        run = ClusterRun.objects.create(
            first_day=first,
            last_day=last,
            k=k or 0,
            seed=seed,
            parameters={"k": k, "algorithm": "minibatch-kmeans", "keywords": "c-tf-idf"},
            requested_by=actor if isinstance(actor, User) else None,
        )
        record_event(
            actor, "insights.cluster_run_requested", run, after={"first": first, "last": last, "k": k}
        )
        tasks.run_clustering.enqueue(run.pk)
    return run


def execute_run(run_id: int) -> ClusterRun:
    """Do a pending run (idempotent: a run that is not pending is returned as it is)."""
    claimed = ClusterRun.objects.filter(pk=run_id, status=ClusterRun.Status.PENDING).update(
        status=ClusterRun.Status.RUNNING, started_at=timezone.now()
    )
    run = ClusterRun.objects.get(pk=run_id)
    if not claimed:
        return run
    began = clock.perf_counter()
    try:
        _execute(run)
    except Exception as error:
        logger.exception("insights: cluster run %s failed", run_id)
        run.status, run.error = ClusterRun.Status.FAILED, str(error)[:2000]
        run.finished_at, run.seconds = timezone.now(), clock.perf_counter() - began
        run.save(update_fields=["status", "error", "finished_at", "seconds"])
        return run
    run.status, run.finished_at, run.seconds = (
        ClusterRun.Status.DONE,
        timezone.now(),
        clock.perf_counter() - began,
    )
    run.save(update_fields=["status", "finished_at", "seconds"])
    prune_runs()
    return run


def _execute(run: ClusterRun) -> None:
    model = current_model()
    if model is None or model.svd is None:
        raise RunError(_("표현 모델이 아직 없어 군집 분석을 할 수 없습니다."))
    version = model.version
    n_days = (run.last_day - run.first_day).days + 1
    phases: dict[str, float] = {}
    began = clock.perf_counter()
    loaded = load_period(version, run.first_day, run.last_day)
    topics, topic_centroids = current_centroids(list(active_topics()), version)
    phases["load"] = clock.perf_counter() - began
    described = cluster_period(
        loaded, n_days, topic_centroids, k=run.k or None, seed=run.seed, timings=phases
    )
    with transaction.atomic():
        Cluster.objects.bulk_create(
            [
                Cluster(
                    run=run,
                    number=item.number + 1,
                    size=int(item.members.size),
                    keywords=item.keywords,
                    daily=item.daily,
                    members=item.members.astype(np.int64).tobytes(),
                    centroid=item.centroid.astype(np.float32).tobytes(),
                    topic=topics[item.topic_position] if item.topic_position >= 0 else None,
                    topic_similarity=item.similarity,
                )
                for item in described
            ],
            batch_size=100,
        )
        run.k, run.model_version, run.cases = len(described), version, loaded.n
        phases["store"] = clock.perf_counter() - began - sum(phases.values())
        written = write_assignments(run, loaded, described, topics)
        phases["assign"] = clock.perf_counter() - began - sum(phases.values())
        run.parameters = {
            **run.parameters,
            "seconds": {k: round(v, 2) for k, v in phases.items()},
            "assigned": written,
        }
        run.save(update_fields=["k", "model_version", "cases", "parameters"])


def write_assignments(
    run: ClusterRun, loaded: Loaded, described: list[Described], topics: list[Topic]
) -> int:
    """Replace the period's run- and task-given topic assignments with this run's, and refresh the
    matched topics' centroids and keywords from their clusters."""
    start, _end = day_bounds(run.first_day)
    _, end = day_bounds(run.last_day)
    TopicAssignment.objects.filter(
        received_at__gte=start,
        received_at__lt=end,
        source__in=(TopicAssignment.Source.RUN, TopicAssignment.Source.NEW),
    ).delete()
    negatives = set(TopicExample.objects.filter(positive=False).values_list("topic_id", "case_id"))
    sorter = np.argsort(loaded.ids, kind="stable")
    now = timezone.now()
    written = 0
    by_topic: dict[int, list[Described]] = {}
    for item in described:
        if item.topic_position >= 0:
            by_topic.setdefault(item.topic_position, []).append(item)
    for position, items in by_topic.items():
        topic = topics[position]
        members = np.concatenate([item.members for item in items])
        rows = sorter[np.searchsorted(loaded.ids, members, sorter=sorter)]
        centroid = topic.centroid_array()
        similarity = loaded.vectors[rows] @ centroid if centroid is not None else np.zeros(rows.size)
        batch: list[TopicAssignment] = []
        for row, score in zip(rows.tolist(), similarity.tolist(), strict=True):
            case_id = int(loaded.ids[row])
            if (topic.pk, case_id) in negatives:
                continue
            batch.append(
                TopicAssignment(
                    case_id=case_id,
                    topic=topic,
                    source=TopicAssignment.Source.RUN,
                    similarity=score,
                    received_at=datetime.fromtimestamp(int(loaded.stamps[row]), UTC),
                    assigned_at=now,
                )
            )
            if len(batch) >= INSERT_BATCH:
                TopicAssignment.objects.bulk_create(batch, ignore_conflicts=True)
                written += len(batch)
                batch = []
        TopicAssignment.objects.bulk_create(batch, ignore_conflicts=True)
        written += len(batch)
        members_mean = engine.unit(loaded.vectors[rows].mean(axis=0)) if rows.size else None
        positives, negative_mean = example_means(topic, run.model_version)
        centroid = combine(members_mean, positives, negative_mean)
        if centroid is not None:
            topic.centroid = centroid.tobytes()
        topic.keywords = max(items, key=lambda item: item.members.size).keywords
        topic.updated_at = now
        topic.save(update_fields=["centroid", "keywords", "updated_at"])
    return written


def prune_runs(keep: int = KEEP_RUNS) -> int:
    """Delete finished or failed runs beyond the newest `keep` (their clusters go with them)."""
    old = list(
        ClusterRun.objects.exclude(status__in=(ClusterRun.Status.PENDING, ClusterRun.Status.RUNNING))
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[keep:]
    )
    if not old:
        return 0
    return ClusterRun.objects.filter(pk__in=old).delete()[0]
