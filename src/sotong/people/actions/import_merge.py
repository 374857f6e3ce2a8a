"""병합 제안 반영: the accepted merge proposals of one import batch, written as sets, not person by person.

    refused = merge_import_rows(staff, [MergeRequest(row=7, person_id=42, values=..., evidence=...)],
                                purposes=[...], channels={ContactChannel.SMS}, membership="subscriber")

For each accepted row the registered person's blanks are filled from the row (a registered value is never
overwritten), the row's consents are recorded on them unless they already hold an open consent for that
purpose given at the same time or later (an older open one is superseded, as `give_consent` does), and the
import's membership is added when they do not hold it yet. The rules and the Events are those of
`update_person`, `give_consent` and `add_membership`, one Event per person and change; only the writing
differs: one locking read of the people, one read of their open consents and memberships, one UPDATE
statement per set of fields filled, one of the superseded consents and one INSERT each of the consents,
memberships and Events for the whole batch (the old path spent about ten statements and savepoints per row).

A person named by two rows of the same batch is merged in a second round, after the first round is
written, so the second row sees the blanks the first one filled, exactly as one row after the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.core.models import Event
from sotong.people.actions._common import require, summary
from sotong.people.actions.consents import _consent_summary, check_evidence, consent_clock
from sotong.people.import_inserts import fixed_chunks, insert_rows
from sotong.people.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ContactChannel,
    Membership,
    MembershipKind,
    Person,
)

FILLABLE = ("name", "gender", "birth_year", "dong", "occupation", "mobile", "email")
_LOADED = (
    "id",
    "name",
    "gender",
    "birth_year",
    "district",
    "dong",
    "occupation",
    "mobile",
    "mobile_index",
    "email",
    "email_index",
    "source",
    "anonymised_at",
)


@dataclass
class MergeRequest:
    """One accepted proposal: file row `row` completes registered person `person_id`.

    `values` are the row's cleaned values (as `people.imports` checks them: the contact blind indexes and
    `given_at` included); `evidence` is the consent evidence of the row (file, row, batch)."""

    row: int
    person_id: int
    values: dict[str, Any]
    evidence: dict[str, Any]


@transaction.atomic
def merge_import_rows(
    actor: Any,
    requests: Sequence[MergeRequest],
    *,
    purposes: Sequence[ConsentPurpose],
    channels: Iterable[str],
    membership: str | None = None,
) -> dict[int, str]:
    """기존 정책고객에 병합, for a batch of accepted proposals. Returns the rows refused, with the Korean
    reason (person anonymised or gone, consent already past its retention); every other row is merged.

    A contact filled in that someone else registered meanwhile raises IntegrityError (the unique blind
    index): the caller retries row by row to find which."""
    require(actor, "people.change_person")
    require(actor, "people.manage_consent")
    wanted = {ContactChannel(c) for c in channels}
    kind = MembershipKind(membership) if membership else None
    refused: dict[int, str] = {}
    pending = list(requests)
    while pending:
        this_round: list[MergeRequest] = []
        later: list[MergeRequest] = []
        people_in_round: set[int] = set()
        for request in pending:
            (later if request.person_id in people_in_round else this_round).append(request)
            people_in_round.add(request.person_id)
        refused.update(_merge_round(actor, this_round, purposes, wanted, kind))
        pending = later
    return refused


def _merge_round(
    actor: Any,
    requests: list[MergeRequest],
    purposes: Sequence[ConsentPurpose],
    channels: set[ContactChannel],
    kind: MembershipKind | None,
) -> dict[int, str]:
    now = timezone.now()
    ids = sorted({request.person_id for request in requests})
    people: dict[int, Person] = {}
    for chunk in fixed_chunks(ids):
        people.update(
            (person.pk, person)
            for person in Person.objects.select_for_update().filter(pk__in=chunk).only(*_LOADED)
        )
    refused: dict[int, str] = {}
    accepted: list[tuple[MergeRequest, Person]] = []
    for request in requests:
        person = people.get(request.person_id)
        reason = _refusal(person, request.values["given_at"], purposes, now)
        if reason:
            refused[request.row] = reason
        else:
            assert person is not None
            accepted.append((request, person))

    events: list[Event] = []
    _fill_blanks(actor, accepted, now, events)
    _record_consents(actor, accepted, purposes, channels, now, events)
    if kind is not None:
        _add_memberships(actor, accepted, kind, events)
    insert_rows(events)
    return refused


def _event(actor: Any, verb: str, person: Person, *, before: dict[str, Any], after: dict[str, Any]) -> Event:
    """The Event `record_event` writes for a change to `person`, to be inserted with the batch's others."""
    user = actor if getattr(actor, "pk", None) is not None and hasattr(actor, "get_username") else None
    return Event(
        actor=user,
        actor_label=actor if isinstance(actor, str) else str(getattr(actor, "username", "") or actor),
        verb=verb,
        target_type=ContentType.objects.get_for_model(Person),
        target_id=str(person.pk),
        target_label=str(person)[:200],
        before=_plain(before),
        after=_plain(after),
    )


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in values.items()}


def _refusal(
    person: Person | None, given_at: datetime, purposes: Sequence[ConsentPurpose], now: datetime
) -> str:
    if person is None:
        return _("병합할 정책고객이 그 사이 삭제되었습니다.")
    if person.anonymised_at is not None:
        return _("익명화된 정책고객에는 병합할 수 없습니다.")
    for purpose in purposes:
        if consent_clock(purpose, given_at)[0] <= now:
            return _("보유 기간(%(months)d개월)이 이미 지난 동의는 등록할 수 없습니다.") % {
                "months": purpose.retention_months
            }
    return ""


def _fill_blanks(
    actor: Any, accepted: list[tuple[MergeRequest, Person]], now: datetime, events: list[Event]
) -> None:
    """The registered person's empty fields take the row's values (`update_person`'s Event per person)."""
    changed: list[tuple[Person, tuple[str, ...]]] = []
    for request, person in accepted:
        values = request.values
        blanks = [name for name in FILLABLE if values.get(name) and not getattr(person, name)]
        if not blanks:
            continue
        before = summary(person)
        fields: list[str] = []
        for name in blanks:
            setattr(person, name, values[name])
            fields.append(name)
            if name in ("mobile", "email"):
                setattr(person, f"{name}_index", values[f"{name}_index"])
                fields.append(f"{name}_index")
        person.updated_at = now
        after = summary(person)
        differ = [key for key in after if before[key] != after[key]]
        events.append(
            _event(
                actor,
                "people.updated",
                person,
                before={key: before[key] for key in differ},
                after={key: after[key] for key in differ},
            )
        )
        changed.append((person, tuple(fields)))
    _update_people(changed)


def _update_people(changed: list[tuple[Person, tuple[str, ...]]]) -> None:
    """One prepared UPDATE per set of fields filled, run for all its people at once (`bulk_update` builds
    a CASE per field and person, which cost more than the rest of the merge together)."""
    groups: dict[tuple[str, ...], list[Person]] = defaultdict(list)
    for person, fields in changed:
        groups[fields].append(person)
    connection = connections[router.db_for_write(Person)]
    quote = connection.ops.quote_name
    opts = Person._meta
    by_name = {field.name: field for field in opts.concrete_fields}
    for fields, people in groups.items():
        columns = [by_name[name] for name in (*fields, "updated_at")]
        # Table and column names come from the model's metadata, never from input.
        sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
            quote(opts.db_table),
            ", ".join(f"{quote(str(column.column))} = %s" for column in columns),
            quote(str(opts.pk.column)),
        )
        params = [
            [
                *(column.get_db_prep_save(getattr(person, column.attname), connection) for column in columns),
                person.pk,
            ]
            for person in people
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def _record_consents(
    actor: Any,
    accepted: list[tuple[MergeRequest, Person]],
    purposes: Sequence[ConsentPurpose],
    channels: set[ContactChannel],
    now: datetime,
    events: list[Event],
) -> None:
    """The row's consents (`give_consent`'s rules and Event), skipped where an open consent for the
    purpose is as recent or more recent; an older open one is superseded."""
    open_consents: dict[tuple[int, int], list[tuple[int, datetime]]] = defaultdict(list)
    purpose_ids = [purpose.pk for purpose in purposes]
    for chunk in fixed_chunks(sorted({person.pk for _request, person in accepted})):
        rows = (
            Consent.objects.select_for_update()
            .open()
            .filter(person_id__in=chunk, purpose_id__in=purpose_ids)
            .values_list("pk", "person_id", "purpose_id", "given_at")
        )
        for pk, person_id, purpose_id, given_at in rows:
            open_consents[person_id, purpose_id].append((pk, given_at))

    superseded: list[int] = []
    given: list[tuple[Consent, Person, int | None]] = []
    for request, person in accepted:
        given_at = request.values["given_at"]
        proof = check_evidence(ConsentMethod.IMPORT, request.evidence)
        for purpose in purposes:
            current = open_consents[person.pk, purpose.pk]
            if any(at >= given_at for _pk, at in current):
                continue
            sms = ContactChannel.SMS in channels and bool(person.mobile)
            email = ContactChannel.EMAIL in channels and bool(person.email)
            if not (sms or email):
                continue
            superseded += [pk for pk, _at in current]
            expires_at, reconfirm_due_at = consent_clock(purpose, given_at)
            consent = Consent(
                person=person,
                purpose=purpose,
                items=purpose.items,
                sms=sms,
                email=email,
                method=proof["method"],
                evidence=proof,
                given_at=given_at,
                expires_at=expires_at,
                reconfirm_due_at=reconfirm_due_at,
            )
            given.append((consent, person, current[0][0] if current else None))
    for chunk in fixed_chunks(superseded):
        Consent.objects.filter(pk__in=chunk).update(superseded_at=now)
    insert_rows([consent for consent, _person, _previous in given], returning=True)
    events.extend(
        _event(
            actor,
            "people.consent_given",
            person,
            before={"consent": previous} if previous else {},
            after=_consent_summary(consent),
        )
        for consent, person, previous in given
    )


def _add_memberships(
    actor: Any, accepted: list[tuple[MergeRequest, Person]], kind: MembershipKind, events: list[Event]
) -> None:
    """The import's membership (e.g. 전자소통 가입자) for those who do not hold it (`add_membership`)."""
    holding: set[int] = set()
    for chunk in fixed_chunks(sorted({person.pk for _request, person in accepted})):
        holding.update(
            Membership.objects.current()
            .filter(person_id__in=chunk, kind=kind, group_type__isnull=True, group_id="")
            .values_list("person_id", flat=True)
        )
    added: list[tuple[Membership, Person]] = []
    for request, person in accepted:
        if person.pk in holding:
            continue
        holding.add(person.pk)
        added.append(
            (Membership(person=person, kind=kind, started_on=request.values["given_at"].date()), person)
        )
    insert_rows([membership for membership, _person in added])
    events.extend(
        _event(
            actor,
            "people.membership_added",
            person,
            before={},
            after={"kind": str(kind), "group": "", "role": ""},
        )
        for _membership, person in added
    )
