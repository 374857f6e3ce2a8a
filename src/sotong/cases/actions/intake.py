"""Intake: meeting registration, submission from every channel, attachments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from sotong.accounts.models import Department, Role, User
from sotong.cases import notifications
from sotong.cases.actions._common import (
    _PHONE,
    ATTACHMENT_TYPES,
    CITIZEN,
    CITIZEN_CHANNELS,
    _cooperates,
    _event,
    _holds,
    _is_staff,
    _lock,
    _manages,
    _oversees,
    _require,
    _text,
)
from sotong.cases.actions.routing import initial_route_due
from sotong.cases.errors import CasesError, CaseTransitionError
from sotong.cases.models import (
    MEETING_CHANNELS,
    Attachment,
    Case,
    CaseKind,
    Channel,
    Meeting,
)
from sotong.cases.receipt import next_receipt_no
from sotong.cases.workflow import (
    NoticeStep,
    statutory_period,
)
from sotong.core.business_calendar import business_calendar
from sotong.core.codes import is_allowed_code
from sotong.core.crypto import email_index_for, normalize_contact_phone, phone_index_for
from sotong.core.db.inserts import insert_row
from sotong.core.events import record_event
from sotong.core.files import sniff_content_type
from sotong.messaging.text import normalize_mobile


@transaction.atomic
def register_meeting(
    *,
    actor: User,
    channel: str,
    title: str,
    held_on: date,
    intake_department: Department,
    place: str = "",
    attendees: str = "",
) -> Meeting:
    """회의 등록: a meeting where proposals were heard (구청장과의 대화, 현장구청장실, 열린만남, 학부모간담회)."""
    _require(_oversees(actor) or _holds(actor, intake_department, Role.INTAKE))
    if channel not in MEETING_CHANNELS:
        raise CasesError(_("회의 구분을 선택해 주세요."), field="channel")
    if not isinstance(held_on, date):
        raise CasesError(_("회의 일자를 입력해 주세요."), field="held_on")
    meeting = Meeting.objects.create(
        channel=channel,
        title=_text(title, "title", _("회의명을 입력해 주세요."), max_length=200),
        held_on=held_on,
        place=(place or "").strip()[:200],
        attendees=(attendees or "").strip(),
        intake_department=intake_department,
    )
    record_event(
        actor,
        "cases.meeting_registered",
        meeting,
        after={"channel": channel, "held_on": held_on, "attendees": len(meeting.attendee_list())},
    )
    return meeting


@transaction.atomic
def submit_case(
    *,
    actor: User | str,
    kind: str,
    channel: str,
    title: str,
    body: str,
    intake_department: Department,
    citizen_name: str,
    citizen_phone: str = "",
    citizen_email: str = "",
    notify_sms: bool = False,
    notify_email: bool = False,
    category: str = "",
    statutory_type: str = "",
    address: str = "",
    dong: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    consents: Sequence[dict[str, Any]] = (),
    meeting: Meeting | None = None,
    proposer_details: str = "",
    phone_verified_at: datetime | None = None,
    received_at: datetime | None = None,
    is_urgent_safety: bool = False,
    is_serious_civic_disaster: bool = False,
    is_grievance: bool = False,
    is_multi_party: bool = False,
) -> Case:
    """민원 접수: register a complaint or proposal from any channel, with its deadline and receipt number.

    `actor` is the member of staff registering it, or "citizen" for the portal (web or mobile only).
    The period comes from the kind (KOREAN-RULES.md) and the deadline from the business calendar at
    `received_at` (now by default). The citizen gets the receipt notice on the channels they chose.
    Raises `CasesError` with the field for bad input and `NotPermitted` for staff outside the intake
    department.
    """
    now = timezone.now()
    if actor == CITIZEN:
        if channel not in CITIZEN_CHANNELS:
            raise CasesError(_("누리집 신청은 인터넷 또는 모바일 경로만 가능합니다."), field="channel")
    elif _is_staff(actor):
        _require(
            _oversees(actor)
            or _holds(actor, intake_department, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER)
            # The SNS desk turns posts into cases for whichever department should take them in.
            or (channel == Channel.SNS and _is_staff(actor) and actor.has_role(Role.SNS_OFFICER))
        )
    else:
        _require(False)
    if kind not in CaseKind.values:
        raise CasesError(_("민원 종류를 선택해 주세요."), field="kind")
    if channel not in Channel.values:
        raise CasesError(_("접수 경로를 선택해 주세요."), field="channel")
    if not isinstance(intake_department, Department) or not intake_department.is_active:
        raise CasesError(_("주관부서를 선택해 주세요."), field="intake_department")
    title = _text(title, "title", _("제목을 입력해 주세요."), max_length=200)
    body = _text(body, "body", _("내용을 입력해 주세요."))
    citizen_name = _text(citizen_name, "citizen_name", _("신청인 이름을 입력해 주세요."), max_length=50)

    phone = normalize_contact_phone(citizen_phone) if (citizen_phone or "").strip() else ""
    if phone and not _PHONE.match(phone):
        raise CasesError(_("전화번호가 올바르지 않습니다 (예: 010-1234-5678)."), field="citizen_phone")
    email = (citizen_email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise CasesError(_("전자우편 주소가 올바르지 않습니다."), field="citizen_email") from None
    if not phone and not email:
        raise CasesError(
            _("연락처(휴대전화 또는 전자우편)를 하나 이상 입력해 주세요."), field="citizen_phone"
        )
    if notify_sms and (not phone or normalize_mobile(phone) is None):
        raise CasesError(_("문자 알림을 받으려면 휴대전화 번호를 입력해 주세요."), field="citizen_phone")
    if notify_email and not email:
        raise CasesError(_("전자우편 알림을 받으려면 전자우편 주소를 입력해 주세요."), field="citizen_email")

    category = (category or "").strip()
    if category and not is_allowed_code("case_category", category):
        raise CasesError(_("분야를 다시 선택해 주세요."), field="category")
    if kind != CaseKind.STATUTORY:
        statutory_type = ""
    if (latitude is None) != (longitude is None):
        raise CasesError(_("위치는 위도와 경도를 함께 입력해 주세요."), field="latitude")
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise CasesError(_("위치가 올바르지 않습니다."), field="latitude")
    consents = [dict(item) for item in consents]
    if any(item.get("required") and not item.get("agreed") for item in consents):
        raise CasesError(_("필수 항목에 동의해 주세요."), field="consents")
    if actor == CITIZEN and not any(item.get("required") and item.get("agreed") for item in consents):
        raise CasesError(_("개인정보 수집·이용에 동의해 주세요."), field="consents")
    if meeting is not None and meeting.channel != channel:
        raise CasesError(_("회의 구분과 접수 경로가 다릅니다."), field="meeting")
    if received_at is None:
        received_at = now
    elif timezone.is_naive(received_at):
        raise CasesError(_("접수 시각에 시간대가 없습니다."), field="received_at")
    elif received_at > now + timedelta(minutes=5):
        raise CasesError(_("접수 시각이 미래일 수 없습니다."), field="received_at")

    period = statutory_period(kind, statutory_type)
    deadline = business_calendar().deadline(received_at, period)
    is_proposal = kind == CaseKind.PROPOSAL
    case = Case(
        receipt_no=next_receipt_no(received_at),
        kind=kind,
        channel=channel,
        title=title,
        body=body,
        category=category,
        statutory_type=statutory_type,
        address=(address or "").strip()[:300],
        dong=(dong or "").strip()[:40],
        latitude=latitude,
        longitude=longitude,
        citizen_name=citizen_name,
        citizen_phone=phone,
        phone_index=phone_index_for(phone),
        citizen_email=email,
        email_index=email_index_for(email),
        notify_sms=bool(notify_sms),
        notify_email=bool(notify_email),
        phone_verified_at=phone_verified_at,
        consents=consents,
        meeting=meeting,
        proposer_details=(proposer_details or "").strip(),
        intake_department=intake_department,
        received_at=received_at,
        route_due_at=initial_route_due(received_at),
        period_days=0 if is_proposal else period.days,
        period_hours=0 if is_proposal else period.hours,
        original_deadline_at=deadline,
        deadline_at=deadline,
        is_urgent_safety=bool(is_urgent_safety),
        is_serious_civic_disaster=bool(is_serious_civic_disaster),
        is_grievance=bool(is_grievance or kind == CaseKind.GRIEVANCE),
        is_multi_party=bool(is_multi_party),
        created_at=now,
    )
    insert_row(case)
    _event(
        actor,
        "cases.submitted",
        case,
        {},
        receipt_no=case.receipt_no,
        kind=kind,
        channel=channel,
        intake_department=intake_department.pk,
        period=str(period),
    )
    notifications.notify_citizen(case, NoticeStep.RECEIPT, actor=actor)
    return case


@transaction.atomic
def add_attachment(
    case: Case, *, uploaded_file: UploadedFile, actor: User | str | None = None, from_citizen: bool = True
) -> Attachment:
    """첨부파일 추가: an image (JPEG, PNG, GIF, WebP) or PDF, recognised by its content, not its name.

    At most `SOTONG_CASES_ATTACHMENT_MAX_BYTES` (10 MB) each and `SOTONG_CASES_ATTACHMENTS_PER_CASE`
    (5) per case. Staff may attach only to cases they work on.
    """
    case = _lock(case)
    if _is_staff(actor):
        _require(_manages(actor, case) or _cooperates(actor, case), case)
    elif actor not in (None, CITIZEN):
        _require(False, case)
    if not case.is_open:
        raise CaseTransitionError(_("처리가 끝난 민원에는 파일을 첨부할 수 없습니다."))
    max_bytes = int(getattr(settings, "SOTONG_CASES_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
    max_count = int(getattr(settings, "SOTONG_CASES_ATTACHMENTS_PER_CASE", 5))
    if case.attachments.count() >= max_count:
        raise CasesError(
            _("첨부파일은 %(n)d개까지 올릴 수 있습니다.") % {"n": max_count}, field="attachments"
        )
    size = uploaded_file.size or 0
    if size <= 0:
        raise CasesError(_("빈 파일은 올릴 수 없습니다."), field="attachments")
    if size > max_bytes:
        raise CasesError(
            _("파일이 너무 큽니다. %(mb)sMB 이하만 올릴 수 있습니다.")
            % {"mb": round(max_bytes / 1024 / 1024, 1)},
            field="attachments",
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    content_type = sniff_content_type(head)
    name = get_valid_filename((uploaded_file.name or "file").rsplit("/", 1)[-1])[:150] or "file"
    if content_type is None or not name.lower().endswith(ATTACHMENT_TYPES[content_type]):
        raise CasesError(
            _("사진(JPG, PNG, GIF, WEBP)과 PDF 파일만 올릴 수 있습니다."),
            field="attachments",
        )
    attachment = Attachment(
        case=case,
        name=name,
        content_type=content_type,
        size=size,
        from_citizen=from_citizen and not _is_staff(actor),
        uploaded_by=actor if isinstance(actor, User) else None,
    )
    attachment.file.save(name, uploaded_file, save=False)
    attachment.save()
    record_event(
        actor or CITIZEN,
        "cases.attachment_added",
        case,
        after={"attachment": attachment.pk, "content_type": content_type, "size": size},
    )
    return attachment
