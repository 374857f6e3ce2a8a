"""Staff pages of organizations and committees (namespace `communities_office`): lists with search, detail
pages with members (masked), activities, minutes and meetings, and the expert-group table (seed 001).

Programme managers change things here (forms post to `views/office_change.py`); system administrators
see the same pages without the forms; nobody else opens them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from sotong.communities.forms_office import (
    ActivityForm,
    CommitteeSearchForm,
    EndMemberForm,
    MemberForm,
    MinutesForm,
    OrganizationSearchForm,
    RecordSearchForm,
)
from sotong.communities.models import (
    ActivityPhoto,
    Committee,
    CommitteeMeeting,
    Group,
    Organization,
    OrganizationMinutes,
    members_of,
)
from sotong.communities.queries import (
    expert_groups,
    search_activities,
    search_committees,
    search_meetings,
    search_minutes,
    search_organizations,
)
from sotong.core.models import Event

View = Callable[..., HttpResponseBase]
VERB_LABELS = {
    "communities.organization_created": gettext_lazy("단체 등록"),
    "communities.organization_updated": gettext_lazy("단체 정보 변경"),
    "communities.committee_created": gettext_lazy("위원회 등록"),
    "communities.committee_updated": gettext_lazy("위원회 정보 변경"),
    "communities.member_added": gettext_lazy("회원·위원 추가"),
    "communities.member_ended": gettext_lazy("참여 종료"),
    "communities.activity_recorded": gettext_lazy("활동 등록"),
    "communities.minutes_recorded": gettext_lazy("회의록 등록"),
    "communities.meeting_recorded": gettext_lazy("회의 등록"),
}
PER_PAGE = 50
RECORDS_PER_PAGE = 20


def communities_page(perm: str) -> Callable[[View], View]:
    """Signed in and holding `perm` (the rule itself: a superuser flag grants nothing here)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not (request.user.is_active and rules.has_perm(perm, request.user)):
                raise PermissionDenied(_("단체·위원회를 다룰 권한이 없습니다."))
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def may_change(request: HttpRequest) -> bool:
    return bool(rules.has_perm("communities.change", request.user))


def _members(group: Group) -> list[dict[str, Any]]:
    """The seats of the group, current first, each with the person masked (name, e-mail)."""
    today = timezone.localdate()
    rows = [
        {
            "seat": seat,
            "person": seat.person,
            "masked": seat.person.masked(),
            "current": seat.ended_on is None or seat.ended_on >= today,
        }
        for seat in members_of(group).order_by("-started_on", "id")
    ]
    return sorted(rows, key=lambda row: not row["current"])


def _events(target: Organization | Committee) -> list[tuple[Event, str]]:
    events = Event.objects.for_target(target).select_related("actor")[:50]
    return [(event, str(VERB_LABELS.get(event.verb, event.verb))) for event in events]


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return str(query.urlencode())


def _search(request: HttpRequest, form_class: type) -> Any:
    form = form_class(request.GET or None)
    return form, (form.cleaned_data if form.is_bound and form.is_valid() else {})


@communities_page("communities.view")
@require_GET
def organization_list(request: HttpRequest) -> HttpResponse:
    """단체 목록: search by name, type and dong."""
    form, terms = _search(request, OrganizationSearchForm)
    found = search_organizations(
        text=terms.get("text", ""),
        type=terms.get("type", ""),
        dong=terms.get("dong", "").strip(),
        active_only=terms.get("active_only", False),
    )
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "communities/office/organizations.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "may_change": may_change(request),
        },
    )


def organization_page(
    request: HttpRequest, organization: Organization, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """The organization's page; `forms` are bound forms to show again with their errors."""
    search, terms = _search(request, RecordSearchForm)
    period = {"start": terms.get("start"), "end": terms.get("end"), "text": terms.get("text", "")}
    activities = search_activities(organization=organization, **period)
    minutes = search_minutes(organization=organization, **period)
    changing = may_change(request)
    context = {
        "organization": organization,
        "members": _members(organization),
        "search": search,
        "activities": Paginator(activities, RECORDS_PER_PAGE).get_page(request.GET.get("page")),
        "minutes": minutes[:RECORDS_PER_PAGE],
        "events": _events(organization),
        "search_query": _query_without_page(request),
        "may_change": changing,
        "member_form": forms.get("member_form") or (MemberForm(prefix="member") if changing else None),
        "end_form": EndMemberForm(prefix="end") if changing else None,
        "activity_form": forms.get("activity_form")
        or (ActivityForm(prefix="activity") if changing else None),
        "minutes_form": forms.get("minutes_form") or (MinutesForm(prefix="minutes") if changing else None),
    }
    return render(request, "communities/office/organization.html", context, status=status)


@communities_page("communities.view")
@require_GET
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """단체 상세: members (masked), activities and minutes searched by period and words."""
    return organization_page(request, get_object_or_404(Organization, pk=pk))


@communities_page("communities.view")
@require_GET
def committee_list(request: HttpRequest) -> HttpResponse:
    """위원회 목록: search by name or legal basis."""
    form, terms = _search(request, CommitteeSearchForm)
    found = search_committees(text=terms.get("text", ""), active_only=terms.get("active_only", False))
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "communities/office/committees.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "may_change": may_change(request),
        },
    )


def committee_page(
    request: HttpRequest, committee: Committee, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """The committee's page; `forms` are bound forms to show again with their errors."""
    search, terms = _search(request, RecordSearchForm)
    meetings = search_meetings(
        committee=committee, start=terms.get("start"), end=terms.get("end"), text=terms.get("text", "")
    )
    changing = may_change(request)
    context = {
        "committee": committee,
        "members": _members(committee),
        "experts": expert_groups(committee=committee),
        "search": search,
        "meetings": Paginator(meetings, RECORDS_PER_PAGE).get_page(request.GET.get("page")),
        "events": _events(committee),
        "search_query": _query_without_page(request),
        "may_change": changing,
        "member_form": forms.get("member_form") or (MemberForm(prefix="member") if changing else None),
        "end_form": EndMemberForm(prefix="end") if changing else None,
        "meeting_form": forms.get("meeting_form") or (MinutesForm(prefix="meeting") if changing else None),
    }
    return render(request, "communities/office/committee.html", context, status=status)


@communities_page("communities.view")
@require_GET
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """위원회 상세: members with position, occupation, masked e-mail and term; meetings and minutes."""
    return committee_page(request, get_object_or_404(Committee.objects.select_related("department"), pk=pk))


@communities_page("communities.view")
@require_GET
def experts(request: HttpRequest) -> HttpResponse:
    """분야별 전문가 그룹: current committee members by occupation (seed 001's table)."""
    rows = expert_groups()
    return render(
        request,
        "communities/office/experts.html",
        {
            "rows": rows,
            "total": sum(row.total for row in rows),
            "male": sum(row.male for row in rows),
            "female": sum(row.female for row in rows),
        },
    )


FILE_SOURCES: dict[str, tuple[type, str, str]] = {
    "photo": (ActivityPhoto, "file", "name"),
    "minutes": (OrganizationMinutes, "attachment", "attachment_name"),
    "meeting": (CommitteeMeeting, "attachment", "attachment_name"),
}


@communities_page("communities.view")
@require_GET
def download(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """A photo or an attachment, served to staff who may see it (media files are not public)."""
    if kind not in FILE_SOURCES:
        raise Http404
    model, field, name_field = FILE_SOURCES[kind]
    row: Any = get_object_or_404(model, pk=pk)
    stored = getattr(row, field)
    if not stored:
        raise Http404
    return FileResponse(stored.open("rb"), filename=getattr(row, name_field), as_attachment=kind != "photo")
