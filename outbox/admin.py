"""Messages in the admin: what went, what waits, and what failed with which error."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from outbox.models import Message
from outbox.services import email_message_id


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written by the app and sent by the workers."""

    list_display = ["due_at", "kind", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "topic"]
    date_hierarchy = "due_at"
    show_full_result_count = False
    readonly_fields = [field.name for field in Message._meta.fields] + ["message_id"]

    @admin.display(description="Message-ID")
    def message_id(self, message: Message) -> str:
        """The email's header, the same on every try: what to look for in the mail server's logs."""
        return email_message_id(message)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
