"""일괄 등록 in four steps: upload → column mapping → preview (the row-by-row report, merge proposals
decided one by one) → commit → the result with its report (CSV, downloaded with a reason, logged).

The upload and the mapping happen in the request (the header only); the file is kept on the server's
disk (`VAR_DIR/people-imports`, never under MEDIA_ROOT) named by a random token held in the staff
member's session. Once the columns are mapped, an `ImportJob` takes over: the worker analyses the file
(preview) and, after the staff member confirms, commits it (`sotong.people.import_jobs`). The job page
polls its progress every 2 s (htmx) while the worker runs; only the one who uploaded sees the job.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sotong.core.errors import DomainError
from sotong.core.models import PersonalDataAction
from sotong.core.privacy import log_personal_data_access
from sotong.people import import_jobs, imports
from sotong.people.forms_office import DownloadReasonForm, ImportMappingForm, ImportUploadForm
from sotong.people.import_files import FIELD_LABELS, SYNONYMS, ImportFileError
from sotong.people.models import ConsentPurpose, ImportJob, ImportJobRow, JobState, MembershipKind, Source
from sotong.people.views.office_common import registry_page, user_of

SESSION_KEY = "people_import"
SHOWN_ROWS = 500  # rows of the report shown on the page; the CSV has every row
REPORT_REASON = "일괄 등록 결과 확인"
_PREVIEW_ORDER = (
    imports.Status.NEW,
    imports.Status.PROPOSAL,
    imports.Status.DUPLICATE,
    imports.Status.REJECTED,
)
_COMMITTED_ORDER = (
    imports.Status.NEW,
    imports.Status.MERGED,
    imports.Status.PROPOSAL,
    imports.Status.DUPLICATE,
    imports.Status.REJECTED,
)


def _key(title: str) -> str:
    return "".join(str(title or "").split()).lower().replace("_", "").replace("-", "")


_GUESS = {_key(word): field for field, words in SYNONYMS.items() for word in words}


def _upload_path(state: dict[str, Any]) -> Path:
    return import_jobs.storage() / f"{state['token']}{state['ext']}"


def _state(request: HttpRequest) -> dict[str, Any] | None:
    state = request.session.get(SESSION_KEY)
    if not state or not _upload_path(state).exists():
        return None
    return dict(state)


def _forget(request: HttpRequest, state: dict[str, Any] | None) -> None:
    if state:
        _upload_path(state).unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


def _start_over(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("people_office:import")


@registry_page("people.import_people")
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """1/4 파일 올리기, with the consent it carries (purposes, channels) and where it came from."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _forget(request, _state(request))
            data = form.cleaned_data
            upload_file = data["file"]
            filename = Path(upload_file.name).name
            try:
                token, _path = import_jobs.store_upload(
                    user_of(request), upload_file.chunks(), filename=filename
                )
            except ImportFileError as error:
                form.add_domain_error(error)
                return render(request, "people/office/import.html", {"form": form}, status=400)
            request.session[SESSION_KEY] = {
                "token": token,
                "ext": Path(filename).suffix.lower(),
                "filename": filename,
                "source": data["source"],
                "purposes": [purpose.code for purpose in data["purposes"]],
                "channels": list(data["channels"]),
                "membership": data["membership"] or None,
            }
            return redirect("people_office:import_mapping")
    return render(request, "people/office/import.html", {"form": form}, status=status)


@registry_page("people.import_people")
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest) -> HttpResponse:
    """2/4 열 연결: which field each column holds, guessed from the Korean header names; then the job."""
    state = _state(request)
    if state is None:
        return _start_over(request, _("먼저 파일을 올려 주세요."))
    try:
        header = import_jobs.file_header(_upload_path(state), state["filename"])
    except ImportFileError as error:
        _forget(request, state)
        return _start_over(request, error.message)
    guesses: dict[int, str] = {}
    for position, title in enumerate(header):
        field = _GUESS.get(_key(title), "")
        if field and field not in guesses.values():
            guesses[position] = field
    form = ImportMappingForm(request.POST or None, header=header, guesses=guesses)
    if request.method == "POST" and form.is_valid():
        options = {key: state[key] for key in ("source", "purposes", "channels", "membership")}
        try:
            job = import_jobs.start_import(
                user_of(request),
                state["token"],
                filename=state["filename"],
                options=options,
                mapping=form.mapping(),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            request.session.pop(SESSION_KEY, None)
            return redirect("people_office:import_job", job.pk)
    return render(
        request,
        "people/office/import_mapping.html",
        {"form": form, "state": state},
        status=400 if request.method == "POST" else 200,
    )


def _own_job(request: HttpRequest, job_id: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("created_by", "batch"), pk=job_id)
    if job.created_by_id != request.user.pk:
        raise PermissionDenied(_("다른 담당자의 일괄 등록 작업입니다."))
    return job


def _described(job: ImportJob) -> dict[str, Any]:
    options = job.options
    purposes = ConsentPurpose.objects.filter(code__in=options.get("purposes", [])).order_by("sort_order")
    membership = options.get("membership")
    return {
        "source": Source(options.get("source", "import")).label,
        "purposes": [purpose.name for purpose in purposes],
        "channels": [_("문자") if c == "sms" else _("전자우편") for c in options.get("channels", [])],
        "membership": MembershipKind(membership).label if membership else "",
        "mapping": [(title, FIELD_LABELS.get(field, "")) for title, field in (job.mapping or {}).items()],
    }


def _counts(counts: dict[str, int], order: tuple[str, ...]) -> list[tuple[str, int]]:
    return [(imports.Status.LABELS[status], counts.get(status, 0)) for status in order]


def _report_rows(job: ImportJob, phase: str) -> list[imports.RowOutcome]:
    rows = ImportJobRow.objects.filter(job=job, phase=phase).order_by("row")[:SHOWN_ROWS]
    return [
        imports.RowOutcome(
            row.row,
            row.status,
            list(row.reasons),
            person_id=row.person_id,
            duplicate_of=row.duplicate_of,
            differences={k: tuple(v) for k, v in row.differences.items()},
        )
        for row in rows
    ]


def _progress_context(job: ImportJob) -> dict[str, Any]:
    counts = job.preview_counts if job.state in (JobState.QUEUED, JobState.ANALYSING) else job.counts
    return {"job": job, "running_counts": _counts(counts, _COMMITTED_ORDER)}


@registry_page("people.import_people")
@require_http_methods(["GET"])
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    """3/4 미리보기 and 4/4 등록 결과 of one job, or its progress while the worker runs it."""
    job = _own_job(request, job_id)
    context: dict[str, Any] = {**_progress_context(job), "described": _described(job)}
    reason_form = DownloadReasonForm(prefix="report", initial={"reason": REPORT_REASON})
    if job.state == JobState.PREVIEWED:
        problems = _report_rows(job, import_jobs.PREVIEW)
        counts = job.preview_counts
        context.update(
            problems=problems,
            truncated=sum(counts.get(s, 0) for s in _PREVIEW_ORDER[1:]) > len(problems),
            hidden_proposals=counts.get(imports.Status.PROPOSAL, 0)
            > sum(1 for row in problems if row.status == imports.Status.PROPOSAL),
            counts=_counts(counts, _PREVIEW_ORDER),
            total=sum(counts.values()),
            writable=counts.get(imports.Status.NEW, 0) + counts.get(imports.Status.PROPOSAL, 0),
            phase=import_jobs.PREVIEW,
            reason_form=reason_form,
            upload_form=ImportUploadForm(
                initial={
                    "source": job.options.get("source"),
                    "purposes": job.options.get("purposes"),
                    "channels": job.options.get("channels"),
                    "membership": job.options.get("membership") or "",
                }
            ),
        )
        return render(request, "people/office/import_preview.html", context)
    if job.state == JobState.DONE:
        context.update(
            counts=_counts(job.counts, _COMMITTED_ORDER),
            problems=_report_rows(job, import_jobs.COMMIT),
            phase=import_jobs.COMMIT,
            reason_form=reason_form,
        )
        return render(request, "people/office/import_result.html", context)
    return render(request, "people/office/import_progress.html", context)


@registry_page("people.import_people")
@require_http_methods(["GET"])
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress panel, polled by htmx every 2 s; when the worker is done, the page reloads."""
    job = _own_job(request, job_id)
    response = render(request, "people/office/_import_progress.html", _progress_context(job))
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@registry_page("people.import_people")
@require_POST
def confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    """확정: the decisions on the proposals shown, a default for the rest, and the commit queued."""
    job = _own_job(request, job_id)
    decisions = {
        int(key.removeprefix("decision-")): value
        for key, value in request.POST.items()
        if key.startswith("decision-")
        and key.removeprefix("decision-").isdigit()
        and value in ("merge", "skip")
    }
    on_match = request.POST.get("on_match", "skip")
    try:
        import_jobs.confirm_import(
            user_of(request),
            job,
            decisions=decisions,
            on_match=on_match if on_match in ("merge", "skip") else "skip",
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("people_office:import_job", job.pk)


@registry_page("people.import_people")
@require_POST
def resume(request: HttpRequest, job_id: int) -> HttpResponse:
    """이어서 반영: a commit that stopped goes on after its last whole batch."""
    job = _own_job(request, job_id)
    try:
        import_jobs.resume_import(user_of(request), job)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("people_office:import_job", job.pk)


@registry_page("people.import_people")
@require_POST
def report_download(request: HttpRequest, job_id: int, phase: str) -> HttpResponse:
    """행별 결과 내려받기 (CSV). Its reasons quote the refused values, so it is a download of personal
    data: a reason, and an access-log row; only the one who uploaded the file."""
    job = _own_job(request, job_id)
    if phase not in (import_jobs.PREVIEW, import_jobs.COMMIT):
        raise Http404
    path = import_jobs.report_path(job, phase)
    if not path.exists():
        messages.error(request, _("결과 파일을 찾을 수 없습니다. 다시 확인해 주세요."))
        return redirect("people_office:import_job", job.pk)
    form = DownloadReasonForm(request.POST, prefix="report")
    if not form.is_valid():
        messages.error(request, _("개인정보를 내려받으려면 사유를 입력해 주세요."))
        return redirect("people_office:import_job", job.pk)
    label = _("%(file)s 미리보기") if phase == import_jobs.PREVIEW else _("%(file)s 등록 결과")
    log_personal_data_access(
        request,
        subject=("people.ImportJob", str(job.pk), label % {"file": job.filename}),
        action=PersonalDataAction.DOWNLOAD,
        fields=_("행, 결과, 사유(거부된 값 포함)"),
        reason=form.cleaned_data["reason"],
    )
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"people-import-{phase}.csv")
    response["Content-Type"] = "text/csv; charset=utf-8"
    return response  # type: ignore[return-value]
