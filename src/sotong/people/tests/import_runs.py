"""The import as the office runs it, for tests: the file stored, the job started, the real worker run for
the preview, then (commit) the decisions confirmed and the worker run again. The result reads the job's
row-by-row CSV report (every row) and its database rows (the ones that need a look)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from sotong.people import import_jobs
from sotong.people.errors import PeopleError
from sotong.people.imports import Status
from sotong.people.models import ImportJob, ImportJobRow, JobState


@dataclass
class Row:
    row: int
    status: str
    reasons: list[str]
    person_id: int | None
    duplicate_of: int | None
    differences: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Result:
    job: ImportJob
    counts: dict[str, int]
    rows: list[Row]
    batch_id: int | None

    @property
    def proposals(self) -> list[Row]:
        return [r for r in self.rows if r.status == Status.PROPOSAL]


def _result(job: ImportJob, phase: str) -> Result:
    labels = {str(Status.LABELS[status]): status for status in Status.LABELS}
    stored = {r.row: r for r in ImportJobRow.objects.filter(job=job, phase=phase)}
    rows = []
    with import_jobs.report_path(job, phase).open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        for number, label, reasons, person, duplicate in reader:
            found = stored.get(int(number))
            rows.append(
                Row(
                    int(number),
                    labels[label],
                    list(found.reasons) if found else ([reasons] if reasons else []),
                    int(person) if person else None,
                    int(duplicate) if duplicate else None,
                    {k: tuple(v) for k, v in found.differences.items()} if found else {},
                )
            )
    counts = job.preview_counts if phase == import_jobs.PREVIEW else job.counts
    return Result(job, {k: v for k, v in counts.items() if v}, rows, job.batch_id)


def preview(
    run_worker: Callable[[], str],
    file: IO[bytes],
    *,
    filename: str,
    actor: Any,
    source: str = "import",
    purposes: Sequence[str] = ("e_sotong",),
    channels: Sequence[str] = ("sms", "email"),
    mapping: dict[str, str] | None = None,
    membership: str | None = None,
) -> Result:
    token, _path = import_jobs.store_upload(actor, [file.read()], filename=filename)
    options = {
        "source": source,
        "purposes": list(purposes),
        "channels": list(channels),
        "membership": membership,
    }
    job = import_jobs.start_import(actor, token, filename=filename, options=options, mapping=mapping or {})
    run_worker()
    job.refresh_from_db()
    if job.state != JobState.PREVIEWED:
        raise PeopleError(job.error or job.state)
    return _result(job, import_jobs.PREVIEW)


def commit(
    run_worker: Callable[[], str],
    file: IO[bytes],
    *,
    decisions: dict[int, str] | None = None,
    on_match: str = "skip",
    **options: Any,
) -> Result:
    previewed = preview(run_worker, file, **options)
    job = import_jobs.confirm_import(
        options["actor"], previewed.job, decisions=decisions or {}, on_match=on_match
    )
    run_worker()
    job.refresh_from_db()
    if job.state != JobState.DONE:
        raise PeopleError(job.error or job.state)
    return _result(job, import_jobs.COMMIT)
