"""Treatments, estheticians' hours, series and the sessions booked for them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clients.models import AppendOnlyModel, AppendOnlyQuerySet, Client


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Esthetician(models.Model):
    """A member of staff who gives treatments; their row is locked while they are booked."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="esthetician"
    )
    is_active = models.BooleanField(default=True)
    # The hash of the secret in the esthetician's calendar feed address (/calendar/<token>.ics).
    calendar_token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name", "pk"]

    def __str__(self) -> str:
        return self.name_of(self.user.first_name, self.user.last_name, self.user.get_username())

    @staticmethod
    def name_of(first_name: str, last_name: str, username: str) -> str:
        """As an esthetician is named everywhere: their full name, else their login; for lists
        that read the names alone, without building the esthetician."""
        return f"{first_name} {last_name}".strip() or username


class CalendarFeedFetch(AppendOnlyModel):
    """One fetch of an esthetician's calendar feed: when, from where, and what it carried.

    The feed needs no login (a phone fetches it), so this log is how a leaked address shows."""

    esthetician = models.ForeignKey(
        Esthetician, on_delete=models.CASCADE, related_name="feed_fetches"
    )
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    sessions = models.PositiveIntegerField()
    flagged = models.PositiveIntegerField(help_text="Sessions marked as needing attention.")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["esthetician", "-at"], name="feed_fetch_latest_idx")]

    def __str__(self) -> str:
        return f"Feed of {self.esthetician_id} fetched {self.at:%Y-%m-%d %H:%M}"


class Treatment(models.Model):
    class Kind(models.TextChoices):
        SERIES = "series", "Series treatment"
        MAINTENANCE = "maintenance", "Maintenance visit"

    name = models.CharField(max_length=100, unique=True)
    minutes = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SERIES)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=10, minutes__lte=240), name="treatment_minutes_range"
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One stretch of an esthetician's week; a day may have several (a lunch break between)."""

    esthetician = models.ForeignKey(
        Esthetician, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        verbose_name_plural = "working hours"
        ordering = ["esthetician", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="working_hours_weekday"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="working_hours_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class Closure(models.Model):
    """Days the spa is closed, or (with an esthetician) days that esthetician is away."""

    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day of the closure.")
    reason = models.CharField(max_length=200, blank=True)
    esthetician = models.ForeignKey(
        Esthetician,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        help_text="Leave empty when the whole spa is closed.",
    )

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="closure_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        who = self.esthetician or "Spa"
        return f"{who} closed {self.starts_on}–{self.ends_on}"


class Series(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        COMPLETED = "completed", "Course complete"
        CANCELLED = "cancelled", "Cancelled"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="series")
    esthetician = models.ForeignKey(Esthetician, on_delete=models.PROTECT, related_name="series")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="series")
    starts_on = models.DateField()
    planned_sessions = models.PositiveSmallIntegerField(default=8)
    sessions_per_week = models.PositiveSmallIntegerField(default=1)
    preferred_weekdays = models.JSONField(default=list, help_text="Weekday numbers, Monday = 0.")
    preferred_time = models.TimeField()
    maintenance_weeks = models.PositiveSmallIntegerField(default=4)
    maintenance_visits = models.PositiveSmallIntegerField(default=6)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(
        null=True, blank=True, help_text="The day the course was completed or cancelled."
    )
    caution_note = models.TextField(blank=True)
    # Home care between visits (optional): a handheld device, a few minutes a day.
    home_device = models.CharField(max_length=100, blank=True)
    home_minutes_a_day = models.PositiveSmallIntegerField(default=5)
    home_days_a_week = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The series' sessions added up, kept by the database whenever a session is added,
    # removed or changed (triggers, migration 0012), never written from here: course sessions
    # completed and booked, the first course session (any status) and the last completed one,
    # and the earliest start and the earliest end among its booked sessions of any kind.
    completed_count = models.PositiveSmallIntegerField(default=0, editable=False)
    booked_count = models.PositiveSmallIntegerField(default=0, editable=False)
    first_session_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    booked_first_starts_at = models.DateTimeField(null=True, blank=True, editable=False)
    booked_first_ends_at = models.DateTimeField(null=True, blank=True, editable=False)

    TALLY_FIELDS = (
        "completed_count",
        "booked_count",
        "first_session_at",
        "last_completed_at",
        "booked_first_starts_at",
        "booked_first_ends_at",
    )

    class Meta:
        verbose_name_plural = "series"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_sessions__gte=6, planned_sessions__lte=12),
                name="series_6_to_12_sessions",
            ),
            models.CheckConstraint(
                condition=Q(sessions_per_week__gte=1, sessions_per_week__lte=2),
                name="series_1_or_2_a_week",
            ),
            models.CheckConstraint(
                condition=Q(maintenance_weeks__gte=2, maintenance_weeks__lte=8),
                name="series_maintenance_2_to_8_weeks",
            ),
            models.CheckConstraint(
                condition=Q(maintenance_visits__lte=24), name="series_maintenance_visits_range"
            ),
            models.CheckConstraint(
                condition=Q(home_days_a_week__lte=7, home_minutes_a_day__lte=60),
                name="series_home_care_range",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_on"], name="series_status_idx"),
            models.Index(fields=["ended_on"], include=["status"], name="series_ended_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.treatment} for {self.client} ({self.planned_sessions} sessions)"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The tally is the database's to keep: a row saved whole must not write back the
        # tally it was read with, which a session booked since would have made stale.
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.TALLY_FIELDS
            ]
        super().save(*args, **kwargs)


class SessionQuerySet(models.QuerySet["Session"]):
    def booked(self) -> SessionQuerySet:
        return self.filter(status=Session.Status.BOOKED)

    def with_series_position(self) -> SessionQuerySet:
        """Annotate `series_position`: this session's place among its course's treatments."""
        earlier = (
            Session.objects.filter(
                series=OuterRef("series"),
                kind__in=Session.COURSE_KINDS,
                status__in=Session.HELD_STATUSES,
                starts_at__lte=OuterRef("starts_at"),
            )
            .order_by()
            .values("series")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(series_position=Coalesce(Subquery(earlier), 0))


class Session(models.Model):
    """One appointment. Overlaps for one esthetician are refused by the booking services
    and, on PostgreSQL, by the exclusion constraint `session_no_overlap` (migration 0002)."""

    class Kind(models.TextChoices):
        SERIES = "series", "Series"
        MAKE_UP = "make_up", "Make-up"
        MAINTENANCE = "maintenance", "Maintenance"
        SINGLE = "single", "Single treatment"

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"
        POSTPONED = "postponed", "Postponed"

    class AttentionKind(models.TextChoices):
        """What kind of problem flagged a booked session, in staff's words."""

        HEALTH = "health", "Health block"
        INTAKE = "intake", "New intake needed"
        CLOSURE = "closure", "Spa closed"
        AWAY = "away", "Esthetician away"
        HOURS = "hours", "Outside working hours"
        CLASH = "clash", "Booked twice"

    COURSE_KINDS = (Kind.SERIES, Kind.MAKE_UP)
    # No session lasts longer (on PostgreSQL the check `session_within_a_day`, migration 0012):
    # the sessions that reach into a range started at most this long before it.
    LONGEST = dt.timedelta(days=1)
    HELD_STATUSES = (Status.BOOKED, Status.COMPLETED)

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="sessions")
    esthetician = models.ForeignKey(Esthetician, on_delete=models.PROTECT, related_name="sessions")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="sessions")
    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SINGLE)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    status_reason = models.TextField(
        blank=True, help_text="Why it was cancelled, postponed or marked a no-show."
    )
    caution_note = models.TextField(
        blank=True, help_text="Staff acknowledgement of the client's cautions."
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer intake blocks this booked session; staff decide what to do with it.
    needs_attention = models.BooleanField(default=False)
    attention_reason = models.TextField(blank=True)
    # The kinds of problem in `attention_reason` (AttentionKind values), in the reason's order.
    attention_kinds = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["single"]) | Q(series__isnull=False),
                name="session_course_kinds_have_series",
            ),
        ]
        indexes = [
            models.Index(fields=["esthetician", "starts_at"], name="session_esthetician_idx"),
            models.Index(fields=["client", "starts_at"], name="session_client_idx"),
            models.Index(fields=["series", "starts_at"], name="session_series_idx"),
            # The dashboard's figures count a period's sessions by status from the index alone.
            models.Index(fields=["starts_at"], include=["status"], name="session_starts_idx"),
            models.Index(
                fields=["starts_at"],
                condition=Q(status="completed"),
                name="session_completed_idx",
            ),
            models.Index(
                fields=["starts_at"],
                condition=Q(needs_attention=True),
                name="session_needs_attention_idx",
            ),
            # What is still booked, the few among every session ever given: this week's for
            # Today's "Needs you", everyone's or one esthetician's.
            models.Index(
                fields=["starts_at"], condition=Q(status="booked"), name="session_booked_idx"
            ),
            models.Index(
                fields=["esthetician", "starts_at"],
                condition=Q(status="booked"),
                name="session_booked_esthetician_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.client} at {self.starts_at:%Y-%m-%d %H:%M}"

    def attention_labels(self) -> list[str]:
        """What kinds of problem flagged the session, in words: ["Health block", "Spa closed"]."""
        labels = dict(Session.AttentionKind.choices)
        return [labels[kind] for kind in self.attention_kinds if kind in labels]


class SessionsStarting(models.Model):
    """How many sessions starting in each quarter hour (UTC) are booked, completed and missed,
    kept by the database whenever a session is written, changes status or moves, or is
    removed (triggers, migration 0014), never written from here. A quarter hour of UTC falls
    within one day of any time zone, so the spa's days add up from these."""

    starts_in = models.DateTimeField(primary_key=True)
    booked = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    no_shows = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "sessions starting"

    def __str__(self) -> str:
        return f"Sessions starting {self.starts_in:%Y-%m-%d %H:%M}"


class SeriesByStatus(models.Model):
    """How many series are in each status, kept by the database whenever a series is written,
    changes status or is removed (triggers, migration 0014), never written from here."""

    status = models.CharField(max_length=12, primary_key=True)
    series = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "series by status"

    def __str__(self) -> str:
        return f"{self.series} series {self.status}"


class MaintenanceVisit(models.Model):
    """A maintenance visit due after a completed course; due dates follow the last visit."""

    class Status(models.TextChoices):
        DUE = "due", "Due"
        BOOKED = "booked", "Booked"
        COMPLETED = "completed", "Completed"
        MISSED = "missed", "Missed"

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="visits")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    session = models.OneToOneField(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="maintenance_visit",
    )

    class Meta:
        ordering = ["series", "number"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="maintenance_visit_number")
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="maintenance_due_idx"),
            # The dashboard reads visits not yet booked in due-date order, newest first (the
            # id breaks ties, so a list of 50 reads 50 entries).
            models.Index(
                fields=["due_on", "id"],
                condition=Q(status__in=["due", "missed"]),
                name="maintenance_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Maintenance {self.number} for {self.series.client}, due {self.due_on}"


class TreatmentRecord(models.Model):
    """What was done in a completed session: settings, areas, and how the client took it."""

    class Waveform(models.TextChoices):
        SQUARE = "square", "Square"
        SINE = "sine", "Sine"
        RECTANGULAR = "rectangular", "Rectangular"
        SAWTOOTH = "sawtooth", "Sawtooth"

    class Tolerance(models.TextChoices):
        COMFORTABLE = "comfortable", "Comfortable"
        TINGLING = "tingling", "Mild tingling"
        UNCOMFORTABLE = "uncomfortable", "Uncomfortable: intensity lowered"
        STOPPED = "stopped", "Stopped early"

    AREAS = {
        "forehead_brow": "Forehead and brow",
        "eyes": "Eyes",
        "cheekbones": "Cheekbones",
        "jawline": "Jawline",
        "neck": "Neck",
    }

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="record")
    intensity_ua = models.PositiveSmallIntegerField("intensity (µA)")
    frequency_hz = models.DecimalField("frequency (Hz)", max_digits=6, decimal_places=1)
    waveform = models.CharField(max_length=12, choices=Waveform.choices)
    areas = models.JSONField(default=list)
    minutes = models.PositiveSmallIntegerField()
    gel_used = models.CharField(max_length=100, blank=True)
    tolerance = models.CharField(max_length=14, choices=Tolerance.choices)
    adverse_reaction = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    # What the esthetician records of a treatment given (the record form's fields).
    GIVEN_FIELDS = (
        "intensity_ua",
        "frequency_hz",
        "waveform",
        "areas",
        "minutes",
        "gel_used",
        "tolerance",
        "adverse_reaction",
        "notes",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(intensity_ua__gte=10, intensity_ua__lte=1000),
                name="record_intensity_10_to_1000_ua",
            ),
            models.CheckConstraint(
                condition=Q(frequency_hz__gte=0.1, frequency_hz__lte=1000),
                name="record_frequency_range",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=120), name="record_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Record of {self.session}"

    def area_labels(self) -> list[str]:
        return [self.AREAS.get(area, area) for area in self.areas]
