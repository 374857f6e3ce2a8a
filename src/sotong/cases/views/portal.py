"""Citizen pages: the four-step submission (유형·내용 → 연락처·알림 → 개인정보 동의 → 확인), the completion page,
the look-up by receipt number and phone, and the 신청 내역 page with rating and the additional-answer request.

The wizard keeps its state in the session (`DRAFT`); uploaded files wait in a draft folder of the default
storage named by a random draft id and become attachments only in the submitting transaction. If that
transaction fails, files already copied for it are deleted, so nothing is half-written.
"""

from __future__ import annotations

import logging
import posixpath
import uuid
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sotong.accounts.models import Department
from sotong.cases import actions
from sotong.cases.actions.verification import code_ttl
from sotong.cases.drafts import DRAFT_FOLDER, delete_draft_file
from sotong.cases.errors import CasesError
from sotong.cases.forms_portal import (
    CONSENT_ITEMS,
    KIND_HELP,
    AdditionalAnswerForm,
    CaseContentForm,
    ConsentForm,
    ContactForm,
    LookupForm,
    RatingForm,
)
from sotong.cases.models import Attachment, Case, CaseKind, Channel, attachment_path
from sotong.cases.queries import citizen_case_view, find_citizen_case, normalize_receipt_no
from sotong.core.codes import code_name
from sotong.core.errors import DomainError
from sotong.core.files import upload_content_type
from sotong.core.forms import PhoneCodeForm
from sotong.core.masking import format_phone
from sotong.core.privacy import client_ip

logger = logging.getLogger(__name__)

DRAFT = "cases.portal.draft"
DONE = "cases.portal.done"
LOOKED_UP = "cases.portal.looked_up"
MAX_LOOKED_UP = 10

# (slug, url name, label) of the wizard, in order; each step but the last fills the draft key of its slug.
WIZARD_STEPS = (
    ("content", "cases:portal_submit", gettext_lazy("유형·내용")),
    ("contact", "cases:portal_submit_contact", gettext_lazy("연락처·알림")),
    ("consent", "cases:portal_submit_consent", gettext_lazy("개인정보 동의")),
    ("confirm", "cases:portal_submit_confirm", gettext_lazy("확인")),
)


def verification_valid_for() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "SOTONG_PHONE_VERIFICATION_VALID_SECONDS", 30 * 60)))


# --- the draft in the session -------------------------------------------------------------------------


def _draft(request: HttpRequest) -> dict[str, Any]:
    draft = request.session.get(DRAFT)
    if not isinstance(draft, dict) or "id" not in draft:
        draft = {"id": uuid.uuid4().hex, "attachments": []}
    return draft


def _save_draft(request: HttpRequest, draft: dict[str, Any]) -> None:
    request.session[DRAFT] = draft
    request.session.modified = True


def _discard_draft(request: HttpRequest, draft: dict[str, Any] | None = None) -> None:
    draft = draft if draft is not None else request.session.get(DRAFT)
    if isinstance(draft, dict):
        for item in draft.get("attachments", []):
            delete_draft_file(item.get("path", ""))
    request.session.pop(DRAFT, None)


def _first_missing_step(draft: dict[str, Any], upto: str) -> str | None:
    """The url name of the first step before `upto` the citizen has not finished, or None."""
    for slug, url_name, _label in WIZARD_STEPS:
        if slug == upto:
            return None
        if slug != "confirm" and not draft.get(slug):
            return url_name
    return None


def _steps(current: str) -> list[dict[str, Any]]:
    reached = False
    steps = []
    for number, (slug, url_name, label) in enumerate(WIZARD_STEPS, start=1):
        if slug == current:
            state, reached = "active", True
        else:
            state = "" if reached else "done"
        steps.append({"number": number, "label": label, "state": state, "url": reverse(url_name)})
    return steps


def _wizard_context(current: str, **extra: Any) -> dict[str, Any]:
    steps = _steps(current)
    active = next(step for step in steps if step["state"] == "active")
    return {"steps": steps, "step": active, "step_count": len(steps), **extra}


def _verified(draft: dict[str, Any], phone: str) -> bool:
    """Whether the draft holds a verification of `phone` that is still fresh."""
    if not phone or draft.get("verified_phone") != phone or not draft.get("verified_at"):
        return False
    verified_at = datetime.fromisoformat(draft["verified_at"])
    return timezone.now() - verified_at < verification_valid_for()


# --- step 1: 유형·내용 ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submit_content(request: HttpRequest) -> HttpResponse:
    """1단계 유형·내용: kind, title, text, category, location and attachments."""
    draft = _draft(request)
    kept = draft.get("attachments", [])
    if request.method == "POST" and "remove_attachment" in request.POST:
        token = request.POST["remove_attachment"]
        for item in [i for i in kept if i["token"] == token]:
            delete_draft_file(item["path"])
        draft["attachments"] = [i for i in kept if i["token"] != token]
        _save_draft(request, draft)
        messages.info(request, _("첨부파일을 뺐습니다."))
        return redirect("cases:portal_submit")
    if request.method == "POST":
        form = CaseContentForm(request.POST, request.FILES, kept_attachments=len(kept))
        if form.is_valid():
            data = form.cleaned_data
            draft["content"] = {
                "kind": data["kind"],
                "title": data["title"],
                "body": data["body"],
                "category": data.get("category") or "",
                "address": data.get("address") or "",
                "latitude": data.get("latitude"),
                "longitude": data.get("longitude"),
            }
            for upload in data["attachments"]:
                draft["attachments"].append(_keep_upload(draft["id"], upload))
            _save_draft(request, draft)
            return redirect("cases:portal_submit_contact")
    else:
        form = CaseContentForm(initial=draft.get("content"), kept_attachments=len(kept))
    return render(
        request,
        "cases/portal/submit_content.html",
        _wizard_context(
            "content",
            form=form,
            kept_attachments=kept,
            kind_help=KIND_HELP,
            map_tile_url=getattr(settings, "SOTONG_MAP_TILE_URL", ""),
            map_center=getattr(settings, "SOTONG_MAP_CENTER", (37.5634, 127.0369)),
            had_files=bool(request.FILES) and form.is_bound and not form.is_valid(),
        ),
    )


def _keep_upload(draft_id: str, upload: UploadedFile) -> dict[str, Any]:
    """Put an upload in the draft folder under a random name; the citizen's file name is kept aside."""
    content_type = upload_content_type(upload) or "application/octet-stream"
    suffix = PurePosixPath(upload.name or "").suffix.lower()[:8]
    token = uuid.uuid4().hex
    path = default_storage.save(f"{DRAFT_FOLDER}/{draft_id}/{token}{suffix}", upload)
    return {
        "token": token,
        "name": PurePosixPath(upload.name or "file").name[:200],
        "size": upload.size or 0,
        "content_type": content_type,
        "path": path,
    }


# --- step 2: 연락처·알림 and phone verification ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submit_contact(request: HttpRequest) -> HttpResponse:
    """2단계 연락처·알림: name, phone, e-mail, notifications; the phone verified by an SMS code.

    One form, three buttons (send code, check code, next). With htmx the two code buttons swap only the
    verification block; without JavaScript the whole page comes back with the same state.
    """
    draft = _draft(request)
    missing = _first_missing_step(draft, "contact")
    if missing:
        return redirect(missing)
    action = request.POST.get("action", "next") if request.method == "POST" else ""
    code_form = PhoneCodeForm()
    if action in {"send_code", "verify_code"}:
        form = ContactForm(initial=_contact_initial(request.POST))
        phone = request.POST.get("phone", "")
        if action == "send_code":
            code_form = _send_code(request, draft, phone)
        else:
            code_form = _verify_code(request, draft, phone)
        _save_draft(request, draft)
    elif action == "next":
        form = ContactForm(request.POST)
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            if _verified(draft, phone):
                draft["contact"] = {
                    "citizen_name": form.cleaned_data["citizen_name"],
                    "phone": phone,
                    "email": form.cleaned_data["email"],
                    "notify_sms": form.cleaned_data["notify_sms"],
                    "notify_email": form.cleaned_data["notify_email"],
                }
                _save_draft(request, draft)
                return redirect("cases:portal_submit_consent")
            form.add_error(
                "phone",
                _("휴대전화 인증을 마쳐 주세요. ‘인증번호 받기’를 누르고 문자로 받은 번호를 입력합니다."),
            )
            form.mark_errors()
    else:
        form = ContactForm(initial=draft.get("contact") or None)
    phone_value = (form["phone"].value() or "") if form.is_bound else (form.initial.get("phone") or "")
    digits = _digits_or_empty(str(phone_value))
    context = _wizard_context(
        "contact",
        form=form,
        code_form=code_form,
        code_sent=bool(draft.get("code_phone")) and draft.get("code_phone") == digits,
        phone_verified=_verified(draft, digits),
        code_minutes=int(code_ttl().total_seconds() // 60),
    )
    return render(request, "cases/portal/submit_contact.html", context)


def _digits_or_empty(phone: str) -> str:
    from sotong.messaging.text import normalize_mobile

    return normalize_mobile(phone) or ""


def _contact_initial(data: Any) -> dict[str, Any]:
    return {
        "citizen_name": data.get("citizen_name", ""),
        "phone": data.get("phone", ""),
        "email": data.get("email", ""),
        "notify_sms": "notify_sms" in data,
        "notify_email": "notify_email" in data,
    }


def _send_code(request: HttpRequest, draft: dict[str, Any], phone: str) -> PhoneCodeForm:
    code_form = PhoneCodeForm()
    try:
        actions.send_phone_code(phone, ip=client_ip(request))
    except CasesError as error:
        code_form.phone_error = error.message  # type: ignore[attr-defined]
        return code_form
    draft["code_phone"] = _digits_or_empty(phone)
    draft.pop("verified_phone", None)
    draft.pop("verified_at", None)
    code_form.notice = _("인증번호를 보냈습니다. 문자로 받은 6자리 숫자를 입력해 주세요.")  # type: ignore[attr-defined]
    return code_form


def _verify_code(request: HttpRequest, draft: dict[str, Any], phone: str) -> PhoneCodeForm:
    code_form = PhoneCodeForm(request.POST)
    if not code_form.is_valid():
        return code_form
    try:
        verified_at = actions.verify_phone_code(phone, code_form.cleaned_data["code"])
    except CasesError as error:
        if error.field == "phone":
            code_form.phone_error = error.message  # type: ignore[attr-defined]
        else:
            code_form.add_error("code", error.message)
            code_form.mark_errors()
        return code_form
    draft["verified_phone"] = _digits_or_empty(phone)
    draft["verified_at"] = verified_at.isoformat()
    return PhoneCodeForm()


# --- step 3: 개인정보 동의 ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submit_consent(request: HttpRequest) -> HttpResponse:
    """3단계 개인정보 동의: the required item must be agreed; refusing the optional one never blocks."""
    draft = _draft(request)
    missing = _first_missing_step(draft, "consent")
    if missing:
        return redirect(missing)
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            draft["consent"] = {"agreed": form.agreed(), "at": timezone.now().isoformat()}
            _save_draft(request, draft)
            return redirect("cases:portal_submit_confirm")
    else:
        agreed = (draft.get("consent") or {}).get("agreed") or {}
        form = ConsentForm(initial={key: ("agree" if value else "disagree") for key, value in agreed.items()})
    return render(request, "cases/portal/submit_consent.html", _wizard_context("consent", form=form))


# --- step 4: 확인 and submit --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submit_confirm(request: HttpRequest) -> HttpResponse:
    """4단계 확인: everything as it will be filed; the POST is the irreversible submission."""
    draft = _draft(request)
    missing = _first_missing_step(draft, "confirm")
    if missing:
        return redirect(missing)
    contact = draft["contact"]
    if not _verified(draft, contact["phone"]):
        messages.error(request, _("휴대전화 인증 시간이 지났습니다. 다시 인증해 주세요."))
        draft.pop("verified_at", None)
        _save_draft(request, draft)
        return redirect("cases:portal_submit_contact")
    error = None
    if request.method == "POST":
        try:
            case = _submit(request, draft)
        except DomainError as exc:
            error = exc
        else:
            _discard_draft(request, draft)
            request.session[DONE] = case.receipt_no
            _remember_lookup(request, case.receipt_no)
            return redirect("cases:portal_submit_done")
    return render(
        request,
        "cases/portal/submit_confirm.html",
        _wizard_context("confirm", summary=_summary(draft), error=error),
    )


def _extra_agreed(draft: dict[str, Any]) -> bool:
    return bool(draft["consent"]["agreed"].get("case_extra"))


def _summary(draft: dict[str, Any]) -> dict[str, Any]:
    content, contact = draft["content"], draft["contact"]
    extra = _extra_agreed(draft)
    return {
        "kind": CaseKind(content["kind"]).label,
        "title": content["title"],
        "body": content["body"],
        "category": code_name("case_category", content["category"]) if content["category"] else "",
        "address": content["address"] if extra else "",
        "latitude": content["latitude"] if extra else None,
        "longitude": content["longitude"] if extra else None,
        "location_dropped": not extra and bool(content["address"] or content["latitude"] is not None),
        "attachments": draft.get("attachments", []),
        "citizen_name": contact["citizen_name"],
        "phone": format_phone(contact["phone"]),
        "email": contact["email"] if extra else "",
        "email_dropped": not extra and bool(contact["email"]),
        "notify_sms": contact["notify_sms"],
        "notify_email": contact["notify_email"] and extra and bool(contact["email"]),
        "consents": [(item, draft["consent"]["agreed"].get(item.key, False)) for item in CONSENT_ITEMS],
    }


def _portal_intake() -> Department:
    code = settings.SOTONG_CASES_PORTAL_INTAKE
    try:
        return Department.objects.get(code=code)
    except Department.DoesNotExist as exc:
        raise ImproperlyConfigured(f"SOTONG_CASES_PORTAL_INTAKE={code!r} names no department") from exc


def _channel(request: HttpRequest) -> Channel:
    agent = request.headers.get("User-Agent", "")
    return Channel.MOBILE if "Mobi" in agent or "Android" in agent else Channel.WEB


def _submit(request: HttpRequest, draft: dict[str, Any]) -> Case:
    """File the case and its attachments in one transaction; if it fails, delete the files it copied."""
    content, contact, consent = draft["content"], draft["contact"], draft["consent"]
    extra = _extra_agreed(draft)
    records = [item.record(bool(consent["agreed"].get(item.key)), consent["at"]) for item in CONSENT_ITEMS]
    folder = ""
    existing: set[str] = set()
    try:
        with transaction.atomic():
            case = actions.submit_case(
                actor="citizen",
                kind=content["kind"],
                channel=_channel(request),
                title=content["title"],
                body=content["body"],
                intake_department=_portal_intake(),
                citizen_name=contact["citizen_name"],
                citizen_phone=contact["phone"],
                citizen_email=contact["email"] if extra else "",
                notify_sms=contact["notify_sms"],
                notify_email=bool(contact["notify_email"] and extra and contact["email"]),
                category=content["category"],
                address=content["address"] if extra else "",
                latitude=content["latitude"] if extra else None,
                longitude=content["longitude"] if extra else None,
                consents=records,
                phone_verified_at=datetime.fromisoformat(draft["verified_at"]),
            )
            if draft.get("attachments"):
                folder = posixpath.dirname(attachment_path(Attachment(case=case), "file"))
                existing = _files_in(folder)
            for item in draft.get("attachments", []):
                with default_storage.open(item["path"], "rb") as handle:
                    upload = UploadedFile(
                        file=handle, name=item["name"], content_type=item["content_type"], size=item["size"]
                    )
                    actions.add_attachment(case, uploaded_file=upload, actor=None, from_citizen=True)
    except BaseException:
        # The rows are rolled back; the files the storage already holds for them are not.
        for name in sorted(_files_in(folder) - existing) if folder else []:
            try:
                default_storage.delete(posixpath.join(folder, name))
            except OSError:
                logger.warning("could not delete an attachment file after a failed submission")
        raise
    return case


def _files_in(folder: str) -> set[str]:
    try:
        return set(default_storage.listdir(folder)[1])
    except (FileNotFoundError, NotADirectoryError):
        return set()


def submit_done(request: HttpRequest) -> HttpResponse:
    """완료: the receipt number, with the advice to keep it."""
    receipt_no = request.session.get(DONE)
    if not receipt_no:
        return redirect("cases:portal_submit")
    case = (
        Case.objects.filter(receipt_no=receipt_no).only("receipt_no", "title", "received_at", "kind").first()
    )
    if case is None:
        return redirect("cases:portal_submit")
    return render(request, "cases/portal/submit_done.html", {"case": case})


# --- 신청 내역: look-up and the case page -------------------------------------------------------------------


def _remember_lookup(request: HttpRequest, receipt_no: str) -> None:
    looked_up = [no for no in request.session.get(LOOKED_UP, []) if no != receipt_no]
    request.session[LOOKED_UP] = [receipt_no, *looked_up][:MAX_LOOKED_UP]


def _may_see(request: HttpRequest, receipt_no: str) -> bool:
    return receipt_no in request.session.get(LOOKED_UP, [])


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """신청 내역 조회: receipt number + phone. A failure never says which of the two was wrong."""
    error = None
    if request.method == "POST":
        form = LookupForm(request.POST)
        if form.is_valid():
            ip = client_ip(request)
            try:
                actions.check_lookup_allowed(ip)
            except CasesError as exc:
                error = exc.message
            else:
                case = find_citizen_case(form.cleaned_data["receipt_no"], form.cleaned_data["phone"])
                if case is None:
                    actions.record_failed_lookup(ip)
                    error = _("접수번호 또는 휴대전화 번호가 맞지 않습니다. 다시 확인해 주세요.")
                else:
                    _remember_lookup(request, case.receipt_no)
                    return redirect("cases:portal_case", receipt_no=case.receipt_no)
    else:
        form = LookupForm()
    recent = request.session.get(LOOKED_UP, [])
    return render(request, "cases/portal/lookup.html", {"form": form, "error": error, "recent": recent})


@require_POST
def lookup_end(request: HttpRequest) -> HttpResponse:
    """조회 끝내기: forget the looked-up cases in this browser (a shared computer)."""
    request.session.pop(LOOKED_UP, None)
    messages.info(
        request, _("조회를 마쳤습니다. 이 브라우저에서 신청 내역을 다시 보려면 다시 조회해 주세요.")
    )
    return redirect("cases:portal_lookup")


def _case_or_lookup(request: HttpRequest, receipt_no: str) -> Any:
    receipt_no = normalize_receipt_no(receipt_no)
    if not _may_see(request, receipt_no):
        return None
    return citizen_case_view(receipt_no)


def case_detail(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """신청 내역: steps, handling unit and officer, public replies, answers, the files sent, the survey."""
    view = _case_or_lookup(request, receipt_no)
    if view is None:
        messages.info(request, _("접수번호와 휴대전화 번호로 먼저 조회해 주세요."))
        return redirect("cases:portal_lookup")
    return _render_case(request, view)


def _render_case(
    request: HttpRequest,
    view: Any,
    *,
    rating_form: RatingForm | None = None,
    additional_form: AdditionalAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    case = view.case
    department = case.handling_department or case.intake_department
    officer = case.officer
    context = {
        "view": view,
        "case": case,
        "department": department,
        "officer": officer,
        "officer_phone": format_phone(
            getattr(officer, "office_phone", "") or getattr(department, "phone", "") or ""
        ),
        "rating_form": rating_form or RatingForm(),
        "additional_form": additional_form or AdditionalAnswerForm(),
    }
    return render(request, "cases/portal/case_detail.html", context, status=status)


@require_POST
def case_rate(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """만족도 평가: 5 points and a comment, once per answer. A refusal by the action (already rated, no
    answer yet) comes back as a page message; a form error next to its field."""
    view = _case_or_lookup(request, receipt_no)
    if view is None:
        return redirect("cases:portal_lookup")
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _render_case(request, view, rating_form=form, status=422)
    try:
        actions.rate_case(view.case, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("만족도 평가에 참여해 주셔서 감사합니다."))
    return redirect("cases:portal_case", receipt_no=view.case.receipt_no)


@require_POST
def case_additional_answer(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """추가 답변 요청: once, after a dissatisfied rating (the action checks both)."""
    view = _case_or_lookup(request, receipt_no)
    if view is None:
        return redirect("cases:portal_lookup")
    form = AdditionalAnswerForm(request.POST)
    if not form.is_valid():
        return _render_case(request, view, additional_form=form, status=422)
    try:
        actions.request_additional_answer(view.case, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("추가 답변을 요청했습니다. 담당 부서에서 다시 답변해 드립니다."))
    return redirect("cases:portal_case", receipt_no=view.case.receipt_no)


def case_attachment(request: HttpRequest, receipt_no: str, pk: int) -> HttpResponseBase:
    """A file the citizen sent, for the citizen who looked the case up."""
    view = _case_or_lookup(request, receipt_no)
    if view is None:
        raise Http404
    attachment = next((a for a in view.attachments if a.pk == pk), None)
    if attachment is None:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.name,
        content_type=attachment.content_type,
    )
