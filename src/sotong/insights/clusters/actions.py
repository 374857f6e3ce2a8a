"""Staff decisions on clusters (군집 관리): name, pin, merge, split, and training examples.

Each is one transaction that writes an `Event`. Naming or pinning a cluster makes (or reuses) its
`Topic`: from then on the topic survives re-clustering, its cases are counted and new cases are assigned
to it. Merging two clusters of a run merges their topics too (the merged one points at the other and its
examples and cases move); splitting re-clusters a cluster's members into k new clusters of the same run,
the topic staying with the child nearest to it. Training examples are kept per topic, never per run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.cases.models import Case
from sotong.core.events import record_event
from sotong.insights.clusters import engine
from sotong.insights.clusters.runs import Loaded, describe, nouns_of
from sotong.insights.clusters.topics import refresh_centroid, vectors_of
from sotong.insights.models_clusters import Cluster, Topic, TopicAssignment, TopicExample

NAME_MAX = 80
SPLIT_MAX = 10
CHUNK = 5_000


class ClusterActionError(Exception):
    """A decision that cannot be taken; the message (Korean) is shown to staff as it is."""


def _locked(cluster: Cluster) -> Cluster:
    try:
        return (
            Cluster.objects.select_for_update(of=("self",)).select_related("run", "topic").get(pk=cluster.pk)
        )
    except Cluster.DoesNotExist:
        raise ClusterActionError(
            _("군집이 이미 병합되었거나 나뉘었습니다. 목록을 다시 열어 주세요.")
        ) from None


def _topic_for(cluster: Cluster) -> Topic:
    """The cluster's topic, made from the cluster when it has none."""
    if cluster.topic is not None:
        return cluster.topic
    topic = Topic.objects.create(
        keywords=cluster.keywords, centroid=bytes(cluster.centroid), model_version=cluster.run.model_version
    )
    cluster.topic, cluster.topic_similarity = topic, 1.0
    cluster.save(update_fields=["topic", "topic_similarity"])
    return topic


def _assign_members(cluster: Cluster, topic: Topic) -> int:
    """The cluster's cases join the topic (training examples and negatives keep their say)."""
    members = [int(i) for i in cluster.member_ids()]
    negatives = set(
        TopicExample.objects.filter(topic=topic, positive=False).values_list("case_id", flat=True)
    )
    now = timezone.now()
    moved = 0
    for part in _chunks(members):
        examples = set(
            TopicAssignment.objects.filter(
                case_id__in=part, source=TopicAssignment.Source.EXAMPLE
            ).values_list("case_id", flat=True)
        )
        movable = [case for case in part if case not in negatives and case not in examples]
        TopicAssignment.objects.filter(case_id__in=movable).delete()
        received = Case.objects.filter(pk__in=movable).values_list("pk", "received_at")
        TopicAssignment.objects.bulk_create(
            [
                TopicAssignment(
                    case_id=case,
                    topic=topic,
                    source=TopicAssignment.Source.RUN,
                    received_at=at,
                    assigned_at=now,
                )
                for case, at in received
            ],
            ignore_conflicts=True,
        )
        moved += len(movable)
    return moved


def _chunks(ids: list[int], size: int = CHUNK) -> list[list[int]]:
    """Id lists short enough for one `IN (...)` (SQLite and PostgreSQL both take them quickly)."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _received(ids: list[int]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for part in _chunks(ids):
        out.update(Case.objects.filter(pk__in=part).values_list("pk", "received_at"))
    return out


def name_cluster(cluster: Cluster, name: str, *, actor: Any) -> Topic:
    """군집 이름 붙이기: the cluster becomes (or renames) a topic that later runs keep."""
    name = (name or "").strip()
    if not name:
        raise ClusterActionError(_("군집 이름을 입력해 주세요."))
    if len(name) > NAME_MAX:
        raise ClusterActionError(_("군집 이름은 %(max)d자를 넘을 수 없습니다.") % {"max": NAME_MAX})
    with transaction.atomic():
        cluster = _locked(cluster)
        fresh = cluster.topic is None
        topic = _topic_for(cluster)
        before = topic.name
        topic.name, topic.updated_at = name, timezone.now()
        topic.save(update_fields=["name", "updated_at"])
        if fresh:
            _assign_members(cluster, topic)
        record_event(actor, "insights.cluster_named", topic, before={"name": before}, after={"name": name})
    return topic


def pin_cluster(cluster: Cluster, pinned: bool, *, actor: Any) -> Topic:
    """군집 고정 / 고정 해제: a pinned cluster is kept and counted even without a name."""
    with transaction.atomic():
        cluster = _locked(cluster)
        fresh = cluster.topic is None
        topic = _topic_for(cluster)
        before = topic.pinned
        topic.pinned, topic.updated_at = pinned, timezone.now()
        topic.save(update_fields=["pinned", "updated_at"])
        if fresh:
            _assign_members(cluster, topic)
        record_event(
            actor, "insights.cluster_pinned", topic, before={"pinned": before}, after={"pinned": pinned}
        )
    return topic


def merge_clusters(source: Cluster, target: Cluster, *, actor: Any) -> Cluster:
    """군집 병합: `source` goes into `target` (same run); their topics become one."""
    if source.pk == target.pk:
        raise ClusterActionError(_("같은 군집끼리는 병합할 수 없습니다."))
    if source.run_id != target.run_id:
        raise ClusterActionError(_("같은 분석 실행의 군집끼리만 병합할 수 있습니다."))
    with transaction.atomic():
        first, second = sorted([source, target], key=lambda c: c.pk)
        locked = {c.pk: _locked(c) for c in (first, second)}
        source, target = locked[source.pk], locked[target.pk]
        members = np.union1d(source.member_ids(), target.member_ids())
        weights = np.array([source.size, target.size], dtype=np.float32)[:, None]
        centroid = engine.unit(
            (np.vstack([source.centroid_array(), target.centroid_array()]) * weights).sum(axis=0)
        )
        daily = [a + b for a, b in zip(source.daily, target.daily, strict=True)]
        keywords = list(
            dict.fromkeys(w for pair in zip(target.keywords, source.keywords, strict=False) for w in pair)
        )
        keywords += [w for w in target.keywords + source.keywords if w not in keywords]
        target.members, target.size, target.daily = (
            members.astype(np.int64).tobytes(),
            int(members.size),
            daily,
        )
        target.centroid, target.keywords = centroid.tobytes(), keywords[: engine.KEYWORDS]
        absorbed = source.topic
        if target.topic is None and absorbed is not None:
            target.topic, target.topic_similarity = absorbed, source.topic_similarity
            absorbed = None
        target.save(
            update_fields=["members", "size", "daily", "centroid", "keywords", "topic", "topic_similarity"]
        )
        source.delete()
        if target.topic is not None:
            if absorbed is not None and absorbed.pk != target.topic.pk:
                _merge_topics(absorbed, target.topic)
            _assign_members(target, target.topic)
            refresh_centroid(target.topic, target.run.model_version)
        record_event(
            actor,
            "insights.clusters_merged",
            target,
            before={"source": source.number, "source_size": int(weights[0][0])},
            after={"target": target.number, "size": target.size},
        )
    return target


def _merge_topics(absorbed: Topic, into: Topic) -> None:
    """`absorbed` points at `into` from now on; its examples and cases move over."""
    for example in TopicExample.objects.filter(topic=absorbed):
        if not TopicExample.objects.filter(topic=into, case_id=example.case_id).exists():
            example.topic = into
            example.save(update_fields=["topic"])
    TopicAssignment.objects.filter(topic=absorbed).update(topic=into)
    absorbed.merged_into, absorbed.updated_at = into, timezone.now()
    absorbed.save(update_fields=["merged_into", "updated_at"])
    Cluster.objects.filter(topic=absorbed).update(topic=into)


def split_cluster(cluster: Cluster, k: int, *, actor: Any, seed: int = 0) -> list[Cluster]:
    """군집 나누기: the members clustered again into `k` clusters of the same run."""
    if not 2 <= k <= SPLIT_MAX:
        raise ClusterActionError(_("나눌 개수는 2에서 %(max)d 사이여야 합니다.") % {"max": SPLIT_MAX})
    with transaction.atomic():
        cluster = _locked(cluster)
        run = cluster.run
        ids, vectors = vectors_of(cluster.member_ids(), run.model_version)
        if ids.size < k:
            raise ClusterActionError(_("군집의 민원 수가 나눌 개수보다 적습니다."))
        received = _received([int(i) for i in ids])
        first = run.first_day
        local_days = np.array(
            [(timezone.localtime(received[int(i)]).date() - first).days for i in ids], dtype=np.int32
        )
        n_days = (run.last_day - first).days + 1
        local_days = np.clip(local_days, 0, n_days - 1)
        stamps = np.array([int(received[int(i)].timestamp()) for i in ids], dtype=np.int64)
        loaded = Loaded(ids, stamps, local_days, vectors)
        part = engine.partition(vectors, k, seed)
        described = describe(loaded, part, n_days, nouns_of, seed)
        next_number = (max(run.clusters.values_list("number", flat=True)) or 0) + 1
        topic = cluster.topic
        keeper = -1
        if topic is not None and topic.centroid_array() is not None:
            keeper = int(np.argmax(part.centroids @ topic.centroid_array()))
        children = Cluster.objects.bulk_create(
            [
                Cluster(
                    run=run,
                    number=next_number + item.number,
                    size=int(item.members.size),
                    keywords=item.keywords,
                    daily=item.daily,
                    members=item.members.tobytes(),
                    centroid=item.centroid.tobytes(),
                    topic=topic if item.number == keeper else None,
                    topic_similarity=1.0 if item.number == keeper else None,
                )
                for item in described
            ]
        )
        before = {"number": cluster.number, "size": cluster.size}
        cluster.delete()
        if topic is not None:
            leaving = [int(i) for child in described if child.number != keeper for i in child.members]
            for chunk in _chunks(leaving):
                TopicAssignment.objects.filter(
                    topic=topic,
                    case_id__in=chunk,
                    source__in=(TopicAssignment.Source.RUN, TopicAssignment.Source.NEW),
                ).delete()
            refresh_centroid(topic, run.model_version)
        record_event(
            actor,
            "insights.cluster_split",
            run,
            before=before,
            after={"numbers": [child.number for child in children], "k": k},
        )
    return children


def mark_example(cluster: Cluster, case: Case, positive: bool, *, actor: Any) -> TopicExample:
    """학습 예시 표시: the case belongs (positive) or does not belong (negative) to the cluster's topic."""
    with transaction.atomic():
        cluster = _locked(cluster)
        topic = cluster.topic
        if topic is None or not topic.active:
            raise ClusterActionError(_("학습 예시를 표시하려면 먼저 군집에 이름을 붙이거나 고정해 주세요."))
        example, _created = TopicExample.objects.update_or_create(
            topic=topic,
            case=case,
            defaults={"positive": positive, "marked_by": _user(actor), "marked_at": timezone.now()},
        )
        if positive:
            TopicAssignment.objects.update_or_create(
                case=case,
                defaults={
                    "topic": topic,
                    "source": TopicAssignment.Source.EXAMPLE,
                    "similarity": None,
                    "received_at": case.received_at,
                    "assigned_at": timezone.now(),
                },
            )
        else:
            TopicAssignment.objects.filter(case=case, topic=topic).delete()
        refresh_centroid(topic, cluster.run.model_version)
        record_event(
            actor,
            "insights.topic_example_marked",
            topic,
            after={"case": case.receipt_no, "positive": positive},
        )
    return example


def unmark_example(cluster: Cluster, case: Case, *, actor: Any) -> None:
    """학습 예시 해제: the case is an ordinary member again (its example-given assignment is dropped)."""
    with transaction.atomic():
        cluster = _locked(cluster)
        topic = cluster.topic
        deleted = 0 if topic is None else TopicExample.objects.filter(topic=topic, case=case).delete()[0]
        if topic is None or not deleted:
            raise ClusterActionError(_("이 민원은 이 군집의 학습 예시가 아닙니다."))
        TopicAssignment.objects.filter(case=case, topic=topic, source=TopicAssignment.Source.EXAMPLE).delete()
        refresh_centroid(topic, cluster.run.model_version)
        record_event(actor, "insights.topic_example_unmarked", topic, after={"case": case.receipt_no})


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) is not None and hasattr(actor, "get_username") else None
