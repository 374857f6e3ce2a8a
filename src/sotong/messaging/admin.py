"""Django admin for the outbox: read-only messages with their attempts, and a retry action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sotong.messaging.actions import retry_message
from sotong.messaging.exceptions import OutboxError
from sotong.messaging.models import DeliveryAttempt, Message, Status


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "finished_at", "outcome", "error", "provider_message_id"]
    readonly_fields = ["number", "started_at", "finished_at", "outcome", "error", "provider_message_id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "masked_recipient",
        "purpose",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "purpose", "created_at"]
    search_fields = ["id", "idempotency_key", "provider_message_id", "about_id"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_dead_messages"]
    list_per_page = 100

    # Rows change only through actions (rule 1 of ARCHITECTURE.md): the admin shows, it does not edit.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("수신 주소"))
    def masked_recipient(self, obj: Message) -> str:
        return obj.masked_recipient

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("messaging.change_message")

    @admin.action(description=_("선택한 발송 실패 메시지 재발송"), permissions=["retry"])
    def retry_dead_messages(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        retried = 0
        for message in queryset.filter(status=Status.DEAD):
            try:
                retry_message(message, actor=request.user)
            except OutboxError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                retried += 1
        self.message_user(
            request,
            ngettext("메시지 %(count)d건을 다시 보냅니다.", "메시지 %(count)d건을 다시 보냅니다.", retried)
            % {"count": retried},
            messages.SUCCESS if retried else messages.INFO,
        )
