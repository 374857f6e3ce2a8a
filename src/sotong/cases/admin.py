"""Read-mostly admin for cases: system administrators look things up here; work happens in the office.

Nothing is added, edited or deleted through the admin (every change is an action with its Event); the
citizen's contact is shown masked. The one admin action, 종결, calls `close_case` per case.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotong.cases.actions import close_case
from sotong.cases.errors import CasesError, CaseTransitionError, NotPermitted
from sotong.cases.models import (
    Answer,
    Attachment,
    AvoidanceRequest,
    Case,
    CaseAssignment,
    CaseNote,
    DeadlineExtension,
    Meeting,
    ProgressReport,
    SatisfactionSurvey,
    Transfer,
)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False
    show_change_link = False


class AssignmentInline(ReadOnlyInline):
    model = CaseAssignment
    fields = readonly_fields = ("department", "role", "officer", "assigned_by", "assigned_at", "ended_at")


class TransferInline(ReadOnlyInline):
    model = Transfer
    fields = readonly_fields = (
        "kind",
        "from_department",
        "to_department",
        "to_agency",
        "reason",
        "transferred_by",
        "transferred_at",
    )


class ExtensionInline(ReadOnlyInline):
    model = DeadlineExtension
    fields = readonly_fields = (
        "number",
        "old_deadline_at",
        "new_deadline_at",
        "reason",
        "citizen_consent",
        "extended_by",
    )


class ReportInline(ReadOnlyInline):
    model = ProgressReport
    fields = readonly_fields = ("department", "status", "is_first", "due_at", "submitted_at", "decided_at")


class NoteInline(ReadOnlyInline):
    model = CaseNote
    fields = readonly_fields = ("visibility", "body", "author", "created_at")


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = readonly_fields = (
        "body",
        "is_rejection",
        "rejection_reasons",
        "remedies",
        "is_additional",
        "department",
        "answered_at",
    )


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = readonly_fields = ("name", "content_type", "size", "from_citizen", "uploaded_at")


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "receipt_no",
        "title",
        "kind",
        "channel",
        "status",
        "handling_department",
        "deadline_at",
        "is_ping_pong",
    ]
    list_filter = ["status", "kind", "channel", "is_ping_pong", "is_urgent_safety", "is_grievance"]
    search_fields = ["receipt_no", "title"]
    list_select_related = ["handling_department"]
    date_hierarchy = "received_at"
    ordering = ["-received_at"]
    # Contacts only masked; the encrypted columns and blind indexes never appear.
    fields = readonly_fields = (
        "receipt_no",
        "kind",
        "channel",
        "status",
        "title",
        "body",
        "category",
        "statutory_type",
        "address",
        "dong",
        "masked_name",
        "masked_phone",
        "masked_email",
        "notify_sms",
        "notify_email",
        "meeting",
        "intake_department",
        "handling_department",
        "officer",
        "received_at",
        "period_days",
        "period_hours",
        "original_deadline_at",
        "deadline_at",
        "extension_count",
        "answered_at",
        "closed_at",
        "transfer_count",
        "is_ping_pong",
        "is_urgent_safety",
        "is_serious_civic_disaster",
        "is_grievance",
        "is_multi_party",
        "merged_into",
        "closed_as_repeated",
    )
    inlines = [
        AssignmentInline,
        TransferInline,
        ExtensionInline,
        ReportInline,
        NoteInline,
        AnswerInline,
        AttachmentInline,
    ]
    actions = ["close_answered"]

    @admin.display(description=gettext_lazy("신청인"))
    def masked_name(self, obj: Case) -> str:
        return obj.masked_name

    @admin.display(description=gettext_lazy("휴대전화"))
    def masked_phone(self, obj: Case) -> str:
        return obj.masked_phone

    @admin.display(description=gettext_lazy("전자우편"))
    def masked_email(self, obj: Case) -> str:
        return obj.masked_email

    @admin.action(description=gettext_lazy("선택한 답변완료 민원 종결"))
    def close_answered(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        done = 0
        for case in queryset:
            try:
                close_case(case, actor=request.user)  # type: ignore[arg-type]
            except (CasesError, CaseTransitionError, NotPermitted) as error:
                self.message_user(request, f"{case.receipt_no}: {error.message}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, _("%(n)d건을 종결했습니다.") % {"n": done}, messages.SUCCESS)


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["held_on", "title", "channel", "intake_department"]
    list_filter = ["channel"]
    search_fields = ["title", "place"]
    readonly_fields = ["channel", "title", "held_on", "place", "attendees", "intake_department", "created_at"]


@admin.register(AvoidanceRequest)
class AvoidanceRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["case", "department", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["case", "department"]
    readonly_fields = [
        "case",
        "department",
        "reason",
        "suggested_department",
        "requested_by",
        "requested_at",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    ]


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["case", "score", "submitted_at"]
    list_filter = ["score"]
    list_select_related = ["case"]
    readonly_fields = ["case", "answer", "score", "comment", "submitted_at"]
