"""Moving a session dragged on the calendar: the checks of a reschedule, the calendar back."""

from __future__ import annotations

import datetime as dt
import html as html_text
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as BrowserClient
from django.urls import reverse

from clients.models import Client, HealthRecordAccess
from tests.clients.factories import IntakeFactory, UserFactory
from tests.treatments.factories import EstheticianFactory, SessionFactory, WorkingHoursFactory
from treatments.models import Esthetician, Session

LONDON = ZoneInfo("Europe/London")
# Monday 30 November 2026, before the spa opens.
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=LONDON)
TUESDAY = dt.date(2026, 12, 1)
HTMX = {"HX-Request": "true"}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


@pytest.fixture(autouse=True)
def monday_morning() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ben(db: None) -> Esthetician:
    """Ben Lee, working Monday to Saturday, 09:00 to 17:00."""
    ben = EstheticianFactory(user__first_name="Ben", user__last_name="Lee")
    for weekday in range(6):
        WorkingHoursFactory(esthetician=ben, weekday=weekday)
    return ben


@pytest.fixture
def iris(db: None) -> Client:
    return IntakeFactory(client__first_name="Iris", client__last_name="Moss").client


@pytest.fixture
def session(esthetician: Esthetician, iris: Client) -> Session:
    """Iris with Anna on Tuesday at 10:00, for an hour."""
    return SessionFactory(esthetician=esthetician, client=iris, starts_at=at(TUESDAY, 10))


def move(
    browser: BrowserClient,
    session: Session,
    *,
    day: str = "2026-12-01",
    time: str,
    esthetician: Esthetician,
    view: str = "day",
    htmx: bool = True,
    **options: object,
):
    """Drop the session as calendar-move.js does: the calendar's view in the address."""
    shown = f"view={view}&date={day}&esthetician={esthetician.pk}"
    return browser.post(
        f"{reverse('calendar_move', args=[session.pk])}?{shown}",
        {"day": day, "time": time, "esthetician": esthetician.pk},
        headers=HTMX if htmx else {},
        **options,
    )


def announced(html: str) -> str:
    """The words htmx puts in the page's live region, tags stripped."""
    match = re.search(r'<div id="cal-announce" hx-swap-oob="innerHTML">(.*?)</div>', html, re.S)
    assert match is not None
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def column_of(html: str, esthetician: Esthetician) -> str:
    """One esthetician's column of the team's day."""
    start = html.index(f'data-esthetician="{esthetician.pk}"')
    end = html.find('<h3 class="cal__day', start)
    return html[start : end if end != -1 else len(html)]


def test_a_session_dropped_in_another_column_moves_to_that_esthetician_and_time(
    esthetician_client: BrowserClient, esthetician: Esthetician, ben: Esthetician, session: Session
) -> None:
    response = move(esthetician_client, session, time="14:00", esthetician=ben)

    html = response.content.decode()
    session.refresh_from_db()
    assert response.status_code == 200
    assert (session.esthetician, session.starts_at) == (ben, at(TUESDAY, 14))
    assert html.lstrip().startswith('<section id="calendar"')
    assert "Iris Moss" in column_of(html, ben)
    assert "Iris Moss" not in column_of(html, esthetician)
    assert announced(html) == "Moved Iris Moss to Tue 1 Dec, 14:00 with Ben Lee."


def test_a_drop_on_a_taken_time_is_refused_and_the_session_stays(
    esthetician_client: BrowserClient, esthetician: Esthetician, ben: Esthetician, session: Session
) -> None:
    SessionFactory(esthetician=ben, starts_at=at(TUESDAY, 14))

    response = move(esthetician_client, session, time="14:30", esthetician=ben)

    html = response.content.decode()
    session.refresh_from_db()
    assert response.status_code == 200
    assert (session.esthetician, session.starts_at) == (esthetician, at(TUESDAY, 10))
    assert "Iris Moss" in column_of(html, esthetician)
    assert announced(html) == "Not moved: Ben Lee already has a session from 14:00 on Tue 1 Dec."


def test_a_drop_outside_the_estheticians_hours_says_so(
    esthetician_client: BrowserClient, ben: Esthetician, session: Session
) -> None:
    response = move(esthetician_client, session, time="16:30", esthetician=ben)

    assert announced(response.content.decode()) == (
        "Not moved: 16:30–17:30 is outside Ben Lee's hours on Tuesdays (09:00–17:00)."
    )


@pytest.mark.parametrize(
    ("intake", "words"),
    [
        ({"last_injectable_on": dt.date(2026, 11, 25)}, ("filler", "botox", "injection")),
        ({"epilepsy": True}, ("epilepsy", "caution")),
    ],
)
def test_a_refusal_from_the_health_record_sends_to_the_session_page_without_saying_why(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    ben: Esthetician,
    intake: dict,
    words: tuple[str, ...],
) -> None:
    client = IntakeFactory(**intake).client
    session = SessionFactory(esthetician=esthetician, client=client, starts_at=at(TUESDAY, 10))

    response = move(esthetician_client, session, time="14:00", esthetician=ben)

    said = announced(response.content.decode())
    assert said == (
        "Not moved: The client's health record stands in the way on that day. "
        "Open the session to see why."
    )
    assert f'href="{reverse("session_detail", args=[session.pk])}"' in response.content.decode()
    assert not any(word in said.lower() for word in words)
    assert not HealthRecordAccess.objects.exists()
    session.refresh_from_db()
    assert session.esthetician == esthetician


def test_calendar_reasons_are_said_beside_a_health_one(
    esthetician_client: BrowserClient, esthetician: Esthetician, ben: Esthetician
) -> None:
    client = IntakeFactory(last_injectable_on=dt.date(2026, 11, 25)).client
    session = SessionFactory(esthetician=esthetician, client=client, starts_at=at(TUESDAY, 10))

    response = move(esthetician_client, session, time="16:30", esthetician=ben)

    said = announced(response.content.decode())
    assert said.startswith("Not moved: 16:30–17:30 is outside Ben Lee's hours")
    assert "The client's health record stands in the way on that day." in said


def test_a_move_in_the_week_answers_with_the_week(
    esthetician_client: BrowserClient, esthetician: Esthetician, session: Session
) -> None:
    response = move(
        esthetician_client,
        session,
        day="2026-12-03",
        time="11:00",
        esthetician=esthetician,
        view="week",
    )

    html = response.content.decode()
    session.refresh_from_db()
    assert session.starts_at == at(dt.date(2026, 12, 3), 11)
    assert "Week of Mon 30 Nov – Sat 5 Dec" in html
    assert announced(html) == f"Moved Iris Moss to Thu 3 Dec, 11:00 with {esthetician}."


def test_an_ended_session_is_not_moved(
    esthetician_client: BrowserClient, esthetician: Esthetician, ben: Esthetician, iris: Client
) -> None:
    session = SessionFactory(
        esthetician=esthetician,
        client=iris,
        starts_at=at(TUESDAY, 10),
        status=Session.Status.CANCELLED,
    )

    response = move(esthetician_client, session, time="14:00", esthetician=ben)

    assert announced(response.content.decode()) == "Not moved: This session is already cancelled."


def test_someone_no_longer_working_cannot_be_given_a_session(
    esthetician_client: BrowserClient, session: Session
) -> None:
    former = EstheticianFactory(is_active=False)

    response = move(esthetician_client, session, time="14:00", esthetician=former)

    assert announced(response.content.decode()) == (
        "Not moved: That esthetician no longer takes bookings: choose another."
    )


def test_without_htmx_a_move_goes_back_to_the_calendar_and_says_what_happened(
    esthetician_client: BrowserClient, esthetician: Esthetician, ben: Esthetician, session: Session
) -> None:
    response = move(esthetician_client, session, time="14:00", esthetician=ben, htmx=False)

    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('calendar')}?view=day&date=2026-12-01&esthetician={ben.pk}"
    )
    page = html_text.unescape(esthetician_client.get(response["Location"]).content.decode())
    assert "Moved Iris Moss to Tue 1 Dec, 14:00 with Ben Lee." in page


def test_without_htmx_a_refusal_is_said_on_the_calendar(
    esthetician_client: BrowserClient, ben: Esthetician, session: Session
) -> None:
    response = move(
        esthetician_client, session, time="16:30", esthetician=ben, htmx=False, follow=True
    )

    page = html_text.unescape(response.content.decode())
    assert "Not moved: 16:30–17:30 is outside Ben Lee's hours" in page


def test_browsing_the_calendar_with_htmx_clears_the_last_move_and_the_page_has_one_region(
    esthetician_client: BrowserClient,
) -> None:
    url = f"{reverse('calendar')}?view=day&date=2026-12-02"

    swapped = esthetician_client.get(url, headers=HTMX).content.decode()
    page = esthetician_client.get(url).content.decode()

    assert announced(swapped) == ""
    assert page.count('id="cal-announce"') == 1
    assert "hx-swap-oob" not in page


def test_moving_is_only_by_post(esthetician_client: BrowserClient, session: Session) -> None:
    response = esthetician_client.get(reverse("calendar_move", args=[session.pk]))

    assert response.status_code == 405


def test_an_unknown_session_is_404(esthetician_client: BrowserClient, ben: Esthetician) -> None:
    response = esthetician_client.post(
        reverse("calendar_move", args=[987654]),
        {"day": "2026-12-01", "time": "14:00", "esthetician": ben.pk},
    )

    assert response.status_code == 404


def test_someone_outside_the_staff_cannot_move_a_session(
    client: BrowserClient, ben: Esthetician, session: Session
) -> None:
    client.force_login(UserFactory(username="visitor"))

    response = move(client, session, time="14:00", esthetician=ben)

    session.refresh_from_db()
    assert response.status_code == 403
    assert session.esthetician != ben
