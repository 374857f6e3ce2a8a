"""The forms of the organization and committee pages: create and edit, members, activities, minutes and
meetings. Each posts to its own URL and calls one action; a refused action shows its Korean message on the
page (status 400, or 403 from the action) and writes nothing.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sotong.accounts.models import User
from sotong.cases.forms_office import OfficeForm
from sotong.communities import actions
from sotong.communities.forms_office import (
    ActivityForm,
    CommitteeForm,
    EndMemberForm,
    MemberForm,
    MinutesForm,
    OrganizationForm,
)
from sotong.communities.models import Committee, Group, Organization, members_of
from sotong.communities.views.office import committee_page, communities_page, organization_page
from sotong.core.errors import DomainError
from sotong.people.models import Person

CHANGE = "communities.change"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _status(error: DomainError) -> int:
    return error.status_code if error.status_code != 422 else 400


def _edit(
    request: HttpRequest,
    form: OfficeForm,
    *,
    save: Any,
    template_context: dict[str, Any],
) -> HttpResponse | Any:
    """Validate `form` and call `save(data)`; the saved object, or the form page again with errors."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                return save(form.cleaned_data)
            except DomainError as error:
                form.add_domain_error(error)  # type: ignore[attr-defined]
                status = _status(error)
    return render(request, "communities/office/form.html", {**template_context, "form": form}, status=status)


@communities_page(CHANGE)
@require_http_methods(["GET", "POST"])
def organization_new(request: HttpRequest) -> HttpResponse:
    """단체 등록."""
    form = OrganizationForm(request.POST or None)
    del form.fields["is_active"]
    result = _edit(
        request,
        form,
        save=lambda data: actions.create_organization(
            _user(request),
            **{name: data[name] for name in ("name", "type", "dong", "description", "founded_on")},
        ),
        template_context={"title": _("단체 등록"), "back": "communities_office:organizations"},
    )
    if isinstance(result, Organization):
        messages.success(request, _("단체를 등록했습니다."))
        return redirect("communities_office:organization", result.pk)
    return cast(HttpResponse, result)


@communities_page(CHANGE)
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """단체 정보 변경."""
    organization = get_object_or_404(Organization, pk=pk)
    initial = {name: getattr(organization, name) for name in OrganizationForm.base_fields}
    form = OrganizationForm(request.POST or None, initial=initial)
    result = _edit(
        request,
        form,
        save=lambda data: actions.update_organization(_user(request), organization, **data),
        template_context={"title": _("단체 정보 변경"), "object": organization},
    )
    if isinstance(result, Organization):
        messages.success(request, _("단체 정보를 바꿨습니다."))
        return redirect("communities_office:organization", pk)
    return cast(HttpResponse, result)


@communities_page(CHANGE)
@require_http_methods(["GET", "POST"])
def committee_new(request: HttpRequest) -> HttpResponse:
    """위원회 등록."""
    form = CommitteeForm(request.POST or None)
    del form.fields["is_active"]
    fields = ("name", "department", "purpose", "legal_basis", "term_start", "term_end")
    result = _edit(
        request,
        form,
        save=lambda data: actions.create_committee(_user(request), **{name: data[name] for name in fields}),
        template_context={"title": _("위원회 등록"), "back": "communities_office:committees"},
    )
    if isinstance(result, Committee):
        messages.success(request, _("위원회를 등록했습니다."))
        return redirect("communities_office:committee", result.pk)
    return cast(HttpResponse, result)


@communities_page(CHANGE)
@require_http_methods(["GET", "POST"])
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """위원회 정보 변경."""
    committee = get_object_or_404(Committee, pk=pk)
    initial = {name: getattr(committee, name) for name in CommitteeForm.base_fields}
    form = CommitteeForm(request.POST or None, initial=initial)
    result = _edit(
        request,
        form,
        save=lambda data: actions.update_committee(_user(request), committee, **data),
        template_context={"title": _("위원회 정보 변경"), "object": committee},
    )
    if isinstance(result, Committee):
        messages.success(request, _("위원회 정보를 바꿨습니다."))
        return redirect("communities_office:committee", pk)
    return cast(HttpResponse, result)


def _group(kind: str, pk: int) -> Group:
    models: dict[str, type[Organization] | type[Committee]] = {
        "organization": Organization,
        "committee": Committee,
    }
    if kind not in models:
        raise Http404
    return cast(Group, get_object_or_404(models[kind], pk=pk))


def _page_again(request: HttpRequest, group: Group, status: int, **forms: Form) -> HttpResponse:
    if isinstance(group, Organization):
        return organization_page(request, group, status=status, **forms)
    return committee_page(request, group, status=status, **forms)


def _back(group: Group) -> HttpResponse:
    name = "organization" if isinstance(group, Organization) else "committee"
    return redirect(f"communities_office:{name}", group.pk)


@communities_page(CHANGE)
@require_POST
def member_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """회원·위원 추가: a person of the registry, by number, with role or position and term."""
    group = _group(kind, pk)
    form = MemberForm(request.POST, prefix="member")
    if not form.is_valid():
        return _page_again(request, group, 400, member_form=form)
    data = form.cleaned_data
    person = Person.objects.active().filter(pk=data["person"]).first()
    if person is None:
        form.add_error("person", _("주민 명부에서 그 번호의 정책고객을 찾을 수 없습니다."))
        return _page_again(request, group, 400, member_form=form)
    try:
        actions.add_member(
            _user(request),
            group,
            person,
            role=data["role"],
            started_on=data["started_on"],
            ended_on=data["ended_on"],
        )
    except DomainError as error:
        form.add_domain_error(error)
        return _page_again(request, group, _status(error), member_form=form)
    messages.success(request, _("정책고객 #%(id)d을(를) 추가했습니다.") % {"id": person.pk})
    return _back(group)


@communities_page(CHANGE)
@require_POST
def member_end(request: HttpRequest, kind: str, pk: int, membership_id: int) -> HttpResponse:
    """해촉·탈퇴: the seat ends on the given day (today by default)."""
    group = _group(kind, pk)
    seat = get_object_or_404(members_of(group), pk=membership_id)
    form = EndMemberForm(request.POST, prefix="end")
    ended_on = form.cleaned_data["ended_on"] if form.is_valid() else None
    try:
        actions.end_member(_user(request), group, seat, ended_on=ended_on)
    except DomainError as error:
        messages.error(request, error.message)
        return _back(group)
    messages.success(request, _("참여를 종료했습니다."))
    return _back(group)


@communities_page(CHANGE)
@require_POST
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    """단체 활동 등록 with photos."""
    organization = get_object_or_404(Organization, pk=pk)
    form = ActivityForm(request.POST, request.FILES, prefix="activity")
    if not form.is_valid():
        return organization_page(request, organization, status=400, activity_form=form)
    data = form.cleaned_data
    try:
        actions.record_activity(
            _user(request),
            organization,
            date=data["date"],
            title=data["title"],
            text=data["text"],
            photos=request.FILES.getlist("activity-photos"),
        )
    except DomainError as error:
        form.add_domain_error(error)
        return organization_page(request, organization, status=_status(error), activity_form=form)
    messages.success(request, _("활동을 등록했습니다."))
    return _back(organization)


def _minutes_data(form: MinutesForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {name: data[name] for name in ("date", "attendees", "agenda", "decisions", "attachment")}


@communities_page(CHANGE)
@require_POST
def minutes_add(request: HttpRequest, pk: int) -> HttpResponse:
    """단체 회의록 등록."""
    organization = get_object_or_404(Organization, pk=pk)
    form = MinutesForm(request.POST, request.FILES, prefix="minutes")
    if not form.is_valid():
        return organization_page(request, organization, status=400, minutes_form=form)
    try:
        actions.record_minutes(_user(request), organization, **_minutes_data(form))
    except DomainError as error:
        form.add_domain_error(error)
        return organization_page(request, organization, status=_status(error), minutes_form=form)
    messages.success(request, _("회의록을 등록했습니다."))
    return _back(organization)


@communities_page(CHANGE)
@require_POST
def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    """위원회 회의 등록."""
    committee = get_object_or_404(Committee, pk=pk)
    form = MinutesForm(request.POST, request.FILES, prefix="meeting")
    if not form.is_valid():
        return committee_page(request, committee, status=400, meeting_form=form)
    try:
        actions.record_meeting(_user(request), committee, **_minutes_data(form))
    except DomainError as error:
        form.add_domain_error(error)
        return committee_page(request, committee, status=_status(error), meeting_form=form)
    messages.success(request, _("회의를 등록했습니다."))
    return _back(committee)
