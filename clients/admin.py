"""Admin for clients and their intake history, for the spa's manager."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from clients.models import Client, ClientErasure, HealthRecordAccess, Intake, IntakeLink
from clients.services import health_records_viewed
from spa.dates import moment_label

INTAKE_ANSWERS = (
    "date_of_birth",
    "has_pacemaker",
    "acute_acne",
    "pregnant",
    "due_date",
    "last_injectable_on",
    "epilepsy",
    "cancer",
    "metal_implants",
    "heart_condition",
    "skin_lesions",
)


class ReadOnlyHealthRecordMixin:
    """A health record (an intake, its links, its access log) may be viewed, never added,
    changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


class HealthRecordViewsLogged:
    """Each look at a client's health record here is logged, as on the staff pages."""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = getattr(response, "context_data", {}).get("original")
        if shown is not None:
            health_records_viewed(
                user=request.user, clients=[self.client_of(shown)], seen=self.seen(shown)
            )
        return response

    def client_of(self, shown: Any) -> int:
        return shown.client_id

    def seen(self, shown: Any) -> str:
        raise NotImplementedError


class IntakeInline(ReadOnlyHealthRecordMixin, admin.TabularInline):
    """Every intake version of the client, newest first, to compare answers over time."""

    model = Intake
    fields = ("submitted_at", "source", "recorded_by", *INTAKE_ANSWERS)
    ordering = ("-submitted_at", "-pk")
    extra = 0
    show_change_link = True
    verbose_name_plural = "intake versions (newest first; the first one is in force)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Intake]:
        return super().get_queryset(request).select_related("client", "recorded_by")


@admin.register(Client)
class ClientAdmin(HealthRecordViewsLogged, admin.ModelAdmin):
    list_display = ("name", "email", "phone", "date_of_birth", "created_at")
    search_fields = ("first_name", "last_name", "email", "phone")
    list_filter = ("created_at",)
    readonly_fields = ("created_at", "updated_at")
    fields = (
        ("first_name", "last_name"),
        ("email", "phone"),
        "date_of_birth",
        "notes",
        ("created_at", "updated_at"),
    )
    inlines = [IntakeInline]
    # Tens of thousands of clients: skip the second COUNT(*) of the whole table.
    show_full_result_count = False

    @admin.display(description="name", ordering="last_name")
    def name(self, client: Client) -> str:
        return client.full_name

    def client_of(self, shown: Client) -> int:
        return shown.pk

    def seen(self, shown: Client) -> str:
        return "Admin: the client with every intake version"


@admin.register(Intake)
class IntakeAdmin(HealthRecordViewsLogged, ReadOnlyHealthRecordMixin, admin.ModelAdmin):
    list_display = (
        "client",
        "submitted_at",
        "source",
        "recorded_by",
        "has_pacemaker",
        "acute_acne",
        "pregnant",
        "due_date",
        "last_injectable_on",
    )
    list_select_related = ("client", "recorded_by")
    list_filter = (
        "source",
        "has_pacemaker",
        "acute_acne",
        "pregnant",
        "due_date",
        "last_injectable_on",
    )
    search_fields = ("client__first_name", "client__last_name", "client__email")
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("client", "submitted_at", "source", "recorded_by", "date_of_birth")}),
        (
            "Blocks: booking is refused while one applies",
            {
                "fields": (
                    "has_pacemaker",
                    "acute_acne",
                    "pregnant",
                    "due_date",
                    "last_injectable_on",
                )
            },
        ),
        (
            "Cautions: booking needs a note from staff",
            {"fields": ("epilepsy", "cancer", "metal_implants", "heart_condition", "skin_lesions")},
        ),
    )

    def seen(self, shown: Intake) -> str:
        return f"Admin: intake of {moment_label(shown.submitted_at)}"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            health_records_viewed(
                user=request.user,
                clients=[intake.client_id for intake in changelist.result_list],
                seen="Admin: list of intakes and their block answers",
            )
        return response


@admin.register(IntakeLink)
class IntakeLinkAdmin(ReadOnlyHealthRecordMixin, admin.ModelAdmin):
    list_display = ["client", "created_at", "expires_at", "used_at", "created_by"]
    list_select_related = ["client", "created_by"]
    search_fields = ["client__first_name", "client__last_name", "client__email"]
    date_hierarchy = "created_at"
    exclude = ["token_hash"]
    show_full_result_count = False


@admin.register(HealthRecordAccess)
class HealthRecordAccessAdmin(ReadOnlyHealthRecordMixin, admin.ModelAdmin):
    list_display = ["at", "client", "user", "action", "detail"]
    list_filter = ["action"]
    list_select_related = ["client", "user"]
    search_fields = ["client__first_name", "client__last_name", "client__email", "user__username"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(ClientErasure)
class ClientErasureAdmin(ReadOnlyHealthRecordMixin, admin.ModelAdmin):
    list_display = ["at", "client", "erased_by", "reason", "sessions_cancelled"]
    list_select_related = ["client", "erased_by"]
    date_hierarchy = "at"
