"""Forms for planning series, booking sessions, and recording what was done at a visit."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from clients.forms import DateInput, PreTreatmentCheckForm
from clients.models import Client
from spa.dates import day_label
from treatments.models import Esthetician, MaintenanceVisit, Treatment, TreatmentRecord
from treatments.scheduling import PLANNING_HORIZON_DAYS, SeriesRequest

WEEKDAYS = [
    (0, "Mon"),
    (1, "Tue"),
    (2, "Wed"),
    (3, "Thu"),
    (4, "Fri"),
    (5, "Sat"),
    (6, "Sun"),
]
INTENSITY_JUMP = 0.25
# An erased client is no one to book: they can't be chosen (the services refuse them too).
BOOKABLE_CLIENTS = Client.objects.filter(erased_at__isnull=True)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class QuickSelect(forms.Select):
    """A select written out as text rather than through a template per option: the same markup
    as Django's, for a list as long as the team's (a hundred estheticians)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # The select's own context without Django's per-option dictionaries (`optgroups`).
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        parts = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        chosen, has_selected = widget["value"], False
        for group_value, group_label in self.choices:
            group_name = None
            options = [("" if group_value is None else group_value, group_label)]
            if isinstance(group_label, (list, tuple)):
                group_name, options = group_value, group_label
            if group_name:
                parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
            for option_value, option_label in options:
                # As Django's: only the first option with the value is selected, unless multiple.
                selected = (not has_selected or self.allow_multiple_selected) and str(
                    option_value
                ) in chosen
                has_selected |= selected
                parts.append(
                    f'\n  <option value="{_escape(option_value)}"{" selected" if selected else ""}>'
                    f"{_escape(option_label)}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        # Safe: every name, value and label above is escaped.
        return mark_safe("".join(parts))


def _escape(text: Any) -> str:
    """`conditional_escape` without its lazy-string wrapper, for the hundreds of options."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


class NamedEstheticians(ModelChoiceIterator):
    """The estheticians as (pk, name) read in one plain query: no model built per option, for
    a list as long as the team's. The names are `Esthetician.__str__`'s."""

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.queryset.values_list(
            "pk", "user__first_name", "user__last_name", "user__username"
        )
        for pk, first_name, last_name, username in rows:
            name = Esthetician.name_of(first_name, last_name, username)
            yield (ModelChoiceIteratorValue(pk, None), name)


class EstheticianChoiceField(forms.ModelChoiceField):
    """A choice of esthetician whose options are read without building the estheticians."""

    iterator = NamedEstheticians


def _attrs(attrs: dict[str, Any]) -> str:
    """HTML attributes as Django's widgets write them: True alone, False left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def ranged(
    label: str, low: int, high: int, initial: int | None = None, help_text: str = ""
) -> forms.IntegerField:
    """A whole number with its range in the error message, and when it is left empty."""
    message = f"{label} is from {low} to {high}."
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=low,
        max_value=high,
        initial=initial,
        error_messages={
            "min_value": message,
            "max_value": message,
            "required": f"Give a number from {low} to {high}.",
            "invalid": f"{label} is a whole number, from {low} to {high}.",
        },
    )


def caution_note_field(help_text: str = "") -> forms.CharField:
    """Staff's note acknowledging the client's cautions (needed only when there are some)."""
    return forms.CharField(
        label="Note acknowledging the client's cautions",
        help_text=help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def esthetician_choice() -> forms.ModelChoiceField:
    """The estheticians who work here now, starting on none unless the view preselects one."""
    return EstheticianChoiceField(
        queryset=Esthetician.objects.filter(is_active=True).select_related("user"),
        empty_label="Choose an esthetician",
        error_messages={"required": "Choose the esthetician."},
    )


def treatment_choice() -> forms.ModelChoiceField:
    """The treatments offered, starting on none unless the view preselects the client's last."""
    return forms.ModelChoiceField(
        queryset=Treatment.objects.filter(is_active=True),
        empty_label="Choose a treatment",
        error_messages={"required": "Choose the treatment."},
    )


def within_horizon(day: dt.date, *, what: str = "Sessions") -> dt.date:
    """A day no further ahead than the planner looks: a year from today."""
    today = timezone.localdate()
    last = today + dt.timedelta(days=PLANNING_HORIZON_DAYS)
    if day > last:
        raise ValidationError(
            f"{what} can be booked up to a year ahead: choose a date until "
            f"{day_label(last, today=today)}."
        )
    return day


class SeriesPlanForm(forms.Form):
    """What staff choose when planning a series; `request()` is what the planner needs."""

    client = forms.ModelChoiceField(queryset=BOOKABLE_CLIENTS, widget=forms.HiddenInput)
    treatment = treatment_choice()
    esthetician = esthetician_choice()
    starts_on = forms.DateField(label="First session on or after", widget=DateInput())
    planned_sessions = ranged("Number of sessions", 6, 12, initial=8)
    sessions_per_week = forms.TypedChoiceField(
        label="Sessions a week", choices=[(1, "Once a week"), (2, "Twice a week")], coerce=int
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Preferred days",
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one preferred day."},
    )
    preferred_time = forms.TimeField(label="Preferred time", widget=TimeInput())
    maintenance_weeks = ranged("Weeks between maintenance visits", 2, 8, initial=4)
    maintenance_visits = ranged("Maintenance visits", 0, 24, initial=6)
    home_device = forms.CharField(
        label="Home device", max_length=100, required=False, help_text="e.g. NuFACE Trinity"
    )
    home_minutes_a_day = ranged("Minutes a day", 1, 60, initial=5)
    home_days_a_week = ranged("Days a week", 0, 7, initial=5)
    caution_note = caution_note_field()

    def clean_starts_on(self) -> dt.date:
        starts_on = self.cleaned_data["starts_on"]
        if starts_on < timezone.localdate():
            raise ValidationError("The series can't start in the past.")
        return within_horizon(starts_on, what="A series")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("sessions_per_week") == 2 and len(data.get("weekdays") or [0, 1]) < 2:
            self.add_error("weekdays", "Twice a week needs at least two preferred days.")
        return data

    def request(self) -> SeriesRequest:
        data = self.cleaned_data
        return SeriesRequest(
            starts_on=data["starts_on"],
            sessions=data["planned_sessions"],
            sessions_per_week=data["sessions_per_week"],
            weekdays=frozenset(data["weekdays"]),
            start_time=data["preferred_time"],
            minutes=data["treatment"].minutes,
        )

    def series_fields(self) -> dict[str, Any]:
        """The keyword arguments `series_create` takes from this form."""
        data = self.cleaned_data
        names = [
            "client",
            "treatment",
            "esthetician",
            "starts_on",
            "planned_sessions",
            "sessions_per_week",
            "preferred_time",
            "maintenance_weeks",
            "maintenance_visits",
            "home_device",
            "home_minutes_a_day",
            "home_days_a_week",
            "caution_note",
        ]
        return {name: data[name] for name in names} | {"weekdays": data["weekdays"]}


class SessionBookForm(forms.Form):
    """One session: a single treatment or a maintenance visit."""

    client = forms.ModelChoiceField(queryset=BOOKABLE_CLIENTS, widget=forms.HiddenInput)
    esthetician = esthetician_choice()
    treatment = treatment_choice()
    day = forms.DateField(label="Date", widget=DateInput())
    time = forms.TimeField(label="Time", widget=TimeInput())
    maintenance_visit = forms.ModelChoiceField(
        queryset=MaintenanceVisit.objects.filter(status=MaintenanceVisit.Status.DUE),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "This maintenance visit was booked or completed meanwhile: "
            "open the series to see it."
        },
    )
    caution_note = caution_note_field(
        "Only needed when the client has a caution (the check says so)."
    )

    def clean_day(self) -> dt.date:
        return within_horizon(self.cleaned_data["day"])

    def starts_at(self) -> dt.datetime:
        """The chosen moment in the spa's time zone."""
        data = self.cleaned_data
        return timezone.make_aware(dt.datetime.combine(data["day"], data["time"]))


class RescheduleForm(forms.Form):
    """A new time for a booked session, and optionally another esthetician to give it."""

    day = forms.DateField(label="New date", widget=DateInput())
    time = forms.TimeField(label="New time", widget=TimeInput())
    esthetician = EstheticianChoiceField(
        label="Esthetician",
        queryset=Esthetician.objects.filter(is_active=True).select_related("user"),
        widget=QuickSelect,
        required=False,
        empty_label="The same esthetician",
        help_text="Choose another esthetician to move the session to them.",
        error_messages={
            "invalid_choice": "That esthetician no longer takes bookings: choose another."
        },
    )
    caution_note = caution_note_field(
        "Only needed when the client has a caution; the session's note is kept otherwise."
    )

    def clean_day(self) -> dt.date:
        return within_horizon(self.cleaned_data["day"])

    def starts_at(self) -> dt.datetime:
        data = self.cleaned_data
        return timezone.make_aware(dt.datetime.combine(data["day"], data["time"]))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        error_messages={"required": "Please say why the session is cancelled."},
    )


# What `session_complete` stores of a treatment record, as the record form gives it.
RECORD_FIELDS = TreatmentRecord.GIVEN_FIELDS


class TreatmentRecordForm(forms.Form):
    """What was done. Intensity starts low and rises gradually: a rise of more than 25% over
    the previous session needs `confirm_jump` ticked.

    A plain form, its fields holding the record's ranges (the database checks them again): a
    model form would also ask the database to check each range, a query each."""

    intensity_ua = ranged("Intensity (µA)", 10, 1000, help_text="From 10 to 1000 µA.")
    minutes = ranged("Minutes", 1, 120)
    frequency_hz = forms.DecimalField(
        label="Frequency (Hz)",
        min_value=0.1,
        max_value=1000,
        decimal_places=1,
        error_messages={
            "min_value": "Frequency is from 0.1 to 1000 Hz.",
            "max_value": "Frequency is from 0.1 to 1000 Hz.",
            "required": "Give the frequency: from 0.1 to 1000 Hz.",
            "invalid": "Frequency is a number of Hz, from 0.1 to 1000.",
            "max_decimal_places": "Frequency takes one decimal place at most, e.g. 0.5.",
        },
    )
    waveform = forms.ChoiceField(
        choices=[("", "Choose the waveform"), *TreatmentRecord.Waveform.choices],
        error_messages={"required": "Choose the waveform."},
    )
    tolerance = forms.ChoiceField(
        choices=[("", "Choose how it went"), *TreatmentRecord.Tolerance.choices],
        error_messages={"required": "Say how the client took the treatment."},
    )
    areas = forms.MultipleChoiceField(
        choices=list(TreatmentRecord.AREAS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick the areas treated."},
    )
    gel_used = forms.CharField(label="Gel used", max_length=100, required=False)
    adverse_reaction = forms.CharField(
        label="Adverse reaction", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm_jump = forms.BooleanField(label="Yes, this rise is intended", required=False)

    def __init__(self, *args: Any, previous_intensity: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.previous_intensity = previous_intensity
        if previous_intensity is not None and not self.is_bound:
            self.initial.setdefault("intensity_ua", previous_intensity)

    def jump_warning(self, intensity: int | None) -> str:
        """A sentence when `intensity` rises more than 25% over the previous session."""
        previous = self.previous_intensity
        if previous is None or intensity is None or intensity <= previous * (1 + INTENSITY_JUMP):
            return ""
        rise = round(100 * (intensity - previous) / previous)
        return (
            f"{intensity} µA is {rise}% more than last time ({previous} µA). Start low and "
            "increase gradually: more than 25% in one step is a big jump."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        warning = self.jump_warning(data.get("intensity_ua"))
        if warning and not data.get("confirm_jump"):
            self.add_error("intensity_ua", warning + " Tick the box to confirm it.")
        return data

    def record(self) -> dict[str, Any]:
        """The fields `session_complete` stores."""
        return {name: self.cleaned_data[name] for name in RECORD_FIELDS}


class CheckInForm(PreTreatmentCheckForm):
    """The pre-treatment check, and a note for when the client's cautions need acknowledging."""

    caution_note = caution_note_field()
