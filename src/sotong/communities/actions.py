"""단체·위원회 use cases: every change to organizations, committees, their members, activities and minutes.

Each is a typed function in one transaction that writes an Event. Members are `people.Membership` rows
added and ended through the people actions (as `SYSTEM`: the permission is checked here, as
`communities.change`), so the person's own timeline shows the seat too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import rules
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.accounts.models import Department, User
from sotong.communities.errors import CommunitiesError, NotPermitted
from sotong.communities.files import check_upload
from sotong.communities.models import (
    ActivityPhoto,
    Committee,
    CommitteeMeeting,
    Group,
    Organization,
    OrganizationActivity,
    OrganizationMinutes,
    OrganizationType,
    members_of,
)
from sotong.core.events import record_event
from sotong.people import actions as people_actions
from sotong.people.cleaning import clean_dong
from sotong.people.errors import PeopleError
from sotong.people.models import Membership, Person

MAX_PHOTOS = 10


def require(actor: Any, perm: str = "communities.change") -> None:
    """Refuse unless `actor` is an active staff user holding `perm` (the rule itself, not superuser)."""
    if isinstance(actor, User) and actor.is_active and rules.has_perm(perm, actor):
        return
    raise NotPermitted(_("이 작업을 할 권한이 없습니다."), code="not_permitted")


def _text(value: Any, *, label: str, field: str, max_length: int, required: bool = False) -> str:
    """Trimmed text; one-line fields (up to 200 characters) also have their inner whitespace collapsed,
    longer ones (descriptions, minutes) keep their line breaks."""
    text = " ".join(str(value or "").split()) if max_length <= 200 else str(value or "").strip()
    if required and not text:
        raise CommunitiesError(_("%(label)s을(를) 입력해 주세요.") % {"label": label}, field=field)
    if len(text) > max_length:
        raise CommunitiesError(
            _("%(label)s은(는) %(n)d자 이내로 입력해 주세요.") % {"label": label, "n": max_length},
            field=field,
        )
    return text


def _dong(value: str) -> str:
    try:
        return clean_dong(value)
    except PeopleError as error:
        raise CommunitiesError(error.message, field="dong") from error


def _apply(actor: Any, obj: models.Model, values: dict[str, Any], verb: str) -> None:
    """Save the changed fields and record them (before/after of what changed only)."""
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    if not changed:
        return
    before = {field: getattr(obj, field) for field in changed}
    for field in changed:
        setattr(obj, field, values[field])
    obj.save(update_fields=[*changed, "updated_at"])
    record_event(actor, verb, obj, before=before, after={field: values[field] for field in changed})


def _organization_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field == "name":
            cleaned[field] = _text(value, label=_("단체명"), field=field, max_length=100, required=True)
        elif field == "type":
            if value not in OrganizationType.values:
                raise CommunitiesError(_("단체 유형을 골라 주세요."), field="type")
            cleaned[field] = str(value)
        elif field == "dong":
            cleaned[field] = _dong(value)
        elif field == "description":
            cleaned[field] = _text(value, label=_("소개"), field=field, max_length=5000)
        elif field in ("founded_on", "is_active"):
            cleaned[field] = value if field == "founded_on" else bool(value)
        else:
            raise CommunitiesError(_("알 수 없는 항목입니다: %(field)s") % {"field": field}, field=field)
    return cleaned


@transaction.atomic
def create_organization(
    actor: Any,
    *,
    name: str,
    type: str,
    dong: str = "",
    description: str = "",
    founded_on: date | None = None,
) -> Organization:
    """단체 등록."""
    require(actor)
    values = _organization_values(
        {"name": name, "type": type, "dong": dong, "description": description, "founded_on": founded_on}
    )
    organization = Organization.objects.create(**values)
    record_event(actor, "communities.organization_created", organization, after=values)
    return organization


@transaction.atomic
def update_organization(actor: Any, organization: Organization, **changes: Any) -> Organization:
    """단체 정보 변경 (활동 중단은 `is_active=False`)."""
    require(actor)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    _apply(actor, organization, _organization_values(changes), "communities.organization_updated")
    return organization


def _committee_values(values: dict[str, Any], current: Committee | None = None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field == "name":
            cleaned[field] = _text(value, label=_("위원회명"), field=field, max_length=100, required=True)
        elif field == "purpose":
            cleaned[field] = _text(value, label=_("설치 목적"), field=field, max_length=5000)
        elif field == "legal_basis":
            cleaned[field] = _text(value, label=_("설치 근거"), field=field, max_length=200)
        elif field == "department":
            if not isinstance(value, Department):
                raise CommunitiesError(_("소관 부서를 골라 주세요."), field="department")
            cleaned[field] = value
        elif field in ("term_start", "term_end"):
            cleaned[field] = value or None
        elif field == "is_active":
            cleaned[field] = bool(value)
        else:
            raise CommunitiesError(_("알 수 없는 항목입니다: %(field)s") % {"field": field}, field=field)
    start = cleaned.get("term_start", current.term_start if current else None)
    end = cleaned.get("term_end", current.term_end if current else None)
    if start and end and end < start:
        raise CommunitiesError(_("임기 종료일이 시작일보다 빠릅니다."), field="term_end")
    return cleaned


@transaction.atomic
def create_committee(
    actor: Any,
    *,
    name: str,
    department: Department,
    purpose: str = "",
    legal_basis: str = "",
    term_start: date | None = None,
    term_end: date | None = None,
) -> Committee:
    """위원회 등록: name, owning department, purpose, legal basis and term."""
    require(actor)
    values = _committee_values(
        {
            "name": name,
            "department": department,
            "purpose": purpose,
            "legal_basis": legal_basis,
            "term_start": term_start,
            "term_end": term_end,
        }
    )
    committee = Committee.objects.create(**values)
    record_event(actor, "communities.committee_created", committee, after=values)
    return committee


@transaction.atomic
def update_committee(actor: Any, committee: Committee, **changes: Any) -> Committee:
    """위원회 정보 변경 (운영 종료는 `is_active=False`)."""
    require(actor)
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    _apply(actor, committee, _committee_values(changes, committee), "communities.committee_updated")
    return committee


@transaction.atomic
def add_member(
    actor: Any,
    group: Group,
    person: Person,
    *,
    role: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
) -> Membership:
    """회원·위원 위촉: the person takes a seat (role or position, term dates) in the organization or
    committee, as a `people.Membership`. A person already seated there is refused."""
    require(actor)
    role = _text(role, label=_("직위·역할"), field="role", max_length=100)
    if members_of(group).current().filter(person=person).exists():
        raise CommunitiesError(_("이미 참여 중인 사람입니다."), code="duplicate", field="person")
    try:
        membership = people_actions.add_membership(
            people_actions.SYSTEM,
            person,
            group.membership_kind,
            group=group,
            role=role,
            started_on=started_on,
            ended_on=ended_on,
        )
    except PeopleError as error:
        raise CommunitiesError(error.message, code=error.code, field=error.field) from error
    record_event(
        actor,
        "communities.member_added",
        group,
        after={
            "membership": membership.pk,
            "person": person.pk,
            "role": role,
            "started_on": membership.started_on,
            "ended_on": ended_on,
        },
    )
    return membership


@transaction.atomic
def end_member(
    actor: Any, group: Group, membership: Membership, *, ended_on: date | None = None
) -> Membership:
    """해촉·탈퇴: the seat ends on `ended_on` (today by default)."""
    require(actor)
    found = members_of(group).select_related(None).select_for_update().filter(pk=membership.pk).first()
    if found is None:
        raise CommunitiesError(_("이 단체·위원회의 회원이 아닙니다."), field="membership")
    membership = found
    if membership.ended_on is not None and membership.ended_on < timezone.localdate():
        raise CommunitiesError(_("이미 끝난 참여입니다."), code="ended", field="membership")
    before = {"ended_on": membership.ended_on}
    try:
        membership = people_actions.end_membership(people_actions.SYSTEM, membership, ended_on=ended_on)
    except PeopleError as error:
        raise CommunitiesError(error.message, code=error.code, field=error.field) from error
    record_event(
        actor,
        "communities.member_ended",
        group,
        before=before,
        after={"membership": membership.pk, "person": membership.person_id, "ended_on": membership.ended_on},
    )
    return membership


@transaction.atomic
def record_activity(
    actor: Any,
    organization: Organization,
    *,
    date: date,
    title: str,
    text: str = "",
    photos: list[UploadedFile] | None = None,
) -> OrganizationActivity:
    """단체 활동 등록: date, title, text and up to ten photos (images, checked by content and size)."""
    require(actor)
    if date is None:
        raise CommunitiesError(_("활동일을 입력해 주세요."), field="date")
    title = _text(title, label=_("제목"), field="title", max_length=200, required=True)
    text = _text(text, label=_("내용"), field="text", max_length=20000)
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise CommunitiesError(_("사진은 %(n)d장까지 올릴 수 있습니다.") % {"n": MAX_PHOTOS}, field="photos")
    checked = [(upload, check_upload(upload, photos_only=True, field="photos")) for upload in photos]
    activity = OrganizationActivity.objects.create(
        organization=organization, date=date, title=title, text=text, recorded_by=actor
    )
    for upload, (name, content_type, size) in checked:
        photo = ActivityPhoto(activity=activity, name=name, content_type=content_type, size=size)
        photo.file.save(name, upload, save=False)
        photo.save()
    record_event(
        actor,
        "communities.activity_recorded",
        organization,
        after={"activity": activity.pk, "date": date, "title": title, "photos": len(checked)},
    )
    return activity


def _minutes_values(
    date: date | None, attendees: str, agenda: str, decisions: str, attachment: UploadedFile | None
) -> tuple[dict[str, Any], UploadedFile | None]:
    if date is None:
        raise CommunitiesError(_("회의일을 입력해 주세요."), field="date")
    values: dict[str, Any] = {
        "date": date,
        "attendees": _text(attendees, label=_("참석자"), field="attendees", max_length=5000),
        "agenda": _text(agenda, label=_("안건"), field="agenda", max_length=20000, required=True),
        "decisions": _text(decisions, label=_("결정 사항"), field="decisions", max_length=20000),
    }
    if attachment is not None:
        name, content_type, size = check_upload(attachment, photos_only=False, field="attachment")
        values.update(attachment_name=name, attachment_type=content_type, attachment_size=size)
    return values, attachment


@transaction.atomic
def record_minutes(
    actor: Any,
    organization: Organization,
    *,
    date: date,
    agenda: str,
    attendees: str = "",
    decisions: str = "",
    attachment: UploadedFile | None = None,
) -> OrganizationMinutes:
    """단체 회의록 등록: date, attendees, agenda, decisions and one attachment (PDF or image)."""
    require(actor)
    values, upload = _minutes_values(date, attendees, agenda, decisions, attachment)
    minutes = OrganizationMinutes(organization=organization, recorded_by=actor, **values)
    if upload is not None:
        minutes.attachment.save(values["attachment_name"], upload, save=False)
    minutes.save()
    record_event(
        actor,
        "communities.minutes_recorded",
        organization,
        after={"minutes": minutes.pk, "date": date, "attachment": minutes.attachment_name},
    )
    return minutes


@transaction.atomic
def record_meeting(
    actor: Any,
    committee: Committee,
    *,
    date: date,
    agenda: str,
    attendees: str = "",
    decisions: str = "",
    attachment: UploadedFile | None = None,
) -> CommitteeMeeting:
    """위원회 회의 등록 with its minutes: date, attendees, agenda, decisions, one attachment."""
    require(actor)
    values, upload = _minutes_values(date, attendees, agenda, decisions, attachment)
    meeting = CommitteeMeeting(committee=committee, recorded_by=actor, **values)
    if upload is not None:
        meeting.attachment.save(values["attachment_name"], upload, save=False)
    meeting.save()
    record_event(
        actor,
        "communities.meeting_recorded",
        committee,
        after={"meeting": meeting.pk, "date": date, "attachment": meeting.attachment_name},
    )
    return meeting
