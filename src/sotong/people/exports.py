"""명단 내려받기 and viewing one person's contact: masked by default, every one logged.

    job = start_export(user, query="dong=행당1동", scope="…", fmt="xlsx", reason="설명회 안내")  # queued
    write_export(job.pk)                        # the worker writes the file (VAR_DIR/people-exports)
    stream = open_export(user, job, request=request)   # the download: one access-log row first

Masked exports (홍*동, 010-****-5678, hong***@example.com, age band instead of the year of birth) need
`people.export_people`; unmasked ones `people.export_unmasked` (programme managers only, see rules.py).
Both need a reason. Each download of the file writes one personal-data access-log row (다운로드: the
account, its IP, the reason, how many people) before a byte leaves, so no export leaves without its log
row; only the one who asked may download it, until it expires (SOTONG_PEOPLE_EXPORT_HOURS, 24; the
sweep `people.expire_files` deletes it). Rows are streamed from the database in chunks: memory does not
grow with the number of people.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sotong.core.errors import DomainError
from sotong.core.events import record_event
from sotong.core.masking import format_phone, mask_email, mask_name, mask_phone
from sotong.core.models import PersonalDataAction
from sotong.core.privacy import log_personal_data_access
from sotong.people.actions._common import require
from sotong.people.errors import NotPermitted, PeopleError
from sotong.people.models import ExportJob, ExportState, Person, PersonQuerySet

MASKED_FIELDS = "성명(마스킹), 성별, 연령대, 행정동, 휴대전화(마스킹), 전자우편(마스킹), 직업"
UNMASKED_FIELDS = "성명, 성별, 출생연도, 행정동, 휴대전화, 전자우편, 직업"
CHUNK = 2000


def _header(unmasked: bool) -> list[str]:
    year = _("출생연도") if unmasked else _("연령대")
    return [
        _("번호"),
        _("성명"),
        _("성별"),
        year,
        _("행정동"),
        _("휴대전화"),
        _("전자우편"),
        _("직업"),
        _("등록일"),
    ]


def _rows(people: PersonQuerySet, unmasked: bool) -> Iterator[list[Any]]:
    for person in people.order_by("pk").iterator(chunk_size=CHUNK):
        if unmasked:
            name, mobile, email = person.name, format_phone(person.mobile), person.email
            age: Any = person.birth_year or ""
        else:
            name, mobile, email = mask_name(person.name), mask_phone(person.mobile), mask_email(person.email)
            age = person.age_band_label
        yield [
            person.pk,
            name,
            person.get_gender_display() if person.gender else "",
            age,
            person.dong,
            mobile if person.mobile else "",
            email,
            person.occupation,
            timezone.localtime(person.created_at).date().isoformat(),
        ]


def write_people(people: PersonQuerySet, stream: IO[Any], *, fmt: str, unmasked: bool) -> int:
    """Write the (active) people of `people` to `stream` (text for csv, binary for xlsx); how many."""
    count = 0
    rows = _rows(people.active(), unmasked)
    if fmt == "csv":
        stream.write("\ufeff")  # Excel opens UTF-8 Korean text only with a BOM
        writer = csv.writer(stream)
        writer.writerow(_header(unmasked))
        for row in rows:
            writer.writerow(row)
            count += 1
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("정책고객"))
        sheet.append(_header(unmasked))
        for row in rows:
            sheet.append(row)
            count += 1
        workbook.save(stream)
    return count


def storage() -> Path:
    folder = Path(settings.VAR_DIR) / "people-exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_path(job: ExportJob) -> Path:
    return storage() / f"{job.token}.{job.fmt}"


def start_export(
    actor: Any, *, query: str, scope: str, fmt: str = "xlsx", unmasked: bool = False, reason: str
) -> ExportJob:
    """명단 내려받기 요청: checks the role and the reason, then queues the task that writes the file.

    `query` is the registry filter (the list page's query string) selecting the people. Refuses without
    the role or a reason, before anything is queued or logged."""
    from sotong.people.tasks import write_export as write_task

    require(actor, "people.export_unmasked" if unmasked else "people.export_people")
    if fmt not in ("csv", "xlsx"):
        raise PeopleError(_("csv 또는 xlsx로만 내려받을 수 있습니다."), field="fmt")
    if not (reason or "").strip():
        raise PeopleError(
            _("개인정보를 내려받으려면 사유를 입력해 주세요."), code="reason_required", field="reason"
        )
    with transaction.atomic():
        job = ExportJob.objects.create(
            token=secrets.token_hex(16),
            query=query,
            scope=scope[:200],
            fmt=fmt,
            unmasked=unmasked,
            reason=reason.strip()[:200],
            created_by=actor,
        )
        record_event(actor, "people.export_requested", job, after={"fmt": fmt, "unmasked": unmasked})
        write_task.enqueue(job.pk)  # the task row is in this transaction (django-tasks-db)
    return job


def write_export(job_id: int) -> str:
    """The worker: the file of export job `job_id`, written to storage; the role is checked again."""
    from django.http import QueryDict

    # The registry's filter (list, segment, form conditions) is the list page's; one definition of it.
    from sotong.people.views.office_common import Filtered

    claimed = ExportJob.objects.filter(pk=job_id, state__in=[ExportState.QUEUED, ExportState.WRITING]).update(
        state=ExportState.WRITING
    )
    if not claimed:
        return "skipped"
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        require(job.created_by, "people.export_unmasked" if job.unmasked else "people.export_people")
        filtered = Filtered(QueryDict(job.query))
        if filtered.error:
            raise PeopleError(filtered.error)
        path = export_path(job)
        if job.fmt == "csv":
            with path.open("w", encoding="utf-8", newline="") as text:
                count = write_people(filtered.people, text, fmt="csv", unmasked=job.unmasked)
        else:
            with path.open("wb") as binary:
                count = write_people(filtered.people, binary, fmt="xlsx", unmasked=job.unmasked)
    except DomainError as error:
        fail_export(job_id, error)
        return "failed"
    now = timezone.now()
    hours = int(getattr(settings, "SOTONG_PEOPLE_EXPORT_HOURS", 24))
    ExportJob.objects.filter(pk=job_id).update(
        state=ExportState.DONE, count=count, finished_at=now, expires_at=now + timedelta(hours=hours)
    )
    return "done"


def fail_export(job_id: int, error: Exception) -> None:
    """실패: no file is left behind."""
    message = error.message if isinstance(error, DomainError) else _("파일을 만들지 못했습니다.")
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is not None:
        export_path(job).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(state=ExportState.FAILED, error=message)


def open_export(actor: Any, job: ExportJob, *, request: HttpRequest | None = None) -> IO[bytes]:
    """내려받기: the finished file of `actor`'s own job, after one personal-data access-log row
    (다운로드, the reason given, how many people) is written; every download is logged."""
    require(actor, "people.export_unmasked" if job.unmasked else "people.export_people")
    if job.created_by_id != actor.pk:
        raise NotPermitted(_("다른 담당자가 요청한 명단입니다."), code="not_owner")
    path = export_path(job)
    if (
        job.state != ExportState.DONE
        or (job.expires_at and job.expires_at <= timezone.now())
        or not path.exists()
    ):
        raise PeopleError(_("내려받을 수 있는 기간이 지났거나 아직 만들어지지 않았습니다."), code="not_ready")
    log_personal_data_access(
        request or actor,
        subject=("people.Person", "*", _("정책고객 %(count)d명") % {"count": job.count or 0}),
        action=PersonalDataAction.DOWNLOAD,
        fields=(UNMASKED_FIELDS if job.unmasked else MASKED_FIELDS),
        reason=job.reason,
        record_count=job.count or 0,
        path=f"people.export.{job.fmt}{'.unmasked' if job.unmasked else ''}",
    )
    return path.open("rb")


def expire_exports(now: datetime) -> int:
    """Delete the files of export jobs past `expires_at`; how many."""
    done = 0
    for job in ExportJob.objects.filter(state=ExportState.DONE, expires_at__lte=now).order_by("pk")[:500]:
        export_path(job).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(state=ExportState.EXPIRED)
        done += 1
    return done


def reveal_contact(
    actor: Any, person: Person, *, request: HttpRequest | None = None, reason: str = ""
) -> dict[str, str]:
    """마스킹 해제: one person's name and contact in full, for `people.view_contact`, logged (조회)."""
    require(actor, "people.view_contact")
    if person.anonymised_at is not None:
        raise PeopleError(_("익명화된 정책고객입니다."), code="anonymised")
    log_personal_data_access(
        request or actor,
        subject=person,
        action=PersonalDataAction.VIEW,
        fields="성명, 휴대전화, 전자우편",
        reason=reason,
    )
    return {"name": person.name, "mobile": format_phone(person.mobile), "email": person.email}
