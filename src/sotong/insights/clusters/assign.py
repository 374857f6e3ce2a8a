"""New cases into the staff's topics (신규 민원 배정), by the worker, above a watermark of its own.

The task reads the analyses with a vector of the current representation whose case id is above the
cursor, gives each the most similar active topic when the cosine reaches `ASSIGN_SIMILARITY` (and the
case is not a negative example of it), and moves the cursor to the last id it looked at. Intake pays
nothing: this runs after the analysis batch, like it driven by a sweep. An analysis still without a
vector stops the batch there, so the cursor never passes a case it could not judge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sotong.insights.clusters.counts import active_topics
from sotong.insights.clusters.topics import current_centroids
from sotong.insights.models import CaseAnalysis, ScanWatermark
from sotong.insights.models_clusters import TopicAssignment, TopicExample
from sotong.insights.pipeline import current_model

CURSOR = "assign"
BATCH = 2_000
ASSIGN_SIMILARITY = 0.45


def cursor() -> int:
    row = ScanWatermark.objects.filter(pk=CURSOR).values_list("value", flat=True).first()
    return int(row or 0)


def pending() -> bool:
    """True when analysed cases wait above the cursor (what the sweep checks before enqueuing)."""
    newest = CaseAnalysis.objects.aggregate(top=Max("case_id"))["top"] or 0
    return newest > cursor()


@dataclass
class AssignResult:
    looked_at: int = 0
    assigned: int = 0

    def __str__(self) -> str:
        return f"looked at {self.looked_at}, assigned {self.assigned}"


def assign_new(*, batch: int = BATCH, max_batches: int = 50) -> AssignResult:
    """Assign the analysed cases above the cursor to the nearest active topic above the threshold."""
    result = AssignResult()
    model = current_model()
    if model is None or model.svd is None:
        return result
    topics, centroids = current_centroids(list(active_topics()), model.version)
    negatives = set(TopicExample.objects.filter(positive=False).values_list("topic_id", "case_id"))
    for _round in range(max_batches):
        with transaction.atomic():
            state, _created = ScanWatermark.objects.select_for_update().get_or_create(pk=CURSOR)
            rows = list(
                CaseAnalysis.objects.filter(case_id__gt=state.value)
                .order_by("case_id")
                .values_list("case_id", "model_version", "vector", "case__received_at")[:batch]
            )
            ready = []
            for row in rows:
                if row[1] != model.version or not row[2]:
                    break  # not vectorised yet: wait here for the backfill
                ready.append(row)
            if not ready:
                break
            result.looked_at += len(ready)
            if topics:
                vectors = np.frombuffer(
                    b"".join(bytes(r[2] or b"") for r in ready), dtype=np.float32
                ).reshape(len(ready), -1)
                similarity = vectors @ centroids.T
                best = similarity.argmax(axis=1)
                now = timezone.now()
                assignments = []
                for position, (case_id, _v, _vec, received_at) in enumerate(ready):
                    choice = int(best[position])
                    score = float(similarity[position, choice])
                    topic = topics[choice]
                    if score < ASSIGN_SIMILARITY or (topic.pk, case_id) in negatives:
                        continue
                    assignments.append(
                        TopicAssignment(
                            case_id=case_id,
                            topic=topic,
                            source=TopicAssignment.Source.NEW,
                            similarity=score,
                            received_at=received_at,
                            assigned_at=now,
                        )
                    )
                TopicAssignment.objects.bulk_create(assignments, ignore_conflicts=True)
                result.assigned += len(assignments)
            state.value = ready[-1][0]
            state.save(update_fields=["value", "updated_at"])
        if len(ready) < len(rows) or len(rows) < batch:
            break
    return result
