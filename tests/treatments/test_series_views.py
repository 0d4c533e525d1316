from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client as BrowserClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from clients.models import Client
from tests.clients.factories import ClientFactory, IntakeFactory, UserFactory
from tests.treatments.factories import (
    ClosureFactory,
    SeriesFactory,
    SessionFactory,
    TreatmentFactory,
)
from treatments import services
from treatments.models import Esthetician, Series, Session, Treatment

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)
TODAY = NOW.date()
TUESDAY, FRIDAY, SUNDAY = 1, 4, 6
NEW_URL = reverse("series_new")
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def saturday_morning() -> Iterator[None]:
    """The clock stands at Sat 21 Nov 2026, 09:00 in the spa."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def treatment(db: None) -> Treatment:
    return TreatmentFactory(name="Microcurrent lift", minutes=60)


def cleared(first_name: str = "Iris", last_name: str = "Moss", **answers: Any) -> Client:
    """A client with an intake from yesterday carrying `answers` (none: nothing to find)."""
    client = ClientFactory(first_name=first_name, last_name=last_name)
    IntakeFactory(client=client, submitted_at=NOW - dt.timedelta(days=1), **answers)
    return client


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def choices(
    client: Client, esthetician: Esthetician, treatment: Treatment, /, **changes: Any
) -> dict[str, Any]:
    """A complete plan: 8 sessions on Tuesdays at 10:00 from Tue 1 Dec."""
    return {
        "client": client.pk,
        "treatment": treatment.pk,
        "esthetician": esthetician.pk,
        "starts_on": "2026-12-01",
        "planned_sessions": "8",
        "sessions_per_week": "1",
        "weekdays": [str(TUESDAY)],
        "preferred_time": "10:00",
        "maintenance_weeks": "4",
        "maintenance_visits": "6",
        "home_device": "",
        "home_minutes_a_day": "5",
        "home_days_a_week": "5",
    } | changes


def text(response: HttpResponse) -> str:
    """The response as a person reads it: entities decoded, whitespace squeezed."""
    return " ".join(html.unescape(response.content.decode()).split())


def words(response: HttpResponse) -> str:
    """Only the words of the page's main part, as a screen reader would read them."""
    return " ".join(re.sub(r"<[^>]+>", " ", main_of(response)).split())


def main_of(response: HttpResponse) -> str:
    assert response.status_code == 200
    return text(response).split("<main", 1)[1]


def preview(browser: BrowserClient, query: dict[str, Any]) -> str:
    """The preview partial, asked for as htmx asks for it."""
    response = browser.get(NEW_URL, query, headers=HTMX)
    assert response.status_code == 200
    return text(response)


def slots_of(page: str) -> list[str]:
    return re.findall(r'name="slot" value="([^"]+)"', page)


def shown_plan(page: str) -> dict[str, Any]:
    """What a preview's "Book" posts back: its sessions' times and the plan's fingerprint."""
    fingerprint = re.search(r'name="plan_shown" value="([^"]*)"', page)
    return {"slot": slots_of(page), "plan_shown": fingerprint.group(1) if fingerprint else ""}


def confirm(browser: BrowserClient, query: dict[str, Any], shown: dict[str, Any], **extra: Any):
    return browser.post(NEW_URL, query | shown | extra)


# The preview -----------------------------------------------------------------------------------


def test_htmx_preview_returns_only_the_partial_listing_every_session(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    page = preview(esthetician_client, choices(cleared(), esthetician, treatment))

    assert "<html" not in page
    assert 'id="preview"' in page
    assert page.count('class="proposed__item') == 8
    assert "Tue 1 Dec, 10:00" in page
    assert "Tue 19 Jan 2027, 10:00" in page
    assert "Book 8 sessions" in page


@pytest.mark.parametrize("booked", [0, 40])
def test_the_preview_reads_the_planners_calendar_in_a_fixed_handful_of_queries(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    treatment: Treatment,
    django_assert_num_queries: DjangoAssertNumQueries,
    booked: int,
) -> None:
    client = cleared()
    for day in range(booked):
        SessionFactory(
            esthetician=esthetician, starts_at=at(dt.date(2026, 12, 1)) + dt.timedelta(days=day)
        )
    query = choices(client, esthetician, treatment, planned_sessions="12")

    # The sign-in (3), the form's choices (3), the access log, the intake, the hours, the
    # days off and the sessions.
    with django_assert_num_queries(11):
        page = preview(esthetician_client, query)

    assert page.count('class="proposed__item') == 12


def test_preview_writes_nothing(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    preview(esthetician_client, choices(cleared(), esthetician, treatment))

    assert not Series.objects.exists()
    assert not Session.objects.exists()


def test_preview_lists_the_maintenance_due_dates_after_the_last_session(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    page = preview(esthetician_client, choices(cleared(), esthetician, treatment))

    assert "Maintenance 1: due Tue 16 Feb 2027" in page
    assert "Maintenance 6: due Tue 6 Jul 2027" in page
    assert "Maintenance 7" not in page


def test_preview_shows_the_home_care_plan_when_given(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment, home_device="NuFACE Trinity")

    page = preview(esthetician_client, query)

    assert "NuFACE Trinity: 5 minutes a day, 5 days a week." in page


def test_recent_filler_moves_sessions_past_day_14_saying_why(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared(last_injectable_on=dt.date(2026, 11, 17))
    query = choices(client, esthetician, treatment, starts_on="2026-11-22")

    page = preview(esthetician_client, query)

    assert "Tue 24 Nov, 10:00" not in page
    assert "Tue 1 Dec, 10:00" in page
    assert "Moved from Tue 24 Nov: recent filler or botox until Tue 1 Dec" in page


def test_a_spa_closure_moves_the_session_saying_spa_closed(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    ClosureFactory(starts_on=dt.date(2026, 12, 25), ends_on=dt.date(2026, 12, 26))
    query = choices(cleared(), esthetician, treatment, weekdays=[str(FRIDAY)])

    page = preview(esthetician_client, query)

    assert "Fri 25 Dec, 10:00" not in page
    assert "Fri 1 Jan 2027, 10:00" in page
    assert "Moved from Fri 25 Dec: spa closed (Christmas)" in page


def test_incomplete_choices_say_calmly_what_is_still_to_choose(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment, weekdays=[], preferred_time="")

    page = preview(esthetician_client, query)

    assert "To see the plan, choose the preferred days and preferred time." in page
    assert "field--error" not in page
    assert "Book" not in page


def test_a_value_out_of_range_is_said_in_a_sentence(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment, planned_sessions="14")

    page = preview(esthetician_client, query)

    assert "Number of sessions is from 6 to 12." in page
    assert 'class="proposed' not in page


def test_pacemaker_shows_the_reason_and_no_sessions(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared(has_pacemaker=True)

    page = preview(esthetician_client, choices(client, esthetician, treatment))

    assert "Pacemaker or other implanted electronic device" in page
    assert "Microcurrent can't be offered to Iris." in page
    assert "Send a new intake link" not in page
    assert 'class="proposed' not in page
    assert 'name="slot"' not in page


def test_no_intake_shows_the_reason_and_offers_a_new_intake_link(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = ClientFactory(first_name="Ruby")

    page = preview(esthetician_client, choices(client, esthetician, treatment))

    assert "No health intake on file" in page
    assert "Send a new intake link" in page
    assert f'action="{reverse("client_intake_link", args=[client.pk])}"' in page
    assert 'class="proposed' not in page


def test_a_permanent_block_shows_even_before_the_choices_are_complete(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared(acute_acne=True)
    query = choices(client, esthetician, treatment, weekdays=[], preferred_time="")

    page = preview(esthetician_client, query)

    assert "Acne flare-up" in page
    assert "Send a new intake link" in page
    assert "To see the plan" not in page


def test_no_free_slot_says_so_and_suggests_other_days(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment, weekdays=[str(SUNDAY)])

    page = preview(esthetician_client, query)

    assert "No free 10:00 slot for session 1" in page
    assert "Try other preferred days, another time" in page
    assert "Book" not in page


def test_cautions_are_listed_with_a_note_to_fill_in(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared(epilepsy=True)

    page = preview(esthetician_client, choices(client, esthetician, treatment))

    assert "Caution</span> Epilepsy" in page
    assert 'name="caution_note"' in page


def plan_for(page: str) -> dict[str, list[str]]:
    """The choices a preview says it was made for (its `data-plan-for`)."""
    found = re.search(r'id="preview" class="preview" data-plan-for="([^"]*)"', page)
    assert found is not None
    return parse_qs(found.group(1), keep_blank_values=True)


def test_the_preview_names_the_choices_it_was_made_for(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(
        cleared(), esthetician, treatment, weekdays=["1", "4"], home_device="Zoë's NuFACE Trinity+"
    )

    page = preview(esthetician_client, query)

    asked = {
        name: value if isinstance(value, list) else [str(value)] for name, value in query.items()
    }
    assert plan_for(page) == asked


def test_a_first_visits_preview_names_the_defaults_the_form_shows(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared()

    page = main_of(esthetician_client.get(NEW_URL, {"client": client.pk}))

    assert plan_for(page) == {
        "client": [str(client.pk)],
        "esthetician": [str(esthetician.pk)],
        "starts_on": ["2026-11-22"],
        "planned_sessions": ["8"],
        "sessions_per_week": ["1"],
        "maintenance_weeks": ["4"],
        "maintenance_visits": ["6"],
        "home_minutes_a_day": ["5"],
        "home_days_a_week": ["5"],
    }


# Choosing the client ---------------------------------------------------------------------------


def test_client_in_the_address_is_preselected_with_the_defaults(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared(first_name="Freya", last_name="Lewis")

    page = main_of(esthetician_client.get(NEW_URL, {"client": client.pk}))

    assert "Freya Lewis" in page
    assert ">Change<" in page
    assert f'name="client" value="{client.pk}"' in page
    assert f'<option value="{esthetician.pk}" selected>' in page
    assert 'name="starts_on" value="2026-11-22"' in page
    assert 'name="planned_sessions" value="8"' in page
    assert 'name="maintenance_weeks" value="4"' in page
    assert 'name="home_minutes_a_day" value="5"' in page


def treatment_options(page: str) -> str:
    return page.split('name="treatment"', 1)[1].split("</select>", 1)[0]


def test_a_client_never_treated_gets_no_treatment_and_is_asked_to_choose_one(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    TreatmentFactory(name="Microcurrent express", minutes=45)

    page = main_of(esthetician_client.get(NEW_URL, {"client": cleared().pk}))

    assert '<option value="" selected>Choose a treatment</option>' in treatment_options(page)
    assert "To see the plan, choose the treatment, preferred days and preferred time." in page


def test_the_clients_last_series_treatment_is_preselected(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    TreatmentFactory(name="Microcurrent express", minutes=45)
    client = cleared()
    SeriesFactory(client=client, esthetician=esthetician, treatment=treatment)

    page = main_of(esthetician_client.get(NEW_URL, {"client": client.pk}))

    assert f'<option value="{treatment.pk}" selected>' in treatment_options(page)


def test_a_maintenance_visit_since_the_series_does_not_change_the_treatment_planned(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    maintenance = TreatmentFactory(name="A maintenance", kind=Treatment.Kind.MAINTENANCE)
    client = cleared()
    SeriesFactory(client=client, esthetician=esthetician, treatment=treatment)
    SessionFactory(client=client, esthetician=esthetician, treatment=maintenance)

    page = main_of(esthetician_client.get(NEW_URL, {"client": client.pk}))

    assert f'<option value="{treatment.pk}" selected>' in treatment_options(page)


def test_a_treatment_no_longer_offered_is_not_preselected(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared()
    SeriesFactory(client=client, esthetician=esthetician, treatment=treatment)
    Treatment.objects.filter(pk=treatment.pk).update(is_active=False)

    page = main_of(esthetician_client.get(NEW_URL, {"client": client.pk}))

    assert '<option value="" selected>Choose a treatment</option>' in treatment_options(page)


def test_confirm_without_a_treatment_says_so_beside_the_field(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment)

    page = main_of(confirm(esthetician_client, query | {"treatment": ""}, {}))

    assert not Series.objects.exists()
    assert '<div class="field__error" id="id_treatment_error"><p>Choose the treatment.</p>' in page


def test_without_a_client_the_page_asks_who_the_series_is_for(
    esthetician_client: BrowserClient,
) -> None:
    page = main_of(esthetician_client.get(NEW_URL))

    assert "Who is the series for?" in page
    assert 'id="series-plan"' not in page


def test_client_search_partial_finds_clients_by_name(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    freya = cleared(first_name="Freya", last_name="Lewis")
    cleared(first_name="Olivia", last_name="Bennett")

    response = esthetician_client.get(reverse("series_client_search"), {"q": "frey"}, headers=HTMX)

    page = text(response)
    assert "<html" not in page
    assert "Freya Lewis" in page
    assert "Olivia" not in page
    assert f"{NEW_URL}?client={freya.pk}" in page


def test_client_search_shows_at_most_ten_clients(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    for number in range(12):
        cleared(first_name="Ann", last_name=f"Smith{number:02d}")

    page = text(esthetician_client.get(reverse("series_client_search"), {"q": "ann"}, headers=HTMX))

    assert page.count('class="client-choice"') == 10


def test_client_search_links_keep_the_choices_already_made(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    freya = cleared(first_name="Freya", last_name="Lewis")

    page = text(
        esthetician_client.get(
            reverse("series_client_search"),
            {"q": "Lewis", "weekdays": ["1", "4"], "preferred_time": "11:30"},
            headers=HTMX,
        )
    )

    link = re.search(r'href="(/series/new/\?[^"]*client=\d+)"', page)
    assert link is not None
    assert "weekdays=1&weekdays=4" in link.group(1)
    assert "preferred_time=11%3A30" in link.group(1)
    assert link.group(1).endswith(f"client={freya.pk}")


def test_client_search_without_javascript_shows_the_results_on_the_page(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    cleared(first_name="Freya", last_name="Lewis")

    response = esthetician_client.get(reverse("series_client_search"), {"q": "Freya"})
    assert response.status_code == 302
    page = main_of(esthetician_client.get(response["Location"]))

    assert "Who is the series for?" in page
    assert "Freya Lewis" in page


def test_a_reload_keeps_every_choice(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment, weekdays=["1", "4"], planned_sessions="10")

    page = main_of(esthetician_client.get(NEW_URL, query))

    assert 'name="planned_sessions" value="10"' in page
    assert re.search(r'value="1"[^>]*checked', page)
    assert re.search(r'value="4"[^>]*checked', page)
    assert not re.search(r'value="2"[^>]*checked', page)
    assert page.count('class="proposed__item') == 10


# Confirming ------------------------------------------------------------------------------------


def test_confirm_books_exactly_the_previewed_slots_and_goes_to_the_series_page(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment)
    shown = shown_plan(preview(esthetician_client, query))

    response = confirm(esthetician_client, query, shown)

    series = Series.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("series_detail", args=[series.pk])
    booked = [session.starts_at for session in series.sessions.order_by("starts_at")]
    assert booked == [dt.datetime.fromisoformat(slot) for slot in shown["slot"]]
    assert len(booked) == 8


@pytest.mark.parametrize("sessions", [6, 12])
def test_confirming_takes_the_same_queries_however_many_sessions(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    treatment: Treatment,
    django_assert_num_queries: DjangoAssertNumQueries,
    sessions: int,
) -> None:
    query = choices(cleared(), esthetician, treatment, planned_sessions=str(sessions))
    shown = shown_plan(preview(esthetician_client, query))

    with django_assert_num_queries(19):
        response = confirm(esthetician_client, query, shown)

    assert response.status_code == 302
    assert Series.objects.get().sessions.count() == sessions


def test_confirm_says_how_many_sessions_were_booked(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment)
    shown = shown_plan(preview(esthetician_client, query))

    response = confirm(esthetician_client, query, shown)

    assert "8 sessions booked" in main_of(esthetician_client.get(response["Location"]))


def test_confirm_keeps_the_home_care_plan(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment, home_device="ZIIP", home_days_a_week="3")
    shown = shown_plan(preview(esthetician_client, query))

    confirm(esthetician_client, query, shown)

    series = Series.objects.get()
    assert (series.home_device, series.home_minutes_a_day, series.home_days_a_week) == (
        "ZIIP",
        5,
        3,
    )


def test_a_slot_taken_since_the_preview_books_nothing_and_shows_the_new_plan(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment)
    shown = shown_plan(preview(esthetician_client, query))
    services.session_book(
        client=cleared(first_name="Olivia", last_name="Bennett"),
        esthetician=esthetician,
        treatment=treatment,
        starts_at=at(dt.date(2026, 12, 15)),
        booked_by=None,
    )

    response = confirm(esthetician_client, query, shown)

    page = main_of(response)
    assert not Series.objects.exists()
    assert Session.objects.count() == 1
    assert "Nothing was booked." in page
    assert "Tue 15 Dec, 10:00 is no longer free; the plan has changed." in page
    assert "Moved from Tue 15 Dec: Anna" in page
    assert "already booked" in page
    assert slots_of(page) != shown["slot"]


def test_a_refusal_keeps_everything_typed(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(epilepsy=True), esthetician, treatment, home_device="NuFACE Mini")
    shown = shown_plan(preview(esthetician_client, query))
    SessionFactory(esthetician=esthetician, treatment=treatment, starts_at=at(dt.date(2026, 12, 8)))

    page = main_of(confirm(esthetician_client, query, shown, caution_note="Checked with her GP"))

    assert 'name="home_device" value="NuFACE Mini"' in page
    assert ">Checked with her GP</textarea>" in page
    assert "Tue 8 Dec, 10:00 is no longer free" in page


def test_a_caution_without_a_note_shows_the_error_beside_the_note(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(epilepsy=True), esthetician, treatment)
    shown = shown_plan(preview(esthetician_client, query))

    page = main_of(confirm(esthetician_client, query, shown, caution_note=""))

    assert not Series.objects.exists()
    note_field = page.split('for="id_caution_note"', 1)[1].split("</div>", 2)
    assert "A note acknowledging the client's cautions is needed" in "".join(note_field[:2])
    assert 'aria-invalid="true"' in page


def test_a_caution_with_a_note_is_booked(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(epilepsy=True), esthetician, treatment)
    shown = shown_plan(preview(esthetician_client, query))

    response = confirm(esthetician_client, query, shown, caution_note="Checked with her GP")

    assert response.status_code == 302
    series = Series.objects.get()
    assert series.caution_note == "Checked with her GP"
    assert series.sessions.count() == 8


def test_the_preview_carries_a_fingerprint_of_the_plan_shown(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared()
    tuesdays = shown_plan(preview(esthetician_client, choices(client, esthetician, treatment)))
    fridays = shown_plan(
        preview(esthetician_client, choices(client, esthetician, treatment, weekdays=["4"]))
    )
    again = shown_plan(preview(esthetician_client, choices(client, esthetician, treatment)))

    assert re.fullmatch(r"[0-9a-f]{40,}", tuesdays["plan_shown"])
    assert tuesdays["plan_shown"] == again["plan_shown"]
    assert tuesdays["plan_shown"] != fridays["plan_shown"]


def test_a_confirmation_with_the_fingerprint_of_an_older_plan_books_nothing(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared()
    tuesdays = shown_plan(preview(esthetician_client, choices(client, esthetician, treatment)))
    fridays = choices(client, esthetician, treatment, weekdays=["4"])
    friday_slots = shown_plan(preview(esthetician_client, fridays))["slot"]

    response = confirm(
        esthetician_client, fridays, {"slot": friday_slots, "plan_shown": tuesdays["plan_shown"]}
    )

    page = main_of(response)
    assert not Series.objects.exists()
    assert "Nothing was booked." in page
    assert "This is not the plan that was shown" in page
    assert "The plan below is up to date: check it, then book again." in page
    assert "Fri 4 Dec, 10:00" in page
    fresh = shown_plan(page)
    assert fresh["slot"] == friday_slots
    assert fresh["plan_shown"] not in ("", tuesdays["plan_shown"])


def test_the_fresh_plan_beside_a_refusal_can_be_booked(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared()
    tuesdays = shown_plan(preview(esthetician_client, choices(client, esthetician, treatment)))
    fridays = choices(client, esthetician, treatment, weekdays=["4"])
    refused = main_of(confirm(esthetician_client, fridays, tuesdays))

    response = confirm(esthetician_client, fridays, shown_plan(refused))

    assert response.status_code == 302
    assert Series.objects.get().preferred_weekdays == [FRIDAY]


def test_a_confirmation_without_a_fingerprint_books_nothing(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment)
    slots = shown_plan(preview(esthetician_client, query))["slot"]

    page = main_of(confirm(esthetician_client, query, {"slot": slots}))

    assert not Series.objects.exists()
    assert "This is not the plan that was shown" in page


def test_a_caution_that_appeared_after_the_preview_books_nothing(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared()
    query = choices(client, esthetician, treatment)
    shown = shown_plan(preview(esthetician_client, query))
    IntakeFactory(client=client, submitted_at=NOW, epilepsy=True)

    page = main_of(confirm(esthetician_client, query, shown, caution_note="Seen by her GP."))

    assert not Series.objects.exists()
    assert "This is not the plan that was shown" in page
    assert "Caution</span> Epilepsy" in page


def test_confirm_with_unreadable_slots_books_nothing(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment)

    page = main_of(confirm(esthetician_client, query, {"slot": ["next tuesday"]}))

    assert not Series.objects.exists()
    assert "The plan has changed since it was shown" in page


def test_confirm_with_a_missing_choice_shows_the_error_beside_the_field(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment)
    shown = shown_plan(preview(esthetician_client, query))

    page = main_of(confirm(esthetician_client, query | {"preferred_time": ""}, shown))

    assert not Series.objects.exists()
    assert 'id="id_preferred_time_error"' in page


# The series page -------------------------------------------------------------------------------


def course(series: Series, day: dt.date, **fields: Any) -> Session:
    """A session of the series' course on `day` at 10:00."""
    fields.setdefault("kind", Session.Kind.SERIES)
    return SessionFactory(
        series=series,
        client=series.client,
        esthetician=series.esthetician,
        treatment=series.treatment,
        starts_at=at(day),
        **fields,
    )


def series_with_sessions(esthetician: Esthetician, *, completed: int, booked: int) -> Series:
    series = SeriesFactory(
        client=cleared(), esthetician=esthetician, starts_on=dt.date(2026, 10, 1)
    )
    first = dt.date(2026, 10, 6)
    for number in range(completed):
        course(series, first + dt.timedelta(days=3 * number), status=Session.Status.COMPLETED)
    for week in range(booked):
        course(series, dt.date(2026, 11, 24) + dt.timedelta(weeks=week))
    return series


def series_page(browser: BrowserClient, series: Series) -> str:
    return main_of(browser.get(reverse("series_detail", args=[series.pk])))


def series_words(browser: BrowserClient, series: Series) -> str:
    return words(browser.get(reverse("series_detail", args=[series.pk])))


def test_series_page_shows_progress_in_words_and_as_a_bar(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=5, booked=3)

    page = series_page(esthetician_client, series)

    assert "5 of 8 completed" in page
    assert 'value="5" max="8"' in page
    assert "<progress" in page


def test_series_page_names_the_client_esthetician_treatment_and_status(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=1, booked=1)

    page = series_page(esthetician_client, series)

    assert f'href="{reverse("client_detail", args=[series.client.pk])}">Iris Moss' in page
    assert str(esthetician) in page
    assert series.treatment.name in page
    assert "In progress" in page
    assert "8 sessions, once a week at 10:00, on Tue" in page


def test_series_timeline_says_each_status_in_words_and_links_each_session(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=1, booked=1)
    no_show = course(
        series,
        dt.date(2026, 10, 13),
        status=Session.Status.NO_SHOW,
        status_reason="The client did not come.",
    )
    course(
        series,
        dt.date(2026, 10, 20),
        status=Session.Status.POSTPONED,
        status_reason="Filler injected Mon 19 Oct.",
    )

    page = series_page(esthetician_client, series)

    assert page.index("Tue 6 Oct, 10:00") < page.index("Tue 13 Oct, 10:00")
    assert page.index("Tue 13 Oct, 10:00") < page.index("Tue 20 Oct, 10:00")
    assert page.index("Tue 20 Oct, 10:00") < page.index("Tue 24 Nov, 10:00")
    assert "Completed" in page
    assert "Booked" in page
    assert "No-show" in page
    assert "Missed: The client did not come." in page
    assert "Missed: Filler injected Mon 19 Oct." in page
    assert reverse("session_detail", args=[no_show.pk]) in page


def test_make_up_sessions_are_labelled(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=1, booked=0)
    course(series, dt.date(2026, 12, 1), kind=Session.Kind.MAKE_UP)

    page = series_page(esthetician_client, series)

    assert "Make-up" in page


def test_a_flagged_session_says_needs_attention(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=0, booked=0)
    course(
        series,
        dt.date(2026, 12, 1),
        needs_attention=True,
        attention_reason="Filler injected Fri 20 Nov: no treatment until Fri 4 Dec.",
    )

    page = series_words(esthetician_client, series)

    assert "Needs attention Filler injected Fri 20 Nov" in page


def test_maintenance_schedule_shows_each_visit_with_its_due_date_and_status(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=8, booked=0)
    visit_session = SessionFactory(
        series=series,
        client=series.client,
        esthetician=esthetician,
        kind=Session.Kind.MAINTENANCE,
        starts_at=at(dt.date(2026, 12, 3)),
    )
    series.visits.create(number=1, due_on=dt.date(2026, 10, 20), status="completed")
    series.visits.create(
        number=2, due_on=dt.date(2026, 12, 1), status="booked", session=visit_session
    )
    series.visits.create(number=3, due_on=dt.date(2026, 12, 29))

    page = series_words(esthetician_client, series)

    assert "Maintenance 1 Due Tue 20 Oct Completed" in page
    assert "Maintenance 2 Due Tue 1 Dec Booked" in page
    assert "Thu 3 Dec, 10:00" in page
    assert "Maintenance 3 Due Tue 29 Dec Due" in page
    assert "Overdue" not in page


@pytest.mark.parametrize(
    ("due_on", "overdue"),
    [(TODAY - dt.timedelta(days=7), False), (TODAY - dt.timedelta(days=8), True)],
)
def test_a_visit_is_overdue_once_more_than_7_days_past_due(
    esthetician_client: BrowserClient, esthetician: Esthetician, due_on: dt.date, overdue: bool
) -> None:
    series = series_with_sessions(esthetician, completed=8, booked=0)
    series.visits.create(number=1, due_on=due_on)

    page = series_page(esthetician_client, series)

    assert ("Overdue" in page) is overdue


def test_a_due_visit_links_to_booking_it(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=8, booked=0)
    visit = series.visits.create(number=1, due_on=dt.date(2026, 12, 1))

    response = esthetician_client.get(reverse("series_detail", args=[series.pk]))

    book = f"{reverse('session_new')}?client={series.client.pk}&amp;visit={visit.pk}"
    assert book in response.content.decode()
    assert "Book maintenance 1" in words(response)


def test_before_the_course_ends_the_maintenance_plan_is_described(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=2, booked=6)

    page = series_page(esthetician_client, series)

    assert "After the course: 6 visits, one every 4 weeks." in page


@pytest.mark.parametrize("sessions", [8, 14])
def test_series_page_query_count_does_not_grow_with_sessions(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    sessions: int,
) -> None:
    series = series_with_sessions(esthetician, completed=sessions - 3, booked=3)
    for number in range(1, 4):
        series.visits.create(number=number, due_on=TODAY + dt.timedelta(weeks=4 * number))

    with django_assert_max_num_queries(7):
        page = series_page(esthetician_client, series)

    assert page.count('class="timeline__item') == sessions


def test_series_page_links_to_the_printable_home_care_sheet(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=0, booked=1)
    series.home_device, series.home_days_a_week = "NuFACE Trinity", 5
    series.save()

    page = series_words(esthetician_client, series)

    assert "NuFACE Trinity : 5 minutes a day, 5 days a week." in page
    assert "Printable home-care sheet for Iris" in page


# The home-care sheet ---------------------------------------------------------------------------


def test_home_care_sheet_shows_the_routine_and_the_next_visits(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=3, booked=2)
    series.home_device, series.home_days_a_week = "NuFACE Trinity", 5
    series.save()

    page = main_of(esthetician_client.get(reverse("series_home_care", args=[series.pk])))

    assert "For Iris Moss" in page
    assert "NuFACE Trinity" in page
    assert "5 minutes a day, 5 days a week." in page
    assert "conductive gel" in page
    assert page.index("Tue 24 Nov, 10:00") < page.index("Tue 1 Dec, 10:00")
    assert "Tue 6 Oct" not in page


def test_home_care_sheet_without_a_plan_says_so(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=0, booked=1)

    page = main_of(esthetician_client.get(reverse("series_home_care", args=[series.pk])))

    assert "There is no home-care plan for this series." in page
    assert "conductive gel" not in page


def test_home_care_sheet_has_a_print_stylesheet(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=0, booked=1)

    response = esthetician_client.get(reverse("series_home_care", args=[series.pk]))

    assert 'series-print.css" media="print"' in response.content.decode()


# The client page -------------------------------------------------------------------------------


def test_client_page_links_to_planning_a_series_and_to_each_series(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = series_with_sessions(esthetician, completed=0, booked=1)

    page = main_of(esthetician_client.get(reverse("client_detail", args=[series.client.pk])))

    assert f'href="{NEW_URL}?client={series.client.pk}">Plan a series' in page
    assert f'href="{reverse("series_detail", args=[series.pk])}"' in page


# Who may see these pages -----------------------------------------------------------------------


def series_urls(series: Series) -> list[tuple[str, str]]:
    return [
        ("get", NEW_URL),
        ("post", NEW_URL),
        ("get", reverse("series_client_search")),
        ("get", reverse("series_detail", args=[series.pk])),
        ("get", reverse("series_home_care", args=[series.pk])),
    ]


def test_anonymous_visitors_are_sent_to_log_in(db: None) -> None:
    browser = BrowserClient()

    for method, url in series_urls(SeriesFactory()):
        response = getattr(browser, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_people_in_no_staff_group_are_refused(db: None) -> None:
    browser = BrowserClient()
    browser.force_login(UserFactory(username="visitor"))

    for method, url in series_urls(SeriesFactory()):
        assert getattr(browser, method)(url).status_code == 403, url


@pytest.mark.parametrize("name", ["series_detail", "series_home_care"])
def test_an_unknown_series_is_not_found(esthetician_client: BrowserClient, name: str) -> None:
    assert esthetician_client.get(reverse(name, args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"client": "abc"},
        {"client": "99999999999999999999999"},
        {"treatment": "99999999999999999999999"},
        {"esthetician": "-1"},
        {"starts_on": "2026-02-30"},
        {"starts_on": "2020-01-01"},
        {"planned_sessions": "eight"},
        {"planned_sessions": "99999999999999999999999"},
        {"sessions_per_week": "3"},
        {"weekdays": ["9", "x"]},
        {"preferred_time": "25:61"},
        {"maintenance_weeks": "-4"},
        {"home_days_a_week": "8"},
        {"q": "%00" * 50},
    ],
)
def test_bad_choices_never_fail(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    treatment: Treatment,
    changes: dict[str, Any],
) -> None:
    query = choices(cleared(), esthetician, treatment, **changes)

    assert esthetician_client.get(NEW_URL, query).status_code == 200
    assert esthetician_client.get(NEW_URL, query, headers=HTMX).status_code == 200
    assert (
        confirm(esthetician_client, query, {"slot": ["2026-12-01T10:00:00+00:00"]}).status_code
        == 200
    )
    assert not Series.objects.exists()


def test_a_manager_without_an_esthetician_row_gets_no_default_esthetician(
    manager_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    client = cleared()

    page = main_of(manager_client.get(NEW_URL, {"client": client.pk}))

    estheticians = page.split('name="esthetician"', 1)[1].split("</select>", 1)[0]
    assert "selected" not in estheticians.replace('value="" selected', "")
    assert (
        "To see the plan, choose the treatment, esthetician, preferred days and preferred time."
        in page
    )


def test_a_series_starting_beyond_a_year_is_refused_calmly(
    esthetician_client: BrowserClient, esthetician: Esthetician, treatment: Treatment
) -> None:
    query = choices(cleared(), esthetician, treatment, starts_on="9999-12-31")

    page = preview(esthetician_client, query)
    posted = esthetician_client.post(NEW_URL, query)

    said = "A series can be booked up to a year ahead: choose a date until Mon 22 Nov 2027."
    assert said in page
    assert 'id="id_starts_on_error"' in main_of(esthetician_client.get(NEW_URL, query))
    assert posted.status_code == 200
    assert said in text(posted)
