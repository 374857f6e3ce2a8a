"""Staff API for organizations and committees at /api/v1/communities/: lists with search, one group with its
members (contact masked), create and update, add and end a member, record an activity, minutes or a
committee meeting, and the expert-group table.

A thin layer over the same actions and queries as the office pages, with the same rules: programme
managers change (`communities.change`), system administrators read (`communities.view`), every other
role gets 403. Refused input answers 422 with `{"error", "message", "field"}` (`sotong.api` maps every
`DomainError`); dates and numbers are read here rather than by the schema, so a malformed one gets the
same Korean body, naming its field. Photos and attachments are uploaded on the pages only.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any, cast

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from sotong.accounts.models import Department, User
from sotong.communities import actions
from sotong.communities.errors import CommunitiesError
from sotong.communities.models import (
    Committee,
    CommitteeMeeting,
    Group,
    Organization,
    OrganizationActivity,
    OrganizationMinutes,
    members_of,
)
from sotong.communities.queries import (
    expert_groups,
    search_committees,
    search_meetings,
    search_minutes,
    search_organizations,
)
from sotong.people.models import Membership, Person

router = Router(tags=["communities"])

VIEW = "communities.view"
CHANGE = "communities.change"
MAX_LIMIT = 200
RECORDS = 20


# Schemas ---------------------------------------------------------------------------------------------------


class OrganizationOut(Schema):
    id: int
    name: str
    type: str
    type_label: str
    dong: str
    description: str
    founded_on: date | None
    is_active: bool
    member_count: int


class CommitteeOut(Schema):
    id: int
    name: str
    purpose: str
    legal_basis: str
    term_start: date | None
    term_end: date | None
    department_code: str
    department_name: str
    is_active: bool
    member_count: int


class MemberOut(Schema):
    membership_id: int
    person_id: int
    name: str
    mobile: str
    email: str
    occupation: str
    role: str
    started_on: date | None
    ended_on: date | None
    current: bool


class RecordOut(Schema):
    id: int
    date: date
    title: str
    text: str


class MinutesOut(Schema):
    id: int
    date: date
    attendees: str
    agenda: str
    decisions: str
    attachment_name: str


class OrganizationDetailOut(OrganizationOut):
    members: list[MemberOut]
    activities: list[RecordOut]
    minutes: list[MinutesOut]


class CommitteeDetailOut(CommitteeOut):
    members: list[MemberOut]
    meetings: list[MinutesOut]


class OrganizationListOut(Schema):
    count: int
    results: list[OrganizationOut]


class CommitteeListOut(Schema):
    count: int
    results: list[CommitteeOut]


class ExpertGroupOut(Schema):
    code: str
    label: str
    total: int
    male: int
    female: int


class OrganizationFilters(Schema):
    q: str = ""
    type: str = ""
    dong: str = ""
    active_only: bool = False
    limit: int = 50
    offset: int = 0


class CommitteeFilters(Schema):
    q: str = ""
    active_only: bool = False
    limit: int = 50
    offset: int = 0


class OrganizationIn(Schema):
    name: str
    type: str
    dong: str = ""
    description: str = ""
    founded_on: str | None = None


class OrganizationPatch(Schema):
    name: str | None = None
    type: str | None = None
    dong: str | None = None
    description: str | None = None
    founded_on: str | None = None
    is_active: bool | None = None


class CommitteeIn(Schema):
    name: str
    department: str
    purpose: str = ""
    legal_basis: str = ""
    term_start: str | None = None
    term_end: str | None = None


class CommitteePatch(Schema):
    name: str | None = None
    department: str | None = None
    purpose: str | None = None
    legal_basis: str | None = None
    term_start: str | None = None
    term_end: str | None = None
    is_active: bool | None = None


class MemberIn(Schema):
    person: int | str
    role: str = ""
    started_on: str | None = None
    ended_on: str | None = None


class EndMemberIn(Schema):
    ended_on: str | None = None


class ActivityIn(Schema):
    date: str
    title: str
    text: str = ""


class MinutesIn(Schema):
    date: str
    agenda: str
    attendees: str = ""
    decisions: str = ""


# Reading input and permissions -----------------------------------------------------------------------------


def _user(request: HttpRequest, perm: str = VIEW) -> User:
    """The signed-in staff member if they hold `perm` (the rule itself, as on the pages)."""
    user = cast(User, request.user)
    if not (user.is_active and rules.has_perm(perm, user)):
        raise PermissionDenied(_("단체·위원회를 다룰 권한이 없습니다."))
    return user


def _date(value: str | None, field: str) -> date | None:
    if value is None or not str(value).strip():
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as error:
        raise CommunitiesError(
            _("날짜는 2025-03-01처럼 연-월-일로 입력해 주세요."), code="invalid_date", field=field
        ) from error


def _required_date(value: str | None, field: str, label: str) -> date:
    day = _date(value, field)
    if day is None:
        raise CommunitiesError(_("%(label)s을(를) 입력해 주세요.") % {"label": label}, field=field)
    return day


def _department(code: str | None) -> Department:
    department = Department.objects.filter(code=(code or "").strip(), is_active=True).first()
    if department is None:
        raise CommunitiesError(
            _("부서 코드 '%(code)s'인 부서가 없습니다.") % {"code": code or ""}, field="department"
        )
    return department


def _person(value: int | str) -> Person:
    number = str(value).strip().lstrip("#")
    person = Person.objects.active().filter(pk=int(number)).first() if number.isdigit() else None
    if person is None:
        raise CommunitiesError(
            _("주민 명부에서 그 번호의 정책고객을 찾을 수 없습니다."), code="not_found", field="person"
        )
    return person


def _page(limit: int, offset: int) -> slice:
    start = max(0, offset)
    return slice(start, start + max(1, min(limit, MAX_LIMIT)))


def _organization(pk: int) -> Organization:
    """The organization with its member count (as in the list), or 404."""
    found = search_organizations().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _committee(pk: int) -> Committee:
    found = search_committees().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# Shaping output --------------------------------------------------------------------------------------------


def _organization_out(organization: Organization) -> dict[str, Any]:
    return {
        "id": organization.pk,
        "name": organization.name,
        "type": organization.type,
        "type_label": str(organization.get_type_display()),
        "dong": organization.dong,
        "description": organization.description,
        "founded_on": organization.founded_on,
        "is_active": organization.is_active,
        "member_count": getattr(organization, "member_count", 0),
    }


def _committee_out(committee: Committee) -> dict[str, Any]:
    return {
        "id": committee.pk,
        "name": committee.name,
        "purpose": committee.purpose,
        "legal_basis": committee.legal_basis,
        "term_start": committee.term_start,
        "term_end": committee.term_end,
        "department_code": committee.department.code,
        "department_name": committee.department.name,
        "is_active": committee.is_active,
        "member_count": getattr(committee, "member_count", 0),
    }


def _member_out(seat: Membership) -> dict[str, Any]:
    """A seat with its person masked (홍*동, 010-****-5678, hong***@…), as on the pages."""
    masked = seat.person.masked()
    today = timezone.localdate()
    return {
        "membership_id": seat.pk,
        "person_id": seat.person_id,
        "name": masked["name"],
        "mobile": masked["mobile"],
        "email": masked["email"],
        "occupation": seat.person.occupation,
        "role": seat.role,
        "started_on": seat.started_on,
        "ended_on": seat.ended_on,
        "current": seat.ended_on is None or seat.ended_on >= today,
    }


def _members(group: Group) -> list[dict[str, Any]]:
    seats = [_member_out(seat) for seat in members_of(group).order_by("-started_on", "id")]
    return sorted(seats, key=lambda seat: not seat["current"])


def _minutes_out(record: OrganizationMinutes | CommitteeMeeting) -> dict[str, Any]:
    return {
        "id": record.pk,
        "date": record.date,
        "attendees": record.attendees,
        "agenda": record.agenda,
        "decisions": record.decisions,
        "attachment_name": record.attachment_name,
    }


def _organization_detail(pk: int) -> dict[str, Any]:
    organization = _organization(pk)
    activities = OrganizationActivity.objects.filter(organization=organization)[:RECORDS]
    return {
        **_organization_out(organization),
        "members": _members(organization),
        "activities": [{"id": a.pk, "date": a.date, "title": a.title, "text": a.text} for a in activities],
        "minutes": [_minutes_out(m) for m in search_minutes(organization=organization)[:RECORDS]],
    }


def _committee_detail(pk: int) -> dict[str, Any]:
    committee = _committee(pk)
    return {
        **_committee_out(committee),
        "members": _members(committee),
        "meetings": [_minutes_out(m) for m in search_meetings(committee=committee)[:RECORDS]],
    }


def _seat(group: Group, membership_id: int) -> Membership:
    return cast(Membership, get_object_or_404(members_of(group), pk=membership_id))


# Organizations ---------------------------------------------------------------------------------------------


@router.get("/organizations", response=OrganizationListOut, summary="단체 목록: 이름, 유형, 행정동으로 검색")
def list_organizations(request: HttpRequest, filters: Query[OrganizationFilters]) -> dict[str, Any]:
    _user(request)
    found = search_organizations(
        text=filters.q, type=filters.type, dong=filters.dong.strip(), active_only=filters.active_only
    )
    rows = found[_page(filters.limit, filters.offset)]
    return {"count": found.count(), "results": [_organization_out(o) for o in rows]}


@router.post("/organizations", response={201: OrganizationDetailOut}, summary="단체 등록")
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Status[dict[str, Any]]:
    user = _user(request, CHANGE)
    organization = actions.create_organization(
        user,
        name=payload.name,
        type=payload.type,
        dong=payload.dong,
        description=payload.description,
        founded_on=_date(payload.founded_on, "founded_on"),
    )
    return Status(201, _organization_detail(organization.pk))


@router.get("/organizations/{pk}", response=OrganizationDetailOut, summary="단체 상세 (회원 연락처 가림)")
def organization_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    _user(request)
    return _organization_detail(pk)


@router.patch("/organizations/{pk}", response=OrganizationDetailOut, summary="단체 정보 변경")
def update_organization(request: HttpRequest, pk: int, payload: OrganizationPatch) -> dict[str, Any]:
    user = _user(request, CHANGE)
    organization = get_object_or_404(Organization, pk=pk)
    changes = payload.dict(exclude_unset=True)
    if "founded_on" in changes:
        changes["founded_on"] = _date(changes["founded_on"], "founded_on")
    actions.update_organization(user, organization, **changes)
    return _organization_detail(pk)


@router.post("/organizations/{pk}/activities", response={201: RecordOut}, summary="단체 활동 등록")
def record_activity(request: HttpRequest, pk: int, payload: ActivityIn) -> Status[dict[str, Any]]:
    user = _user(request, CHANGE)
    organization = get_object_or_404(Organization, pk=pk)
    activity = actions.record_activity(
        user,
        organization,
        date=_required_date(payload.date, "date", _("활동일")),
        title=payload.title,
        text=payload.text,
    )
    return Status(
        201, {"id": activity.pk, "date": activity.date, "title": activity.title, "text": activity.text}
    )


@router.post("/organizations/{pk}/minutes", response={201: MinutesOut}, summary="단체 회의록 등록")
def record_minutes(request: HttpRequest, pk: int, payload: MinutesIn) -> Status[dict[str, Any]]:
    user = _user(request, CHANGE)
    organization = get_object_or_404(Organization, pk=pk)
    minutes = actions.record_minutes(
        user,
        organization,
        date=_required_date(payload.date, "date", _("회의일")),
        agenda=payload.agenda,
        attendees=payload.attendees,
        decisions=payload.decisions,
    )
    return Status(201, _minutes_out(minutes))


# Committees ------------------------------------------------------------------------------------------------


@router.get("/committees", response=CommitteeListOut, summary="위원회 목록: 이름, 설치 근거로 검색")
def list_committees(request: HttpRequest, filters: Query[CommitteeFilters]) -> dict[str, Any]:
    _user(request)
    found = search_committees(text=filters.q, active_only=filters.active_only)
    rows = found[_page(filters.limit, filters.offset)]
    return {"count": found.count(), "results": [_committee_out(c) for c in rows]}


@router.post("/committees", response={201: CommitteeDetailOut}, summary="위원회 등록")
def create_committee(request: HttpRequest, payload: CommitteeIn) -> Status[dict[str, Any]]:
    user = _user(request, CHANGE)
    committee = actions.create_committee(
        user,
        name=payload.name,
        department=_department(payload.department),
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        term_start=_date(payload.term_start, "term_start"),
        term_end=_date(payload.term_end, "term_end"),
    )
    return Status(201, _committee_detail(committee.pk))


@router.get("/committees/{pk}", response=CommitteeDetailOut, summary="위원회 상세 (위원 연락처 가림)")
def committee_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    _user(request)
    return _committee_detail(pk)


@router.patch("/committees/{pk}", response=CommitteeDetailOut, summary="위원회 정보 변경")
def update_committee(request: HttpRequest, pk: int, payload: CommitteePatch) -> dict[str, Any]:
    user = _user(request, CHANGE)
    committee = get_object_or_404(Committee, pk=pk)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    for field in ("term_start", "term_end"):
        if field in changes:
            changes[field] = _date(changes[field], field)
    if "department" in changes:
        changes["department"] = _department(changes["department"])
    actions.update_committee(user, committee, **changes)
    return _committee_detail(pk)


@router.post("/committees/{pk}/meetings", response={201: MinutesOut}, summary="위원회 회의·회의록 등록")
def record_meeting(request: HttpRequest, pk: int, payload: MinutesIn) -> Status[dict[str, Any]]:
    user = _user(request, CHANGE)
    committee = get_object_or_404(Committee, pk=pk)
    meeting = actions.record_meeting(
        user,
        committee,
        date=_required_date(payload.date, "date", _("회의일")),
        agenda=payload.agenda,
        attendees=payload.attendees,
        decisions=payload.decisions,
    )
    return Status(201, _minutes_out(meeting))


@router.get("/experts", response=list[ExpertGroupOut], summary="분야별 전문가 그룹: 위원회 위원 직업별 현황")
def experts(request: HttpRequest) -> list[dict[str, Any]]:
    _user(request)
    return [asdict(row) for row in expert_groups()]


# Members of either ---------------------------------------------------------------------------------------


GROUPS: dict[str, type[Organization] | type[Committee]] = {
    "organizations": Organization,
    "committees": Committee,
}


def _group(kind: str, pk: int) -> Group:
    if kind not in GROUPS:
        raise Http404
    return cast(Group, get_object_or_404(GROUPS[kind], pk=pk))


@router.post("/{kind}/{pk}/members", response={201: MemberOut}, summary="회원·위원 추가 (정책고객 번호로)")
def add_member(request: HttpRequest, kind: str, pk: int, payload: MemberIn) -> Status[dict[str, Any]]:
    user = _user(request, CHANGE)
    group = _group(kind, pk)
    seat = actions.add_member(
        user,
        group,
        _person(payload.person),
        role=payload.role,
        started_on=_date(payload.started_on, "started_on"),
        ended_on=_date(payload.ended_on, "ended_on"),
    )
    return Status(201, _member_out(members_of(group).get(pk=seat.pk)))


@router.post("/{kind}/{pk}/members/{membership_id}/end", response=MemberOut, summary="해촉·탈퇴")
def end_member(
    request: HttpRequest, kind: str, pk: int, membership_id: int, payload: EndMemberIn
) -> dict[str, Any]:
    user = _user(request, CHANGE)
    group = _group(kind, pk)
    seat = actions.end_member(
        user, group, _seat(group, membership_id), ended_on=_date(payload.ended_on, "ended_on")
    )
    return _member_out(members_of(group).get(pk=seat.pk))
