"""The personal-data access log (개인정보 접근기록), written by every view, export or download of a
person's data: account, time, IP, data subject, action, and a reason for every download.

    log_personal_data_access(request, subject=case, action=PersonalDataAction.VIEW, fields="연락처")

    @logs_personal_data_access(PersonalDataAction.VIEW, subject=lambda request, pk: Case.objects.get(pk=pk))
    def unmask_contact(request, pk): ...

Rows are append-only (model and database trigger) and kept at least two years.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sotong.core.errors import DomainError
from sotong.core.models import PersonalDataAccessLog, PersonalDataAction

# A subject is a model instance, or (type label, id, display label) for things that are not rows,
# e.g. ("people.Person", "*", "1,204명") for a bulk export.
Subject = models.Model | tuple[str, str, str]


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind a proxy set SOTONG_TRUSTED_PROXY_HEADER; otherwise REMOTE_ADDR."""
    if request is None:
        return None
    from django.conf import settings

    header = getattr(settings, "SOTONG_TRUSTED_PROXY_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _subject_parts(subject: Subject) -> tuple[str, str, str]:
    if isinstance(subject, tuple):
        return subject
    meta = subject._meta
    return f"{meta.app_label}.{meta.object_name}", str(subject.pk), str(subject)[:200]


def log_personal_data_access(
    request_or_user: HttpRequest | Any,
    *,
    subject: Subject,
    action: PersonalDataAction | str,
    fields: str = "",
    reason: str = "",
    record_count: int = 1,
    path: str = "",
) -> PersonalDataAccessLog:
    """Append one access-log row. Downloads and prints need a reason (안전성 확보조치 기준 §8)."""
    action = PersonalDataAction(action)
    reason = (reason or "").strip()
    if action in (PersonalDataAction.DOWNLOAD, PersonalDataAction.PRINT) and not reason:
        raise DomainError(
            _("개인정보를 내려받거나 출력하려면 사유를 입력해야 합니다."),
            code="reason_required",
            field="reason",
        )
    request = request_or_user if isinstance(request_or_user, HttpRequest) else None
    user: Any = request.user if request is not None else request_or_user
    subject_type, subject_id, subject_label = _subject_parts(subject)
    is_user = getattr(user, "is_authenticated", False)
    return PersonalDataAccessLog.objects.create(
        account=user if is_user else None,
        account_label=(user.get_username() if is_user else str(user or "system"))[:150],
        ip_address=client_ip(request),
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=subject_label,
        action=action,
        fields=fields[:200],
        reason=reason,
        path=(path or (request.path if request is not None else ""))[:300],
        record_count=record_count,
    )


def logs_personal_data_access(
    action: PersonalDataAction | str,
    *,
    subject: Callable[..., Subject],
    fields: str = "",
    reason_field: str = "reason",
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: after a successful response, write an access-log row for `subject(request, **kwargs)`.

    For downloads the reason is read from the request's POST (or GET) field `reason_field`; a missing
    reason answers 400 before the view runs, so nothing is shown without a logged reason.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            reason = request.POST.get(reason_field) or request.GET.get(reason_field) or ""
            needs_reason = PersonalDataAction(action) in (
                PersonalDataAction.DOWNLOAD,
                PersonalDataAction.PRINT,
            )
            if needs_reason and not reason.strip():
                return HttpResponse(
                    _("개인정보를 내려받거나 출력하려면 사유를 입력해야 합니다."),
                    status=400,
                    content_type="text/plain; charset=utf-8",
                )
            response = view(request, *args, **kwargs)
            if response.status_code < 400:
                log_personal_data_access(
                    request,
                    subject=subject(request, *args, **kwargs),
                    action=action,
                    fields=fields,
                    reason=reason,
                )
            return response

        return wrapper

    return decorate
