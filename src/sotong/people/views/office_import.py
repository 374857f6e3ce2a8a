"""일괄 등록 in four steps: upload → column mapping → preview (the row-by-row report, merge proposals
decided one by one) → commit → the result with its report (CSV, downloaded with a reason, logged).

The uploaded file is kept on the server's disk (`VAR_DIR/people-imports`, never under MEDIA_ROOT) between
the steps, named by a random token held in the staff member's session: another session cannot reach
it. The preview and the commit stream the file (`sotong.people.imports`); the commit deletes it.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sotong.core.errors import DomainError
from sotong.core.models import PersonalDataAction
from sotong.core.privacy import log_personal_data_access
from sotong.people import imports
from sotong.people.forms_office import DownloadReasonForm, ImportMappingForm, ImportUploadForm
from sotong.people.import_files import FIELD_LABELS, SYNONYMS, ImportFileError, map_columns, read_table
from sotong.people.models import ConsentPurpose, ImportBatch, MembershipKind, Source
from sotong.people.views.office_common import registry_page, user_of

SESSION_KEY = "people_import"
REPORTS_KEY = "people_import_reports"
SHOWN_ROWS = 500  # rows of the report shown on the page; the CSV has every row
REPORT_REASON = "일괄 등록 결과 확인"


def storage() -> Path:
    folder = Path(settings.VAR_DIR) / "people-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _upload_path(state: dict[str, Any]) -> Path:
    return storage() / f"{state['token']}{state['ext']}"


def _report_path(token: str) -> Path:
    return storage() / f"{token}-report.csv"


def _key(title: str) -> str:
    return "".join(str(title or "").split()).lower().replace("_", "").replace("-", "")


_GUESS = {_key(word): field for field, words in SYNONYMS.items() for word in words}


def _header(state: dict[str, Any]) -> list[str]:
    first = next(read_table(str(_upload_path(state)), state["filename"]), None)
    if first is None:
        raise ImportFileError(_("빈 파일입니다."), field="file")
    return first[1]


def _state(request: HttpRequest) -> dict[str, Any] | None:
    state = request.session.get(SESSION_KEY)
    if not state or not _upload_path(state).exists():
        return None
    return dict(state)


def _forget(request: HttpRequest, state: dict[str, Any] | None) -> None:
    if state:
        _upload_path(state).unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


def _remember_report(request: HttpRequest, token: str, label: str) -> None:
    reports = dict(request.session.get(REPORTS_KEY, {}))
    reports[token] = label
    request.session[REPORTS_KEY] = dict(list(reports.items())[-20:])


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
            state = {
                "token": secrets.token_hex(16),
                "ext": Path(filename).suffix.lower(),
                "filename": filename,
                "source": data["source"],
                "purposes": [purpose.code for purpose in data["purposes"]],
                "channels": list(data["channels"]),
                "membership": data["membership"] or None,
                "mapping": None,
            }
            with _upload_path(state).open("wb") as target:
                for chunk in upload_file.chunks():
                    target.write(chunk)
            try:
                map_columns(_header(state))
            except ImportFileError as error:
                if error.field == "file":
                    _upload_path(state).unlink(missing_ok=True)
                    form.add_domain_error(error)
                    return render(request, "people/office/import.html", {"form": form}, status=400)
            request.session[SESSION_KEY] = state
            return redirect("people_office:import_mapping")
    return render(request, "people/office/import.html", {"form": form}, status=status)


@registry_page("people.import_people")
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest) -> HttpResponse:
    """2/4 열 연결: which field each column holds, guessed from the Korean header names."""
    state = _state(request)
    if state is None:
        return _start_over(request, _("먼저 파일을 올려 주세요."))
    try:
        header = _header(state)
    except ImportFileError as error:
        _forget(request, state)
        return _start_over(request, error.message)
    guesses: dict[int, str] = {}
    for position, title in enumerate(header):
        field = _GUESS.get(_key(title), "")
        if field and field not in guesses.values():
            guesses[position] = field
    if state.get("mapping"):
        chosen = state["mapping"]
        guesses = {i: chosen.get(title, "") for i, title in enumerate(header)}
    form = ImportMappingForm(request.POST or None, header=header, guesses=guesses)
    if request.method == "POST" and form.is_valid():
        state["mapping"] = form.mapping()
        request.session[SESSION_KEY] = state
        return redirect("people_office:import_preview")
    return render(
        request,
        "people/office/import_mapping.html",
        {"form": form, "state": state},
        status=400 if request.method == "POST" else 200,
    )


def _options(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "filename": state["filename"],
        "source": state["source"],
        "purposes": state["purposes"],
        "channels": state["channels"],
        "mapping": state["mapping"],
        "membership": state["membership"],
    }


def _described(state: dict[str, Any]) -> dict[str, Any]:
    purposes = ConsentPurpose.objects.filter(code__in=state["purposes"]).order_by("sort_order")
    return {
        "source": Source(state["source"]).label,
        "purposes": [purpose.name for purpose in purposes],
        "channels": [_("문자") if c == "sms" else _("전자우편") for c in state["channels"]],
        "membership": MembershipKind(state["membership"]).label if state["membership"] else "",
        "mapping": [
            (title, FIELD_LABELS.get(field, "")) for title, field in (state["mapping"] or {}).items()
        ],
    }


@registry_page("people.import_people")
@require_http_methods(["GET"])
def preview(request: HttpRequest) -> HttpResponse:
    """3/4 미리보기: every row checked, nothing written; errors to fix, duplicates, merge proposals."""
    state = _state(request)
    if state is None or state.get("mapping") is None:
        return _start_over(request, _("먼저 파일을 올려 주세요."))
    token = state["token"]
    try:
        with _report_path(token).open("w", encoding="utf-8-sig", newline="") as stream:
            report = imports.preview(
                str(_upload_path(state)),
                actor=user_of(request),
                keep=SHOWN_ROWS,
                sink=imports.ReportWriter(stream),
                **_options(state),
            )
    except DomainError as error:
        _report_path(token).unlink(missing_ok=True)
        messages.error(request, error.message)
        return redirect("people_office:import_mapping")
    _remember_report(request, token, _("%(file)s 미리보기") % {"file": state["filename"]})
    return render(
        request,
        "people/office/import_preview.html",
        {
            "report": report,
            "state": state,
            "described": _described(state),
            "problems": [row for row in report.rows if row.status != imports.Status.NEW],
            "proposals": report.proposals,
            "counts": [(imports.Status.LABELS[status], report.counts.get(status, 0)) for status in _ORDER],
            "writable": report.counts.get(imports.Status.NEW, 0)
            + report.counts.get(imports.Status.PROPOSAL, 0),
            "token": token,
            "reason_form": DownloadReasonForm(prefix="report", initial={"reason": REPORT_REASON}),
            "upload_form": ImportUploadForm(
                initial={
                    "source": state["source"],
                    "purposes": state["purposes"],
                    "channels": state["channels"],
                    "membership": state["membership"] or "",
                }
            ),
        },
    )


_ORDER = (
    imports.Status.NEW,
    imports.Status.PROPOSAL,
    imports.Status.DUPLICATE,
    imports.Status.REJECTED,
)


@registry_page("people.import_people")
@require_POST
def commit(request: HttpRequest) -> HttpResponse:
    """4/4 등록: the good rows written, each proposal merged or skipped as chosen, every row reported."""
    state = _state(request)
    if state is None or state.get("mapping") is None:
        return _start_over(request, _("먼저 파일을 올려 확인해 주세요."))
    decisions = {
        int(key.removeprefix("decision-")): value
        for key, value in request.POST.items()
        if key.startswith("decision-")
        and key.removeprefix("decision-").isdigit()
        and value in ("merge", "skip")
    }
    on_match = request.POST.get("on_match", "skip")
    token = secrets.token_hex(16)
    try:
        with _report_path(token).open("w", encoding="utf-8-sig", newline="") as stream:
            report = imports.commit(
                str(_upload_path(state)),
                actor=user_of(request),
                decisions=decisions,
                on_match=on_match if on_match in ("merge", "skip") else "skip",
                keep=0,
                sink=imports.ReportWriter(stream),
                **_options(state),
            )
    except DomainError as error:
        _report_path(token).unlink(missing_ok=True)
        messages.error(request, error.message)
        return redirect("people_office:import_preview")
    _forget(request, state)
    _report_path(state["token"]).unlink(missing_ok=True)
    reports = dict(request.session.get(REPORTS_KEY, {}))
    reports.pop(state["token"], None)
    request.session[REPORTS_KEY] = reports
    _remember_report(request, token, str(report.batch_id))
    return redirect("people_office:import_result", report.batch_id)


@registry_page("people.import_people")
@require_http_methods(["GET"])
def result(request: HttpRequest, batch_id: int) -> HttpResponse:
    """일괄 등록 결과: the counts of the batch, and its row-by-row report for the one who ran it."""
    batch = get_object_or_404(ImportBatch, pk=batch_id)
    reports = request.session.get(REPORTS_KEY, {})
    token = next((t for t, label in reports.items() if label == str(batch.pk)), None)
    counts = [(imports.Status.LABELS[status], batch.counts.get(status, 0)) for status in _COMMITTED]
    return render(
        request,
        "people/office/import_result.html",
        {
            "batch": batch,
            "counts": counts,
            "token": token,
            "reason_form": DownloadReasonForm(prefix="report", initial={"reason": REPORT_REASON}),
        },
    )


_COMMITTED = (
    imports.Status.NEW,
    imports.Status.MERGED,
    imports.Status.PROPOSAL,
    imports.Status.DUPLICATE,
    imports.Status.REJECTED,
)


@registry_page("people.import_people")
@require_POST
def report_download(request: HttpRequest, token: str) -> HttpResponse:
    """행별 결과 내려받기 (CSV). Its reasons quote the refused values, so it is a download of personal
    data: a reason, and an access-log row."""
    reports = request.session.get(REPORTS_KEY, {})
    path = _report_path(token)
    if token not in reports or not path.exists():
        return _start_over(request, _("결과 파일을 찾을 수 없습니다. 다시 확인해 주세요."))
    form = DownloadReasonForm(request.POST, prefix="report")
    if not form.is_valid():
        messages.error(request, _("개인정보를 내려받으려면 사유를 입력해 주세요."))
        label = reports[token]
        return (
            redirect("people_office:import_result", int(label))
            if label.isdigit()
            else redirect("people_office:import_preview")
        )
    log_personal_data_access(
        request,
        subject=(
            "people.ImportBatch",
            reports[token][:64],
            _("일괄 등록 결과 (%(label)s)") % {"label": reports[token]},
        ),
        action=PersonalDataAction.DOWNLOAD,
        fields=_("행, 결과, 사유(거부된 값 포함)"),
        reason=form.cleaned_data["reason"],
    )
    response = FileResponse(path.open("rb"), as_attachment=True, filename="people-import-report.csv")
    response["Content-Type"] = "text/csv; charset=utf-8"
    return response  # type: ignore[return-value]
