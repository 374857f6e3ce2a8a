"""Read-only admin for organizations and committees: system administrators look things up here; changes
are made in the office pages through the actions (each with its Event)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sotong.communities.models import (
    ActivityPhoto,
    Committee,
    CommitteeMeeting,
    Organization,
    OrganizationActivity,
    OrganizationMinutes,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ("name", "type", "dong", "founded_on", "is_active")
    list_filter = ("type", "is_active")
    search_fields = ("name", "dong")


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyAdmin):
    list_display = ("name", "department", "legal_basis", "term_start", "term_end", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("department",)
    search_fields = ("name", "legal_basis")


@admin.register(OrganizationActivity)
class OrganizationActivityAdmin(ReadOnlyAdmin):
    list_display = ("date", "title", "organization")
    list_select_related = ("organization",)
    search_fields = ("title", "text")
    date_hierarchy = "date"


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(ReadOnlyAdmin):
    list_display = ("name", "content_type", "size", "activity")


@admin.register(OrganizationMinutes)
class OrganizationMinutesAdmin(ReadOnlyAdmin):
    list_display = ("date", "organization", "agenda", "attachment_name")
    list_select_related = ("organization",)
    search_fields = ("agenda", "decisions")
    date_hierarchy = "date"


@admin.register(CommitteeMeeting)
class CommitteeMeetingAdmin(ReadOnlyAdmin):
    list_display = ("date", "committee", "agenda", "attachment_name")
    list_select_related = ("committee",)
    search_fields = ("agenda", "decisions")
    date_hierarchy = "date"
