"""The cluster pages: who may see and decide, each decision through its POST, bad input answered in Korean
with nothing written, and no personal data on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from sotong.cases.models import Case
from sotong.core.models import Event
from sotong.insights.models_clusters import Cluster, ClusterRun, Topic, TopicAssignment, TopicExample
from sotong.insights.tests.test_clusters import _cluster_of, analysed, make_run  # noqa: F401

LIST = reverse("insights_office:clusters")


def _url(name: str, cluster: Cluster) -> str:
    return reverse(f"insights_office:{name}", args=[cluster.pk])


def _state() -> tuple[Any, ...]:
    return (
        list(Topic.objects.values_list("pk", "name", "pinned", "merged_into_id")),
        list(Cluster.objects.order_by("pk").values_list("pk", "size")),
        TopicAssignment.objects.count(),
        TopicExample.objects.count(),
        ClusterRun.objects.count(),
    )


def test_anonymous_is_sent_to_login(client: Any, db: Any):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("role", ["sns_officer"])
def test_staff_without_a_case_role_get_403(request: Any, verified_client: Any, role: str, db: Any):
    assert verified_client(request.getfixturevalue(role)).get(LIST).status_code == 403


def test_handler_reads_but_cannot_decide_and_nothing_changes(
    analysed: list[Case],  # noqa: F811
    make_run: Callable[..., ClusterRun],  # noqa: F811
    handler: Any,
    verified_client: Any,
):
    run = make_run()
    cluster = run.clusters.first()
    client = verified_client(handler)
    assert client.get(LIST).status_code == 200
    page = client.get(_url("cluster", cluster))
    assert page.status_code == 200
    assert b"cluster-name-form" not in page.content
    before = _state()
    posts = [
        (_url("cluster_name", cluster), {"name": "이름"}),
        (_url("cluster_pin", cluster), {"pinned": "1"}),
        (_url("cluster_split", cluster), {"k": "2"}),
        (_url("cluster_merge", cluster), {"target": run.clusters.last().pk}),
        (_url("cluster_example", cluster), {"receipt_no": analysed[0].receipt_no, "mark": "positive"}),
        (reverse("insights_office:cluster_run_new"), {"first_day": "2026-01-01", "last_day": "2026-01-31"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert _state() == before


def test_list_shows_keywords_sizes_trend_and_marks(
    analysed: list[Case],  # noqa: F811
    make_run: Callable[..., ClusterRun],  # noqa: F811
    coordinator: Any,
    verified_client: Any,
    django_assert_max_num_queries: Any,
):
    run = make_run()
    parking = _cluster_of(run, "parking")
    client = verified_client(coordinator)
    client.post(_url("cluster_name", parking), {"name": "불법 주차"})
    client.post(_url("cluster_pin", parking), {"pinned": "1"})
    with django_assert_max_num_queries(12):
        page = client.get(LIST)
    text = page.content.decode()
    assert "불법 주차" in text
    assert "고정" in text
    assert text.count('<tr data-key="') >= 3 + 1  # three clusters, one run
    assert ", ".join(parking.keywords[:6]) in text


def test_detail_links_examples_to_the_case_page_without_personal_data(
    analysed: list[Case],  # noqa: F811
    make_run: Callable[..., ClusterRun],  # noqa: F811
    coordinator: Any,
    verified_client: Any,
):
    cluster = make_run().clusters.first()
    page = verified_client(coordinator).get(_url("cluster", cluster)).content.decode()
    member = Case.objects.get(pk=int(cluster.member_ids()[-1]))
    assert reverse("cases_office:detail", args=[member.receipt_no]) in page
    assert "김민원" not in page
    assert "010-9876" not in page
    assert 'id="table-trend"' in page


def test_naming_through_the_page_writes_an_event_and_bad_names_get_a_korean_400(
    analysed: list[Case],  # noqa: F811
    make_run: Callable[..., ClusterRun],  # noqa: F811
    coordinator: Any,
    verified_client: Any,
):
    cluster = make_run().clusters.first()
    client = verified_client(coordinator)
    before = _state()
    refused = client.post(_url("cluster_name", cluster), {"name": "  "})
    assert refused.status_code == 400
    assert "군집 이름" in refused.content.decode()
    assert _state() == before
    done = client.post(_url("cluster_name", cluster), {"name": "쓰레기 무단투기"})
    assert done.status_code == 302
    assert Topic.objects.get().name == "쓰레기 무단투기"
    assert Event.objects.filter(verb="insights.cluster_named", actor=coordinator).exists()


def test_merge_and_split_through_the_page(
    analysed: list[Case],  # noqa: F811
    make_run: Callable[..., ClusterRun],  # noqa: F811
    coordinator: Any,
    verified_client: Any,
):
    run = make_run()
    first, second, _third = run.clusters.all()
    client = verified_client(coordinator)
    assert client.post(_url("cluster_merge", first), {"target": "999999"}).status_code == 400
    assert client.post(_url("cluster_merge", first), {"target": second.pk}).status_code == 302
    assert run.clusters.count() == 2
    merged = Cluster.objects.get(pk=second.pk)
    assert merged.size == first.size + second.size
    assert client.post(_url("cluster_split", merged), {"k": "30"}).status_code == 400
    assert client.post(_url("cluster_split", merged), {"k": "2"}).status_code == 302
    assert run.clusters.count() == 3
    assert Event.objects.filter(verb="insights.clusters_merged").count() == 1
    assert Event.objects.filter(verb="insights.cluster_split").count() == 1


def test_examples_through_the_page(
    analysed: list[Case],  # noqa: F811
    make_run: Callable[..., ClusterRun],  # noqa: F811
    coordinator: Any,
    verified_client: Any,
):
    cluster = make_run().clusters.first()
    case = Case.objects.get(pk=int(cluster.member_ids()[0]))
    client = verified_client(coordinator)
    unnamed = client.post(
        _url("cluster_example", cluster), {"receipt_no": case.receipt_no, "mark": "negative"}
    )
    assert unnamed.status_code == 400
    assert "이름을 붙이거나 고정" in unnamed.content.decode()
    client.post(_url("cluster_pin", cluster), {"pinned": "1"})
    missing = client.post(
        _url("cluster_example", cluster), {"receipt_no": "0000-000000-0", "mark": "positive"}
    )
    assert missing.status_code == 400
    assert "찾을 수 없습니다" in missing.content.decode()
    assert not TopicExample.objects.exists()
    assert (
        client.post(
            _url("cluster_example", cluster), {"receipt_no": case.receipt_no, "mark": "negative"}
        ).status_code
        == 302
    )
    assert TopicExample.objects.get().positive is False


def test_requesting_a_run_enqueues_it_and_bad_periods_are_refused(
    db: Any, coordinator: Any, verified_client: Any
):
    from django_tasks_db.models import DBTaskResult

    client = verified_client(coordinator)
    url = reverse("insights_office:cluster_run_new")
    for data in (
        {"first_day": "2026-02-01", "last_day": "2026-01-01"},
        {"first_day": "2024-01-01", "last_day": "2026-01-01"},
        {"first_day": "어제", "last_day": "2026-01-01"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "기간을 확인해 주세요" in response.content.decode()
    assert not ClusterRun.objects.exists()
    response = client.post(url, {"first_day": "2026-01-01", "last_day": "2026-03-31", "k": "12"})
    assert response.status_code == 302
    run = ClusterRun.objects.get()
    assert (run.k, run.status, run.requested_by) == (12, ClusterRun.Status.PENDING, coordinator)
    assert DBTaskResult.objects.filter(task_path__endswith="run_clustering").count() == 1


def test_trend_compares_the_second_half_of_the_period_with_the_first():
    from sotong.insights.views.clusters import _trend_text

    assert _trend_text([2, 2, 3, 3]) == "+50%"
    assert _trend_text([4, 0, 1, 1]) == "-50%"
    assert _trend_text([0, 0, 1, 2]) == "새로 나타남"
    assert _trend_text([0, 0, 0, 0]) == "-"
