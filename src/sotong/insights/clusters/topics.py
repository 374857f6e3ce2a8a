"""Topics' centroids and the vectors they are made of.

A topic's centroid is the unit sum of three unit means over vectors of the current representation: its
members (assigned cases, or a run's cluster), its positive training examples, minus half of its negative
examples. Examples thus pull the centroid towards what staff meant even when the members drift, and the
centroid is remade from stored vectors whenever the representation is refitted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from django.utils import timezone

from sotong.insights.clusters.engine import unit
from sotong.insights.models import CaseAnalysis
from sotong.insights.models_clusters import Topic, TopicAssignment, TopicExample

MEMBER_SAMPLE = 2_000
NEGATIVE_WEIGHT = 0.5


def vectors_of(case_ids: Iterable[int], version: str, chunk: int = 5_000) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) of the given cases that have a vector of `version`, in id order."""
    wanted = sorted({int(i) for i in case_ids})
    ids: list[int] = []
    blobs: list[bytes] = []
    for start in range(0, len(wanted), chunk):
        rows = (
            CaseAnalysis.objects.filter(pk__in=wanted[start : start + chunk], model_version=version)
            .exclude(vector=None)
            .order_by("pk")
            .values_list("pk", "vector")
        )
        for pk, vector in rows:
            ids.append(pk)
            blobs.append(bytes(vector or b""))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), -1)
    return np.array(ids, dtype=np.int64), matrix


def _mean(vectors: np.ndarray) -> np.ndarray | None:
    return None if vectors.size == 0 else unit(vectors.mean(axis=0))


def combine(
    members: np.ndarray | None, positives: np.ndarray | None, negatives: np.ndarray | None
) -> np.ndarray | None:
    """The centroid from the three unit means (any may be missing)."""
    parts = [part for part in (members, positives) if part is not None]
    if not parts:
        return None
    total = np.sum(parts, axis=0)
    if negatives is not None:
        total = total - NEGATIVE_WEIGHT * negatives
    return unit(total)


def example_means(topic: Topic, version: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    examples = list(TopicExample.objects.filter(topic=topic).values_list("case_id", "positive"))
    positives = vectors_of([case for case, positive in examples if positive], version)[1]
    negatives = vectors_of([case for case, positive in examples if not positive], version)[1]
    return _mean(positives), _mean(negatives)


def refresh_centroid(
    topic: Topic, version: str, members: np.ndarray | None = None, *, save: bool = True
) -> np.ndarray | None:
    """Recompute `topic.centroid` for `version`; `members` is the unit mean of its members when the caller
    has it (a run), else it comes from a sample of the topic's assigned cases."""
    if members is None:
        sample = list(
            TopicAssignment.objects.filter(topic=topic)
            .order_by("-received_at")
            .values_list("case_id", flat=True)[:MEMBER_SAMPLE]
        )
        members = _mean(vectors_of(sample, version)[1])
    positives, negatives = example_means(topic, version)
    centroid = combine(members, positives, negatives)
    topic.centroid = centroid.tobytes() if centroid is not None else None
    topic.model_version = version if centroid is not None else ""
    topic.updated_at = timezone.now()
    if save:
        topic.save(update_fields=["centroid", "model_version", "updated_at"])
    return centroid


def current_centroids(topics: Sequence[Topic], version: str) -> tuple[list[Topic], np.ndarray]:
    """The topics that have (or can be given) a centroid of `version`, and those centroids stacked."""
    kept: list[Topic] = []
    rows: list[np.ndarray] = []
    for topic in topics:
        centroid = (
            topic.centroid_array() if topic.model_version == version else refresh_centroid(topic, version)
        )
        if centroid is not None and centroid.size:
            kept.append(topic)
            rows.append(centroid)
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    return kept, np.vstack(rows).astype(np.float32)
