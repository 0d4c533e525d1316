from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django import forms
from django.utils import timezone

from tests.clients.factories import ClientFactory
from tests.treatments.factories import EstheticianFactory, TreatmentFactory
from treatments.forms import (
    QuickSelect,
    RescheduleForm,
    SeriesPlanForm,
    SessionBookForm,
    TreatmentRecordForm,
)

pytestmark = pytest.mark.django_db

RECORD = {
    "intensity_ua": "200",
    "frequency_hz": "0.5",
    "waveform": "square",
    "areas": ["forehead_brow", "jawline"],
    "minutes": "45",
    "gel_used": "Conductive gel",
    "tolerance": "comfortable",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("intensity_ua", "9", "Intensity (µA) is from 10 to 1000."),
        ("intensity_ua", "1001", "Intensity (µA) is from 10 to 1000."),
        ("frequency_hz", "0.0", "Frequency is from 0.1 to 1000 Hz."),
        ("frequency_hz", "1000.1", "Frequency is from 0.1 to 1000 Hz."),
        ("minutes", "0", "Minutes is from 1 to 120."),
        ("areas", [], "Tick the areas treated."),
    ],
)
def test_out_of_range_treatment_values_are_refused_with_the_range(field, value, message):
    form = TreatmentRecordForm(data={**RECORD, field: value})

    assert form.errors[field] == [message]


@pytest.mark.parametrize(("intensity", "ok"), [("250", True), ("251", False)])
def test_a_rise_of_more_than_25_percent_needs_confirming(intensity, ok):
    form = TreatmentRecordForm(data={**RECORD, "intensity_ua": intensity}, previous_intensity=200)

    assert form.is_valid() is ok
    if not ok:
        assert "26% more than last time (200 µA)" in form.errors["intensity_ua"][0]


def test_a_confirmed_rise_is_accepted():
    form = TreatmentRecordForm(
        data={**RECORD, "intensity_ua": "400", "confirm_jump": "on"}, previous_intensity=200
    )

    assert form.is_valid(), form.errors
    assert form.record()["intensity_ua"] == 400


def test_the_previous_intensity_is_suggested():
    assert TreatmentRecordForm(previous_intensity=180).initial["intensity_ua"] == 180


@pytest.fixture
def plan_data(db, esthetician):
    return {
        "client": ClientFactory().pk,
        "treatment": TreatmentFactory().pk,
        "esthetician": esthetician.pk,
        "starts_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "planned_sessions": "8",
        "sessions_per_week": "2",
        "weekdays": ["1", "3"],
        "preferred_time": "10:00",
        "maintenance_weeks": "4",
        "maintenance_visits": "6",
        "home_minutes_a_day": "5",
        "home_days_a_week": "5",
    }


def test_a_series_plan_turns_into_a_planner_request(plan_data):
    form = SeriesPlanForm(data=plan_data)

    assert form.is_valid(), form.errors
    request = form.request()
    assert (request.sessions, request.sessions_per_week, request.weekdays) == (
        8,
        2,
        frozenset({1, 3}),
    )
    assert form.series_fields()["weekdays"] == [1, 3]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"planned_sessions": "5"}, "planned_sessions", "Number of sessions is from 6 to 12."),
        ({"planned_sessions": "13"}, "planned_sessions", "Number of sessions is from 6 to 12."),
        (
            {"maintenance_weeks": "9"},
            "maintenance_weeks",
            "Weeks between maintenance visits is from 2 to 8.",
        ),
        ({"weekdays": ["1"]}, "weekdays", "Twice a week needs at least two preferred days."),
        ({"weekdays": []}, "weekdays", "Choose at least one preferred day."),
        ({"starts_on": "2020-01-01"}, "starts_on", "The series can't start in the past."),
    ],
)
def test_series_plan_values_out_of_range_are_refused(plan_data, change, field, message):
    form = SeriesPlanForm(data={**plan_data, **change})

    assert form.errors[field] == [message]


# Dates beyond the planner's year ahead are refused with a message, never a server error.

HORIZON_TODAY = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)  # the last day: Thu 2 Dec 2027


@pytest.mark.parametrize(
    ("day", "allowed"),
    [("2027-12-01", True), ("2027-12-02", True), ("2027-12-03", False), ("9999-12-31", False)],
)
def test_a_session_can_be_booked_or_moved_up_to_a_year_ahead(esthetician, day, allowed):
    with time_machine.travel(HORIZON_TODAY, tick=False):
        forms = [
            SessionBookForm(
                data={
                    "client": ClientFactory().pk,
                    "esthetician": esthetician.pk,
                    "treatment": TreatmentFactory().pk,
                    "day": day,
                    "time": "10:00",
                }
            ),
            RescheduleForm(data={"day": day, "time": "10:00"}),
        ]

        for form in forms:
            assert form.is_valid() is allowed
            if not allowed:
                assert form.errors["day"] == [
                    "Sessions can be booked up to a year ahead: choose a date until Thu 2 Dec 2027."
                ]


@pytest.mark.parametrize(("day", "allowed"), [("2027-12-02", True), ("2027-12-03", False)])
def test_a_series_can_start_up_to_a_year_ahead(plan_data, day, allowed):
    with time_machine.travel(HORIZON_TODAY, tick=False):
        form = SeriesPlanForm(data={**plan_data, "starts_on": day})

        assert form.is_valid() is allowed
        if not allowed:
            assert form.errors["starts_on"] == [
                "A series can be booked up to a year ahead: choose a date until Thu 2 Dec 2027."
            ]


def test_an_empty_treatment_record_says_beside_each_field_what_to_give():
    form = TreatmentRecordForm(data={})

    assert not form.is_valid()
    assert form.errors["intensity_ua"] == ["Give a number from 10 to 1000."]
    assert form.errors["frequency_hz"] == ["Give the frequency: from 0.1 to 1000 Hz."]
    assert form.errors["waveform"] == ["Choose the waveform."]
    assert form.errors["tolerance"] == ["Say how the client took the treatment."]
    assert form.errors["areas"] == ["Tick the areas treated."]


def test_the_record_and_booking_choices_start_on_words_not_dashes(esthetician):
    record = TreatmentRecordForm()
    booking = SessionBookForm()

    assert record.fields["waveform"].choices[0] == ("", "Choose the waveform")
    assert record.fields["tolerance"].choices[0] == ("", "Choose how it went")
    assert next(iter(booking.fields["esthetician"].choices)) == ("", "Choose an esthetician")


CHOICES = [
    ("", "The same esthetician"),
    (1, 'Anna "Ann" <Clarke> & co'),
    ("x'y", "Zoe"),
    ("Former <staff>", [(7, "Priya"), (8, "Rae & Sons")]),
]


@pytest.mark.parametrize("value", [None, "", "1", 1, "x'y", 8, "missing"])
def test_the_quick_select_writes_what_djangos_select_writes(value: object) -> None:
    attrs = {"id": "id_esthetician", "aria-describedby": "help <x>", "required": True, "x": False}

    quick = QuickSelect(choices=CHOICES).render("esthetician", value, attrs)

    assert quick == forms.Select(choices=CHOICES).render("esthetician", value, attrs)


@pytest.mark.django_db
def test_the_reschedule_forms_esthetician_list_is_djangos_markup() -> None:
    EstheticianFactory(user__first_name="Zoe", user__last_name="O'Neil <3>")
    form = RescheduleForm(initial={"esthetician": 1})
    field = form["esthetician"]

    plain = forms.Select(choices=field.field.choices)

    assert field.as_widget() == field.as_widget(widget=plain)
