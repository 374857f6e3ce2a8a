"""정책고객 일괄 등록, the engine: a file read row by row, checked, deduplicated, and (on commit) written.

    counts = Importer(job, commit=False, report=preview_report).run(path)   # writes no person
    counts = Importer(job, commit=True, report=commit_report).run(path)     # writes the good rows

The worker runs it (`sotong.people.tasks`, jobs and their reports in `sotong.people.import_jobs`). The
preview reads every row, checks it (Korean reasons), finds duplicates inside the file and people already
registered (blind-index match: a merge proposal), and writes no person. The commit does the same again
(the registry may have changed since) and writes the good rows in batches: new people with their
consents (evidence "import file X row N") and, for proposals the staff accepted, the blanks of the
existing person filled and the consent recorded on them. Rows refused, duplicates and declined proposals
are reported, each with its reason; nothing valid is lost and nothing invalid written.

Memory does not grow with the file. Rows are read one at a time and handled per batch of `batch_size`;
each batch's outcomes go to the `report` callback (CSV lines and database rows) and are dropped; people
already registered are found by one blind-index query per batch (and contact kind). Every statement has
one of a few fixed shapes (`sotong.people.import_inserts`), so SQLite's statement cache does not fill
with one-off statements as the batches go by. The one structure that grows is the
set of contact keys met earlier in the file (for duplicates inside it): it lives in a temporary on-disk
SQLite table (17 bytes a key, one or two keys a valid row, so ~40 bytes of disk per row), of which at most
`SEEN_CACHE_KIB` are held in memory.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.core.events import record_event
from sotong.people.actions._common import require
from sotong.people.actions.consents import consent_clock
from sotong.people.actions.import_merge import MergeRequest, merge_import_rows
from sotong.people.actions.persons import default_district
from sotong.people.cleaning import (
    clean_birth_year,
    clean_dong,
    clean_email,
    clean_gender,
    clean_mobile,
    clean_name,
    clean_occupation,
    dong_table,
    email_index_for,
    looks_like_resident_number,
    phone_index_for,
)
from sotong.people.errors import PeopleError
from sotong.people.import_files import FIELD_LABELS, ImportFileError, map_columns, read_table
from sotong.people.import_inserts import IN_CHUNK, fixed_chunks, insert_rows
from sotong.people.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ContactChannel,
    ImportBatch,
    Membership,
    MembershipKind,
    Person,
    Source,
    current_year,
)

__all__ = ["BATCH_SIZE", "ImportFileError", "Importer", "RowOutcome", "Status", "check_options"]

BATCH_SIZE = 1000
MAX_ROWS = 2_000_000
SEEN_CACHE_KIB = 1024
_DATE_FORMATS = ("%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")

# Called once per batch with its outcomes (in row order) and the batch's last row number; on commit, inside
# the batch's transaction, so that the report and the progress mark are written with the rows or not at all.
ReportCallback = Callable[[list["RowOutcome"], int], None]
# The staff member's decisions for the proposals among these rows: {row: "merge" | "skip"}.
DecisionLookup = Callable[[list[int]], dict[int, str]]


class Status:
    NEW = "new"  # preview: would be registered; commit: registered
    PROPOSAL = "proposal"  # matches a registered person; preview only, or declined at commit
    MERGED = "merged"  # commit: the proposal accepted, the existing person completed
    DUPLICATE = "duplicate"  # the same person as an earlier row of the file
    REJECTED = "rejected"  # invalid: reasons say why

    LABELS = {
        NEW: "신규",
        PROPOSAL: "기존 정책고객과 일치(병합 제안)",
        MERGED: "기존 정책고객에 병합",
        DUPLICATE: "파일 안 중복",
        REJECTED: "오류",
    }


@dataclass
class RowOutcome:
    """What happened (or would happen) to one row of the file."""

    row: int
    status: str
    reasons: list[str] = field(default_factory=list)
    person_id: int | None = None
    duplicate_of: int | None = None
    differences: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return _(Status.LABELS[self.status])


class _SeenKeys:
    """Contact keys met earlier in the file → their row, on disk so that memory stays flat."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="sotong-import-")
        self._db = sqlite3.connect(os.path.join(self._dir.name, "seen.sqlite3"))
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(f"PRAGMA cache_size=-{SEEN_CACHE_KIB}")
        self._db.execute("CREATE TABLE seen (key BLOB PRIMARY KEY, row INTEGER) WITHOUT ROWID")

    def find(self, keys: Iterable[bytes]) -> dict[bytes, int]:
        found: dict[bytes, int] = {}
        marks = ",".join("?" * IN_CHUNK)
        for chunk in fixed_chunks(list(dict.fromkeys(keys))):
            found.update(self._db.execute(f"SELECT key, row FROM seen WHERE key IN ({marks})", chunk))  # noqa: S608
        return found

    def add(self, pairs: dict[bytes, int]) -> None:
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", pairs.items())

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()


def _seen_key(kind: bytes, index: str) -> bytes:
    """17 bytes: the kind (m/e) and the first 128 bits of the blind index."""
    return kind + bytes.fromhex(index[:32])


@dataclass
class _Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    keys: list[bytes] = field(default_factory=list)  # _seen_key(b"m" | b"e", index)


def _given_at(text: str) -> datetime:
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text.strip(), fmt)  # noqa: DTZ007 - made aware just below
        except ValueError:
            continue
        return timezone.make_aware(parsed)
    raise PeopleError(
        _("동의일 '%(value)s'이(가) 날짜가 아닙니다 (예: 2025-03-05).") % {"value": text},
        field="consent_date",
    )


def check_options(
    *, purposes: Sequence[str], channels: Sequence[str], membership: str | None, source: str
) -> tuple[list[ConsentPurpose], set[ContactChannel]]:
    """The consent purposes and channels an import records, checked (Korean messages)."""
    Source(source)
    if membership:
        MembershipKind(membership)
    found_channels = {ContactChannel(c) for c in channels}
    if not found_channels:
        raise PeopleError(_("수신 방법(문자 또는 전자우편)을 하나 이상 선택해 주세요."), field="channels")
    found = {p.code: p for p in ConsentPurpose.objects.filter(code__in=purposes, is_active=True)}
    missing = [code for code in purposes if code not in found]
    if missing or not purposes:
        raise PeopleError(
            _("동의 목적을 확인해 주세요: %(codes)s") % {"codes": ", ".join(missing) or "-"},
            field="purposes",
        )
    return [found[code] for code in purposes], found_channels


class Importer:
    """One pass over a stored import file for `job` (an ImportJob): preview, or commit in batches.

    `skip_through`: rows up to this number were committed by an earlier run of the same commit; they are
    read again only to know the file's earlier contacts, and neither written nor reported twice."""

    def __init__(
        self,
        job: Any,
        *,
        commit: bool,
        report: ReportCallback,
        decisions: DecisionLookup | None = None,
        batch: ImportBatch | None = None,
        skip_through: int = 0,
        batch_size: int | None = None,
        max_rows: int = MAX_ROWS,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.actor = job.created_by
        require(self.actor, "people.import_people")
        options = job.options
        self.filename = os.path.basename(job.filename)[:255]
        self.commit = commit
        self.source = Source(options.get("source", Source.IMPORT))
        self.purposes, self.channels = check_options(
            purposes=options.get("purposes", []),
            channels=options.get("channels", []),
            membership=options.get("membership"),
            source=self.source,
        )
        self.user_mapping = job.mapping
        membership = options.get("membership")
        self.membership = MembershipKind(membership) if membership else None
        self.on_match = job.on_match if job.on_match in ("merge", "skip") else "skip"
        self.report = report
        self.decisions = decisions or (lambda rows: {})
        self.batch = batch
        self.skip_through = skip_through
        self.batch_size = max(1, batch_size or BATCH_SIZE)  # read at run time: tests make it small
        self.max_rows = max_rows
        self.progress = progress
        self.counts: Counter[str] = Counter()
        self.mapping: dict[str, str] = {}
        self.ignored_columns: list[str] = []
        self.dongs = dong_table()
        self.year = current_year()
        self.now = timezone.now()
        self.district = default_district()

    # --- the run ---------------------------------------------------------------------------------

    def header(self, path: str) -> list[str]:
        first = next(read_table(path, self.filename), None)
        if first is None:
            raise ImportFileError(_("빈 파일입니다."), field="file")
        return first[1]

    def run(self, path: str) -> Counter[str]:
        """Every row of the file at `path`, batch by batch; the counts of this run's outcomes."""
        rows = read_table(path, self.filename)
        first = next(rows, None)
        if first is None:
            raise ImportFileError(_("빈 파일입니다."), field="file")
        columns, ignored = map_columns(first[1], self.user_mapping)
        self.columns = columns
        self.mapping = {first[1][i]: FIELD_LABELS[f] for i, f in columns.items()}
        self.ignored_columns = ignored
        seen = _SeenKeys()
        done = 0
        try:
            pending: list[_Row] = []
            for count, (number, cells) in enumerate(rows, start=1):
                if count > self.max_rows:
                    raise ImportFileError(
                        _("한 번에 %(n)d행까지 올릴 수 있습니다.") % {"n": self.max_rows}, field="file"
                    )
                pending.append(self._check(number, cells))
                if len(pending) >= self.batch_size:
                    self._process(pending, seen)
                    done += len(pending)
                    pending = []
                    if self.progress is not None:
                        self.progress(done)
            if pending:
                self._process(pending, seen)
                done += len(pending)
                if self.progress is not None:
                    self.progress(done)
        finally:
            rows.close()  # type: ignore[attr-defined]
            seen.close()
        return self.counts

    # --- checking one row ------------------------------------------------------------------------

    def _check(self, number: int, cells: list[str]) -> _Row:
        row = _Row(number)
        raw = {f: (cells[i] if i < len(cells) else "") for i, f in self.columns.items()}
        if any(looks_like_resident_number(cell) for cell in cells):
            row.errors.append(_("주민등록번호로 보이는 값이 있어 받을 수 없습니다."))
            return row
        cleaners: tuple[tuple[str, Callable[[Any], Any]], ...] = (
            ("name", clean_name),
            ("mobile", clean_mobile),
            ("email", clean_email),
            ("gender", clean_gender),
            ("birth_year", lambda v: clean_birth_year(v, year=self.year)),
            ("dong", lambda v: clean_dong(v, table=self.dongs)),
            ("occupation", clean_occupation),
        )
        for name, cleaner in cleaners:
            try:
                row.values[name] = cleaner(raw.get(name, ""))
            except PeopleError as exc:
                row.errors.append(exc.message)
        given_at = self.now
        if raw.get("consent_date"):
            try:
                given_at = _given_at(raw["consent_date"])
            except PeopleError as exc:
                row.errors.append(exc.message)
        if given_at > self.now:
            row.errors.append(_("동의일이 미래입니다."))
        for purpose in self.purposes:
            if consent_clock(purpose, given_at)[0] <= self.now:
                row.errors.append(
                    _("동의일로부터 '%(purpose)s' 보유 기간(%(months)d개월)이 지나 등록할 수 없습니다.")
                    % {"purpose": purpose.name, "months": purpose.retention_months}
                )
        row.values["given_at"] = given_at
        mobile, email = row.values.get("mobile"), row.values.get("email")
        if not row.errors:
            if not mobile and not email:
                row.errors.append(_("휴대전화나 전자우편 중 하나는 있어야 합니다."))
            elif not (
                (mobile and ContactChannel.SMS in self.channels)
                or (email and ContactChannel.EMAIL in self.channels)
            ):
                row.errors.append(
                    _("동의한 수신 방법에 맞는 연락처(문자는 휴대전화, 전자우편은 주소)가 없습니다.")
                )
        if row.errors:
            return row
        if mobile:
            row.values["mobile_index"] = phone_index_for(mobile)
            row.keys.append(_seen_key(b"m", row.values["mobile_index"]))
        if email:
            row.values["email_index"] = email_index_for(email)
            row.keys.append(_seen_key(b"e", row.values["email_index"]))
        return row

    # --- a batch ---------------------------------------------------------------------------------

    def _process(self, rows: list[_Row], seen: _SeenKeys) -> None:
        earlier = seen.find(key for row in rows for key in row.keys)
        in_batch: dict[bytes, int] = {}
        outcomes: dict[int, RowOutcome] = {}
        fresh: list[_Row] = []
        for row in rows:
            if row.errors:
                outcomes[row.number] = RowOutcome(row.number, Status.REJECTED, row.errors)
                continue
            first = next(
                (in_batch.get(k) or earlier.get(k) for k in row.keys if in_batch.get(k) or earlier.get(k)),
                None,
            )
            if first is not None:
                outcomes[row.number] = RowOutcome(
                    row.number,
                    Status.DUPLICATE,
                    [_("%(row)d행과 같은 사람입니다 (휴대전화 또는 전자우편이 같음).") % {"row": first}],
                    duplicate_of=first,
                )
                continue
            for key in row.keys:
                in_batch[key] = row.number
            fresh.append(row)
        seen.add(in_batch)
        if rows[-1].number <= self.skip_through:
            return  # written by an earlier run of this commit: only its contacts were needed
        if rows[0].number <= self.skip_through:
            # A batch boundary other than the earlier run's (batch size changed): only the rows after it.
            rows = [row for row in rows if row.number > self.skip_through]
            fresh = [row for row in fresh if row.number > self.skip_through]

        existing = self._existing(fresh)
        new_rows: list[_Row] = []
        matches: list[tuple[_Row, Person]] = []
        for row in fresh:
            by_mobile = existing.get(("m", row.values.get("mobile_index", "")))
            by_email = existing.get(("e", row.values.get("email_index", "")))
            if by_mobile and by_email and by_mobile.pk != by_email.pk:
                outcomes[row.number] = RowOutcome(
                    row.number,
                    Status.REJECTED,
                    [
                        _(
                            "휴대전화는 정책고객 #%(a)d, 전자우편은 #%(b)d와 일치합니다. 두 사람을 먼저 병합해 주세요."
                        )
                        % {"a": by_mobile.pk, "b": by_email.pk}
                    ],
                )
            elif by_mobile or by_email:
                person = by_mobile or by_email
                assert person is not None
                outcomes[row.number] = RowOutcome(
                    row.number,
                    Status.PROPOSAL,
                    [
                        _("이미 등록된 정책고객 #%(id)d와 휴대전화 또는 전자우편이 같습니다.")
                        % {"id": person.pk}
                    ],
                    person_id=person.pk,
                    differences=_differences(person, row.values),
                )
                matches.append((row, person))
            else:
                outcomes[row.number] = RowOutcome(row.number, Status.NEW)
                new_rows.append(row)

        ordered = [outcomes[row.number] for row in rows]
        if self.commit:
            with transaction.atomic():
                self._write(new_rows, matches, outcomes)
                ordered = [outcomes[row.number] for row in rows]
                self.report(ordered, rows[-1].number)
        else:
            self.report(ordered, rows[-1].number)
        self.counts.update(outcome.status for outcome in ordered)

    def _existing(self, rows: list[_Row]) -> dict[tuple[str, str], Person]:
        mobiles = [r.values["mobile_index"] for r in rows if r.values.get("mobile_index")]
        emails = [r.values["email_index"] for r in rows if r.values.get("email_index")]
        found: dict[tuple[str, str], Person] = {}
        fields = (
            "pk",
            "name",
            "gender",
            "birth_year",
            "dong",
            "occupation",
            "mobile_index",
            "email_index",
            "anonymised_at",
        )
        for chunk in fixed_chunks(mobiles):
            for person in Person.objects.by_contact_index("mobile_index", chunk).only(*fields):
                found["m", person.mobile_index] = person
        for chunk in fixed_chunks(emails):
            for person in Person.objects.by_contact_index("email_index", chunk).only(*fields):
                found["e", person.email_index] = person
        return found

    # --- writing (commit) ------------------------------------------------------------------------

    def _write(
        self, new_rows: list[_Row], matches: list[tuple[_Row, Person]], outcomes: dict[int, RowOutcome]
    ) -> None:
        try:
            with transaction.atomic():
                created = self._create(new_rows)
        except IntegrityError:
            # Someone registered one of these contacts since the batch was checked: row by row instead.
            created = []
            for row in new_rows:
                try:
                    with transaction.atomic():
                        created += self._create([row])
                except IntegrityError:
                    outcomes[row.number] = RowOutcome(
                        row.number,
                        Status.REJECTED,
                        [_("처리 중 같은 연락처가 다른 경로로 등록되었습니다. 다시 올려 주세요.")],
                    )
        for row, person in zip(
            [r for r in new_rows if outcomes[r.number].status == Status.NEW], created, strict=True
        ):
            outcomes[row.number].person_id = person.pk
        decisions = self.decisions([row.number for row, _person in matches]) if matches else {}
        accepted: list[MergeRequest] = []
        for row, person in matches:
            if (decisions.get(row.number) or self.on_match) != "merge":
                outcomes[row.number].reasons.append(_("병합하지 않고 건너뛰었습니다."))
                continue
            accepted.append(MergeRequest(row.number, person.pk, row.values, self._evidence(row)))
        refused = self._merge(accepted)
        merged = 0
        for request in accepted:
            if request.row in refused:
                outcomes[request.row] = RowOutcome(
                    request.row, Status.REJECTED, [refused[request.row]], person_id=request.person_id
                )
                continue
            outcome = outcomes[request.row]
            outcome.status = Status.MERGED
            outcome.reasons = [_("정책고객 #%(id)d에 병합했습니다.") % {"id": request.person_id}]
            merged += 1
        if new_rows or merged:
            record_event(
                self.actor,
                "people.import_batch_written",
                self.batch,
                after={
                    "rows": [new_rows[0].number, new_rows[-1].number] if new_rows else [],
                    "created": len(created),
                    "merged": merged,
                },
            )

    def _create(self, rows: list[_Row]) -> list[Person]:
        if not rows:
            return []
        people = [
            Person(
                name=row.values["name"],
                gender=row.values["gender"],
                birth_year=row.values["birth_year"],
                district=self.district,
                dong=row.values["dong"],
                occupation=row.values["occupation"],
                mobile=row.values["mobile"],
                mobile_index=row.values.get("mobile_index", ""),
                email=row.values["email"],
                email_index=row.values.get("email_index", ""),
                source=self.source,
                import_batch=self.batch,
                import_row=row.number,
                created_at=self.now,
            )
            for row in rows
        ]
        insert_rows(people, returning=True)
        consents = []
        memberships = []
        for row, person in zip(rows, people, strict=True):
            for purpose in self.purposes:
                consents.append(self._consent(person, purpose, row))
            if self.membership is not None:
                memberships.append(
                    Membership(person=person, kind=self.membership, started_on=row.values["given_at"].date())
                )
        insert_rows(consents)
        insert_rows(memberships)
        return people

    def _evidence(self, row: _Row) -> dict[str, Any]:
        return {
            "method": ConsentMethod.IMPORT.value,
            "file": self.filename,
            "row": row.number,
            "batch": self.batch.pk if self.batch else None,
        }

    def _consent(self, person: Person, purpose: ConsentPurpose, row: _Row) -> Consent:
        given_at = row.values["given_at"]
        expires_at, reconfirm_due_at = consent_clock(purpose, given_at)
        return Consent(
            person=person,
            purpose=purpose,
            items=purpose.items,
            sms=ContactChannel.SMS in self.channels and bool(row.values["mobile"]),
            email=ContactChannel.EMAIL in self.channels and bool(row.values["email"]),
            method=ConsentMethod.IMPORT,
            evidence=self._evidence(row),
            given_at=given_at,
            expires_at=expires_at,
            reconfirm_due_at=reconfirm_due_at,
        )

    def _merge(self, accepted: list[MergeRequest]) -> dict[int, str]:
        """The accepted proposals, as one set; row by row only when a contact filled in was registered
        by someone else meanwhile (to refuse just that row). Returns the rows refused with their reason."""
        if not accepted:
            return {}

        def merge(requests: list[MergeRequest]) -> dict[int, str]:
            return merge_import_rows(
                self.actor,
                requests,
                purposes=self.purposes,
                channels=self.channels,
                membership=self.membership,
            )

        try:
            with transaction.atomic():
                return merge(accepted)
        except IntegrityError:
            refused: dict[int, str] = {}
            for request in accepted:
                try:
                    with transaction.atomic():
                        refused.update(merge([request]))
                except IntegrityError:
                    refused[request.row] = _(
                        "처리 중 같은 연락처가 다른 경로로 등록되었습니다. 다시 올려 주세요."
                    )
            return refused


def _differences(person: Person, values: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Fields where the row and the registered person disagree (names masked), for the proposal."""
    from sotong.core.masking import mask_name

    differences: dict[str, tuple[str, str]] = {}
    for name in ("name", "gender", "birth_year", "dong", "occupation"):
        ours, theirs = getattr(person, name), values.get(name)
        if ours and theirs and ours != theirs:
            shown = (mask_name(ours), mask_name(theirs)) if name == "name" else (str(ours), str(theirs))
            differences[FIELD_LABELS[name]] = shown
    return differences
