"""Registering, changing, merging and anonymising people, and their memberships."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.core.events import record_event
from sotong.people.actions._common import (
    CITIZEN,
    SCHEDULER,
    SYSTEM,
    locked,
    refuse_anonymised,
    require,
    summary,
)
from sotong.people.cleaning import (
    clean_birth_year,
    clean_dong,
    clean_email,
    clean_gender,
    clean_mobile,
    clean_name,
    clean_occupation,
    email_index_for,
    phone_index_for,
)
from sotong.people.errors import PeopleError
from sotong.people.models import (
    Consent,
    DestructionLog,
    DestructionReason,
    Membership,
    MembershipKind,
    Person,
    PersonListMember,
    Source,
)

PERSON_FIELDS = ("name", "gender", "birth_year", "district", "dong", "mobile", "email", "occupation")
DESTROYED_FIELDS = "성명, 휴대전화, 전자우편, 동의 증빙(IP·브라우저)"


class DuplicatePerson(PeopleError):
    """The contact belongs to a person already registered: staff get their id for a merge proposal."""

    def __init__(self, message: str, *, existing: Person, field: str) -> None:
        super().__init__(message, code="duplicate", field=field)
        self.existing = existing


def default_district() -> str:
    """The district of this deployment, from SOTONG_SITE_OPERATOR ("서울특별시 성동구" → "성동구")."""
    operator = str(getattr(settings, "SITE_OPERATOR", "") or "").split()
    return operator[-1] if operator else ""


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    cleaners: dict[str, Callable[[Any], Any]] = {
        "name": clean_name,
        "gender": clean_gender,
        "birth_year": clean_birth_year,
        "dong": clean_dong,
        "mobile": clean_mobile,
        "email": clean_email,
        "occupation": clean_occupation,
    }
    for field, value in values.items():
        if field == "district":
            cleaned[field] = " ".join(str(value or "").split())[:40]
        elif field in cleaners:
            cleaned[field] = cleaners[field](value)
        else:
            raise PeopleError(_("알 수 없는 항목입니다: %(field)s") % {"field": field}, field=field)
    return cleaned


def _check_unique_contact(values: dict[str, Any], exclude_pk: int | None = None) -> None:
    for field, index_field, index_for, label in (
        ("mobile", "mobile_index", phone_index_for, _("휴대전화 번호")),
        ("email", "email_index", email_index_for, _("전자우편 주소")),
    ):
        if not values.get(field):
            continue
        values[index_field] = index_for(values[field])
        existing = Person.objects.by_contact_index(index_field, values[index_field])
        if exclude_pk is not None:
            existing = existing.exclude(pk=exclude_pk)
        found = existing.first()
        if found is not None:
            raise DuplicatePerson(
                _("이미 등록된 %(label)s입니다.") % {"label": label}, existing=found, field=field
            )


@transaction.atomic
def register_person(
    actor: Any,
    *,
    name: str = "",
    mobile: str = "",
    email: str = "",
    gender: str = "",
    birth_year: int | str | None = None,
    dong: str = "",
    district: str = "",
    occupation: str = "",
    source: str = Source.STAFF,
    ip_address: str | None = None,
) -> Person:
    """정책고객 등록: one person with at least one contact. A contact already registered raises
    `DuplicatePerson` (with the existing person, for a merge proposal)."""
    require(actor, "people.change_person", labels=frozenset({CITIZEN, SYSTEM}))
    values = _clean(
        {
            "name": name,
            "mobile": mobile,
            "email": email,
            "gender": gender,
            "birth_year": birth_year,
            "dong": dong,
            "district": district or default_district(),
            "occupation": occupation,
        }
    )
    if not values["mobile"] and not values["email"]:
        raise PeopleError(
            _("휴대전화나 전자우편 중 하나는 있어야 합니다."), code="contact_required", field="mobile"
        )
    _check_unique_contact(values)
    person = Person.objects.create(source=Source(source), **values)
    record_event(actor, "people.registered", person, after=summary(person), ip_address=ip_address)
    return person


@transaction.atomic
def update_person(actor: Any, person: Person, **changes: Any) -> Person:
    """정책고객 정보 변경: change the given fields; a contact may not belong to someone else."""
    require(actor, "people.change_person", labels=frozenset({CITIZEN, SYSTEM}))
    person = locked(person)
    refuse_anonymised(person)
    values = _clean(changes)
    _check_unique_contact(values, exclude_pk=person.pk)
    for field in ("mobile", "email"):
        if field in values and not values[field]:
            values[f"{field}_index"] = ""
    mobile_after = values.get("mobile", person.mobile)
    email_after = values.get("email", person.email)
    if not mobile_after and not email_after:
        raise PeopleError(
            _("휴대전화나 전자우편 중 하나는 있어야 합니다."), code="contact_required", field="mobile"
        )
    before = summary(person)
    changed = [field for field, value in values.items() if getattr(person, field) != value]
    if not changed:
        return person
    for field in changed:
        setattr(person, field, values[field])
    person.save(update_fields=[*changed, "updated_at"])
    after = summary(person)
    record_event(
        actor,
        "people.updated",
        person,
        before={k: v for k, v in before.items() if before[k] != after[k]},
        after={k: v for k, v in after.items() if before[k] != after[k]},
    )
    return person


@transaction.atomic
def merge_persons(actor: Any, first: Person, second: Person) -> Person:
    """중복 정책고객 병합: keep the older record (lower id), fill its blanks from the newer one, move the
    newer one's consents, memberships, list entries and any other app's rows to it, delete the newer one.

    When both hold an open consent for the same purpose, the one given later stays and the other is
    marked superseded, so each purpose keeps one open consent."""
    require(actor, "people.merge_person", labels=frozenset({SYSTEM}))
    if first.pk == second.pk:
        raise PeopleError(_("같은 정책고객끼리는 병합할 수 없습니다."), code="same_person")
    keep, gone = sorted(
        Person.objects.select_for_update().filter(pk__in=[first.pk, second.pk]), key=lambda p: p.pk
    )
    refuse_anonymised(keep)
    refuse_anonymised(gone)
    before = summary(keep)
    now = timezone.now()

    filled = [field for field in PERSON_FIELDS if not getattr(keep, field) and getattr(gone, field)]
    moved_contacts = [field for field in ("mobile", "email") if field in filled]
    if moved_contacts:
        # The unique blind indexes must leave the newer row before the older one takes them.
        Person.objects.filter(pk=gone.pk).update(**{f"{field}_index": "" for field in moved_contacts})
    for field in filled:
        setattr(keep, field, getattr(gone, field))
    for field in moved_contacts:
        setattr(keep, f"{field}_index", getattr(gone, f"{field}_index"))
    if filled:
        keep.save(update_fields=[*filled, *[f"{field}_index" for field in moved_contacts], "updated_at"])

    superseded = 0
    kept_open = {c.purpose_id: c for c in Consent.objects.open().filter(person=keep)}
    for consent in Consent.objects.open().filter(person=gone):
        other = kept_open.get(consent.purpose_id)
        if other is None:
            continue
        older = consent if consent.given_at < other.given_at else other
        Consent.objects.filter(pk=older.pk).update(superseded_at=now)
        superseded += 1
    consents = Consent.objects.filter(person=gone).update(person=keep)
    memberships = Membership.objects.filter(person=gone).update(person=keep)
    PersonListMember.objects.filter(person=gone, person_list__entries__person=keep).delete()
    entries = PersonListMember.objects.filter(person=gone).update(person=keep)
    others = _move_other_references(gone, keep)

    gone_id = gone.pk
    record_event(
        actor,
        "people.merged",
        keep,
        before=before,
        after={
            **summary(keep),
            "merged_person": gone_id,
            "consents_moved": consents,
            "consents_superseded": superseded,
            "memberships_moved": memberships,
            "list_entries_moved": entries,
            "other_rows_moved": others,
        },
        note=_("정책고객 #%(id)s을(를) 병합했습니다.") % {"id": gone_id},
    )
    Person.objects.filter(pk=gone_id).delete()
    keep.refresh_from_db()
    return keep


def _move_other_references(gone: Person, keep: Person) -> int:
    """Rows of other apps (communities, monitors…) pointing at `gone` by a foreign key now point at `keep`."""
    handled = {Consent, Membership, PersonListMember}
    moved = 0
    for relation in Person._meta.related_objects:
        if relation.many_to_many or relation.related_model in handled or not relation.concrete:
            continue
        model: type[models.Model] = relation.related_model  # type: ignore[assignment]
        field_name = relation.field.name
        moved += model._base_manager.filter(**{field_name: gone}).update(**{field_name: keep})
    return moved


@transaction.atomic
def anonymise_person(
    actor: Any, person: Person, *, reason: str = DestructionReason.STAFF, note: str = ""
) -> Person:
    """개인정보 파기 (익명화): clear the name and contacts (and the consent evidence's IP and browser) for
    good, keep gender, birth year, dong and occupation for the aggregate tables, close open consents and
    memberships, drop list entries; log the destruction (Event and `DestructionLog`)."""
    require(actor, "people.anonymise_person", labels=frozenset({SCHEDULER, SYSTEM, CITIZEN}))
    person = locked(person)
    if person.anonymised_at is not None:
        return person
    now = timezone.now()
    before = summary(person)
    person.name = ""
    person.mobile = ""
    person.mobile_index = ""
    person.email = ""
    person.email_index = ""
    person.anonymised_at = now
    person.save(
        update_fields=[
            "name",
            "mobile",
            "mobile_index",
            "email",
            "email_index",
            "anonymised_at",
            "updated_at",
        ]
    )
    Consent.objects.open().filter(person=person).update(withdrawn_at=now)
    for consent in Consent.objects.filter(person=person).only("id", "evidence"):
        redacted = {k: v for k, v in (consent.evidence or {}).items() if k not in {"ip", "user_agent"}}
        if redacted != consent.evidence:
            Consent.objects.filter(pk=consent.pk).update(evidence={**redacted, "redacted": True})
    Membership.objects.current().filter(person=person).update(ended_on=timezone.localdate())
    PersonListMember.objects.filter(person=person).delete()
    reason = DestructionReason(reason)
    DestructionLog.objects.create(
        person_id_ref=person.pk,
        destroyed_at=now,
        actor_label=str(getattr(actor, "username", "") or actor),
        reason=reason,
        fields=DESTROYED_FIELDS,
        note=note,
    )
    record_event(
        actor,
        "people.anonymised",
        person,
        before=before,
        after={"anonymised_at": now, "reason": str(reason)},
        note=note,
    )
    return person


@transaction.atomic
def add_membership(
    actor: Any,
    person: Person,
    kind: str,
    *,
    group: models.Model | None = None,
    group_label: str = "",
    role: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
) -> Membership:
    """참여 구분 추가: the person becomes a subscriber, an organization or committee member, a monitor.

    `group` is the other app's organization or committee row; a current membership of the same kind in
    the same group is returned as it is."""
    require(actor, "people.change_person", labels=frozenset({CITIZEN, SYSTEM}))
    refuse_anonymised(person)
    kind = MembershipKind(kind)
    if started_on and ended_on and ended_on < started_on:
        raise PeopleError(_("종료일이 시작일보다 빠릅니다."), field="ended_on")
    group_type = ContentType.objects.get_for_model(group) if group is not None else None
    group_id = str(group.pk) if group is not None else ""
    existing = (
        Membership.objects.current()
        .filter(person=person, kind=kind, group_type=group_type, group_id=group_id)
        .first()
    )
    if existing is not None:
        return existing
    membership = Membership.objects.create(
        person=person,
        kind=kind,
        group_type=group_type,
        group_id=group_id,
        group_label=(group_label or (str(group) if group is not None else ""))[:200],
        role=role[:100],
        started_on=started_on or timezone.localdate(),
        ended_on=ended_on,
    )
    record_event(
        actor,
        "people.membership_added",
        person,
        after={"kind": str(kind), "group": membership.group_label, "role": role},
    )
    return membership


@transaction.atomic
def end_membership(actor: Any, membership: Membership, *, ended_on: date | None = None) -> Membership:
    """참여 종료: the membership ends on `ended_on` (today by default)."""
    require(actor, "people.change_person", labels=frozenset({CITIZEN, SYSTEM}))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    day = ended_on or timezone.localdate()
    if membership.started_on and day < membership.started_on:
        raise PeopleError(_("종료일이 시작일보다 빠릅니다."), field="ended_on")
    before = {"ended_on": membership.ended_on}
    membership.ended_on = day
    membership.save(update_fields=["ended_on"])
    record_event(
        actor,
        "people.membership_ended",
        membership.person,
        before=before,
        after={"kind": membership.kind, "group": membership.group_label, "ended_on": day},
    )
    return membership
