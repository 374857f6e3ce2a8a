"""Static lists (명단) and saved segments (저장된 조건)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sotong.core.events import record_event
from sotong.people.actions._common import require
from sotong.people.errors import PeopleError
from sotong.people.models import Person, PersonList, PersonListMember, Segment
from sotong.people.segments import SegmentFilter


def _name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise PeopleError(_("이름을 입력해 주세요."), field="name")
    if len(name) > 100:
        raise PeopleError(_("이름은 100자 이내로 입력해 주세요."), field="name")
    return name


@transaction.atomic
def create_list(actor: Any, *, name: str, description: str = "") -> PersonList:
    """명단 만들기."""
    require(actor, "people.manage_lists")
    person_list = PersonList.objects.create(
        name=_name(name), description=description.strip(), created_by=actor
    )
    record_event(actor, "people.list_created", person_list, after={"name": person_list.name})
    return person_list


@transaction.atomic
def add_to_list(actor: Any, person_list: PersonList, people: Iterable[Person | int]) -> int:
    """명단에 추가: the people not yet on the list are added (anonymised people never); returns how many."""
    require(actor, "people.manage_lists")
    ids = {p.pk if isinstance(p, Person) else int(p) for p in people}
    present = set(person_list.entries.filter(person_id__in=ids).values_list("person_id", flat=True))
    wanted = set(Person.objects.active().filter(pk__in=ids - present).values_list("pk", flat=True))
    PersonListMember.objects.bulk_create(
        [PersonListMember(person_list=person_list, person_id=pk) for pk in sorted(wanted)], batch_size=1000
    )
    if wanted:
        record_event(actor, "people.list_members_added", person_list, after={"count": len(wanted)})
    return len(wanted)


@transaction.atomic
def remove_from_list(actor: Any, person_list: PersonList, people: Iterable[Person | int]) -> int:
    """명단에서 빼기; returns how many were removed."""
    require(actor, "people.manage_lists")
    ids = {p.pk if isinstance(p, Person) else int(p) for p in people}
    removed, _detail = person_list.entries.filter(person_id__in=ids).delete()
    if removed:
        record_event(actor, "people.list_members_removed", person_list, after={"count": removed})
    return removed


@transaction.atomic
def save_segment(actor: Any, *, name: str, filters: SegmentFilter, segment: Segment | None = None) -> Segment:
    """조건 저장: a new segment, or new name and filters for `segment`."""
    require(actor, "people.manage_lists")
    data = filters.validated().to_dict()
    if segment is None:
        segment = Segment.objects.create(name=_name(name), filters=data, created_by=actor)
        record_event(actor, "people.segment_saved", segment, after={"name": segment.name, "filters": data})
        return segment
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    before = {"name": segment.name, "filters": segment.filters}
    segment.name, segment.filters = _name(name), data
    segment.save(update_fields=["name", "filters", "updated_at"])
    record_event(
        actor, "people.segment_saved", segment, before=before, after={"name": segment.name, "filters": data}
    )
    return segment


@transaction.atomic
def delete_segment(actor: Any, segment: Segment) -> None:
    """조건 삭제."""
    require(actor, "people.manage_lists")
    record_event(
        actor, "people.segment_deleted", segment, before={"name": segment.name, "filters": segment.filters}
    )
    segment.delete()
