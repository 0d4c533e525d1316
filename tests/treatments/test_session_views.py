"""The session screens: booking one session, the session page, check-in and the record."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as BrowserClient
from django.urls import reverse

from clients.models import Client, Intake
from tests.clients.factories import ClientFactory, IntakeFactory, UserFactory
from tests.treatments.factories import (
    ClosureFactory,
    EstheticianFactory,
    SeriesFactory,
    SessionFactory,
    TreatmentFactory,
    WorkingHoursFactory,
)
from treatments import services
from treatments.models import (
    Esthetician,
    MaintenanceVisit,
    Series,
    Session,
    Treatment,
    TreatmentRecord,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)  # Sat 21 Nov 2026, 09:00 in the spa
MONDAY = dt.date(2026, 11, 30)
TUESDAY = dt.date(2026, 12, 1)
NOTHING = {"has_pacemaker": "no", "acute_acne": "no", "pregnant": "no", "had_injectable": "no"}
RECORD = {
    "intensity_ua": "200",
    "frequency_hz": "300",
    "waveform": "square",
    "areas": ["cheekbones", "jawline"],
    "minutes": "45",
    "gel_used": "Conductive gel",
    "tolerance": "comfortable",
    "adverse_reaction": "",
    "notes": "",
}


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


CHECK_IN = at(TUESDAY, 10, 0)  # on time, on the session's day


@pytest.fixture(autouse=True)
def clock(settings):
    """The clock stands at Sat 21 Nov 2026, 09:00 in the spa. Tests move it days on, with the
    esthetician still signed in, so a sign-in lasts longer than a working day here."""
    settings.SESSION_COOKIE_AGE = 14 * 24 * 60 * 60
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def treatment(db: None) -> Treatment:
    return TreatmentFactory(minutes=60)


def cleared_client(**answers: Any) -> Client:
    """A client (Iris Moss) with an intake from yesterday: clear unless answers say otherwise."""
    client = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=client, submitted_at=NOW - dt.timedelta(days=1), **answers)
    return client


def markup(response: Any) -> str:
    """The page's main part (or the whole partial), with entities such as &#x27; unescaped."""
    content = response.content.decode()
    return html.unescape(content.split("<main", 1)[-1])


def text(response: Any) -> str:
    """The words of the page's main part as a person reads them, tags left out."""
    words = re.sub(r"<[^>]+>", " ", markup(response))
    return re.sub(r"\s+", " ", words).replace(" .", ".").replace(" ,", ",")


def booking(client: Client, esthetician: Esthetician, treatment: Treatment, **changes: Any):
    return {
        "client": client.pk,
        "esthetician": esthetician.pk,
        "treatment": treatment.pk,
        "day": TUESDAY.isoformat(),
        "time": "10:00",
        "caution_note": "",
        **changes,
    }


def book(browser: BrowserClient, data: dict[str, Any]) -> Any:
    return browser.post(reverse("session_new"), data)


def booked(esthetician: Esthetician, client: Client | None = None, **fields: Any) -> Session:
    """A single session on Tue 1 Dec at 10:00 with the esthetician."""
    return SessionFactory(
        esthetician=esthetician,
        client=client or cleared_client(),
        starts_at=fields.pop("starts_at", at(TUESDAY)),
        **fields,
    )


def series_of_eight(esthetician: Esthetician, treatment: Treatment, client: Client) -> Series:
    """Eight Tuesdays at 10:00 from Tue 1 Dec."""
    return services.series_create(
        client=client,
        esthetician=esthetician,
        treatment=treatment,
        starts_on=TUESDAY,
        planned_sessions=8,
        sessions_per_week=1,
        weekdays=[1],
        preferred_time=dt.time(10),
        created_by=esthetician.user,
    )


# Booking --------------------------------------------------------------------------------------


def test_the_booking_page_is_prefilled_from_the_query(esthetician_client, esthetician, treatment):
    client = cleared_client()

    response = esthetician_client.get(
        reverse("session_new"),
        {
            "client": client.pk,
            "esthetician": esthetician.pk,
            "treatment": treatment.pk,
            "day": "2026-12-01",
            "time": "10:00",
        },
    )

    page = markup(response)
    assert response.status_code == 200
    assert "For Iris Moss" in text(response)
    assert 'value="2026-12-01"' in page
    assert 'value="10:00"' in page
    assert f'<option value="{esthetician.pk}" selected>' in page
    assert f'<option value="{treatment.pk}" selected>' in page
    assert "Can be booked" in page


def treatment_options(response: Any) -> str:
    return markup(response).split('name="treatment"', 1)[1].split("</select>", 1)[0]


def test_a_client_never_treated_gets_no_treatment_and_the_check_waits(
    esthetician_client, esthetician, treatment
):
    TreatmentFactory(name="Microcurrent express", minutes=45)

    response = esthetician_client.get(
        reverse("session_new"), {"client": cleared_client().pk, "day": "2026-12-01"}
    )

    assert '<option value="" selected>Choose a treatment</option>' in treatment_options(response)
    assert "Choose the esthetician, treatment, date and time" in text(response)


def test_the_clients_last_treatment_is_preselected(esthetician_client, esthetician, treatment):
    express = TreatmentFactory(name="Microcurrent express", minutes=45)
    client = cleared_client()
    booked(esthetician, client, treatment=express, starts_at=at(TUESDAY - dt.timedelta(days=60)))
    booked(esthetician, client, treatment=treatment, starts_at=at(TUESDAY - dt.timedelta(days=30)))

    response = esthetician_client.get(reverse("session_new"), {"client": client.pk})

    assert f'<option value="{treatment.pk}" selected>' in treatment_options(response)


def test_a_cancelled_session_does_not_count_as_the_last_treatment(
    esthetician_client, esthetician, treatment
):
    express = TreatmentFactory(name="Microcurrent express", minutes=45)
    client = cleared_client()
    booked(esthetician, client, treatment=treatment, starts_at=at(TUESDAY - dt.timedelta(days=60)))
    booked(
        esthetician,
        client,
        treatment=express,
        starts_at=at(TUESDAY - dt.timedelta(days=30)),
        status=Session.Status.CANCELLED,
    )

    response = esthetician_client.get(reverse("session_new"), {"client": client.pk})

    assert f'<option value="{treatment.pk}" selected>' in treatment_options(response)


def test_booking_without_a_treatment_says_so_beside_the_field(
    esthetician_client, esthetician, treatment
):
    data = booking(cleared_client(), esthetician, treatment) | {"treatment": ""}

    response = book(esthetician_client, data)

    assert not Session.objects.exists()
    page = markup(response)
    assert '<div class="field__error" id="id_treatment_error">' in page
    assert "Choose the treatment." in text(response)


def test_without_a_client_the_booking_page_searches_for_one(esthetician_client, esthetician):
    client = cleared_client()

    response = esthetician_client.get(
        reverse("session_new"), {"q": "moss", "esthetician": esthetician.pk, "day": "2026-12-01"}
    )

    page = markup(response)
    assert "Who is the session for?" in page
    assert "Iris Moss" in page
    assert f"?esthetician={esthetician.pk}&day=2026-12-01&client={client.pk}" in page


def calendar_slot(esthetician: Esthetician) -> dict[str, Any]:
    """What a free slot of the team's day links to the booking page with."""
    return {"esthetician": esthetician.pk, "day": "2026-12-01", "time": "10:00", "calendar": "day"}


def the_day_on_the_calendar(esthetician: Esthetician) -> str:
    """The team's day the slot was picked on, the way back from booking it."""
    return f"{reverse('calendar')}?view=day&date=2026-12-01&esthetician={esthetician.pk}"


def breadcrumb_of(response: Any) -> str:
    breadcrumb = markup(response).split('<p class="breadcrumb">', 1)[1].split("</p>", 1)[0]
    return " ".join(breadcrumb.split())


def cancel_of(response: Any) -> str:
    found = re.search(
        r'<a class="button button--quiet" href="([^"]*)">Cancel</a>', markup(response)
    )
    assert found is not None
    return found.group(1)


def test_a_free_slot_shows_who_and_when_above_the_client_search(esthetician_client, esthetician):
    response = esthetician_client.get(reverse("session_new"), calendar_slot(esthetician))

    said = text(response)
    assert f"The slot Tue 1 Dec, 10:00 with {esthetician}" in said
    assert said.index("The slot") < said.index("Who is the session for?")
    back = the_day_on_the_calendar(esthetician)
    assert f'<a href="{back}">Choose another slot</a>' in markup(response)


def test_from_a_free_slot_the_breadcrumb_leads_back_to_the_calendar(
    esthetician_client, esthetician
):
    response = esthetician_client.get(reverse("session_new"), calendar_slot(esthetician))

    back = the_day_on_the_calendar(esthetician)
    assert breadcrumb_of(response) == f'<a href="{back}">Calendar</a> › Tue 1 Dec'


def test_a_slot_without_the_calendars_view_leads_back_to_the_week(esthetician_client, esthetician):
    slot = {"esthetician": esthetician.pk, "day": "2026-12-01", "time": "10:00"}

    response = esthetician_client.get(reverse("session_new"), slot)

    back = f"{reverse('calendar')}?date=2026-12-01&esthetician={esthetician.pk}"
    assert breadcrumb_of(response) == f'<a href="{back}">Calendar</a> › Tue 1 Dec'


def test_without_a_slot_or_a_client_the_breadcrumb_says_book_a_session(esthetician_client):
    response = esthetician_client.get(reverse("session_new"))

    breadcrumb = markup(response).split('<p class="breadcrumb">', 1)[1].split("</p>", 1)[0]
    assert breadcrumb.strip() == "Book a session"
    assert "The slot" not in text(response)


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_the_client_search_keeps_the_slot_in_every_result(esthetician_client, esthetician, headers):
    client = cleared_client()

    response = esthetician_client.get(
        reverse("session_new"), calendar_slot(esthetician) | {"q": "moss"}, headers=headers
    )

    slot = f"esthetician={esthetician.pk}&day=2026-12-01&time=10%3A00&calendar=day"
    assert f'href="?{slot}&client={client.pk}"' in markup(response)


def test_choosing_a_client_from_a_slot_checks_that_slot(esthetician_client, esthetician, treatment):
    client = cleared_client()
    booked(esthetician, client, treatment=treatment, starts_at=at(TUESDAY - dt.timedelta(days=7)))

    response = esthetician_client.get(
        reverse("session_new"), calendar_slot(esthetician) | {"client": client.pk}
    )

    page = markup(response)
    assert "For Iris Moss" in text(response)
    assert 'name="day" value="2026-12-01"' in page
    assert 'name="time" value="10:00"' in page
    assert "Can be booked" in text(response)


def test_once_a_client_is_chosen_the_way_back_to_the_calendar_stays(
    esthetician_client, esthetician, treatment
):
    client = cleared_client()

    response = esthetician_client.get(
        reverse("session_new"), calendar_slot(esthetician) | {"client": client.pk}
    )

    back = the_day_on_the_calendar(esthetician)
    assert breadcrumb_of(response) == f'<a href="{back}">Calendar</a> › Tue 1 Dec'
    assert f"The slot Tue 1 Dec, 10:00 with {esthetician}" in text(response)
    assert cancel_of(response) == back


def test_the_booking_form_carries_where_the_slot_was_picked(
    esthetician_client, esthetician, treatment
):
    client = cleared_client()

    response = esthetician_client.get(
        reverse("session_new"), calendar_slot(esthetician) | {"client": client.pk}
    )

    form = markup(response).split('<form method="post"', 1)[1].split("</form>", 1)[0]
    # htmx sends the form's fields on each change and puts them in the address.
    assert '<input type="hidden" name="calendar" value="day">' in form


def test_a_refused_booking_from_a_slot_keeps_the_way_back(
    esthetician_client, esthetician, treatment
):
    client = cleared_client()
    booked(esthetician, treatment=treatment)

    response = book(esthetician_client, booking(client, esthetician, treatment, calendar="day"))

    assert "Not booked." in text(response)
    back = the_day_on_the_calendar(esthetician)
    assert breadcrumb_of(response) == f'<a href="{back}">Calendar</a> › Tue 1 Dec'
    assert cancel_of(response) == back


@pytest.mark.parametrize("mark", ["", "month", "<script>"])
def test_without_the_calendars_mark_a_chosen_client_keeps_the_clients_way_back(
    esthetician_client, esthetician, treatment, mark
):
    client = cleared_client()
    query = {"client": client.pk, "esthetician": esthetician.pk, "day": "2026-12-01"}

    response = esthetician_client.get(
        reverse("session_new"), query | {"time": "10:00", "calendar": mark}
    )

    client_page = reverse("client_detail", args=[client.pk])
    assert breadcrumb_of(response) == (
        f'<a href="{reverse("client_list")}">Clients</a> › <a href="{client_page}">Iris Moss</a>'
    )
    assert "The slot" not in text(response)
    assert cancel_of(response) == client_page
    assert 'name="calendar"' not in markup(response)


def test_choosing_another_client_keeps_the_slot(esthetician_client, esthetician, treatment):
    client = cleared_client()
    query = calendar_slot(esthetician) | {"client": client.pk, "treatment": treatment.pk}

    response = esthetician_client.get(reverse("session_new"), query)

    slot = f"esthetician={esthetician.pk}&day=2026-12-01&time=10%3A00&calendar=day"
    assert f'<a href="{reverse("session_new")}?{slot}">choose another client</a>' in markup(
        response
    )


def test_the_client_search_answers_htmx_with_the_results_only(esthetician_client):
    cleared_client()

    response = esthetician_client.get(
        reverse("session_new"), {"q": "iris"}, headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert "Iris Moss" in content
    assert "<html" not in content
    assert 'id="client-results"' in content


def test_the_client_search_shows_ten_clients_at_most(esthetician_client):
    for number in range(12):
        ClientFactory(first_name="Iris", last_name=f"Moss{number:02d}")

    response = esthetician_client.get(reverse("session_new"), {"q": "iris"})

    assert markup(response).count('class="pick"') == 10


def test_the_check_partial_shows_the_days_findings_and_a_free_slot(
    esthetician_client, esthetician, treatment
):
    client = cleared_client(epilepsy=True)

    response = esthetician_client.get(
        reverse("session_new"),
        booking(client, esthetician, treatment),
        headers={"HX-Request": "true"},
    )

    page = text(response)
    assert "<html" not in markup(response)
    assert 'id="booking-check"' in markup(response)
    assert f"Free {esthetician} is free then." in page
    assert "Caution Epilepsy: book only with a staff note acknowledging it." in page
    assert "Iris on Tue 1 Dec" in page


def test_the_check_partial_says_when_the_slot_is_taken(esthetician_client, esthetician, treatment):
    booked(esthetician, starts_at=at(TUESDAY, 9, 30))

    response = esthetician_client.get(
        reverse("session_new"),
        booking(cleared_client(), esthetician, treatment),
        headers={"HX-Request": "true"},
    )

    page = text(response)
    assert f"Taken {esthetician} already has a session from 09:30 on Tue 1 Dec." in page
    assert "Can’t be booked" in page


def test_the_check_shows_a_dated_block_until_when(esthetician_client, esthetician, treatment):
    client = cleared_client(last_injectable_on=dt.date(2026, 11, 20))

    response = esthetician_client.get(
        reverse("session_new"),
        booking(client, esthetician, treatment, day=MONDAY.isoformat()),
        headers={"HX-Request": "true"},
    )

    page = text(response)
    assert "Blocked until Fri 4 Dec Filler or botox injected Fri 20 Nov" in page
    assert "Earliest allowed: Fri 4 Dec, 10:00" in page


BLOCKS = [
    pytest.param(
        {"has_pacemaker": True},
        "Pacemaker or other implanted electronic device: microcurrent must never be used.",
        None,
        None,
        id="pacemaker",
    ),
    pytest.param(
        {"acute_acne": True},
        "Acne flare-up or acutely inflamed skin: no treatment until a new intake or "
        "pre-treatment check records that it has cleared.",
        None,
        None,
        id="acute_acne",
    ),
    pytest.param(
        {"pregnant": True, "due_date": dt.date(2027, 6, 1)},
        "First trimester of pregnancy (due Tue 1 Jun 2027): no treatment until Tue 1 Dec.",
        "Tue 1 Dec",
        "Tue 1 Dec, 10:00",
        id="pregnancy_first_trimester",
    ),
    pytest.param(
        {"pregnant": True},
        "Pregnant, with no due date on the intake: no treatment until a new intake gives the "
        "due date.",
        None,
        None,
        id="pregnancy_due_date_missing",
    ),
    pytest.param(
        {"last_injectable_on": dt.date(2026, 11, 20)},
        "Filler or botox injected Fri 20 Nov: no treatment until Fri 4 Dec, 14 days after.",
        "Fri 4 Dec",
        "Fri 4 Dec, 10:00",
        id="recent_injectable",
    ),
]


@pytest.mark.parametrize(("answers", "message", "until", "earliest"), BLOCKS)
def test_a_block_refuses_the_booking_with_its_reason_and_the_earliest_date(
    esthetician_client, esthetician, treatment, answers, message, until, earliest
):
    client = cleared_client(**answers)

    response = book(esthetician_client, booking(client, esthetician, treatment, day="2026-11-30"))

    page = text(response)
    assert response.status_code == 200
    assert message in page
    if until:
        assert f"Blocked until {until}" in page
        assert f"Earliest allowed: {earliest}" in page
    else:
        assert "No date within a year can be booked:" in page
    assert not Session.objects.exists()


def test_a_client_without_an_intake_is_refused(esthetician_client, esthetician, treatment):
    client = ClientFactory()

    page = text(book(esthetician_client, booking(client, esthetician, treatment)))

    assert "No health intake on file: the client must fill one in before booking." in page
    assert "No date within a year can be booked:" in page
    assert not Session.objects.exists()


def test_a_client_with_an_expired_intake_is_refused(esthetician_client, esthetician, treatment):
    client = ClientFactory()
    IntakeFactory(client=client, submitted_at=NOW - dt.timedelta(days=91))

    page = text(book(esthetician_client, booking(client, esthetician, treatment)))

    assert "is more than 90 days old: the client must fill in a new one." in page
    assert "No date within a year can be booked:" in page
    assert not Session.objects.exists()


CALENDAR_REFUSALS: list[Any] = [
    pytest.param(
        lambda esthetician: booked(esthetician),
        {},
        "{esthetician} already has a session from 10:00 on Tue 1 Dec.",
        "Earliest allowed: Wed 2 Dec, 10:00",
        id="slot_taken",
    ),
    pytest.param(
        lambda esthetician: None,
        {"time": "16:30"},
        "16:30–17:30 is outside {esthetician}'s hours on Tuesdays (09:00–17:00).",
        "No date within a year can be booked: No free 16:30 slot for session 1 within a year "
        "of Tue 1 Dec.",
        id="outside_hours",
    ),
    pytest.param(
        lambda esthetician: ClosureFactory(starts_on=TUESDAY, ends_on=TUESDAY, reason="Training"),
        {},
        "The spa is closed on Tue 1 Dec (Training).",
        "Earliest allowed: Wed 2 Dec, 10:00",
        id="spa_closed",
    ),
]


@pytest.mark.parametrize(("arrange", "changes", "message", "instead"), CALENDAR_REFUSALS)
def test_a_calendar_refusal_is_listed(
    esthetician_client,
    esthetician,
    treatment,
    arrange: Callable[[Esthetician], object],
    changes: dict[str, str],
    message: str,
    instead: str,
):
    arrange(esthetician)
    client = cleared_client()

    page = text(book(esthetician_client, booking(client, esthetician, treatment, **changes)))

    assert message.format(esthetician=esthetician) in page
    assert instead in page
    assert not Session.objects.filter(client=client).exists()


def test_a_caution_without_a_note_is_refused_with_the_reason(
    esthetician_client, esthetician, treatment
):
    client = cleared_client(epilepsy=True)

    page = text(book(esthetician_client, booking(client, esthetician, treatment)))

    assert (
        "A note acknowledging the client's cautions is needed: Epilepsy: book only with a "
        "staff note acknowledging it." in page
    )
    assert not Session.objects.exists()


def test_every_reason_is_listed_at_once(esthetician_client, esthetician, treatment):
    booked(esthetician)
    client = cleared_client(has_pacemaker=True, epilepsy=True)

    page = text(book(esthetician_client, booking(client, esthetician, treatment)))

    assert "3 reasons, all listed below." in page
    assert f"{esthetician} already has a session from 10:00 on Tue 1 Dec." in page
    assert "Pacemaker or other implanted electronic device" in page
    assert "A note acknowledging the client's cautions is needed" in page


def test_a_refusal_keeps_everything_typed(esthetician_client, esthetician, treatment):
    booked(esthetician)
    client = cleared_client(epilepsy=True)
    data = booking(client, esthetician, treatment, caution_note="Seizure-free for 5 years.")

    page = markup(book(esthetician_client, data))

    assert "Seizure-free for 5 years.</textarea>" in page
    assert 'value="2026-12-01"' in page
    assert 'value="10:00"' in page
    assert f'<option value="{treatment.pk}" selected>' in page


def test_a_booking_redirects_to_the_new_session(esthetician_client, esthetician, treatment):
    client = cleared_client()

    response = book(esthetician_client, booking(client, esthetician, treatment))

    session = Session.objects.get(client=client)
    assert response.status_code == 302
    assert response.url == reverse("session_detail", args=[session.pk])
    assert session.starts_at == at(TUESDAY)
    assert session.booked_by == esthetician.user
    page = text(esthetician_client.get(response.url))
    assert f"Booked: Iris Moss, Tue 1 Dec, 10:00–11:00 with {esthetician}." in page


def test_a_booking_reads_the_calendar_once_under_its_locks(
    esthetician_client, esthetician, treatment, django_assert_num_queries
):
    client = cleared_client()
    for week in range(1, 30):
        booked(esthetician, starts_at=at(TUESDAY + dt.timedelta(weeks=week)))

    # The sign-in (3), the form's choices (3), the locks (2), the intake, the hours, the days
    # off, the sessions, the session in a savepoint (3), its reminder; and this test's own
    # savepoint around it all (2).
    with django_assert_num_queries(18):
        response = book(esthetician_client, booking(client, esthetician, treatment))

    assert response.status_code == 302
    assert Session.objects.filter(client=client).count() == 1


def test_a_caution_with_a_note_is_booked(esthetician_client, esthetician, treatment):
    client = cleared_client(epilepsy=True)

    book(esthetician_client, booking(client, esthetician, treatment, caution_note="GP letter."))

    assert Session.objects.get(client=client).caution_note == "GP letter."


@pytest.fixture
def due_visit(esthetician: Esthetician, treatment: Treatment) -> MaintenanceVisit:
    """The first maintenance visit of a completed course, due Tue 1 Dec; 10:00 is preferred."""
    series = SeriesFactory(
        client=cleared_client(),
        esthetician=esthetician,
        treatment=treatment,
        status=Series.Status.COMPLETED,
    )
    TreatmentFactory(name="Maintenance lift", minutes=45, kind=Treatment.Kind.MAINTENANCE)
    return MaintenanceVisit.objects.create(series=series, number=1, due_on=TUESDAY)


def test_a_maintenance_visit_prefills_the_booking_with_its_series_treatment(
    esthetician_client, due_visit
):
    response = esthetician_client.get(reverse("session_new"), {"visit": due_visit.pk})

    page = markup(response)
    assert "Book maintenance visit 1" in page
    assert "For Iris Moss" in text(response)
    assert 'value="2026-12-01"' in page
    assert 'value="10:00"' in page
    assert f'<option value="{due_visit.series.treatment_id}" selected>' in treatment_options(
        response
    )
    assert f'name="maintenance_visit" value="{due_visit.pk}"' in page


def test_a_later_visit_prefills_the_treatment_of_the_last_one(
    esthetician_client, esthetician, due_visit
):
    maintenance = Treatment.objects.get(name="Maintenance lift")
    series = due_visit.series
    SessionFactory(
        client=series.client,
        esthetician=esthetician,
        treatment=maintenance,
        series=series,
        kind=Session.Kind.MAINTENANCE,
        status=Session.Status.COMPLETED,
        starts_at=at(TUESDAY - dt.timedelta(days=28)),
    )
    # Another treatment the client had elsewhere since is not this series' visit.
    express = TreatmentFactory(name="Microcurrent express", minutes=45)
    booked(esthetician, series.client, treatment=express, starts_at=at(TUESDAY - dt.timedelta(7)))

    response = esthetician_client.get(reverse("session_new"), {"visit": due_visit.pk})

    assert f'<option value="{maintenance.pk}" selected>' in treatment_options(response)


def test_booking_a_maintenance_visit_links_the_visit(esthetician_client, esthetician, due_visit):
    maintenance = Treatment.objects.get(name="Maintenance lift")
    data = booking(
        due_visit.series.client, esthetician, maintenance, maintenance_visit=due_visit.pk
    )

    response = book(esthetician_client, data)

    due_visit.refresh_from_db()
    assert response.status_code == 302
    assert due_visit.status == MaintenanceVisit.Status.BOOKED
    assert due_visit.session.kind == Session.Kind.MAINTENANCE
    assert due_visit.session.series == due_visit.series


def test_a_visit_booked_meanwhile_is_said_to_be_gone(esthetician_client, due_visit):
    due_visit.status = MaintenanceVisit.Status.BOOKED
    due_visit.save()

    response = esthetician_client.get(reverse("session_new"), {"visit": due_visit.pk})

    assert "That maintenance visit is no longer waiting to be booked" in text(response)


def test_the_booking_form_reassesses_live_and_keeps_the_address(esthetician_client, esthetician):
    response = esthetician_client.get(reverse("session_new"), {"client": cleared_client().pk})

    page = markup(response)
    assert f'hx-get="{reverse("session_new")}"' in page
    assert 'hx-target="#booking-check"' in page
    assert 'hx-push-url="true"' in page
    assert 'hx-params="not csrfmiddlewaretoken,caution_note"' in page


# The session page -----------------------------------------------------------------------------


def session_page(browser: BrowserClient, session: Session, *, tags: bool = False) -> str:
    response = browser.get(reverse("session_detail", args=[session.pk]))
    assert response.status_code == 200
    return markup(response) if tags else text(response)


def test_the_session_page_says_who_when_and_what(esthetician_client, esthetician, treatment):
    series = series_of_eight(esthetician, treatment, cleared_client())
    session = series.sessions.order_by("starts_at")[2]

    page = session_page(esthetician_client, session)

    assert "Tue 15 Dec, 10:00–11:00" in page
    assert f"Microcurrent lift with {esthetician}" in page
    series_link = f'<a href="{reverse("series_detail", args=[series.pk])}">Series 3 of 8</a>'
    assert series_link in session_page(esthetician_client, session, tags=True)
    assert "Booked" in page
    assert "Nothing on the health intake stands in the way." in page


def test_the_session_page_shows_a_flag_and_the_caution_note(esthetician_client, esthetician):
    session = booked(
        esthetician,
        caution_note="Plates in the jaw.",
        needs_attention=True,
        attention_reason="Pacemaker fitted.",
    )

    page = session_page(esthetician_client, session)

    assert "Plates in the jaw." in page
    assert "Needs attention Pacemaker fitted." in page


def test_a_booked_session_on_its_day_offers_check_in_reschedule_and_cancel(
    esthetician_client, esthetician, clock
):
    session = booked(esthetician)
    clock.move_to(at(TUESDAY, 9, 30))

    page = session_page(esthetician_client, session, tags=True)

    assert ">Check in</a>" in page
    assert "<summary>Reschedule</summary>" in page
    assert "<summary>Cancel</summary>" in page
    assert "No-show: the client did not come</button>" not in page
    assert "Complete: record the treatment" not in page


@pytest.mark.parametrize("moment", [at(MONDAY, 23, 59), NOW])
def test_before_its_day_a_session_says_when_check_in_opens(
    esthetician_client, esthetician, clock, moment
):
    session = booked(esthetician)
    clock.move_to(moment)

    page = session_page(esthetician_client, session, tags=True)

    assert ">Check in</a>" not in page
    assert "It opens on the day of the session, Tue 1 Dec." in page


@pytest.mark.parametrize("moment", [at(MONDAY, 23, 59), at(dt.date(2026, 12, 2), 0, 0), NOW])
def test_check_in_on_another_day_is_refused_before_the_form_is_shown(
    esthetician_client, esthetician, clock, moment
):
    session = booked(esthetician)
    clock.move_to(moment)

    shown = esthetician_client.get(reverse("session_check_in", args=[session.pk]), follow=True)
    posted = check_in(esthetician_client, session)

    assert "Check-in is on the day of the session: Tue 1 Dec." in text(shown)
    assert 'name="has_pacemaker"' not in markup(shown)
    assert posted.url == reverse("session_detail", args=[session.pk])
    assert Intake.objects.filter(client=session.client).count() == 1
    session.refresh_from_db()
    assert session.checked_in_at is None


def test_a_started_session_offers_the_no_show(esthetician_client, esthetician, clock):
    session = booked(esthetician)
    clock.move_to(at(TUESDAY, 10, 15))

    page = session_page(esthetician_client, session, tags=True)

    assert "No-show: the client did not come</button>" in page


def test_a_checked_in_session_offers_completing_it_once_started(
    esthetician_client, esthetician, clock
):
    session = booked(esthetician, checked_in_at=at(TUESDAY, 9, 55))
    clock.move_to(at(TUESDAY, 10, 0))

    page = session_page(esthetician_client, session, tags=True)

    assert "Checked in at 09:55" in page
    assert "Complete: record the treatment</a>" in page
    assert ">Check in</a>" not in page


@pytest.mark.parametrize(
    ("status", "reason", "said"),
    [
        (Session.Status.CANCELLED, "Client is ill.", "Cancelled: Client is ill."),
        (Session.Status.NO_SHOW, "The client did not come.", "No-show: The client did not come."),
        (Session.Status.POSTPONED, "Acne flare-up.", "Postponed: Acne flare-up."),
    ],
)
def test_an_ended_session_says_how_and_offers_nothing(
    esthetician_client, esthetician, status, reason, said
):
    session = booked(esthetician, status=status, status_reason=reason)

    page = session_page(esthetician_client, session)

    assert said in page
    assert "Reschedule" not in page
    assert "Check in" not in page


def test_a_completed_session_shows_its_treatment_record(esthetician_client, esthetician):
    session = booked(esthetician, status=Session.Status.COMPLETED)
    TreatmentRecord.objects.create(
        session=session,
        intensity_ua=200,
        frequency_hz=300,
        waveform="square",
        areas=["cheekbones", "jawline"],
        minutes=45,
        gel_used="Conductive gel",
        tolerance="tingling",
        adverse_reaction="Slight redness.",
    )

    page = session_page(esthetician_client, session)

    assert "200 µA" in page
    assert "300.0 Hz" in page
    assert "Cheekbones, Jawline" in page
    assert "Mild tingling" in page
    assert "Slight redness." in page
    assert "Reschedule" not in page


def test_rescheduling_moves_the_session(esthetician_client, esthetician):
    session = booked(esthetician)

    response = esthetician_client.post(
        reverse("session_reschedule", args=[session.pk]), {"day": "2026-12-02", "time": "11:00"}
    )

    session.refresh_from_db()
    assert response.status_code == 302
    assert session.starts_at == at(dt.date(2026, 12, 2), 11)
    assert "Moved to Wed 2 Dec, 11:00." in session_page(esthetician_client, session)


def test_a_refused_reschedule_lists_every_reason(esthetician_client, esthetician):
    session = booked(esthetician, client=cleared_client(last_injectable_on=dt.date(2026, 11, 20)))
    booked(esthetician, starts_at=at(dt.date(2026, 12, 3)))

    response = esthetician_client.post(
        reverse("session_reschedule", args=[session.pk]), {"day": "2026-12-03", "time": "10:00"}
    )

    page = text(response)
    session.refresh_from_db()
    assert response.status_code == 200
    assert "Not moved:" in page
    assert f"{esthetician} already has a session from 10:00 on Thu 3 Dec." in page
    assert "no treatment until Fri 4 Dec, 14 days after." in page
    assert "Until Fri 4 Dec" in page
    assert "Earliest allowed: Fri 4 Dec, 10:00" in page
    assert session.starts_at == at(TUESDAY)


def colleague(first_name: str = "Ben", weekdays: range = range(6)) -> Esthetician:
    """Another esthetician (surname Lee), working 09:00 to 17:00 on these weekdays."""
    other = EstheticianFactory(user__first_name=first_name, user__last_name="Lee")
    for weekday in weekdays:
        WorkingHoursFactory(esthetician=other, weekday=weekday)
    return other


def test_the_reschedule_form_offers_another_esthetician_with_the_sessions_own_chosen(
    esthetician_client, esthetician
):
    ben = colleague()
    session = booked(esthetician)

    page = session_page(esthetician_client, session, tags=True)

    assert '<select name="esthetician"' in page
    assert f'<option value="{esthetician.pk}" selected>{esthetician}</option>' in page
    assert f'<option value="{ben.pk}">Ben Lee</option>' in page


def test_rescheduling_to_another_esthetician_moves_the_session_to_them(
    esthetician_client, esthetician
):
    ben = colleague()
    session = booked(esthetician)

    response = esthetician_client.post(
        reverse("session_reschedule", args=[session.pk]),
        {"day": "2026-12-02", "time": "11:00", "esthetician": ben.pk},
    )

    session.refresh_from_db()
    assert response.status_code == 302
    assert (session.esthetician, session.starts_at) == (ben, at(dt.date(2026, 12, 2), 11))
    assert "Moved to Wed 2 Dec, 11:00 with Ben Lee." in session_page(esthetician_client, session)


def test_a_refused_move_to_another_esthetician_names_them_and_their_earliest_time(
    esthetician_client, esthetician
):
    # Ben works Thursdays only, and Thu 3 Dec at 10:00 is taken.
    ben = colleague(weekdays=range(3, 4))
    booked(ben, starts_at=at(dt.date(2026, 12, 3)))
    session = booked(esthetician)

    response = esthetician_client.post(
        reverse("session_reschedule", args=[session.pk]),
        {"day": "2026-12-03", "time": "10:00", "esthetician": ben.pk},
    )

    page = text(response)
    session.refresh_from_db()
    assert "Not moved:" in page
    assert "Ben Lee already has a session from 10:00 on Thu 3 Dec." in page
    assert "Earliest allowed: Thu 10 Dec, 10:00" in page
    assert session.esthetician == esthetician


def test_cancelling_a_series_session_books_a_make_up(esthetician_client, esthetician, treatment):
    series = series_of_eight(esthetician, treatment, cleared_client())
    session = series.sessions.order_by("starts_at").first()

    response = esthetician_client.post(
        reverse("session_cancel", args=[session.pk]), {"reason": "Client is ill."}, follow=True
    )

    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assert "session cancelled. Make-up booked for Tue 26 Jan, 10:00." in text(response)


def test_a_cancelled_series_session_shows_the_series_make_up(
    esthetician_client, esthetician, treatment
):
    series = series_of_eight(esthetician, treatment, cleared_client())
    session = series.sessions.order_by("starts_at").first()
    services.session_cancel(session=session, reason="Client is ill.", by=None)

    page = session_page(esthetician_client, session)

    assert "Cancelled: Client is ill." in page
    assert "Make-up booked for this series: Tue 26 Jan 2027, 10:00" in page


def test_cancelling_says_why_no_make_up_could_be_booked(esthetician_client, esthetician, treatment):
    client = cleared_client()
    series = series_of_eight(esthetician, treatment, client)
    IntakeFactory(client=client, submitted_at=NOW, has_pacemaker=True)
    session = series.sessions.order_by("starts_at").first()

    response = esthetician_client.post(
        reverse("session_cancel", args=[session.pk]), {"reason": "Pacemaker."}, follow=True
    )

    said = "No make-up could be booked: Pacemaker or other implanted electronic device"
    assert said in text(response)


def test_cancelling_a_single_session_says_nothing_of_a_make_up(esthetician_client, esthetician):
    session = booked(esthetician)

    response = esthetician_client.post(
        reverse("session_cancel", args=[session.pk]), {"reason": "Client is ill."}, follow=True
    )

    page = markup(response)
    assert "session cancelled.</li>" in page


def test_cancelling_needs_a_reason(esthetician_client, esthetician):
    session = booked(esthetician)

    response = esthetician_client.post(reverse("session_cancel", args=[session.pk]), {"reason": ""})

    session.refresh_from_db()
    assert "Please say why the session is cancelled." in text(response)
    assert session.status == Session.Status.BOOKED


def test_a_no_show_before_the_start_is_refused_with_the_reason(esthetician_client, esthetician):
    session = booked(esthetician)

    response = esthetician_client.post(reverse("session_no_show", args=[session.pk]), follow=True)

    session.refresh_from_db()
    assert "This session starts Tue 1 Dec, 10:00." in text(response)
    assert session.status == Session.Status.BOOKED


def test_a_no_show_after_the_start_is_recorded(esthetician_client, esthetician, clock):
    session = booked(esthetician)
    clock.move_to(at(TUESDAY, 10, 15))

    response = esthetician_client.post(reverse("session_no_show", args=[session.pk]), follow=True)

    session.refresh_from_db()
    assert session.status == Session.Status.NO_SHOW
    # Said with the client's name: on a busy Today, which session it was.
    assert "Iris Moss: marked as a no-show." in text(response)


# Check-in -------------------------------------------------------------------------------------


def check_in(browser: BrowserClient, session: Session, **answers: str) -> Any:
    return browser.post(reverse("session_check_in", args=[session.pk]), {**NOTHING, **answers})


def test_the_check_in_asks_the_block_questions(esthetician_client, esthetician, clock):
    session = booked(esthetician)
    clock.move_to(CHECK_IN)

    page = text(esthetician_client.get(reverse("session_check_in", args=[session.pk])))

    assert "Ask Iris again, today" in page
    assert "Do you have an acne flare-up or inflamed skin on your face or neck right now?" in page
    assert "Any filler or botox injections since Fri 20 Nov?" in page
    assert 'name="caution_note"' not in markup(
        esthetician_client.get(reverse("session_check_in", args=[session.pk]))
    )


def test_all_no_checks_the_client_in_and_goes_to_the_record(esthetician_client, esthetician, clock):
    session = booked(esthetician)
    clock.move_to(CHECK_IN)

    response = check_in(esthetician_client, session)

    session.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("session_complete", args=[session.pk])
    assert session.checked_in_at == CHECK_IN
    assert session.status == Session.Status.BOOKED


def test_acne_at_check_in_postpones_the_session_with_the_reason(
    esthetician_client, esthetician, clock
):
    session = booked(esthetician)
    clock.move_to(CHECK_IN)

    response = check_in(esthetician_client, session, acute_acne="yes")

    session.refresh_from_db()
    assert response.url == reverse("session_detail", args=[session.pk])
    assert session.status == Session.Status.POSTPONED
    page = session_page(esthetician_client, session)
    assert "Postponed: Acne flare-up or acutely inflamed skin" in page


def test_the_check_in_answers_become_a_new_intake_version(esthetician_client, esthetician, clock):
    session = booked(esthetician)
    clock.move_to(CHECK_IN)

    check_in(esthetician_client, session, acute_acne="yes")

    latest = Intake.objects.filter(client=session.client).latest_first().first()
    assert latest.source == Intake.Source.PRE_TREATMENT_CHECK
    assert latest.acute_acne is True
    assert latest.recorded_by == esthetician.user


def test_postponing_a_series_session_at_check_in_names_its_make_up(
    esthetician_client, esthetician, treatment, clock
):
    series = series_of_eight(esthetician, treatment, cleared_client())
    session = series.sessions.order_by("starts_at").first()
    clock.move_to(CHECK_IN)

    response = check_in(
        esthetician_client, session, had_injectable="yes", last_injectable_on="2026-11-20"
    )

    page = session_page(esthetician_client, session)
    assert response.status_code == 302
    assert "Postponed: Filler or botox injected Fri 20 Nov" in page
    assert "Make-up booked for Tue 26 Jan, 10:00." in page


SECOND_TRIMESTER = {"pregnant": "yes", "due_date": "2027-04-01"}


def test_a_new_caution_at_check_in_needs_a_note(esthetician_client, esthetician, clock):
    session = booked(esthetician)
    clock.move_to(CHECK_IN)

    response = check_in(esthetician_client, session, **SECOND_TRIMESTER)

    page = markup(response)
    session.refresh_from_db()
    assert response.status_code == 200
    assert "A note acknowledging the client's cautions is needed: Pregnant" in page
    assert 'name="caution_note"' in page
    assert 'name="pregnant" value="yes" id="id_pregnant_0" required checked' in page
    assert 'value="2027-04-01"' in page
    assert session.checked_in_at is None


def test_a_new_caution_with_a_note_checks_the_client_in(esthetician_client, esthetician, clock):
    session = booked(esthetician)
    clock.move_to(CHECK_IN)

    check_in(esthetician_client, session, **SECOND_TRIMESTER, caution_note="GP says fine.")

    session.refresh_from_db()
    assert session.checked_in_at == CHECK_IN
    assert session.caution_note == "GP says fine."


def test_an_unanswered_check_in_question_is_asked_again(esthetician_client, esthetician, clock):
    session = booked(esthetician)
    clock.move_to(CHECK_IN)

    response = esthetician_client.post(
        reverse("session_check_in", args=[session.pk]), {**NOTHING, "acute_acne": ""}
    )

    assert "Please answer Yes or No." in text(response)
    assert Intake.objects.filter(client=session.client).count() == 1


def test_no_new_injection_at_check_in_keeps_the_filler_on_file_and_postpones(
    esthetician_client, esthetician, clock
):
    session = booked(esthetician, client=cleared_client(last_injectable_on=dt.date(2026, 11, 20)))
    clock.move_to(CHECK_IN)

    page = text(esthetician_client.get(reverse("session_check_in", args=[session.pk])))
    response = check_in(esthetician_client, session, had_injectable="no")

    assert "Any filler or botox injections since Fri 20 Nov?" in page
    assert response.url == reverse("session_detail", args=[session.pk])
    latest = Intake.objects.filter(client=session.client).latest_first().first()
    assert latest.last_injectable_on == dt.date(2026, 11, 20)
    session.refresh_from_db()
    assert session.status == Session.Status.POSTPONED
    assert "Filler or botox injected Fri 20 Nov" in session.status_reason


def test_an_ended_session_cannot_be_checked_in(esthetician_client, esthetician):
    session = booked(esthetician, status=Session.Status.CANCELLED)

    response = esthetician_client.get(reverse("session_check_in", args=[session.pk]), follow=True)

    assert "This session is already cancelled." in text(response)


# Completing with the treatment record ----------------------------------------------------------


@pytest.fixture
def at_the_visit(esthetician: Esthetician, clock) -> Session:
    """Iris, checked in for Tue 1 Dec at 10:00; last time (Tue 24 Nov) was 200 µA. 10:50 now."""
    client = cleared_client()
    earlier = booked(
        esthetician, client=client, starts_at=at(dt.date(2026, 11, 24)), status="completed"
    )
    TreatmentRecord.objects.create(
        session=earlier,
        intensity_ua=200,
        frequency_hz=300,
        waveform="square",
        areas=["cheekbones"],
        minutes=45,
        tolerance="comfortable",
    )
    clock.move_to(at(TUESDAY, 10, 50))
    return booked(esthetician, client=client, checked_in_at=at(TUESDAY, 9, 55))


def complete(browser: BrowserClient, session: Session, **changes: Any) -> Any:
    return browser.post(reverse("session_complete", args=[session.pk]), {**RECORD, **changes})


def test_the_record_suggests_the_last_intensity(esthetician_client, at_the_visit):
    response = esthetician_client.get(reverse("session_complete", args=[at_the_visit.pk]))

    assert "Last time: 200 µA on Tue 24 Nov" in text(response)
    assert 'name="intensity_ua" value="200"' in markup(response)


def test_the_record_is_stored_and_the_session_completed(
    esthetician_client, esthetician, at_the_visit
):
    response = complete(esthetician_client, at_the_visit, intensity_ua="240")

    at_the_visit.refresh_from_db()
    record = at_the_visit.record
    assert response.url == reverse("session_detail", args=[at_the_visit.pk])
    assert at_the_visit.status == Session.Status.COMPLETED
    assert (record.intensity_ua, record.areas, record.recorded_by) == (
        240,
        ["cheekbones", "jawline"],
        esthetician.user,
    )


def test_recording_the_treatment_reads_only_what_it_needs(
    esthetician_client, at_the_visit, django_assert_num_queries
):
    # The sign-in (3), the session, the last record, the lock, the session locked, its update,
    # its reminder, the record (in this test's own savepoint, 2), and the message saved with
    # the sign-in (in another, 3).
    with django_assert_num_queries(15):
        response = complete(esthetician_client, at_the_visit, intensity_ua="240")

    assert response.status_code == 302
    at_the_visit.refresh_from_db()
    assert at_the_visit.status == Session.Status.COMPLETED


def test_a_rise_of_more_than_a_quarter_is_refused_without_confirming(
    esthetician_client, at_the_visit
):
    response = complete(esthetician_client, at_the_visit, intensity_ua="260")

    page = text(response)
    at_the_visit.refresh_from_db()
    assert "260 µA is 30% more than last time (200 µA)." in page
    assert "Yes, this rise is intended" in page
    assert at_the_visit.status == Session.Status.BOOKED


def test_a_confirmed_rise_is_recorded(esthetician_client, at_the_visit):
    complete(esthetician_client, at_the_visit, intensity_ua="260", confirm_jump="on")

    at_the_visit.refresh_from_db()
    assert at_the_visit.record.intensity_ua == 260


def test_the_jump_warning_comes_live_as_the_intensity_changes(esthetician_client, at_the_visit):
    response = esthetician_client.get(
        reverse("session_complete", args=[at_the_visit.pk]),
        {"intensity_ua": "260"},
        headers={"HX-Request": "true"},
    )

    content = markup(response)
    assert "<html" not in content
    assert 'id="intensity-check"' in content
    assert "260 µA is 30% more than last time (200 µA)." in content
    assert 'name="confirm_jump"' in content


def test_a_rise_of_a_quarter_brings_no_warning(esthetician_client, at_the_visit):
    response = esthetician_client.get(
        reverse("session_complete", args=[at_the_visit.pk]),
        {"intensity_ua": "250"},
        headers={"HX-Request": "true"},
    )

    assert "more than last time" not in text(response)


def test_an_intensity_out_of_range_is_refused_with_the_range(esthetician_client, at_the_visit):
    response = complete(esthetician_client, at_the_visit, intensity_ua="1200", confirm_jump="on")

    at_the_visit.refresh_from_db()
    assert "Intensity (µA) is from 10 to 1000." in text(response)
    assert at_the_visit.status == Session.Status.BOOKED


def test_completing_before_the_start_is_refused_before_the_form_is_shown(
    esthetician_client, at_the_visit, clock
):
    clock.move_to(at(TUESDAY, 9, 56))

    shown = esthetician_client.get(reverse("session_complete", args=[at_the_visit.pk]))
    posted = complete(esthetician_client, at_the_visit)
    page = text(esthetician_client.get(shown.url))

    assert shown.url == posted.url == reverse("session_detail", args=[at_the_visit.pk])
    assert "can be recorded once the session has started (Tue 1 Dec, 10:00)" in page
    assert "Complete: record the treatment" not in page
    at_the_visit.refresh_from_db()
    assert at_the_visit.status == Session.Status.BOOKED


def test_checking_in_early_goes_back_to_the_session_until_it_starts(
    esthetician_client, esthetician, clock
):
    session = booked(esthetician)
    clock.move_to(at(TUESDAY, 9, 50))

    response = check_in(esthetician_client, session)

    assert response.url == reverse("session_detail", args=[session.pk])
    page = session_page(esthetician_client, session)
    assert "checked in: nothing stands in the way of today's treatment." in page
    assert "The treatment can be recorded once the session has started." in page


def test_the_record_waits_for_the_check_in(esthetician_client, esthetician):
    session = booked(esthetician)

    response = esthetician_client.get(reverse("session_complete", args=[session.pk]))

    assert response.url == reverse("session_check_in", args=[session.pk])


# Who may do what ------------------------------------------------------------------------------


def session_urls(session: Session) -> list[str]:
    names = ["session_detail", "session_check_in", "session_complete"]
    return [reverse("session_new"), *(reverse(name, args=[session.pk]) for name in names)]


def test_anonymous_visitors_are_sent_to_log_in(esthetician):
    session = booked(esthetician)
    browser = BrowserClient()

    for url in session_urls(session):
        response = browser.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_people_who_are_not_staff_are_refused(esthetician):
    session = booked(esthetician)
    browser = BrowserClient()
    browser.force_login(UserFactory())

    for url in session_urls(session):
        assert browser.get(url).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "session_detail",
        "session_reschedule",
        "session_cancel",
        "session_no_show",
        "session_check_in",
        "session_complete",
    ],
)
def test_an_unknown_session_is_not_found(esthetician_client, name):
    method = esthetician_client.get if name in ("session_detail",) else esthetician_client.post
    assert method(reverse(name, args=[999_999])).status_code == 404


@pytest.mark.parametrize("name", ["session_reschedule", "session_cancel", "session_no_show"])
def test_actions_only_take_a_post(esthetician_client, esthetician, name):
    session = booked(esthetician)

    assert esthetician_client.get(reverse(name, args=[session.pk])).status_code == 405


# Dates far ahead ---------------------------------------------------------------------------

FAR = "9999-12-31"
BEYOND = "Sessions can be booked up to a year ahead: choose a date until Mon 22 Nov 2027."


def test_booking_a_date_beyond_a_year_is_refused_beside_the_field(
    esthetician_client, esthetician, treatment
):
    data = booking(cleared_client(), esthetician, treatment, day=FAR)

    posted = book(esthetician_client, data)
    shown = esthetician_client.get(reverse("session_new"), data, headers={"HX-Request": "true"})

    assert posted.status_code == shown.status_code == 200
    assert BEYOND in text(posted)
    assert BEYOND in text(shown)
    page = esthetician_client.get(reverse("session_new"), data).content.decode()
    assert '<div class="field__error" id="id_day_error">' in page
    assert not Session.objects.exists()


def test_moving_a_session_beyond_a_year_is_refused_beside_the_field(
    esthetician_client, esthetician
):
    session = booked(esthetician)

    response = esthetician_client.post(
        reverse("session_reschedule", args=[session.pk]), {"day": FAR, "time": "10:00"}
    )

    assert response.status_code == 200
    assert BEYOND in text(response)
    session.refresh_from_db()
    assert session.starts_at == at(TUESDAY)


# Returning to the page the visit started from (Today) ------------------------------------------

TODAY_URL = reverse("today")


def test_a_no_show_from_today_goes_back_to_today_saying_so(esthetician_client, esthetician, clock):
    session = booked(esthetician)
    clock.move_to(at(TUESDAY, 10, 15))

    response = esthetician_client.post(
        reverse("session_no_show", args=[session.pk]), {"next": TODAY_URL}, follow=True
    )

    session.refresh_from_db()
    assert session.status == Session.Status.NO_SHOW
    assert response.redirect_chain == [(TODAY_URL, 302)]
    assert "marked as a no-show." in text(response)


def test_a_refused_no_show_from_today_goes_back_to_today_saying_why(
    esthetician_client, esthetician
):
    session = booked(esthetician)

    response = esthetician_client.post(
        reverse("session_no_show", args=[session.pk]), {"next": TODAY_URL}, follow=True
    )

    assert response.redirect_chain == [(TODAY_URL, 302)]
    assert "This session starts Tue 1 Dec, 10:00." in text(response)


def test_a_no_show_never_goes_back_to_another_site(esthetician_client, esthetician, clock):
    session = booked(esthetician)
    clock.move_to(at(TUESDAY, 10, 15))

    response = esthetician_client.post(
        reverse("session_no_show", args=[session.pk]), {"next": "https://elsewhere.example/"}
    )

    assert response.url == reverse("session_detail", args=[session.pk])


def test_the_check_in_form_from_today_carries_the_way_back(esthetician_client, esthetician, clock):
    session = booked(esthetician)
    clock.move_to(CHECK_IN)

    response = esthetician_client.get(
        reverse("session_check_in", args=[session.pk]), {"next": TODAY_URL}
    )

    assert f'<input type="hidden" name="next" value="{TODAY_URL}">' in markup(response)


def test_a_check_in_from_today_goes_on_to_the_record_still_returning_to_today(
    esthetician_client, esthetician, clock
):
    session = booked(esthetician)
    clock.move_to(CHECK_IN)

    response = esthetician_client.post(
        reverse("session_check_in", args=[session.pk]), {**NOTHING, "next": TODAY_URL}
    )

    assert response.url == reverse("session_complete", args=[session.pk]) + "?next=%2F"
    form = markup(esthetician_client.get(response.url))
    assert f'<input type="hidden" name="next" value="{TODAY_URL}">' in form


def test_a_check_in_from_today_before_the_start_goes_back_to_today(
    esthetician_client, esthetician, clock
):
    session = booked(esthetician)
    clock.move_to(at(TUESDAY, 9, 50))

    response = esthetician_client.post(
        reverse("session_check_in", args=[session.pk]), {**NOTHING, "next": TODAY_URL}
    )

    assert response.url == TODAY_URL


def test_a_postponement_at_check_in_from_today_goes_back_to_today(
    esthetician_client, esthetician, clock
):
    session = booked(esthetician)
    clock.move_to(CHECK_IN)

    response = esthetician_client.post(
        reverse("session_check_in", args=[session.pk]),
        {**NOTHING, "acute_acne": "yes", "next": TODAY_URL},
    )

    assert response.url == TODAY_URL


def test_a_record_from_today_goes_back_to_today(esthetician_client, at_the_visit):
    response = esthetician_client.post(
        reverse("session_complete", args=[at_the_visit.pk]), {**RECORD, "next": TODAY_URL}
    )

    at_the_visit.refresh_from_db()
    assert at_the_visit.status == Session.Status.COMPLETED
    assert response.url == TODAY_URL


def test_recording_before_check_in_sends_to_check_in_keeping_the_way_back(
    esthetician_client, esthetician, clock
):
    session = booked(esthetician)
    clock.move_to(at(TUESDAY, 10, 15))

    response = esthetician_client.get(
        reverse("session_complete", args=[session.pk]), {"next": TODAY_URL}
    )

    assert response.url == reverse("session_check_in", args=[session.pk]) + "?next=%2F"


def test_the_reschedule_fields_point_to_their_help(esthetician_client, esthetician, clock):
    page = session_page(esthetician_client, booked(esthetician), tags=True)

    for name in ("esthetician", "caution_note"):
        assert f'aria-describedby="id_{name}_helptext"' in page
        assert f'id="id_{name}_helptext"' in page
