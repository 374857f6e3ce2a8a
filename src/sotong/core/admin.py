from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sotong.core.models import (
    AccessLogReview,
    Code,
    CodeGroup,
    Event,
    Heartbeat,
    Holiday,
    PersonalDataAccessLog,
    SweepRun,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs are looked at, never edited or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CodeInline(admin.TabularInline):
    model = Code
    extra = 1
    fields = ["code", "name", "name_en", "parent", "sort_order", "is_active", "attributes"]


@admin.register(CodeGroup)
class CodeGroupAdmin(admin.ModelAdmin):
    list_display = ["key", "name"]
    search_fields = ["key", "name"]
    inlines = [CodeInline]


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["group", "code", "name", "sort_order", "is_active"]
    list_filter = ["group", "is_active"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["group"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_working_day"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "verb", "target_type", "target_label"]
    list_filter = ["verb", "target_type"]
    search_fields = ["actor_label", "verb", "target_label", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["target_type"]


@admin.register(PersonalDataAccessLog)
class PersonalDataAccessLogAdmin(ReadOnlyAdmin):
    list_display = [
        "accessed_at",
        "account_label",
        "ip_address",
        "subject_type",
        "subject_label",
        "action",
        "reason",
    ]
    list_filter = ["action", "subject_type"]
    search_fields = ["account_label", "subject_id", "subject_label", "ip_address"]
    date_hierarchy = "accessed_at"


@admin.register(AccessLogReview)
class AccessLogReviewAdmin(admin.ModelAdmin):
    list_display = ["month", "reviewer", "created_at"]


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "next_run_at", "last_finished_at", "runs", "last_result"]


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "beat_at", "detail"]
