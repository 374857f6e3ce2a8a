"""군집 (topic clusters) pages: the clusters of a run, one cluster's page, and the staff's decisions.

Coordinators and system administrators run clusterings and decide (name, pin, merge, split, training
examples); intake and handling staff read the pages, seeing as example cases only the ones their
departments may open. Every decision is a POST with CSRF that calls `clusters.actions`; bad input is
answered with the page again, a Korean message and status 400.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sotong.accounts.models import Role, User
from sotong.cases.forms_office import OfficeForm
from sotong.cases.models import Case
from sotong.insights.board.rollup import seoul_today
from sotong.insights.clusters import actions, engine, runs
from sotong.insights.models_clusters import Cluster, ClusterRun, TopicExample
from sotong.insights.similar import public_text

MANAGE_ROLES = (Role.COORDINATOR, Role.SYSADMIN)
READ_ROLES = (*MANAGE_ROLES, Role.INTAKE, Role.HANDLER)
MAX_DAYS = 366
EXAMPLES = 20
NEWEST = 500
WEEKLY_AFTER = 62  # days: a longer period is charted by week


def _roles(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not cast(User, request.user).has_role(*roles):
                raise PermissionDenied(_("군집 분석을 볼 권한이 없습니다."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _may_manage(request: HttpRequest) -> bool:
    return cast(User, request.user).has_role(*MANAGE_ROLES)


class RunForm(OfficeForm):
    first_day = forms.DateField(
        label=gettext_lazy("접수일(부터)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = forms.DateField(
        label=gettext_lazy("접수일(까지)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    k = forms.IntegerField(
        label=gettext_lazy("군집 수"),
        required=False,
        min_value=engine.MIN_K,
        max_value=engine.MAX_K,
        help_text=gettext_lazy("비워 두면 민원 수에 맞춰 정합니다."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", gettext_lazy("끝나는 날이 시작하는 날보다 앞섭니다."))
        elif first and last and (last - first).days >= MAX_DAYS:
            self.add_error("last_day", gettext_lazy("기간은 1년을 넘을 수 없습니다."))
        return data


class NameForm(OfficeForm):
    name = forms.CharField(label=gettext_lazy("군집 이름"), max_length=actions.NAME_MAX)


class MergeForm(OfficeForm):
    target = forms.TypedChoiceField(label=gettext_lazy("병합할 군집"), coerce=int)

    def __init__(self, *args: Any, cluster: Cluster, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = (
            cluster.run.clusters.exclude(pk=cluster.pk).select_related("topic").defer("members", "centroid")
        )
        cast(forms.TypedChoiceField, self.fields["target"]).choices = [
            (other.pk, _cluster_label(other)) for other in others
        ]


class SplitForm(OfficeForm):
    k = forms.IntegerField(
        label=gettext_lazy("나눌 개수"), min_value=2, max_value=actions.SPLIT_MAX, initial=2
    )


class ExampleForm(OfficeForm):
    receipt_no = forms.CharField(label=gettext_lazy("접수번호"), max_length=20)
    mark = forms.ChoiceField(
        label=gettext_lazy("표시"),
        choices=[
            ("positive", gettext_lazy("이 군집의 예시")),
            ("negative", gettext_lazy("이 군집이 아닌 예시")),
            ("remove", gettext_lazy("예시 해제")),
        ],
    )


def _cluster_label(cluster: Cluster) -> str:
    words = ", ".join(cluster.keywords[:3])
    if cluster.topic is not None and cluster.topic.name:
        return f"{cluster.topic.name} ({words})"
    return _("%(number)s번 군집 (%(words)s)") % {"number": cluster.number, "words": words}


def _trend_text(counts: list[int]) -> str:
    change = engine.trend(counts)
    if change is None:
        # nothing in the first half: a cluster that appeared in the second is new, not "+∞ %"
        return _("새로 나타남") if len(counts) >= 2 and any(counts[len(counts) // 2 :]) else "-"
    return f"{change * 100:+.0f}%"


def _series(run: ClusterRun, daily: list[int]) -> list[tuple[str, int]]:
    """(label, count) per day, or per week (from the period's first day) for periods over two months."""
    if len(daily) <= WEEKLY_AFTER:
        return [((run.first_day + timedelta(days=i)).strftime("%m-%d"), n) for i, n in enumerate(daily)]
    weeks = []
    for start in range(0, len(daily), 7):
        first = run.first_day + timedelta(days=start)
        weeks.append((_("%(day)s 주") % {"day": first.strftime("%m-%d")}, sum(daily[start : start + 7])))
    return weeks


@_roles(*READ_ROLES)
@require_GET
def cluster_list(request: HttpRequest) -> HttpResponse:
    """군집 목록: the clusters of the chosen run (the newest finished one by default) and the runs."""
    recent = list(ClusterRun.objects.select_related("requested_by")[: runs.KEEP_RUNS])
    chosen = request.GET.get("run", "")
    run = None
    if chosen.isdigit():
        run = next((item for item in recent if item.pk == int(chosen)), None)
    if run is None:
        run = next((item for item in recent if item.status == ClusterRun.Status.DONE), None)
    rows: list[dict[str, Any]] = []
    if run is not None:
        for cluster in run.clusters.select_related("topic").defer("members", "centroid"):
            rows.append({"cluster": cluster, "trend": _trend_text(cluster.daily)})
    today = seoul_today()
    form = RunForm(initial={"first_day": today - timedelta(days=89), "last_day": today})
    top: list[Cluster] = [row["cluster"] for row in rows[:20]]
    chart = {"sizes": {"labels": [_cluster_label(c) for c in top], "values": [c.size for c in top]}}
    return render(
        request,
        "insights/office/clusters.html",
        {
            "runs": recent,
            "run": run,
            "rows": rows,
            "form": form,
            "may_manage": _may_manage(request),
            "chart": chart,
        },
    )


@_roles(*MANAGE_ROLES)
@require_POST
def run_new(request: HttpRequest) -> HttpResponse:
    """군집 분석 요청: a run for the period, done by the worker."""
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("기간을 확인해 주세요.")
            + " "
            + " ".join(str(e) for errs in form.errors.values() for e in errs),
        )
        recent = list(ClusterRun.objects.select_related("requested_by")[: runs.KEEP_RUNS])
        context: dict[str, Any] = {
            "runs": recent,
            "run": None,
            "rows": [],
            "form": form,
            "may_manage": True,
            "chart": {},
        }
        return render(request, "insights/office/clusters.html", context, status=400)
    data = form.cleaned_data
    run = runs.request_run(data["first_day"], data["last_day"], actor=request.user, k=data["k"])
    messages.success(request, _("군집 분석을 요청했습니다. 잠시 뒤 목록에서 결과를 볼 수 있습니다."))
    return redirect(reverse("insights_office:clusters") + f"?run={run.pk}")


def _examples(request: HttpRequest, cluster: Cluster) -> list[dict[str, Any]]:
    """The newest visible members, and the topic's training examples, without personal data."""
    marks: dict[int, bool] = {}
    if cluster.topic_id is not None:
        marks = dict(
            TopicExample.objects.filter(topic_id=cluster.topic_id).values_list("case_id", "positive")
        )
    # The newest members by id (ids grow with receipt): a bounded IN (...) even for a huge cluster.
    ids = [int(i) for i in cluster.member_ids()[-NEWEST:]]
    visible = Case.objects.visible_to(request.user)
    members = list(
        visible.filter(pk__in=ids)
        .order_by("-received_at", "-pk")
        .only("pk", "receipt_no", "title", "citizen_name", "received_at", "category")[:EXAMPLES]
    )
    shown = {case.pk for case in members}
    extra = [pk for pk in marks if pk not in shown]
    if extra:
        members += list(
            visible.filter(pk__in=extra).only(
                "pk", "receipt_no", "title", "citizen_name", "received_at", "category"
            )
        )
    return [
        {"case": case, "title": public_text(case.title, [case.citizen_name]), "mark": marks.get(case.pk)}
        for case in members
    ]


def _detail_context(request: HttpRequest, cluster: Cluster, **forms_given: forms.Form) -> dict[str, Any]:
    series = _series(cluster.run, cluster.daily)
    context: dict[str, Any] = {
        "cluster": cluster,
        "run": cluster.run,
        "label": _cluster_label(cluster),
        "trend": _trend_text(cluster.daily),
        "series": series,
        "weekly": len(cluster.daily) > WEEKLY_AFTER,
        "examples": _examples(request, cluster),
        "may_manage": _may_manage(request),
        "chart": {
            "trend": {"labels": [s[0] for s in series], "values": [s[1] for s in series], "line": True}
        },
    }
    if context["may_manage"]:
        context.update(
            name_form=forms_given.get("name")
            or NameForm(initial={"name": cluster.topic.name if cluster.topic else ""}),
            merge_form=forms_given.get("merge") or MergeForm(cluster=cluster),
            split_form=forms_given.get("split") or SplitForm(),
            example_form=forms_given.get("example") or ExampleForm(),
        )
    return context


def _cluster(pk: int) -> Cluster:
    return get_object_or_404(Cluster.objects.select_related("run", "topic"), pk=pk)


@_roles(*READ_ROLES)
@require_GET
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """군집 상세: keywords, trend chart with its table, example cases, and the decisions."""
    cluster = _cluster(pk)
    return render(request, "insights/office/clusters_detail.html", _detail_context(request, cluster))


def _refused(request: HttpRequest, cluster: Cluster, message: str, **forms_given: forms.Form) -> HttpResponse:
    messages.error(request, message)
    return render(
        request,
        "insights/office/clusters_detail.html",
        _detail_context(request, cluster, **forms_given),
        status=400,
    )


def _done(request: HttpRequest, pk: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("insights_office:cluster", pk=pk)


@_roles(*MANAGE_ROLES)
@require_POST
def cluster_name(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(pk)
    form = NameForm(request.POST)
    if not form.is_valid():
        return _refused(request, cluster, _("군집 이름을 1~80자로 입력해 주세요."), name=form)
    try:
        actions.name_cluster(cluster, form.cleaned_data["name"], actor=request.user)
    except actions.ClusterActionError as error:
        return _refused(request, cluster, str(error), name=form)
    return _done(request, pk, _("군집 이름을 저장했습니다. 다음 분석에서도 이 이름이 이어집니다."))


@_roles(*MANAGE_ROLES)
@require_POST
def cluster_pin(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(pk)
    pinned = request.POST.get("pinned") == "1"
    actions.pin_cluster(cluster, pinned, actor=request.user)
    return _done(request, pk, _("군집을 고정했습니다.") if pinned else _("군집 고정을 풀었습니다."))


@_roles(*MANAGE_ROLES)
@require_POST
def cluster_merge(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(pk)
    form = MergeForm(request.POST, cluster=cluster)
    if not form.is_valid():
        return _refused(request, cluster, _("병합할 군집을 목록에서 골라 주세요."), merge=form)
    target = _cluster(form.cleaned_data["target"])
    try:
        merged = actions.merge_clusters(cluster, target, actor=request.user)
    except actions.ClusterActionError as error:
        return _refused(request, cluster, str(error), merge=form)
    return _done(request, merged.pk, _("군집을 병합했습니다."))


@_roles(*MANAGE_ROLES)
@require_POST
def cluster_split(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(pk)
    form = SplitForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            cluster,
            _("나눌 개수는 2에서 %(max)s 사이의 숫자여야 합니다.") % {"max": actions.SPLIT_MAX},
            split=form,
        )
    try:
        children = actions.split_cluster(cluster, form.cleaned_data["k"], actor=request.user)
    except actions.ClusterActionError as error:
        return _refused(request, cluster, str(error), split=form)
    messages.success(request, _("군집을 %(n)s개로 나눴습니다.") % {"n": len(children)})
    return redirect(reverse("insights_office:clusters") + f"?run={cluster.run_id}")


@_roles(*MANAGE_ROLES)
@require_POST
def cluster_example(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _cluster(pk)
    form = ExampleForm(request.POST)
    if not form.is_valid():
        return _refused(request, cluster, _("접수번호와 표시할 내용을 확인해 주세요."), example=form)
    case = (
        Case.objects.visible_to(request.user)
        .filter(receipt_no=form.cleaned_data["receipt_no"].strip())
        .first()
    )
    if case is None:
        return _refused(request, cluster, _("그 접수번호의 민원을 찾을 수 없습니다."), example=form)
    mark = form.cleaned_data["mark"]
    try:
        if mark == "remove":
            actions.unmark_example(cluster, case, actor=request.user)
        else:
            actions.mark_example(cluster, case, mark == "positive", actor=request.user)
    except actions.ClusterActionError as error:
        return _refused(request, cluster, str(error), example=form)
    done = {
        "positive": _("%(no)s 민원을 이 군집의 학습 예시로 표시했습니다."),
        "negative": _("%(no)s 민원을 이 군집이 아닌 예시로 표시했습니다."),
        "remove": _("%(no)s 민원의 학습 예시 표시를 풀었습니다."),
    }[mark]
    return _done(request, pk, done % {"no": case.receipt_no})
