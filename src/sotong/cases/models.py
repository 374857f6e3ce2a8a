"""민원·제안: a case from any channel, its assignments, transfers, reports, answers and rating.

The workflow (which status may follow which) lives in `workflow.py`; every change is an action in
`actions/`. These models only describe and derive.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotong.accounts.models import Department
from sotong.core.crypto import EncryptedTextField
from sotong.core.masking import mask_email, mask_name, mask_phone

PING_PONG_TRANSFERS = 3


class CaseKind(models.TextChoices):
    """민원 종류 with the statutory periods of KOREAN-RULES.md (see `workflow.statutory_period`)."""

    STATUTORY = "statutory", _("법정민원")
    INQUIRY_LAW = "inquiry_law", _("질의민원(법령)")
    INQUIRY_PROCEDURE = "inquiry_procedure", _("질의민원(제도·절차)")
    SUGGESTION = "suggestion", _("건의민원")
    OTHER = "other", _("기타민원")
    GRIEVANCE = "grievance", _("고충민원")
    PROPOSAL = "proposal", _("제안")


class Channel(models.TextChoices):
    """접수 경로."""

    WEB = "web", _("인터넷")
    MOBILE = "mobile", _("모바일")
    PHONE = "phone", _("전화(120)")
    VISIT = "visit", _("방문")
    MAYOR_DIALOGUE = "mayor_dialogue", _("구청장과의 대화")
    FIELD_OFFICE = "field_office", _("현장구청장실")
    OPEN_MEETING = "open_meeting", _("열린만남")
    PARENTS_MEETING = "parents_meeting", _("학부모간담회")
    SNS = "sns", _("SNS")
    EMAIL = "email", _("전자우편")
    EPEOPLE = "epeople", _("국민신문고")
    MONITOR = "monitor", _("시민모니터 보고")


MEETING_CHANNELS = frozenset(
    {Channel.MAYOR_DIALOGUE, Channel.FIELD_OFFICE, Channel.OPEN_MEETING, Channel.PARENTS_MEETING}
)


class CaseStatus(models.TextChoices):
    """처리 상태. The citizen sees 접수 → 배정 → 처리중 → 답변완료."""

    RECEIVED = "received", _("접수")
    ASSIGNED = "assigned", _("배정")
    IN_PROGRESS = "in_progress", _("처리중")
    ANSWERED = "answered", _("답변완료")
    CLOSED = "closed", _("종결")
    TRANSFERRED_OUT = "transferred_out", _("타기관 이송")
    MERGED = "merged", _("병합")
    WITHDRAWN = "withdrawn", _("취하")


# In Channel's order: a set's order changes between runs and would make a new migration each time.
MEETING_CHANNEL_CHOICES = [(c.value, c.label) for c in Channel if c in MEETING_CHANNELS]


OPEN_STATUSES = (CaseStatus.RECEIVED, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)


class Meeting(models.Model):
    """A meeting where proposals were heard (구청장과의 대화, 현장구청장실, 열린만남, 학부모간담회)."""

    channel = models.CharField(_("회의 구분"), max_length=20, choices=MEETING_CHANNEL_CHOICES)
    title = models.CharField(_("회의명"), max_length=200)
    held_on = models.DateField(_("일자"))
    place = models.CharField(_("장소"), max_length=200, blank=True)
    attendees = models.TextField(_("참석자"), blank=True, help_text=_("한 줄에 한 명씩 (이름, 소속·직위)"))
    intake_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("주관부서")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("회의")
        verbose_name_plural = _("회의")

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: Any = None) -> CaseQuerySet:
        return self.open().filter(deadline_at__lt=now or timezone.now())

    def ping_pong(self) -> CaseQuerySet:
        return self.open().filter(is_ping_pong=True)

    def visible_to(self, user: Any) -> CaseQuerySet:
        """Department scoping: coordinators and sysadmins see all; others the cases of their departments
        (intake, handling, or an open cooperating assignment), their subtrees included."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        from sotong.accounts.models import Role, departments_for

        if user.has_role(Role.COORDINATOR, Role.SYSADMIN):
            return self
        departments = departments_for(user, Role.INTAKE, Role.HANDLER, Role.SNS_OFFICER)
        # `pk IN (open assignments)` rather than a join: no DISTINCT, no join rows to sort away, and every
        # branch of the OR can use an index (SQLite unions them by rowid; PostgreSQL uses a hashed subplan).
        assigned = CaseAssignment.objects.filter(department__in=departments, ended_at__isnull=True)
        return self.filter(
            Q(intake_department__in=departments)
            | Q(handling_department__in=departments)
            | Q(pk__in=assigned.values("case_id"))
        )


class Case(models.Model):
    """민원 또는 제안: one request from a citizen, from receipt to a rated answer."""

    receipt_no = models.CharField(_("접수번호"), max_length=20, unique=True)
    kind = models.CharField(_("종류"), max_length=20, choices=CaseKind.choices)
    channel = models.CharField(_("접수 경로"), max_length=20, choices=Channel.choices)
    title = models.CharField(_("제목"), max_length=200)
    body = models.TextField(_("내용"))
    category = models.CharField(_("분야"), max_length=40, blank=True, help_text=_("공통코드 case_category"))
    statutory_type = models.CharField(
        _("법정민원 유형"), max_length=40, blank=True, help_text=_("공통코드 statutory_type (법정민원만)")
    )
    status = models.CharField(
        _("상태"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )

    # Where
    address = models.CharField(_("위치(주소)"), max_length=300, blank=True)
    dong = models.CharField(_("행정동"), max_length=40, blank=True, db_index=True)
    latitude = models.FloatField(_("위도"), null=True, blank=True)
    longitude = models.FloatField(_("경도"), null=True, blank=True)

    # Who asked (encrypted at rest; the *_index columns are keyed blind indexes for exact lookup)
    citizen_name = models.CharField(_("신청인"), max_length=50)
    citizen_phone = EncryptedTextField(_("휴대전화"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    citizen_email = EncryptedTextField(_("전자우편"), blank=True)
    email_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    notify_sms = models.BooleanField(_("문자 알림"), default=False)
    notify_email = models.BooleanField(_("전자우편 알림"), default=False)
    phone_verified_at = models.DateTimeField(_("휴대전화 인증"), null=True, blank=True)
    # The consent as given: [{"purpose", "items", "retention", "required", "agreed", "at"}], never edited.
    consents = models.JSONField(_("동의 내역"), default=list, blank=True)
    # Meeting channels: the meeting and the proposer's details as recorded there.
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("회의")
    )
    proposer_details = models.TextField(
        _("제안자 정보"), blank=True, help_text=_("소속, 단체 등 회의에서 밝힌 정보")
    )

    # Who handles it
    intake_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="intake_cases", verbose_name=_("주관부서")
    )
    handling_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
        verbose_name=_("처리부서"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("담당자"),
    )

    # When
    received_at = models.DateTimeField(_("접수 시각"), default=timezone.now, db_index=True)
    period_days = models.PositiveSmallIntegerField(_("처리기간(일)"), default=0)
    period_hours = models.PositiveSmallIntegerField(_("처리기간(근무시간)"), default=0)
    original_deadline_at = models.DateTimeField(_("최초 처리기한"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("처리기한"), null=True, blank=True, db_index=True)
    extension_count = models.PositiveSmallIntegerField(_("연장 횟수"), default=0)
    answered_at = models.DateTimeField(_("답변 시각"), null=True, blank=True)
    closed_at = models.DateTimeField(_("종결 시각"), null=True, blank=True)
    last_progress_notice_at = models.DateTimeField(_("최근 중간통지"), null=True, blank=True)
    # 법 §16, 령 §13: by when the case must reach its handling department; empty once it has.
    route_due_at = models.DateTimeField(_("배정·이송 기한"), null=True, blank=True)
    route_alerted_at = models.DateTimeField(_("배정 지연 알림"), null=True, blank=True)

    # Flags
    is_urgent_safety = models.BooleanField(_("긴급 안전"), default=False)
    is_serious_civic_disaster = models.BooleanField(_("중대시민재해 공중이용시설"), default=False)
    is_grievance = models.BooleanField(_("고충민원"), default=False)
    is_multi_party = models.BooleanField(_("다수인관련민원"), default=False)
    transfer_count = models.PositiveSmallIntegerField(_("이송 횟수"), default=0)
    is_ping_pong = models.BooleanField(_("핑퐁민원"), default=False, db_index=True)
    # The state of the case's progress reports, kept by database triggers (`cases.report_flags`): the
    # report queues read these instead of matching reports against every open case.
    reports_pending = models.BooleanField(_("보고요청 중"), default=False, editable=False)
    reports_submitted = models.BooleanField(_("보고 승인 대기"), default=False, editable=False)
    reports_missed = models.BooleanField(_("미보고"), default=False, editable=False)
    additional_answer_requested_at = models.DateTimeField(_("추가 답변 요청"), null=True, blank=True)

    # Duplicates and repeats
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
        verbose_name=_("병합 대상"),
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name=_("관련 민원"))
    closed_as_repeated = models.BooleanField(_("반복민원 종결"), default=False)
    repeated_answers = models.ManyToManyField(
        "self", blank=True, symmetrical=False, related_name="+", verbose_name=_("앞선 답변 민원")
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # The department queues start from these two (see `queues._open_case_ids`). On PostgreSQL
            # they carry the id, so the department's open cases come from the index alone (SQLite's
            # indexes always hold the rowid, which is the id).
            models.Index(
                fields=["handling_department", "status", "deadline_at"],
                include=["id"],
                name="cases_case_handling_open_idx",
            ),
            models.Index(
                fields=["intake_department", "status", "received_at"],
                include=["id"],
                name="cases_case_intake_open_idx",
            ),
            models.Index(fields=["officer", "status"]),
            models.Index(fields=["status", "deadline_at"]),
            # The 신규 접수 queue in received order without sorting every open case.
            # With the id: the coordinator's report queues count open cases from the index alone.
            models.Index(
                fields=["status", "received_at"], include=["id"], name="cases_case_status_received_idx"
            ),
            # The report queues: open cases with a report in that state, few among many.
            models.Index(
                fields=["status", "received_at"],
                condition=Q(reports_pending=True),
                name="cases_case_rep_pending_idx",
            ),
            models.Index(
                fields=["status", "received_at"],
                condition=Q(reports_submitted=True),
                name="cases_case_rep_submitted_idx",
            ),
            models.Index(
                fields=["status", "received_at"],
                condition=Q(reports_missed=True),
                name="cases_case_rep_missed_idx",
            ),
            # 핑퐁민원: a handful of cases; the whole-table is_ping_pong index had to be scanned end to end.
            models.Index(
                fields=["received_at"], condition=Q(is_ping_pong=True), name="cases_case_ping_pong_idx"
            ),
        ]
        verbose_name = _("민원·제안")
        verbose_name_plural = _("민원·제안")

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_proposal(self) -> bool:
        return self.kind == CaseKind.PROPOSAL

    @property
    def is_meeting_channel(self) -> bool:
        return self.channel in MEETING_CHANNELS

    def is_overdue(self, now: Any = None) -> bool:
        return bool(self.is_open and self.deadline_at and self.deadline_at < (now or timezone.now()))

    @property
    def masked_name(self) -> str:
        return mask_name(self.citizen_name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.citizen_phone)

    @property
    def masked_email(self) -> str:
        return mask_email(self.citizen_email)


class AssignmentRole(models.TextChoices):
    HANDLING = "handling", _("처리")
    COOPERATING = "cooperating", _("협조")


class CaseAssignment(models.Model):
    """배정: a department (and officer) working on a case; at most one open handling assignment."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="case_assignments")
    role = models.CharField(_("구분"), max_length=12, choices=AssignmentRole.choices)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # A first handling assignment: by when the case had to arrive (법 §16, 령 §13) and whether it did
    # (a transfer's assignment leaves these empty: the Transfer row keeps its own).
    due_at = models.DateTimeField(_("도달 기한"), null=True, blank=True)
    on_time = models.BooleanField(_("기한 내 배정"), null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(role="handling", ended_at__isnull=True),
                name="cases_one_open_handling_assignment",
            )
        ]
        # A department's open cooperations, for the queues' department scope (cases.queues).
        indexes = [
            models.Index(
                fields=["department", "role", "case"],
                condition=Q(ended_at__isnull=True),
                name="cases_open_assignment_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.department} {self.get_role_display()}"


class TransferKind(models.TextChoices):
    REASSIGN = "reassign", _("재지정")
    MISFILED = "misfiled", _("오배정 이송")
    AGENCY = "agency", _("타기관 이송")
    DESIGNATED = "designated", _("총괄부서 지정")


class Transfer(models.Model):
    """이송/재지정: moving a case to another department or agency, with the reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    kind = models.CharField(_("구분"), max_length=12, choices=TransferKind.choices)
    from_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("이전 부서"),
    )
    to_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("받는 부서"),
    )
    to_agency = models.CharField(_("받는 기관"), max_length=100, blank=True)
    reason = models.TextField(_("사유"))
    transferred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    transferred_at = models.DateTimeField(default=timezone.now)
    # The transfer time limit (법 §16, 령 §13: 1, 3 or 8 working hours) and whether it was kept.
    due_at = models.DateTimeField(_("이송 기한"), null=True, blank=True)
    on_time = models.BooleanField(_("기한 내 이송"), null=True, blank=True)

    class Meta:
        ordering = ["transferred_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_department or self.to_agency}"


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("검토중")
    APPROVED = "approved", _("승인")
    REJECTED = "rejected", _("반려")


class AvoidanceRequest(models.Model):
    """처리부서 기피신청: a handling department asks not to handle a case; the coordinator decides."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="avoidance_requests")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("사유"))
    suggested_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("추천 부서"),
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("결정 사유"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="cases_one_pending_avoidance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.department} {self.get_status_display()}"


class DeadlineExtension(models.Model):
    """처리기한 연장 (령 §21): the first by the department, a second only with the citizen's consent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    number = models.PositiveSmallIntegerField(_("차수"))
    old_deadline_at = models.DateTimeField()
    new_deadline_at = models.DateTimeField()
    reason = models.TextField(_("사유"))
    citizen_consent = models.TextField(_("신청인 동의 기록"), blank=True)
    extended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    extended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="cases_extension_number")]

    def __str__(self) -> str:
        return f"{self.case_id} 연장 {self.number}차"


class ReportStatus(models.TextChoices):
    """진행사항 보고: 보고요청 → 보고확인(submitted) → 보고승인 / 반려; 미보고 when late."""

    REQUESTED = "requested", _("보고요청")
    SUBMITTED = "submitted", _("보고확인")
    APPROVED = "approved", _("보고승인")
    RETURNED = "returned", _("반려")
    MISSED = "missed", _("미보고")
    CANCELLED = "cancelled", _("요청 취소")


class ProgressReport(models.Model):
    """진행사항 보고 (소통 네트워크): first within 7 days of receipt, then monthly until closed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.REQUESTED)
    is_first = models.BooleanField(_("최초 보고"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(_("보고기한"), db_index=True)
    body = models.TextField(_("보고 내용"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("승인·반려 의견"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status", "due_at"]),
            # The report queues: `case IN (reports in a status)` reads this index only.
            models.Index(fields=["status", "case"], name="cases_report_status_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"


class OnsiteInvestigation(models.Model):
    """고충민원 현지조사: up to 14 days, extendable once by at most 7; the days used are not counted in the
    processing period (see `actions.grievance`). One per case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="investigations")
    reason = models.TextField(_("조사 사유"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    planned_end_at = models.DateTimeField(_("조사 종료 예정"))
    deadline_before = models.DateTimeField(_("조사 전 처리기한"))
    extension_days = models.PositiveSmallIntegerField(_("연장 일수"), default=0)
    extension_reason = models.TextField(_("연장 사유"), blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_note = models.TextField(_("조사 결과"), blank=True)
    days_used = models.PositiveSmallIntegerField(_("사용 일수"), null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case"], name="cases_one_onsite_investigation")]
        verbose_name = _("현지조사")
        verbose_name_plural = _("현지조사")

    def __str__(self) -> str:
        return f"{self.case_id} 현지조사"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class NoteVisibility(models.TextChoices):
    INTERNAL = "internal", _("내부 메모")
    PUBLIC = "public", _("신청인에게 공개")


class CaseNote(models.Model):
    """A note on a case: internal notes are never shown to the citizen; public replies are."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    visibility = models.CharField(max_length=10, choices=NoteVisibility.choices)
    body = models.TextField(_("내용"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_visibility_display()}"


class Answer(models.Model):
    """답변: the result told to the citizen; a rejection states reasons and remedies (불복 절차)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="answers")
    body = models.TextField(_("답변 내용"))
    is_rejection = models.BooleanField(_("불수용(거부)"), default=False)
    rejection_reasons = models.TextField(_("거부 사유"), blank=True)
    remedies = models.TextField(_("구제 절차 안내"), blank=True)
    is_additional = models.BooleanField(_("추가 답변"), default=False)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answered_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} 답변 {self.answered_at:%Y-%m-%d}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{timezone.now():%Y/%m}/{instance.case.receipt_no}/{filename}"


class Attachment(models.Model):
    """첨부파일 (images or PDF), size- and type-checked at upload."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("파일명"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    from_citizen = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class SatisfactionSurvey(models.Model):
    """만족도 조사: 1–5 points and a comment, once per answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="surveys")
    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="survey")
    score = models.PositiveSmallIntegerField(_("만족도"))
    comment = models.TextField(_("의견"), blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="cases_score_1_5")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.score}점"


class ReceiptCounter(models.Model):
    """접수번호 일련번호: one row per year, incremented inside the transaction that registers a case."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("접수번호 일련번호")
        verbose_name_plural = _("접수번호 일련번호")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class PhoneVerification(models.Model):
    """SMS code that proves an anonymous citizen holds the phone (rate-limited per phone and IP)."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=128)
    purpose = models.CharField(max_length=20, default="case")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.phone_index[:8]} {self.sent_at:%Y-%m-%d %H:%M}"
