"""일괄 등록 작업: the import as jobs on the task worker, with progress and a row-by-row report.

    job = start_import(staff, path, filename="가입자.csv", options={...}, mapping={...})  # enqueues
    analyse(job.pk)             # the worker: 분석 중 → 미리보기 준비 (report rows, proposals)
    confirm_import(staff, job, decisions={7: "merge"}, on_match="skip")                 # enqueues
    commit(job.pk)              # the worker: 반영 중 → 완료 (or 실패, resumable)

The uploaded file and the reports are files in `VAR_DIR/people-imports` (never under MEDIA_ROOT), named
by the job's random token; with workers on other machines that folder is a shared volume. Each phase
writes its report twice, batch by batch: every row as a CSV line (`<token>-<phase>.csv`, for download),
and the rows that need a look (refused, duplicate, proposal, merged) as `ImportJobRow`s (for the pages and
the decisions). New rows are only counted in the database.

The commit is written in batches, each in one transaction with its report rows and the job's progress
mark (`committed_through`, `report_bytes`): a commit that stops (worker killed, database gone) leaves
whole batches only, and running it again (the worker re-running the task, or 이어서 반영) resumes after
the last whole batch: the CSV report is cut back to its length at that batch and the earlier rows are only
read again for the file's contacts.
"""

from __future__ import annotations

import csv
import secrets
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.core.events import record_event
from sotong.core.spreadsheets import count_lines
from sotong.people.actions._common import require
from sotong.people.errors import PeopleError
from sotong.people.import_files import ImportFileError, map_columns, read_table
from sotong.people.import_inserts import fixed_chunks, insert_rows
from sotong.people.imports import Importer, RowOutcome, Status, check_options
from sotong.people.models import ImportBatch, ImportJob, ImportJobRow, JobState

PREVIEW, COMMIT = "preview", "commit"


def storage() -> Path:
    folder = Path(settings.VAR_DIR) / "people-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_path(job: ImportJob) -> Path:
    return storage() / f"{job.token}{Path(job.filename).suffix.lower()}"


def report_path(job: ImportJob, phase: str) -> Path:
    return storage() / f"{job.token}-{phase}.csv"


def _header_row() -> list[str]:
    return [_("행"), _("결과"), _("사유"), _("정책고객"), _("중복 행")]


def _csv_line(outcome: RowOutcome) -> list[Any]:
    return [
        outcome.row,
        outcome.label,
        " / ".join(outcome.reasons),
        outcome.person_id or "",
        outcome.duplicate_of or "",
    ]


def file_header(path: Path, filename: str) -> list[str]:
    first = next(read_table(str(path), filename), None)
    if first is None:
        raise ImportFileError(_("빈 파일입니다."), field="file")
    return first[1]


# --- actions --------------------------------------------------------------------------------------


def store_upload(actor: Any, chunks: Any, *, filename: str) -> tuple[str, Path]:
    """Save an uploaded file under a new token; refuses (and deletes) one that cannot be read, has no
    header, or carries a 주민등록번호 column. Returns (token, path)."""
    require(actor, "people.import_people")
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ImportFileError(_("xlsx 또는 csv 파일만 올릴 수 있습니다."), field="file")
    token = secrets.token_hex(16)
    path = storage() / f"{token}{suffix}"
    with path.open("wb") as target:
        for chunk in chunks:
            target.write(chunk)
    try:
        map_columns(file_header(path, filename))
    except ImportFileError as error:
        if error.field == "file":
            path.unlink(missing_ok=True)
            raise
    return token, path


def start_import(
    actor: Any, token: str, *, filename: str, options: dict[str, Any], mapping: dict[str, str]
) -> ImportJob:
    """Create the job for a stored upload with its column mapping, and queue its analysis (미리보기)."""
    from sotong.people.tasks import analyse_import

    require(actor, "people.import_people")
    check_options(
        purposes=options.get("purposes", []),
        channels=options.get("channels", []),
        membership=options.get("membership"),
        source=options.get("source", "import"),
    )
    path = storage() / f"{token}{Path(filename).suffix.lower()}"
    if not path.exists():
        raise PeopleError(_("올린 파일을 찾을 수 없습니다. 다시 올려 주세요."), field="file")
    map_columns(file_header(path, filename), mapping)
    with transaction.atomic():
        job = ImportJob.objects.create(
            token=token,
            filename=Path(filename).name[:255],
            options=options,
            mapping=mapping,
            created_by=actor,
            rows_total=count_lines(str(path), filename),
        )
        record_event(actor, "people.import_started", job, after={"file": job.filename})
        analyse_import.enqueue(job.pk)  # the task row is in this transaction (django-tasks-db)
    return job


def confirm_import(actor: Any, job: ImportJob, *, decisions: dict[int, str], on_match: str) -> ImportJob:
    """확정: record the decision for each proposal and queue the commit; only the uploader, once."""
    from sotong.people.tasks import commit_import

    require(actor, "people.import_people")
    _own(actor, job)
    if on_match not in ("merge", "skip"):
        raise PeopleError(_("일치하는 정책고객 처리 방법은 merge 또는 skip입니다."), field="on_match")
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, state=JobState.PREVIEWED).update(
            state=JobState.COMMITTING, on_match=on_match, rows_done=0, updated_at=timezone.now()
        )
        if not claimed:
            raise PeopleError(_("미리보기가 준비된 작업만 반영할 수 있습니다."), code="job_state")
        proposals = ImportJobRow.objects.filter(job=job, phase=PREVIEW, status=Status.PROPOSAL)
        for decision in ("merge", "skip"):
            rows = [row for row, value in decisions.items() if value == decision]
            for start in range(0, len(rows), 500):
                proposals.filter(row__in=rows[start : start + 500]).update(decision=decision)
        record_event(actor, "people.import_confirmed", job, after={"on_match": on_match})
        commit_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def resume_import(actor: Any, job: ImportJob) -> ImportJob:
    """이어서 반영: queue a failed commit again; it resumes after its last whole batch."""
    from sotong.people.tasks import commit_import

    require(actor, "people.import_people")
    _own(actor, job)
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, state=JobState.FAILED, batch__isnull=False).update(
            state=JobState.COMMITTING, error="", updated_at=timezone.now()
        )
        if not claimed:
            raise PeopleError(_("반영 중 멈춘 작업만 이어서 반영할 수 있습니다."), code="job_state")
        record_event(actor, "people.import_resumed", job, after={"from_row": job.committed_through})
        commit_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _own(actor: Any, job: ImportJob) -> None:
    if job.created_by_id != actor.pk:
        raise PeopleError(_("다른 담당자의 일괄 등록 작업입니다."), code="not_owner")


# --- the two phases (run by the worker) -----------------------------------------------------------


def fail(job_id: int, error: Exception) -> None:
    """실패: the job stops with a Korean message (a commit keeps its whole batches and may resume)."""
    if isinstance(error, PeopleError):
        message = error.message
    else:
        message = _("처리 중 오류가 났습니다 (%(error)s). 다시 시도해 주세요.") % {
            "error": type(error).__name__
        }
    ImportJob.objects.filter(pk=job_id).update(
        state=JobState.FAILED, error=message, updated_at=timezone.now()
    )


def _progress(job: ImportJob, counts: Callable[[], Counter[str]], field: str) -> Callable[[int], None]:
    def update(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            rows_done=done, updated_at=timezone.now(), **{field: dict(counts())}
        )

    return update


def analyse(job_id: int, *, batch_size: int | None = None) -> str:
    """미리보기: every row checked, duplicates and proposals found, the report written; no person written.

    Runs again from the start when the worker runs it twice (the preview report is rewritten)."""
    claimed = ImportJob.objects.filter(pk=job_id, state__in=[JobState.QUEUED, JobState.ANALYSING]).update(
        state=JobState.ANALYSING, rows_done=0, preview_counts={}, updated_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    ImportJobRow.objects.filter(job=job, phase=PREVIEW).delete()
    path = report_path(job, PREVIEW)
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(_header_row())

            def report(outcomes: list[RowOutcome], last_row: int) -> None:
                writer.writerows(_csv_line(outcome) for outcome in outcomes)
                _store_rows(job, PREVIEW, outcomes)

            importer = Importer(job, commit=False, report=report, batch_size=batch_size)
            importer.progress = _progress(job, lambda: importer.counts, "preview_counts")
            counts = importer.run(str(upload_path(job)))
    except (PeopleError, OSError) as error:
        fail(job.pk, error)
        return "failed"
    ImportJob.objects.filter(pk=job.pk).update(
        state=JobState.PREVIEWED, preview_counts=dict(counts), updated_at=timezone.now()
    )
    return "previewed"


def commit(job_id: int, *, batch_size: int | None = None) -> str:
    """등록: the good rows written batch by batch (see the module docstring for resuming)."""
    job = ImportJob.objects.select_related("created_by", "batch").filter(pk=job_id).first()
    if job is None or job.state != JobState.COMMITTING:
        return "skipped"
    with transaction.atomic():
        if job.batch is None:
            job.batch = ImportBatch.objects.create(
                filename=job.filename,
                source=job.options.get("source", "import"),
                purposes=job.options.get("purposes", []),
                started_by=job.created_by,
            )
            job.save(update_fields=["batch"])
    resumed = job.committed_through
    ImportJobRow.objects.filter(job=job, phase=COMMIT, row__gt=resumed).delete()
    path = report_path(job, COMMIT)
    mode = "r+" if resumed and path.exists() else "w"
    try:
        with path.open(mode, encoding="utf-8-sig", newline="") as stream:
            if mode == "r+":
                stream.seek(job.report_bytes)
                stream.truncate()
            writer = csv.writer(stream)
            if not resumed:
                writer.writerow(_header_row())
            counts: Counter[str] = Counter(job.counts if resumed else {})

            def report(outcomes: list[RowOutcome], last_row: int) -> None:
                # Inside the batch's transaction: the lines are on disk before the mark says so.
                writer.writerows(_csv_line(outcome) for outcome in outcomes)
                stream.flush()
                counts.update(outcome.status for outcome in outcomes)
                _store_rows(job, COMMIT, outcomes)
                ImportJob.objects.filter(pk=job.pk).update(
                    committed_through=last_row,
                    report_bytes=stream.tell(),
                    counts=dict(counts),
                    rows_done=F("rows_done") + len(outcomes),
                    updated_at=timezone.now(),
                )

            importer = Importer(
                job,
                commit=True,
                report=report,
                decisions=lambda rows: _decisions(job, rows),
                batch=job.batch,
                skip_through=resumed,
                batch_size=batch_size,
            )
            importer.run(str(upload_path(job)))
    except (PeopleError, OSError) as error:
        fail(job.pk, error)
        return "failed"
    now = timezone.now()
    with transaction.atomic():
        batch = job.batch
        batch.finished_at = now
        batch.counts = dict(counts)
        batch.save(update_fields=["finished_at", "counts"])
        ImportJob.objects.filter(pk=job.pk).update(
            state=JobState.DONE, finished_at=now, updated_at=now, counts=dict(counts)
        )
        record_event(job.created_by, "people.imported", batch, after={"file": job.filename, **batch.counts})
    upload_path(job).unlink(missing_ok=True)
    return "done"


def _store_rows(job: ImportJob, phase: str, outcomes: list[RowOutcome]) -> None:
    insert_rows(
        [
            ImportJobRow(
                job=job,
                phase=phase,
                row=outcome.row,
                status=outcome.status,
                reasons=outcome.reasons,
                person_id=outcome.person_id,
                duplicate_of=outcome.duplicate_of,
                differences=outcome.differences,
            )
            for outcome in outcomes
            if outcome.status != Status.NEW
        ]
    )


def _decisions(job: ImportJob, rows: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in fixed_chunks(rows):
        found.update(
            ImportJobRow.objects.filter(job=job, phase=PREVIEW, row__in=chunk)
            .exclude(decision="")
            .values_list("row", "decision")
        )
    return found


def discard_files(job: ImportJob) -> None:
    """Delete the job's upload and reports (the sweep, when the job has expired)."""
    for path in (upload_path(job), report_path(job, PREVIEW), report_path(job, COMMIT)):
        path.unlink(missing_ok=True)


__all__ = [
    "COMMIT",
    "PREVIEW",
    "analyse",
    "commit",
    "confirm_import",
    "discard_files",
    "fail",
    "report_path",
    "resume_import",
    "start_import",
    "storage",
    "store_upload",
    "upload_path",
]
