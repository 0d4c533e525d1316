"""Admin for treatments, estheticians' hours, series and sessions, for the spa's manager."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Field, QuerySet
from django.forms import BaseInlineFormSet, ModelChoiceField
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from clients.admin import ClientAdmin
from clients.models import Client
from treatments.models import (
    CalendarFeedFetch,
    Closure,
    Esthetician,
    MaintenanceVisit,
    Series,
    Session,
    Treatment,
    WorkingHours,
)

LATEST_SESSIONS_ON_CLIENT_PAGE = 20


class EstheticianListFilter(admin.RelatedFieldListFilter):
    """Filter by esthetician, loading their names in one query rather than one per person."""

    def field_choices(
        self, field: Field, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[Any, str]]:
        return [
            (esthetician.pk, str(esthetician))
            for esthetician in Esthetician.objects.select_related("user")
        ]


class ClosureEstheticianListFilter(EstheticianListFilter):
    """A closure without an esthetician closes the whole spa."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.empty_value_display = "Whole spa"


class EstheticianChoicesMixin:
    """Esthetician drop-downs name each person without a query per option."""

    def formfield_for_foreignkey(
        self, db_field: Field, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name == "esthetician":
            kwargs["queryset"] = Esthetician.objects.select_related("user")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ViewOnlyMixin:
    """No add, change or delete: the rows are written by the booking services."""

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


# Estheticians, their hours and closures, and treatments: editable.


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    fields = ("weekday", "starts_at", "ends_at")
    extra = 0


class EstheticianClosureInline(admin.TabularInline):
    model = Closure
    fields = ("starts_on", "ends_on", "reason")
    extra = 0
    verbose_name = "day away"
    verbose_name_plural = "days away (closures of this esthetician only)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Closure]:
        return super().get_queryset(request).select_related("esthetician__user")


@admin.register(Esthetician)
class EstheticianAdmin(admin.ModelAdmin):
    list_display = ("name", "username", "email", "is_active")
    list_select_related = ("user",)
    list_filter = ("is_active",)
    search_fields = ("user__first_name", "user__last_name", "user__username", "user__email")
    autocomplete_fields = ("user",)
    inlines = [WorkingHoursInline, EstheticianClosureInline]

    @admin.display(description="name", ordering="user__first_name")
    def name(self, esthetician: Esthetician) -> str:
        return str(esthetician)

    @admin.display(description="username", ordering="user__username")
    def username(self, esthetician: Esthetician) -> str:
        return esthetician.user.get_username()

    @admin.display(description="email", ordering="user__email")
    def email(self, esthetician: Esthetician) -> str:
        return esthetician.user.email


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    list_display = ("name", "minutes", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(WorkingHours)
class WorkingHoursAdmin(EstheticianChoicesMixin, admin.ModelAdmin):
    list_display = ("esthetician", "weekday", "starts_at", "ends_at")
    list_select_related = ("esthetician__user",)
    list_filter = (("esthetician", EstheticianListFilter), "weekday")


@admin.register(Closure)
class ClosureAdmin(EstheticianChoicesMixin, admin.ModelAdmin):
    list_display = ("starts_on", "ends_on", "reason", "who")
    list_select_related = ("esthetician__user",)
    list_filter = (("esthetician", ClosureEstheticianListFilter),)
    search_fields = ("reason",)
    date_hierarchy = "starts_on"

    @admin.display(description="who is away", ordering="esthetician")
    def who(self, closure: Closure) -> str:
        return str(closure.esthetician) if closure.esthetician else "Whole spa"


# Series, sessions and maintenance visits: view-only (booking services write them).


class SeriesSessionInline(ViewOnlyMixin, admin.TabularInline):
    model = Session
    fields = ("starts_at", "kind", "status", "status_reason", "esthetician")
    ordering = ("starts_at", "pk")
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Session]:
        return super().get_queryset(request).select_related("esthetician__user", "client")


class MaintenanceVisitInline(ViewOnlyMixin, admin.TabularInline):
    model = MaintenanceVisit
    fields = ("number", "due_on", "status", "session")
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[MaintenanceVisit]:
        return super().get_queryset(request).select_related("session__client", "series__client")


@admin.register(Series)
class SeriesAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """View-only: series are booked through the booking services, which check hours,
    overlaps and the client's contraindications."""

    list_display = (
        "client",
        "esthetician",
        "treatment",
        "starts_on",
        "planned_sessions",
        "status",
    )
    list_select_related = ("client", "esthetician__user", "treatment")
    list_filter = ("status", ("esthetician", EstheticianListFilter), "treatment")
    search_fields = ("client__first_name", "client__last_name", "client__email")
    date_hierarchy = "starts_on"
    raw_id_fields = ("client", "created_by")
    inlines = [SeriesSessionInline, MaintenanceVisitInline]
    show_full_result_count = False


@admin.register(Session)
class SessionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """View-only: sessions are booked through the booking services, which check hours,
    overlaps and the client's contraindications."""

    list_display = ("starts_at", "client", "esthetician", "treatment", "kind", "status")
    list_select_related = ("client", "esthetician__user", "treatment")
    list_filter = ("status", "kind", ("esthetician", EstheticianListFilter))
    search_fields = ("client__first_name", "client__last_name", "client__email")
    date_hierarchy = "starts_at"
    raw_id_fields = ("client", "series", "booked_by")
    show_full_result_count = False


@admin.register(MaintenanceVisit)
class MaintenanceVisitAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """View-only: visits follow from the series and sessions the booking services record."""

    list_display = ("series", "number", "due_on", "status")
    list_select_related = ("series__client", "series__treatment")
    list_filter = ("status",)
    search_fields = (
        "series__client__first_name",
        "series__client__last_name",
        "series__client__email",
    )
    date_hierarchy = "due_on"
    raw_id_fields = ("series", "session")
    show_full_result_count = False


# The client's page also lists their latest sessions. It is registered here, not in
# clients/admin.py, because the clients app never imports treatments.


class LatestSessionsFormSet(BaseInlineFormSet):
    """Only the newest sessions: a long-standing client may have hundreds."""

    def get_queryset(self) -> QuerySet[Session]:
        if not hasattr(self, "_queryset"):
            self._queryset = super().get_queryset()[:LATEST_SESSIONS_ON_CLIENT_PAGE]
        return self._queryset


class ClientSessionInline(ViewOnlyMixin, admin.TabularInline):
    model = Session
    formset = LatestSessionsFormSet
    fields = ("starts_at", "kind", "status", "esthetician", "treatment")
    ordering = ("-starts_at", "-pk")
    extra = 0
    show_change_link = True
    verbose_name_plural = f"sessions (latest {LATEST_SESSIONS_ON_CLIENT_PAGE})"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Session]:
        return (
            super().get_queryset(request).select_related("client", "esthetician__user", "treatment")
        )


class ClientWithSessionsAdmin(ClientAdmin):
    inlines = [*ClientAdmin.inlines, ClientSessionInline]
    readonly_fields = (*ClientAdmin.readonly_fields, "all_sessions")
    fields = (*ClientAdmin.fields, "all_sessions")

    @admin.display(description="sessions")
    def all_sessions(self, client: Client) -> SafeString | str:
        if client.pk is None:
            return "–"
        url = reverse("admin:treatments_session_changelist")
        return format_html('<a href="{}?client__id__exact={}">All sessions</a>', url, client.pk)


admin.site.unregister(Client)
admin.site.register(Client, ClientWithSessionsAdmin)


@admin.register(CalendarFeedFetch)
class CalendarFeedFetchAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Every fetch of an esthetician's calendar feed: a leaked address shows up here."""

    list_display = ("at", "esthetician", "ip_address", "user_agent", "sessions", "flagged")
    list_select_related = ("esthetician__user",)
    list_filter = (("esthetician", EstheticianListFilter),)
    date_hierarchy = "at"
    show_full_result_count = False
