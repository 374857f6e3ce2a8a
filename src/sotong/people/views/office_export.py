"""명단 내려받기 (masked by default; unmasked only for the role that may, always with a reason, always
logged) and 현황 (seed 001's tables by gender, age band, dong and occupation, with charts), both for the
people the list page selects: the whole registry, a segment, a list or the current filter.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sotong.core.errors import DomainError
from sotong.people import queries
from sotong.people.exports import export_people
from sotong.people.forms_office import ExportForm
from sotong.people.models import Segment
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
    """명단 내려받기: xlsx or csv of the selected people, masked unless the role may and asks."""
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
            fmt = data["fmt"]
            text = io.StringIO() if fmt == "csv" else None
            binary = io.BytesIO() if fmt == "xlsx" else None
            try:
                export_people(
                    filtered.people,
                    text if text is not None else binary,  # type: ignore[arg-type]
                    actor=user_of(request),
                    fmt=fmt,
                    unmasked=bool(data.get("unmasked")),
                    reason=data["reason"],
                    request=request,
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = 403 if error.status_code == 403 else 400
            else:
                content = text.getvalue().encode("utf-8") if text is not None else binary.getvalue()  # type: ignore[union-attr]
                response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
                stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
                kind = "unmasked" if data.get("unmasked") else "masked"
                response["Content-Disposition"] = f'attachment; filename="people-{kind}-{stamp}.{fmt}"'
                return response
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
        },
        status=status,
    )


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
