"""Attachment download on the office case page: scoped to the cases the user may see, streamed, and
written to the personal-data access log (with its required reason) when the file came from the citizen."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sotong.cases import forms_office as f
from sotong.cases.models import Attachment, Case
from sotong.cases.views.office._common import CASE_ROLES, _staff, _user
from sotong.cases.views.office.case_page import CasePowers
from sotong.core.models import PersonalDataAction
from sotong.core.privacy import log_personal_data_access


@_staff(*CASE_ROLES)
@require_POST
def attachment_download(request: HttpRequest, receipt_no: str, pk: int) -> HttpResponse:
    """첨부파일 내려받기: an attachment of a case the user can see (else 404). A citizen's file is
    personal data: only the departments working on the case may download it, with a reason, and each
    download writes an access-log row."""
    user = _user(request)
    case = get_object_or_404(Case.objects.visible_to(user), receipt_no=receipt_no)
    attachment = get_object_or_404(Attachment, case=case, pk=pk)
    if attachment.from_citizen:
        open_assignments = list(case.assignments.filter(ended_at__isnull=True).select_related("department"))
        if not CasePowers.of(user, case, open_assignments).works_on:
            raise PermissionDenied(_("신청인이 낸 파일을 내려받을 권한이 없습니다."))
        form = f.AttachmentDownloadForm(request.POST, prefix="download")
        reason = form.cleaned_data["reason"].strip() if form.is_valid() else ""
        if not reason:
            messages.error(request, _("신청인이 낸 파일을 내려받으려면 사유를 입력해 주세요."))
            return redirect(reverse("cases_office:detail", args=[case.receipt_no]) + "#case-files")
        log_personal_data_access(
            request,
            subject=case,
            action=PersonalDataAction.DOWNLOAD,
            fields=_("첨부파일: %(name)s") % {"name": attachment.name},
            reason=reason,
            path=request.path,
        )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    # A streamed response; the staff decorator is typed for plain ones.
    return cast(HttpResponse, response)
