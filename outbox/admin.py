"""Messages in the admin: what went, what waits, and what failed with which error."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written by the app and sent by the workers."""

    list_display = ["due_at", "kind", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "topic"]
    date_hierarchy = "due_at"
    show_full_result_count = False
    readonly_fields = [field.name for field in Message._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
