"""The life of a case: intake, assignment, transfer, avoidance, extension, notes, answer, close, reopen,
merge, link, repeated closure, flags, attachments, satisfaction.

Every action runs in one transaction on a freshly locked copy of the case (the instance passed in is
never changed: use the one returned), checks the actor's department scope (`NotPermitted`), the
workflow table (`CaseTransitionError`) and its input (`CasesError`, Korean, with the field), writes an
Event with the values before and after, and queues the citizen's notice in the same transaction.

Who may act (a role granted in a department covers its subtree):

    coordinator (총괄)                 everything; alone designates the department of a 핑퐁민원
                                        and decides 기피신청
    SNS officer (소통담당)              register SNS posts as cases for any intake department
    intake (주관) of the intake dept    register, assign, transfer, reopen, merge, link, flags, close
    handler (처리) of the handling dept officer, start, answer, transfer, extend, avoidance request,
                                        notes, close, merge, link, flags
    cooperating departments' handlers   notes, attachments
    the citizen (actor "citizen")      submit on the portal, attachments, rating, additional answer,
                                        withdrawal

System administrators keep the system, not cases: they may not act on one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeGuard

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
from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import (
    MEETING_CHANNELS,
    PING_PONG_TRANSFERS,
    Answer,
    AssignmentRole,
    Attachment,
    AvoidanceRequest,
    Case,
    CaseAssignment,
    CaseKind,
    CaseNote,
    CaseStatus,
    Channel,
    DeadlineExtension,
    DecisionStatus,
    Meeting,
    NoteVisibility,
    SatisfactionSurvey,
    Transfer,
    TransferKind,
    email_index_for,
    normalize_contact_phone,
    phone_index_for,
)
from sotong.cases.receipt import next_receipt_no
from sotong.cases.workflow import (
    PROPOSAL_FIRST_REPORT,
    NoticeStep,
    check_transition,
    statutory_period,
)
from sotong.core.business_calendar import Period, business_calendar
from sotong.core.events import record_event
from sotong.messaging.text import normalize_mobile

__all__ = [
    "CITIZEN",
    "FLAG_FIELDS",
    "BulkResult",
    "add_attachment",
    "add_note",
    "answer_case",
    "assign_case",
    "bulk_extend",
    "bulk_reassign",
    "close_as_repeated",
    "close_case",
    "decide_avoidance",
    "designate_department",
    "extend_deadline",
    "link_cases",
    "merge_cases",
    "rate_case",
    "register_meeting",
    "reopen_case",
    "request_additional_answer",
    "request_avoidance",
    "set_flags",
    "set_officer",
    "start_processing",
    "submit_case",
    "transfer_case",
    "withdraw_case",
]

CITIZEN = "citizen"
FLAG_FIELDS = ("is_urgent_safety", "is_serious_civic_disaster", "is_grievance", "is_multi_party")
CITIZEN_CHANNELS = frozenset({Channel.WEB, Channel.MOBILE})
ATTACHMENT_TYPES = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
}
_PHONE = re.compile(r"^0\d{8,10}$")


# Permission helpers --------------------------------------------------------------------------------


def _is_staff(actor: Any) -> TypeGuard[User]:
    return isinstance(actor, User) and actor.is_active


def _oversees(actor: Any) -> bool:
    return _is_staff(actor) and actor.has_role(Role.COORDINATOR)


def _holds(actor: Any, department: Department | None, *roles: str) -> bool:
    return department is not None and _is_staff(actor) and actor.has_role_in(department, *roles)


def _handles(actor: Any, case: Case) -> bool:
    return _oversees(actor) or _holds(actor, case.handling_department, Role.HANDLER)


def _takes_in(actor: Any, case: Case) -> bool:
    return _oversees(actor) or _holds(actor, case.intake_department, Role.INTAKE)


def _manages(actor: Any, case: Case) -> bool:
    return _handles(actor, case) or _takes_in(actor, case)


def _cooperates(actor: Any, case: Case) -> bool:
    return any(
        _holds(actor, assignment.department, Role.HANDLER)
        for assignment in case.assignments.filter(ended_at__isnull=True).select_related("department")
    )


def _require(allowed: bool, case: Case | None = None) -> None:
    if not allowed:
        label = f"{case.receipt_no}: " if case is not None else ""
        raise NotPermitted(label + _("이 민원에 대한 권한이 없습니다."), code="not_permitted")


def _text(value: str, field: str, message: str, *, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise CasesError(message, field=field)
    if max_length is not None and len(value) > max_length:
        raise CasesError(_("%(max)d자 이내로 입력해 주세요.") % {"max": max_length}, field=field)
    return value


def _lock(case: Case) -> Case:
    """The case as it is now, locked for the rest of the transaction."""
    return (
        # `of`: PostgreSQL cannot lock the nullable side of the outer joins select_related makes.
        Case.objects.select_for_update(of=("self",))
        .select_related("intake_department", "handling_department", "officer")
        .get(pk=case.pk)
    )


def _snapshot(case: Case) -> dict[str, Any]:
    """What the timeline keeps of a case: no personal data."""
    return {
        "status": case.status,
        "handling_department": case.handling_department_id,
        "officer": case.officer_id,
        "deadline_at": case.deadline_at,
        "extension_count": case.extension_count,
        "transfer_count": case.transfer_count,
        "is_ping_pong": case.is_ping_pong,
        **{flag: getattr(case, flag) for flag in FLAG_FIELDS},
    }


def _event(actor: Any, verb: str, case: Case, before: dict[str, Any], note: str = "", **extra: Any) -> None:
    record_event(actor, verb, case, before=before, after={**_snapshot(case), **extra}, note=note)


def _end_assignments(case: Case, now: datetime, *, role: str | None = None) -> None:
    open_ = case.assignments.filter(ended_at__isnull=True)
    if role is not None:
        open_ = open_.filter(role=role)
    open_.update(ended_at=now)


def _check_officer(officer: User | None, department: Department) -> None:
    if officer is not None and not (officer.is_active and officer.has_role_in(department, Role.HANDLER)):
        raise CasesError(
            _("%(name)s 님은 %(dept)s의 처리 담당자가 아닙니다.") % {"name": officer, "dept": department},
            field="officer",
        )


def _period_of(case: Case) -> Period:
    if case.period_days:
        return Period(days=case.period_days)
    if case.period_hours:
        return Period(hours=case.period_hours)
    return PROPOSAL_FIRST_REPORT


# Intake --------------------------------------------------------------------------------------------


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
    if category:
        from sotong.core.models import Code

        group = Code.objects.in_group("case_category")
        if group.exists() and not group.active().filter(code=category).exists():
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
    case.save()
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


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


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
    content_type = _sniff(head)
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


# Assignment and transfer ----------------------------------------------------------------------------


def _move(
    case: Case,
    *,
    actor: User,
    kind: str,
    reason: str,
    to_department: Department | None = None,
    to_agency: str = "",
    officer: User | None = None,
) -> Transfer:
    """Move a locked case to another department or agency and keep the history (no permission check)."""
    now = timezone.now()
    from_department = case.handling_department
    if kind == TransferKind.AGENCY:
        check_transition(case, CaseStatus.TRANSFERRED_OUT)
        _end_assignments(case, now)
        case.status = CaseStatus.TRANSFERRED_OUT
        case.closed_at = now
    else:
        assert to_department is not None
        check_transition(case, CaseStatus.ASSIGNED)
        if to_department == from_department:
            raise CasesError(_("지금 처리부서와 같은 부서입니다."), field="to_department")
        _check_officer(officer, to_department)
        _end_assignments(case, now)
        CaseAssignment.objects.create(
            case=case,
            department=to_department,
            role=AssignmentRole.HANDLING,
            officer=officer,
            assigned_by=actor,
            assigned_at=now,
        )
        case.handling_department = to_department
        case.officer = officer
        case.status = CaseStatus.ASSIGNED
    transfer = Transfer.objects.create(
        case=case,
        kind=kind,
        from_department=from_department,
        to_department=to_department,
        to_agency=to_agency,
        reason=reason,
        transferred_by=actor,
        transferred_at=now,
    )
    if kind == TransferKind.DESIGNATED:
        case.is_ping_pong = False
    else:
        case.transfer_count += 1
        if case.transfer_count >= PING_PONG_TRANSFERS and kind != TransferKind.AGENCY:
            case.is_ping_pong = True
    case.save()
    return transfer


@transaction.atomic
def assign_case(
    case: Case,
    *,
    actor: User,
    department: Department,
    officer: User | None = None,
    cooperating: Iterable[Department] = (),
) -> Case:
    """배정: the intake department (or the coordinator) names the handling department, officer and
    cooperating departments. Moving an assigned case to another department is a 재지정 (Transfer)."""
    case = _lock(case)
    _require(_takes_in(actor, case), case)
    if case.is_ping_pong and not _oversees(actor):
        raise NotPermitted(_("핑퐁민원은 총괄부서가 처리부서를 지정합니다."), code="ping_pong")
    check_transition(case, CaseStatus.ASSIGNED)
    if not isinstance(department, Department) or not department.is_active:
        raise CasesError(_("처리부서를 선택해 주세요."), field="department")
    cooperating = list(dict.fromkeys(cooperating))
    if department in cooperating:
        raise CasesError(_("처리부서를 협조부서로 함께 지정할 수 없습니다."), field="cooperating")
    _check_officer(officer, department)
    before, now = _snapshot(case), timezone.now()
    if case.handling_department is not None and case.handling_department != department:
        _move(
            case,
            actor=actor,
            kind=TransferKind.REASSIGN,
            reason=_("주관부서 재지정"),
            to_department=department,
            officer=officer,
        )
    elif case.handling_department is None:
        _end_assignments(case, now)
        CaseAssignment.objects.create(
            case=case, department=department, role=AssignmentRole.HANDLING, officer=officer, assigned_by=actor
        )
        case.handling_department, case.officer, case.status = department, officer, CaseStatus.ASSIGNED
        case.save()
    elif officer is not None and officer != case.officer:
        case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.HANDLING).update(officer=officer)
        case.officer = officer
        case.save(update_fields=["officer", "updated_at"])
    current = set(
        case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.COOPERATING).values_list(
            "department_id", flat=True
        )
    )
    wanted = {dept.pk for dept in cooperating}
    case.assignments.filter(
        ended_at__isnull=True, role=AssignmentRole.COOPERATING, department_id__in=current - wanted
    ).update(ended_at=now)
    for dept in cooperating:
        if dept.pk not in current:
            CaseAssignment.objects.create(
                case=case, department=dept, role=AssignmentRole.COOPERATING, assigned_by=actor
            )
    _event(actor, "cases.assigned", case, before, cooperating=sorted(wanted))
    return case


@transaction.atomic
def set_officer(case: Case, *, actor: User, officer: User) -> Case:
    """담당자 지정: name the officer of the handling department."""
    case = _lock(case)
    _require(_handles(actor, case) or _takes_in(actor, case), case)
    if not case.is_open or case.handling_department is None:
        raise CaseTransitionError(_("처리부서가 정해진 처리 중인 민원에만 담당자를 지정할 수 있습니다."))
    _check_officer(officer, case.handling_department)
    before = _snapshot(case)
    case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.HANDLING).update(officer=officer)
    case.officer = officer
    case.save(update_fields=["officer", "updated_at"])
    _event(actor, "cases.officer_set", case, before)
    return case


@transaction.atomic
def transfer_case(
    case: Case,
    *,
    actor: User,
    to_department: Department | None = None,
    to_agency: str = "",
    kind: str,
    reason: str,
) -> Case:
    """이송·재지정 (법 §16): move a case to another department (재지정, 오배정 이송) or agency (타기관 이송).

    The third transfer makes it a 핑퐁민원: from then on only the coordinator moves it, with
    `designate_department`. A transfer to another agency ends the case here and tells the citizen.
    """
    case = _lock(case)
    _require(_handles(actor, case) or _takes_in(actor, case), case)
    if kind not in TransferKind.values:
        raise CasesError(_("이송 구분을 선택해 주세요."), field="kind")
    if kind == TransferKind.DESIGNATED:
        _require(_oversees(actor), case)
    elif case.is_ping_pong and not _oversees(actor):
        raise NotPermitted(_("핑퐁민원은 총괄부서가 처리부서를 지정합니다."), code="ping_pong")
    reason = _text(reason, "reason", _("이송 사유를 입력해 주세요."))
    to_agency = (to_agency or "").strip()
    if kind == TransferKind.AGENCY:
        if not to_agency:
            raise CasesError(_("받는 기관을 입력해 주세요."), field="to_agency")
        to_department = None
    elif not isinstance(to_department, Department) or not to_department.is_active:
        raise CasesError(_("받는 부서를 선택해 주세요."), field="to_department")
    before = _snapshot(case)
    transfer = _move(
        case, actor=actor, kind=kind, reason=reason, to_department=to_department, to_agency=to_agency[:100]
    )
    _event(
        actor,
        "cases.transferred",
        case,
        before,
        note=reason,
        kind=kind,
        to_agency=to_agency,
        transfer=transfer.pk,
    )
    if kind == TransferKind.AGENCY:
        notifications.notify_citizen(
            case,
            NoticeStep.AGENCY_TRANSFER,
            sequence=transfer.pk,
            actor=actor,
            agency=to_agency,
            reason=reason,
        )
    return case


@transaction.atomic
def designate_department(
    case: Case, *, actor: User, department: Department, reason: str, officer: User | None = None
) -> Case:
    """총괄부서 지정: the coordinator names the department that must handle a (핑퐁) case."""
    case = _lock(case)
    _require(_oversees(actor), case)
    reason = _text(reason, "reason", _("지정 사유를 입력해 주세요."))
    if not isinstance(department, Department) or not department.is_active:
        raise CasesError(_("처리부서를 선택해 주세요."), field="department")
    before = _snapshot(case)
    if department == case.handling_department:
        check_transition(case, CaseStatus.ASSIGNED)
        _check_officer(officer, department)
        if officer is not None:
            case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.HANDLING).update(
                officer=officer
            )
            case.officer = officer
        Transfer.objects.create(
            case=case,
            kind=TransferKind.DESIGNATED,
            from_department=department,
            to_department=department,
            reason=reason,
            transferred_by=actor,
        )
        case.is_ping_pong = False
        case.save()
    else:
        _move(
            case,
            actor=actor,
            kind=TransferKind.DESIGNATED,
            reason=reason,
            to_department=department,
            officer=officer,
        )
    _event(actor, "cases.designated", case, before, note=reason)
    return case


@transaction.atomic
def request_avoidance(
    case: Case, *, actor: User, reason: str, suggested_department: Department | None = None
) -> AvoidanceRequest:
    """처리부서 기피신청: the handling department asks not to handle the case; the coordinator decides."""
    case = _lock(case)
    _require(_holds(actor, case.handling_department, Role.HANDLER), case)
    if not case.is_open:
        raise CaseTransitionError(_("처리 중인 민원만 기피신청할 수 있습니다."))
    reason = _text(reason, "reason", _("기피 사유를 입력해 주세요."))
    if case.avoidance_requests.filter(status=DecisionStatus.PENDING).exists():
        raise CasesError(_("이미 검토 중인 기피신청이 있습니다."), field="reason")
    if suggested_department is not None and suggested_department == case.handling_department:
        raise CasesError(_("지금 처리부서를 추천할 수 없습니다."), field="suggested_department")
    assert case.handling_department is not None
    request = AvoidanceRequest.objects.create(
        case=case,
        department=case.handling_department,
        reason=reason,
        suggested_department=suggested_department,
        requested_by=actor,
    )
    record_event(
        actor,
        "cases.avoidance_requested",
        case,
        after={"request": request.pk, "status": request.status},
        note=reason,
    )
    return request


@transaction.atomic
def decide_avoidance(
    request: AvoidanceRequest,
    *,
    actor: User,
    approve: bool,
    note: str = "",
    to_department: Department | None = None,
) -> AvoidanceRequest:
    """기피신청 결정: the coordinator approves (the case goes to `to_department` or the suggested one)
    or rejects (with a reason; the department keeps the case)."""
    request = AvoidanceRequest.objects.select_for_update().get(pk=request.pk)
    case = _lock(request.case)
    _require(_oversees(actor), case)
    if request.status != DecisionStatus.PENDING:
        raise CaseTransitionError(_("이미 결정된 기피신청입니다."))
    note = (note or "").strip()
    before = _snapshot(case)
    if approve:
        target = to_department or request.suggested_department
        if target is None:
            raise CasesError(_("새 처리부서를 선택해 주세요."), field="to_department")
        _move(
            case,
            actor=actor,
            kind=TransferKind.DESIGNATED,
            reason=_("기피신청 승인: %(reason)s") % {"reason": request.reason},
            to_department=target,
        )
        request.status = DecisionStatus.APPROVED
    else:
        note = _text(note, "note", _("반려 사유를 입력해 주세요."))
        request.status = DecisionStatus.REJECTED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _event(
        actor, "cases.avoidance_decided", case, before, note=note, request=request.pk, decision=request.status
    )
    return request


# Deadlines -----------------------------------------------------------------------------------------


@transaction.atomic
def extend_deadline(case: Case, *, actor: User, days: int, reason: str, citizen_consent: str = "") -> Case:
    """처리기한 연장 (령 §21): once by the department, at most the original period, the citizen told of
    the reason and new date; a further extension only with the citizen's recorded consent."""
    case = _lock(case)
    _require(_handles(actor, case), case)
    if not case.is_open:
        raise CaseTransitionError(_("처리 중인 민원만 처리기한을 연장할 수 있습니다."))
    if case.is_proposal or case.deadline_at is None:
        raise CasesError(_("제안은 처리기한이 없어 연장할 수 없습니다."), field="days")
    if not isinstance(days, int) or days < 1 or days > 365:
        raise CasesError(_("연장 일수를 1일 이상으로 입력해 주세요."), field="days")
    reason = _text(reason, "reason", _("연장 사유를 입력해 주세요."))
    consent = (citizen_consent or "").strip()
    number = case.extension_count + 1
    if number == 1:
        original = _period_of(case)
        allowed = days <= original.days if original.days else days * 8 <= original.working_hours
        if not allowed:
            raise CasesError(
                _("처음 연장은 처리기간(%(period)s) 이내로만 할 수 있습니다.") % {"period": original},
                field="days",
            )
    elif not consent:
        raise CasesError(
            _("두 번째 연장부터는 신청인의 동의 내용을 기록해야 합니다."), field="citizen_consent"
        )
    before = _snapshot(case)
    old = case.deadline_at
    new = business_calendar().extend(old, Period(days=days))
    DeadlineExtension.objects.create(
        case=case,
        number=number,
        old_deadline_at=old,
        new_deadline_at=new,
        reason=reason,
        citizen_consent=consent,
        extended_by=actor,
    )
    case.deadline_at, case.extension_count = new, number
    case.save(update_fields=["deadline_at", "extension_count", "updated_at"])
    _event(actor, "cases.extended", case, before, note=reason, number=number)
    notifications.notify_citizen(
        case, NoticeStep.EXTENSION, sequence=number, actor=actor, new_deadline=new, reason=reason
    )
    return case


# Work on the case ----------------------------------------------------------------------------------


@transaction.atomic
def add_note(case: Case, *, actor: User, body: str, visibility: str) -> CaseNote:
    """메모·공개 답글: internal notes are never shown to the citizen; public replies are."""
    case = _lock(case)
    _require(_manages(actor, case) or _cooperates(actor, case), case)
    if visibility not in NoteVisibility.values:
        raise CasesError(_("공개 여부를 선택해 주세요."), field="visibility")
    note = CaseNote.objects.create(
        case=case, visibility=visibility, body=_text(body, "body", _("내용을 입력해 주세요.")), author=actor
    )
    record_event(actor, "cases.note_added", case, after={"note": note.pk, "visibility": visibility})
    return note


@transaction.atomic
def start_processing(case: Case, *, actor: User) -> Case:
    """처리 시작: the handling department takes the case up (배정 → 처리중); the actor becomes the officer
    when none was named."""
    case = _lock(case)
    _require(_handles(actor, case), case)
    if case.status != CaseStatus.ASSIGNED:
        # answered → in progress is a reopening, which needs its reason: `reopen_case`.
        raise CaseTransitionError(_("배정된 민원만 처리를 시작할 수 있습니다."))
    check_transition(case, CaseStatus.IN_PROGRESS)
    before = _snapshot(case)
    if case.officer is None and _holds(actor, case.handling_department, Role.HANDLER):
        case.officer = actor
        case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.HANDLING).update(officer=actor)
    case.status = CaseStatus.IN_PROGRESS
    case.save(update_fields=["status", "officer", "updated_at"])
    _event(actor, "cases.started", case, before)
    return case


@transaction.atomic
def answer_case(
    case: Case,
    *,
    actor: User,
    body: str,
    is_rejection: bool = False,
    rejection_reasons: str = "",
    remedies: str = "",
) -> Answer:
    """답변: the result told to the citizen; a rejection states its reasons and the remedies (불복 절차)."""
    case = _lock(case)
    _require(_handles(actor, case), case)
    check_transition(case, CaseStatus.ANSWERED)
    if case.handling_department is None:
        raise CasesError(_("처리부서를 먼저 지정해 주세요."), field="department")
    body = _text(body, "body", _("답변 내용을 입력해 주세요."))
    rejection_reasons, remedies = (rejection_reasons or "").strip(), (remedies or "").strip()
    if is_rejection and not rejection_reasons:
        raise CasesError(_("거부(불수용) 답변에는 거부 사유를 적어야 합니다."), field="rejection_reasons")
    if is_rejection and not remedies:
        raise CasesError(_("거부(불수용) 답변에는 구제 절차를 안내해야 합니다."), field="remedies")
    now = timezone.now()
    before = _snapshot(case)
    if case.officer is None and _holds(actor, case.handling_department, Role.HANDLER):
        case.officer = actor
        case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.HANDLING).update(officer=actor)
    answer = Answer.objects.create(
        case=case,
        body=body,
        is_rejection=bool(is_rejection),
        rejection_reasons=rejection_reasons if is_rejection else "",
        remedies=remedies if is_rejection else "",
        is_additional=case.additional_answer_requested_at is not None and case.answers.exists(),
        department=case.handling_department,
        answered_by=actor,
        answered_at=now,
    )
    case.status, case.answered_at = CaseStatus.ANSWERED, now
    case.save(update_fields=["status", "answered_at", "officer", "updated_at"])
    _event(actor, "cases.answered", case, before, answer=answer.pk, is_rejection=answer.is_rejection)
    notifications.notify_citizen(case, NoticeStep.ANSWER, sequence=answer.pk, actor=actor, answer=answer)
    return answer


@transaction.atomic
def close_case(case: Case, *, actor: User, note: str = "") -> Case:
    """종결: an answered case is closed."""
    case = _lock(case)
    _require(_manages(actor, case), case)
    if case.status != CaseStatus.ANSWERED:
        raise CaseTransitionError(_("답변한 민원만 종결할 수 있습니다."))
    check_transition(case, CaseStatus.CLOSED)
    before = _snapshot(case)
    case.status, case.closed_at = CaseStatus.CLOSED, timezone.now()
    case.save(update_fields=["status", "closed_at", "updated_at"])
    _event(actor, "cases.closed", case, before, note=(note or "").strip())
    return case


def _reopen(case: Case) -> None:
    check_transition(case, CaseStatus.IN_PROGRESS)
    now = timezone.now()
    case.status = CaseStatus.IN_PROGRESS
    case.closed_at = None
    case.closed_as_repeated = False
    # A reopened case gets its period afresh from now (the old deadline has usually passed).
    case.deadline_at = business_calendar().deadline(now, _period_of(case))
    case.save()


@transaction.atomic
def reopen_case(case: Case, *, actor: User, reason: str) -> Case:
    """재개: an answered or closed case goes back to 처리중 with a fresh period from now."""
    case = _lock(case)
    _require(_manages(actor, case), case)
    reason = _text(reason, "reason", _("다시 처리하는 사유를 입력해 주세요."))
    before = _snapshot(case)
    _reopen(case)
    if case.closed_as_repeated:
        case.repeated_answers.clear()
    _event(actor, "cases.reopened", case, before, note=reason)
    return case


@transaction.atomic
def withdraw_case(case: Case, *, actor: User | str, reason: str = "") -> Case:
    """취하: the citizen (or staff on their behalf) withdraws an open case."""
    case = _lock(case)
    if actor != CITIZEN:
        _require(_manages(actor, case), case)
    check_transition(case, CaseStatus.WITHDRAWN)
    before, now = _snapshot(case), timezone.now()
    _end_assignments(case, now)
    case.status, case.closed_at = CaseStatus.WITHDRAWN, now
    case.save(update_fields=["status", "closed_at", "updated_at"])
    _event(actor, "cases.withdrawn", case, before, note=(reason or "").strip())
    return case


# Duplicates and repeats ----------------------------------------------------------------------------


@transaction.atomic
def merge_cases(target: Case, duplicates: Iterable[Case], *, actor: User, reason: str) -> Case:
    """병합 (령 §6): open duplicates end as 병합 into `target`, which keeps the work."""
    target = _lock(target)
    _require(_manages(actor, target), target)
    reason = _text(reason, "reason", _("병합 사유를 입력해 주세요."))
    if target.status in (CaseStatus.MERGED, CaseStatus.WITHDRAWN, CaseStatus.TRANSFERRED_OUT):
        raise CaseTransitionError(_("병합 대상 민원이 이미 끝났습니다."))
    ids = list(dict.fromkeys(case.pk for case in duplicates))
    if not ids or target.pk in ids:
        raise CasesError(_("병합할 다른 민원을 선택해 주세요."), field="duplicates")
    now = timezone.now()
    for pk in ids:
        duplicate = _lock(Case(pk=pk))
        _require(_manages(actor, duplicate), duplicate)
        check_transition(duplicate, CaseStatus.MERGED)
        before = _snapshot(duplicate)
        _end_assignments(duplicate, now)
        duplicate.status, duplicate.merged_into, duplicate.closed_at = CaseStatus.MERGED, target, now
        duplicate.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
        target.related.add(duplicate)
        _event(actor, "cases.merged", duplicate, before, note=reason, merged_into=target.pk)
    record_event(actor, "cases.merged_in", target, after={"duplicates": ids}, note=reason)
    return target


@transaction.atomic
def link_cases(case: Case, others: Iterable[Case], *, actor: User) -> Case:
    """관련 민원 연결: mark cases as related (both ways) without changing their states."""
    case = _lock(case)
    _require(_manages(actor, case), case)
    ids = [pk for pk in dict.fromkeys(other.pk for other in others) if pk != case.pk]
    if not ids:
        raise CasesError(_("연결할 민원을 선택해 주세요."), field="related")
    case.related.add(*Case.objects.filter(pk__in=ids))
    record_event(actor, "cases.linked", case, after={"related": ids})
    return case


@transaction.atomic
def close_as_repeated(case: Case, *, actor: User, earlier_cases: Iterable[Case]) -> Case:
    """반복민원 종결 (법 §23): the same content filed 3 or more times and answered at least twice may be
    closed, with the earlier answered cases linked. The earlier cases must come from the same citizen."""
    case = _lock(case)
    _require(_manages(actor, case), case)
    if not case.is_open:
        raise CaseTransitionError(_("처리 중인 민원만 반복민원으로 종결할 수 있습니다."))
    check_transition(case, CaseStatus.CLOSED)
    ids = [pk for pk in dict.fromkeys(other.pk for other in earlier_cases) if pk != case.pk]
    earlier = list(Case.objects.filter(pk__in=ids, received_at__lte=case.received_at))
    answered = [other for other in earlier if other.answers.exists()]
    if len(answered) < 2:
        raise CasesError(
            _(
                "같은 내용으로 두 번 이상 답변한 앞선 민원을 두 건 이상 선택해 주세요 (민원 처리에 관한 법률 제23조)."
            ),
            field="earlier_cases",
        )
    for other in answered:
        same_phone = case.phone_index and other.phone_index == case.phone_index
        same_email = case.email_index and other.email_index == case.email_index
        if not (same_phone or same_email):
            raise CasesError(
                _("%(no)s은(는) 다른 신청인의 민원입니다.") % {"no": other.receipt_no}, field="earlier_cases"
            )
    before, now = _snapshot(case), timezone.now()
    _end_assignments(case, now)
    case.status, case.closed_at, case.closed_as_repeated = CaseStatus.CLOSED, now, True
    case.save(update_fields=["status", "closed_at", "closed_as_repeated", "updated_at"])
    case.repeated_answers.set(answered)
    case.related.add(*answered)
    _event(actor, "cases.closed_as_repeated", case, before, earlier=[other.pk for other in answered])
    return case


@transaction.atomic
def set_flags(case: Case, *, actor: User, **flags: bool) -> Case:
    """표시 변경: urgent safety, 중대시민재해 public facility, 고충민원, 다수인관련민원."""
    case = _lock(case)
    _require(_manages(actor, case), case)
    unknown = set(flags) - set(FLAG_FIELDS)
    if unknown:
        raise CasesError(
            _("알 수 없는 표시입니다: %(names)s") % {"names": ", ".join(sorted(unknown))}, field="flags"
        )
    before = _snapshot(case)
    changed = [name for name, value in flags.items() if getattr(case, name) != bool(value)]
    if not changed:
        return case
    for name in changed:
        setattr(case, name, bool(flags[name]))
    case.save(update_fields=[*changed, "updated_at"])
    _event(actor, "cases.flags_set", case, before)
    return case


# The citizen's answer to the answer ----------------------------------------------------------------


def _latest_answer(case: Case) -> Answer:
    answer = case.answers.order_by("-answered_at", "-id").first()
    if answer is None or case.status not in (CaseStatus.ANSWERED, CaseStatus.CLOSED):
        raise CaseTransitionError(_("답변을 받은 뒤에 할 수 있습니다."))
    return answer


@transaction.atomic
def rate_case(case: Case, *, score: int, comment: str = "") -> SatisfactionSurvey:
    """만족도 조사: the citizen rates the latest answer, 1–5 points, once per answer."""
    case = _lock(case)
    answer = _latest_answer(case)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise CasesError(_("만족도를 1점에서 5점 사이로 선택해 주세요."), field="score")
    if SatisfactionSurvey.objects.filter(answer=answer).exists():
        raise CasesError(_("이 답변에는 이미 만족도를 남기셨습니다."), field="score")
    survey = SatisfactionSurvey.objects.create(
        case=case, answer=answer, score=score, comment=(comment or "").strip()[:2000]
    )
    record_event(CITIZEN, "cases.rated", case, after={"answer": answer.pk, "score": score})
    return survey


DISSATISFIED_MAX_SCORE = 2


@transaction.atomic
def request_additional_answer(case: Case, *, reason: str) -> Case:
    """추가 답변 요청: a citizen who rated the answer 2 points or less may ask once for another answer;
    the case goes back to 처리중 with a fresh period."""
    case = _lock(case)
    answer = _latest_answer(case)
    reason = _text(reason, "reason", _("추가 답변을 요청하는 이유를 입력해 주세요."))
    if case.additional_answer_requested_at is not None:
        raise CasesError(_("추가 답변은 한 번만 요청할 수 있습니다."), field="reason")
    survey = SatisfactionSurvey.objects.filter(answer=answer).first()
    if survey is None or survey.score > DISSATISFIED_MAX_SCORE:
        raise CasesError(
            _("만족도 %(n)d점 이하로 평가한 답변에만 추가 답변을 요청할 수 있습니다.")
            % {"n": DISSATISFIED_MAX_SCORE},
            field="reason",
        )
    before = _snapshot(case)
    _reopen(case)
    case.additional_answer_requested_at = timezone.now()
    case.save(update_fields=["additional_answer_requested_at", "updated_at"])
    _event(CITIZEN, "cases.additional_answer_requested", case, before, note=reason)
    return case


# Bulk ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkResult:
    """One case's outcome in a bulk action: done, or the Korean reason it was refused."""

    case_id: int
    receipt_no: str
    ok: bool
    message: str = ""


def _each(cases: Iterable[Case], apply: Callable[[Case], object]) -> list[BulkResult]:
    results = []
    for case in cases:
        try:
            with transaction.atomic():
                apply(case)
        except (CasesError, CaseTransitionError, NotPermitted) as exc:
            results.append(BulkResult(case.pk, case.receipt_no, False, exc.message))
        else:
            results.append(BulkResult(case.pk, case.receipt_no, True))
    return results


def bulk_reassign(
    cases: Iterable[Case], *, actor: User, department: Department, reason: str, officer: User | None = None
) -> list[BulkResult]:
    """일괄 재지정: reassign each case (assign if it has no handling department yet, else 재지정);
    each case is done whole or not at all, and the result says which and why."""

    def apply(case: Case) -> None:
        if _takes_in(actor, case):
            assign_case(case, actor=actor, department=department, officer=officer)
        else:
            moved = transfer_case(
                case, actor=actor, to_department=department, kind=TransferKind.REASSIGN, reason=reason
            )
            if officer is not None:
                set_officer(moved, actor=actor, officer=officer)

    return _each(cases, apply)


def bulk_extend(
    cases: Iterable[Case], *, actor: User, days: int, reason: str, citizen_consent: str = ""
) -> list[BulkResult]:
    """일괄 처리기한 연장: `extend_deadline` per case, with a per-case result."""
    return _each(
        cases,
        lambda case: extend_deadline(
            case, actor=actor, days=days, reason=reason, citizen_consent=citizen_consent
        ),
    )
