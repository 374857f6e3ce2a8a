"""명단 내려받기 (masked by default; unmasked only for the role that may, always with a reason; the worker
writes the file, every download of it is logged) and 현황 (seed 001's tables by gender, age band, dong and occupation, with charts), both for the
people the list page selects: the whole registry, a segment, a list or the current filter.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sotong.core.errors import DomainError
from sotong.people import queries
from sotong.people.exports import open_export, start_export
from sotong.people.forms_office import ExportForm
from sotong.people.models import ExportJob, Segment
from sotong.people.views.office_common import Filtered, can, registry_page, user_of

TOP = 30  # rows of the dong and occupation tables; the rest are summed in one row
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _scope_label(filtered: Filtered) -> str:
    if filtered.segment is not None and filtered.from_segment:
        return _("저장된 조건 '%(name)s'") % {"name": filtered.segment.name}
    if filtered.person_list is not None and not filtered.bound:
        return _("명단 '%(name)s'") % {"name": filtered.person_list.name}
    if filtered.bound:
        return _("명부 화면에서 고른 조건")
    return _("전체 정책고객")


@registry_page("people.export_people")
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    """명단 내려받기: xlsx or csv of the selected people, masked unless the role may and asks; the worker
    writes the file and the job page offers it."""
    filtered = Filtered(request.GET)
    may_unmask = can(request, "people.export_unmasked")
    form = ExportForm(request.POST or None, may_unmask=may_unmask)
    status = 200
    if request.method == "POST":
        status = 400
        if request.POST.get("unmasked") and not may_unmask:
            raise PermissionDenied(_("마스킹하지 않은 명단을 내려받을 권한이 없습니다."))
        if filtered.error or (filtered.bound and not filtered.form.is_valid()):
            form.add_error(None, filtered.error or _("조건을 확인해 주세요."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                job = start_export(
                    user_of(request),
                    query=filtered.query(),
                    scope=_scope_label(filtered),
                    fmt=data["fmt"],
                    unmasked=bool(data.get("unmasked")),
                    reason=data["reason"],
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = 403 if error.status_code == 403 else 400
            else:
                return redirect("people_office:export_job", job.pk)
    return render(
        request,
        "people/office/export.html",
        {
            "form": form,
            "filtered": filtered,
            "query": filtered.query(),
            "count": filtered.people.count(),
            "scope": _scope_label(filtered),
            "may_import": can(request, "people.import_people"),
            "may_export": True,
            "recent": ExportJob.objects.filter(created_by=user_of(request)).order_by("-created_at", "-id")[
                :5
            ],
        },
        status=status,
    )


def _own_export(request: HttpRequest, job_id: int) -> ExportJob:
    job = get_object_or_404(ExportJob, pk=job_id)
    if job.created_by_id != request.user.pk:
        raise PermissionDenied(_("다른 담당자가 요청한 명단입니다."))
    return job


@registry_page("people.export_people")
@require_http_methods(["GET"])
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The requested export: its progress while the worker writes it, then the download until it expires."""
    job = _own_export(request, job_id)
    return render(request, "people/office/export_job.html", {"job": job, "may_export": True})


@registry_page("people.export_people")
@require_http_methods(["GET"])
def export_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The status panel, polled by htmx every 2 s; the page reloads when the file is ready."""
    job = _own_export(request, job_id)
    response = render(request, "people/office/_export_status.html", {"job": job})
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@registry_page("people.export_people")
@require_POST
def export_download(request: HttpRequest, job_id: int) -> HttpResponse:
    """내려받기: the file, after its access-log row (one per download)."""
    job = _own_export(request, job_id)
    try:
        stream = open_export(user_of(request), job, request=request)
    except DomainError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
        return redirect("people_office:export_job", job.pk)
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    kind = "unmasked" if job.unmasked else "masked"
    response = FileResponse(stream, as_attachment=True, filename=f"people-{kind}-{stamp}.{job.fmt}")
    response["Content-Type"] = CONTENT_TYPES[job.fmt]
    return response  # type: ignore[return-value]


def _top(rows: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    if len(rows) <= TOP:
        return rows
    rest = sum(count for _code, _label, count in rows[TOP:])
    return [*rows[:TOP], ("", _("그 밖 %(n)d개") % {"n": len(rows) - TOP}, rest)]


def _table(key: str, title: str, heading: str, rows: list[tuple[str, str, int]]) -> dict[str, Any]:
    total = sum(count for _code, _label, count in rows)
    return {
        "key": key,
        "title": title,
        "heading": heading,
        "rows": [
            (label, count, round(100 * count / total, 1) if total else 0.0) for _code, label, count in rows
        ],
        "total": total,
        "chart": {"labels": [label for _code, label, _n in rows], "values": [n for _c, _l, n in rows]},
    }


@registry_page("people.view_person")
@require_http_methods(["GET"])
def summary(request: HttpRequest) -> HttpResponse:
    """현황: counts by gender, age band, dong and occupation (seed 001), as tables and charts."""
    filtered = Filtered(request.GET)
    people = filtered.people
    tables = [
        _table("gender", _("성별"), _("성별 현황"), queries.by_gender(people)),
        _table("age", _("연령대"), _("연령대별 현황"), queries.by_age_band(people)),
        _table("dong", _("행정동"), _("행정동별 현황"), _top(queries.by_dong(people))),
        _table("occupation", _("직업"), _("직업별 현황"), _top(queries.by_occupation(people))),
    ]
    return render(
        request,
        "people/office/summary.html",
        {
            "tables": tables,
            "charts": {table["key"]: table["chart"] for table in tables},
            "total": tables[0]["total"],
            "filtered": filtered,
            "query": filtered.query(),
            "scope": _scope_label(filtered),
            "segments": Segment.objects.order_by("name", "id"),
            "may_import": can(request, "people.import_people"),
            "may_export": can(request, "people.export_people"),
        },
    )
