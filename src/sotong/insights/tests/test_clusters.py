"""Topic clusters: a run finds the corpus's topics, names survive a re-run, merge/split/pin and training
examples work, new cases are assigned by the task, and `counts` gives the alerts what they read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from sotong.cases.actions import submit_case
from sotong.cases.models import Case
from sotong.cases.tests.conftest import case_values
from sotong.core.models import Event
from sotong.core.scheduler import registered_sweeps
from sotong.insights import pipeline
from sotong.insights.board.rollup import seoul_today
from sotong.insights.clusters import actions, assign, counts, runs
from sotong.insights.models_clusters import Cluster, ClusterRun, Topic, TopicAssignment, TopicExample
from sotong.insights.tests.conftest import topic_of

DAYS = 14


@pytest.fixture
def analysed(corpus: Callable[..., list[Case]]) -> list[Case]:
    """The 36-case corpus received over the last ten days (case i on day -(i mod 10)), analysed."""
    cases = corpus(answered=False)
    now = timezone.now()
    for position, case in enumerate(cases):
        Case.objects.filter(pk=case.pk).update(received_at=now - timedelta(days=position % 10))
    pipeline.analyse_new()
    assert pipeline.current_model() is not None
    return list(Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("pk"))


@pytest.fixture
def make_run(run_worker: Callable[[], str], coordinator: Any) -> Callable[..., ClusterRun]:
    def make(k: int | None = 3) -> ClusterRun:
        last = seoul_today()
        run = runs.request_run(last - timedelta(days=DAYS - 1), last, actor=coordinator, k=k)
        run_worker()
        run.refresh_from_db()
        assert run.status == ClusterRun.Status.DONE, run.error
        return run

    return make


def _topics_of(cluster: Cluster) -> Counter[str]:
    cases = Case.objects.filter(pk__in=[int(i) for i in cluster.member_ids()])
    return Counter(topic_of(case) for case in cases)


def _cluster_of(run: ClusterRun, topic: str) -> Cluster:
    return max(run.clusters.all(), key=lambda cluster: _topics_of(cluster)[topic])


def test_a_run_on_the_worker_finds_the_three_topics(
    analysed: list[Case], make_run: Callable[..., ClusterRun]
):
    run = make_run()
    clusters = list(run.clusters.all())
    assert run.cases == 36
    assert run.k == 3
    assert run.seconds is not None
    assert sum(cluster.size for cluster in clusters) == 36
    majority = sum(_topics_of(cluster).most_common(1)[0][1] for cluster in clusters)
    # purity: three even clusters drawn at random reach about 0.4; 36 short texts sharing the body's
    # closing words leave k-means some room (the quality test measures 3,000 real titles)
    assert majority / 36 >= 0.7
    sanitation = _cluster_of(run, "sanitation")
    assert "쓰레기" in sanitation.keywords[:3]
    assert sum(sanitation.daily) == sanitation.size
    assert len(sanitation.daily) == DAYS
    assert Event.objects.filter(verb="insights.cluster_run_requested").count() == 1


def test_a_run_without_a_model_fails_with_a_reason(db: Any, run_worker: Callable[[], str]):
    last = seoul_today()
    run = runs.request_run(last - timedelta(days=6), last, k=3)
    run_worker()
    run.refresh_from_db()
    assert run.status == ClusterRun.Status.FAILED
    assert "표현 모델" in run.error


def test_execute_run_twice_does_the_work_once(analysed: list[Case], make_run: Callable[..., ClusterRun]):
    run = make_run()
    again = runs.execute_run(run.pk)
    assert again.status == ClusterRun.Status.DONE
    assert Cluster.objects.filter(run=run).count() == 3


def test_a_name_survives_a_new_run_and_its_cases_are_counted(
    analysed: list[Case], make_run: Callable[..., ClusterRun], coordinator: Any
):
    first = make_run()
    parking = _cluster_of(first, "parking")
    topic = actions.name_cluster(parking, "불법 주정차", actor=coordinator)
    assert TopicAssignment.objects.filter(topic=topic).count() == parking.size

    second = make_run()
    matched = second.clusters.get(topic=topic)
    assert _topics_of(matched).most_common(1)[0][0] == "parking"
    assert matched.topic_similarity is not None
    assert matched.topic_similarity > 0.9
    assert second.clusters.filter(topic__isnull=False).count() == 1

    today = seoul_today()
    daily = counts.daily_counts(today - timedelta(days=DAYS - 1), today)
    assert sum(n for (topic_id, _day), n in daily.items() if topic_id == topic.pk) == matched.size
    members = Case.objects.filter(pk__in=[int(i) for i in matched.member_ids()])
    by_day = Counter(timezone.localtime(c.received_at).date() for c in members)
    assert {day: n for (_t, day), n in daily.items()} == dict(by_day)
    assert counts.labels([topic.pk]) == {topic.pk: "불법 주정차"}
    assert Event.objects.filter(verb="insights.cluster_named", actor=coordinator).count() == 1


def test_bad_names_are_refused_and_nothing_is_written(analysed: list[Case], make_run, coordinator: Any):
    cluster = make_run().clusters.first()
    for name in ("", "   ", "가" * 81):
        with pytest.raises(actions.ClusterActionError):
            actions.name_cluster(cluster, name, actor=coordinator)
    assert not Topic.objects.exists()
    assert not TopicAssignment.objects.exists()


def test_a_pinned_cluster_is_active_and_unpinning_stops_its_counts(
    analysed: list[Case], make_run, coordinator
):
    run = make_run()
    cluster = _cluster_of(run, "parks")
    topic = actions.pin_cluster(cluster, True, actor=coordinator)
    assert topic.active
    assert topic.name == ""
    assert topic.label.startswith(f"#{topic.pk}")
    today = seoul_today()
    assert sum(counts.daily_counts(today - timedelta(days=DAYS), today).values()) == cluster.size
    actions.pin_cluster(cluster, False, actor=coordinator)
    assert counts.daily_counts(today - timedelta(days=DAYS), today) == {}


def test_merge_joins_members_and_topics(analysed: list[Case], make_run, coordinator: Any):
    run = make_run()
    parking, parks = list(run.clusters.order_by("-size")[:2])
    sizes = parking.size + parks.size
    kept = actions.name_cluster(parks, "공원", actor=coordinator)
    gone = actions.name_cluster(parking, "주차", actor=coordinator)
    target = actions.merge_clusters(parking, parks, actor=coordinator)
    assert target.size == sizes
    assert sum(target.daily) == sizes
    assert not Cluster.objects.filter(pk=parking.pk).exists()
    gone.refresh_from_db()
    assert gone.merged_into_id == kept.pk
    assert not gone.active
    assert TopicAssignment.objects.filter(topic=kept).count() == sizes
    with pytest.raises(actions.ClusterActionError):
        actions.merge_clusters(target, target, actor=coordinator)


def test_split_makes_k_clusters_and_keeps_the_topic_on_one(analysed: list[Case], make_run, coordinator: Any):
    run = make_run(k=2)
    big = run.clusters.order_by("-size").first()
    assert big is not None
    assert big.size >= 20
    topic = actions.name_cluster(big, "생활 불편", actor=coordinator)
    children = actions.split_cluster(big, 2, actor=coordinator)
    assert len(children) == 2
    assert sum(child.size for child in children) == big.size
    assert [child.topic_id for child in children].count(topic.pk) == 1
    keeper = next(child for child in children if child.topic_id == topic.pk)
    assert TopicAssignment.objects.filter(topic=topic).count() == keeper.size
    assert run.clusters.count() == 3
    with pytest.raises(actions.ClusterActionError):
        actions.split_cluster(keeper, 1, actor=coordinator)
    with pytest.raises(actions.ClusterActionError):
        actions.split_cluster(keeper, 11, actor=coordinator)


def test_training_examples_steer_the_topic(analysed: list[Case], make_run, coordinator: Any):
    run = make_run()
    sanitation = _cluster_of(run, "sanitation")
    member = Case.objects.get(pk=int(sanitation.member_ids()[0]))
    outsider = next(case for case in analysed if topic_of(case) == "parking")
    with pytest.raises(actions.ClusterActionError, match="이름을 붙이거나 고정"):
        actions.mark_example(sanitation, member, False, actor=coordinator)
    topic = actions.name_cluster(sanitation, "쓰레기", actor=coordinator)

    actions.mark_example(sanitation, member, False, actor=coordinator)
    assert not TopicAssignment.objects.filter(case=member, topic=topic).exists()
    actions.mark_example(sanitation, outsider, True, actor=coordinator)
    assignment = TopicAssignment.objects.get(case=outsider)
    assert assignment.topic == topic
    assert assignment.source == TopicAssignment.Source.EXAMPLE

    make_run()  # the examples hold over a re-run
    assert not TopicAssignment.objects.filter(case=member, topic=topic).exists()
    assert TopicAssignment.objects.get(case=outsider).topic == topic
    actions.unmark_example(sanitation, outsider, actor=coordinator)
    assert not TopicExample.objects.filter(case=outsider).exists()
    with pytest.raises(actions.ClusterActionError):
        actions.unmark_example(sanitation, outsider, actor=coordinator)


def test_a_new_case_is_assigned_to_the_named_topic_by_the_task(
    analysed: list[Case], make_run, coordinator: Any, org: Any, run_worker: Callable[[], str]
):
    run = make_run()
    topic = actions.name_cluster(_cluster_of(run, "parking"), "불법 주차", actor=coordinator)
    sweep = registered_sweeps()["insights.assign_topics"]
    assert sweep.func(timezone.now()) == "enqueued"
    run_worker()
    assert assign.cursor() == max(case.pk for case in analysed)
    assert sweep.func(timezone.now()) == "up to date"

    parked = submit_case(
        **case_values(org, title="아파트 앞 불법 주차 차량 단속 요청", body="불법 주차 단속 부탁")
    )
    unrelated = submit_case(**case_values(org, title="도서관 운영 시간 연장", body="주말 도서관 운영"))
    pipeline.analyse_new()
    assert not TopicAssignment.objects.filter(case=parked).exists()  # intake wrote nothing
    assert sweep.func(timezone.now()) == "enqueued"
    run_worker()
    assignment = TopicAssignment.objects.get(case=parked)
    assert assignment.topic == topic
    assert assignment.source == TopicAssignment.Source.NEW
    assert assignment.similarity is not None
    assert assignment.similarity >= assign.ASSIGN_SIMILARITY
    assert not TopicAssignment.objects.filter(case=unrelated).exists()
    assert assign.cursor() == unrelated.pk


def test_recluster_sweep_enqueues_one_run_for_the_last_year(analysed: list[Case]):
    sweep = registered_sweeps()["insights.recluster"]
    assert sweep.func(timezone.now()).endswith("enqueued")
    assert sweep.func(timezone.now()) == "a run is waiting"
    run = ClusterRun.objects.get()
    assert (run.last_day - run.first_day).days == 364
    assert run.last_day == seoul_today() - timedelta(days=1)
    # checked every 10 minutes, run once a day: a finished run that reaches yesterday leaves nothing to do
    ClusterRun.objects.filter(pk=run.pk).update(status=ClusterRun.Status.DONE)
    assert sweep.every == timedelta(minutes=10)
    assert sweep.func(timezone.now()) == "up to date"
    # a run of an older day does not count; a failure waits a day before the next try
    ClusterRun.objects.filter(pk=run.pk).update(last_day=run.last_day - timedelta(days=1))
    assert sweep.func(timezone.now()).endswith("enqueued")
    ClusterRun.objects.exclude(pk=run.pk).update(status=ClusterRun.Status.FAILED)
    assert sweep.func(timezone.now()) == "a run failed in the last day: tried again tomorrow"


def test_old_runs_are_pruned(analysed: list[Case], make_run):
    runs_made = [make_run() for _ in range(3)]
    assert runs.prune_runs(keep=1) == 2 + 2 * 3  # two runs and their clusters
    assert list(ClusterRun.objects.all()) == [runs_made[-1]]


def test_a_name_survives_a_refit_of_the_representation(analysed: list[Case], make_run, coordinator: Any):
    first = make_run()
    sanitation = _cluster_of(first, "sanitation")
    topic = actions.name_cluster(sanitation, "쓰레기", actor=coordinator)
    old_version = first.model_version

    pipeline.refit(seed=1)  # new axes: every stored vector and the topic's centroid are of the old model

    second = make_run()
    assert second.model_version != old_version
    matched = second.clusters.get(topic=topic)
    assert _topics_of(matched).most_common(1)[0][0] == "sanitation"
    topic.refresh_from_db()
    assert topic.model_version == second.model_version
