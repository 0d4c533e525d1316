from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as BrowserClient
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from clients.eligibility import assess_at
from clients.models import Client
from clients.services import intake_link_create
from tests.clients.factories import ClientFactory, IntakeFactory
from tests.treatments.factories import EstheticianFactory, SeriesFactory, SessionFactory
from treatments.models import Esthetician, Session

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=LONDON)  # Tue 1 Dec 2026, 08:00 in the spa


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    """Before the day's first session: tests move the clock on to see the steps change."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def today_at(hour: int, minute: int = 0, *, days: int = 0) -> dt.datetime:
    """An aware moment on today's spa-local date (or `days` later), at a spa-local time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def cleared_client(first_name: str = "Iris", last_name: str = "Moss") -> Client:
    """A client with a clear intake on file, so no finding shows."""
    client = ClientFactory(first_name=first_name, last_name=last_name)
    IntakeFactory(client=client)
    return client


def today_page(browser: BrowserClient) -> str:
    """The main part of the Today page, without the header's names."""
    response = browser.get(reverse("today"))
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1]


def day_list(browser: BrowserClient) -> str:
    """The Today page's list of the day's sessions, without "Needs you"."""
    return today_page(browser).split('id="needs-you-title"', 1)[0]


def needs_you(browser: BrowserClient) -> str:
    """The Today page's "Needs you"."""
    return today_page(browser).split('id="needs-you-title"', 1)[1]


def test_today_shows_the_estheticians_sessions_of_today(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Iris", last_name="Moss"),
        treatment__name="Microcurrent lift",
        starts_at=today_at(10),
    )

    page = today_page(esthetician_client)

    assert "Iris Moss" in page
    assert "10:00–11:00" in page
    assert "Microcurrent lift" in page
    assert "Single treatment" in page
    assert "Booked" in page


def test_today_leaves_out_tomorrow_and_other_estheticians(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician, client=cleared_client(first_name="Iris"), starts_at=today_at(10)
    )
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Tomorrow"),
        starts_at=today_at(10, days=1),
    )
    SessionFactory(
        esthetician=EstheticianFactory(),
        client=cleared_client(first_name="Elsewhere"),
        starts_at=today_at(12),
    )

    page = today_page(esthetician_client)

    assert "Iris" in page
    assert "Tomorrow" not in page
    assert "Elsewhere" not in page


def test_today_lists_sessions_in_time_order(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician, client=cleared_client(first_name="Later"), starts_at=today_at(15)
    )
    SessionFactory(
        esthetician=esthetician, client=cleared_client(first_name="Early"), starts_at=today_at(9)
    )

    page = today_page(esthetician_client)

    assert page.index("Early") < page.index("Later")


def test_today_says_when_there_are_no_sessions(esthetician_client: BrowserClient) -> None:
    page = today_page(esthetician_client)

    assert "No sessions today." in page


def test_session_at_half_past_midnight_spa_time_counts_as_today(
    settings: Settings, esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    # Auckland is 12 or 13 hours ahead of UTC: 00:30 there is the previous day in UTC.
    settings.TIME_ZONE = "Pacific/Auckland"
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Night", last_name="Owl"),
        starts_at=today_at(0, 30),
    )
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Yesterday"),
        starts_at=today_at(23, 30, days=-1),
    )

    page = day_list(esthetician_client)

    assert "Night Owl" in page
    assert "00:30–01:30" in page
    assert "Yesterday" not in page


def test_third_session_of_a_series_says_series_3_of_8(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = cleared_client()
    series = SeriesFactory(client=client, esthetician=esthetician, planned_sessions=8)
    for days, status in ((-14, Session.Status.COMPLETED), (-7, Session.Status.COMPLETED)):
        SessionFactory(
            client=client,
            esthetician=esthetician,
            series=series,
            kind=Session.Kind.SERIES,
            status=status,
            starts_at=today_at(10, days=days),
        )
    SessionFactory(
        client=client,
        esthetician=esthetician,
        series=series,
        kind=Session.Kind.SERIES,
        starts_at=today_at(10),
    )

    page = today_page(esthetician_client)

    assert "Series 3 of 8" in page


def test_blocked_session_says_blocked_with_the_reason(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = ClientFactory(first_name="Paula")
    IntakeFactory(client=client, has_pacemaker=True)
    SessionFactory(esthetician=esthetician, client=client, starts_at=today_at(11))

    page = today_page(esthetician_client)

    assert "Blocked" in page
    assert "Pacemaker or other implanted electronic device" in page


def test_client_without_an_intake_is_blocked_until_one_is_filled_in(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(esthetician=esthetician, client=ClientFactory(), starts_at=today_at(11))
    [intake_missing] = assess_at(None, today_at(11), today=timezone.localdate())

    page = today_page(esthetician_client)

    assert intake_missing.code == "intake_missing"
    assert "Blocked" in page
    assert intake_missing.message in page


def test_caution_says_caution_with_the_reason(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = ClientFactory()
    IntakeFactory(client=client, epilepsy=True)
    SessionFactory(esthetician=esthetician, client=client, starts_at=today_at(11))

    page = today_page(esthetician_client)

    assert "Caution" in page
    assert "Epilepsy" in page
    assert "Blocked" not in page


def test_cancelled_session_is_struck_through_and_says_cancelled(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician,
        client=ClientFactory(first_name="Gone"),
        starts_at=today_at(14),
        status=Session.Status.CANCELLED,
        status_reason="Client is unwell.",
    )

    page = today_page(esthetician_client)

    assert "session--cancelled" in page
    assert "Cancelled" in page
    assert "Client is unwell." in page
    # Nothing to check before a treatment that will not happen.
    assert "Blocked" not in page


def test_manager_sees_every_estheticians_sessions_grouped(
    manager_client: BrowserClient, esthetician: Esthetician
) -> None:
    other = EstheticianFactory(user__first_name="Zoe", user__last_name="Reed")
    SessionFactory(
        esthetician=esthetician, client=cleared_client(first_name="Iris"), starts_at=today_at(15)
    )
    SessionFactory(
        esthetician=other, client=cleared_client(first_name="Olive"), starts_at=today_at(9)
    )

    page = today_page(manager_client)

    assert "Zoe Reed" in page
    assert page.index("Anna") < page.index("Iris") < page.index("Zoe Reed") < page.index("Olive")


def a_big_team_day(monkeypatch: pytest.MonkeyPatch, esthetician: Esthetician) -> Esthetician:
    """Three sessions today, over a list limit of two: Anna's (one checked in, one cancelled)
    and Zoe's (flagged)."""
    monkeypatch.setattr("treatments.views.today.TEAM_LIST_LIMIT", 2)
    zoe = EstheticianFactory(user__first_name="Zoe", user__last_name="Reed")
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Iris"),
        starts_at=today_at(9),
        ends_at=today_at(10),
        checked_in_at=today_at(7, 55),
    )
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Fern"),
        starts_at=today_at(14),
        ends_at=today_at(15),
        status=Session.Status.CANCELLED,
    )
    SessionFactory(
        esthetician=zoe,
        client=cleared_client(first_name="Olive"),
        starts_at=today_at(11),
        ends_at=today_at(11, 45),
        needs_attention=True,
    )
    return zoe


def test_a_team_day_too_long_to_list_shows_the_team_in_numbers(
    manager_client: BrowserClient, esthetician: Esthetician, monkeypatch: pytest.MonkeyPatch
) -> None:
    zoe = a_big_team_day(monkeypatch, esthetician)

    page = day_list(manager_client)

    assert "3 sessions today with 2 estheticians: too many to list at once." in flat(page)
    assert '<li class="session' not in page
    assert "Iris" not in page
    anna_row, zoe_row = re.findall(r"<tr><th scope=\"row\">.*?</tr>", page)
    assert f'href="?esthetician={esthetician.pk}">Anna' in anna_row
    # Sessions, from, until, checked in, completed, booked not checked in, not held, flagged.
    assert re.findall(r"<td>(.*?)</td>", anna_row) == [
        "2",
        "09:00",
        "15:00",
        "1",
        "0",
        "0",
        "1",
        "0",
    ]
    assert f'href="?esthetician={zoe.pk}">Zoe Reed' in zoe_row
    assert re.findall(r"<td>(.*?)</td>", zoe_row) == [
        "1",
        "11:00",
        "11:45",
        "0",
        "0",
        "1",
        "0",
        "1",
    ]


def test_a_manager_opens_one_estheticians_day_with_its_steps(
    manager_client: BrowserClient, esthetician: Esthetician, monkeypatch: pytest.MonkeyPatch
) -> None:
    zoe = a_big_team_day(monkeypatch, esthetician)

    response = manager_client.get(reverse("today"), {"esthetician": zoe.pk})

    page = response.content.decode().split("<main", 1)[1]
    assert "Sessions of Zoe Reed" in flat(page)
    assert "Olive" in page
    assert "Iris" not in page
    assert page.count('<li class="session') == 1
    assert f"?next=/%3Festhetician%3D{zoe.pk}" in page
    assert '<a href="/">The whole team’s day</a>' in page


def test_an_unknown_esthetician_is_404(manager_client: BrowserClient, db: None) -> None:
    assert manager_client.get(reverse("today"), {"esthetician": 999999}).status_code == 404


def test_an_estheticians_today_is_always_their_own(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    zoe = EstheticianFactory(user__first_name="Zoe", user__last_name="Reed")
    SessionFactory(
        esthetician=zoe, client=cleared_client(first_name="Olive"), starts_at=today_at(9)
    )

    page = esthetician_client.get(reverse("today"), {"esthetician": zoe.pk}).content.decode()

    assert "Your sessions" in page
    assert "Olive" not in page


def test_the_team_in_numbers_takes_no_more_queries_than_the_list(
    manager_client: BrowserClient,
    esthetician: Esthetician,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    a_big_team_day(monkeypatch, esthetician)
    for number in range(5):
        SessionFactory(
            esthetician=EstheticianFactory(),
            client=cleared_client(),
            starts_at=today_at(9 + number),
            ends_at=today_at(9 + number, 30),
        )

    # As in the list's count, less today's sessions and their clients' intakes.
    with django_assert_max_num_queries(12):
        page = today_page(manager_client)

    assert page.count('<th scope="row">') == 7


def busy_week(esthetician: Esthetician, count: int) -> None:
    """`count` of everything Today shows: today's sessions of series (half of them blocked),
    sessions flagged tomorrow, sessions left booked yesterday, clients whose intake runs out
    before Friday's session; every series is behind schedule (one session booked of eight)."""
    for number in range(count):
        minutes = dt.timedelta(minutes=30 * number)
        client = ClientFactory()
        IntakeFactory(client=client, has_pacemaker=number % 2 == 0)
        series = SeriesFactory(client=client, esthetician=esthetician)
        SessionFactory(
            esthetician=esthetician,
            client=client,
            series=series,
            kind=Session.Kind.SERIES,
            starts_at=today_at(8) + minutes,
            ends_at=today_at(8, 30) + minutes,
        )
        SessionFactory(
            esthetician=esthetician,
            client=cleared_client(),
            starts_at=today_at(8, days=1) + minutes,
            ends_at=today_at(8, 30, days=1) + minutes,
            needs_attention=True,
            attention_reason="Pacemaker or other implanted electronic device.",
            attention_kinds=["health"],
        )
        SessionFactory(
            esthetician=esthetician,
            client=cleared_client(),
            starts_at=today_at(8, days=-1) + minutes,
            ends_at=today_at(8, 30, days=-1) + minutes,
        )
        running_out = ClientFactory()
        IntakeFactory(client=running_out, submitted_at=NOW - dt.timedelta(days=89))
        SessionFactory(
            esthetician=esthetician,
            client=running_out,
            starts_at=today_at(8, days=3) + minutes,
            ends_at=today_at(8, 30, days=3) + minutes,
        )


@pytest.mark.parametrize("role", ["esthetician", "manager"])
@pytest.mark.parametrize("sessions", [1, 20])
def test_today_query_count_does_not_grow_with_sessions(
    esthetician_client: BrowserClient,
    manager_client: BrowserClient,
    esthetician: Esthetician,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    role: str,
    sessions: int,
) -> None:
    busy_week(esthetician, sessions)
    busy_week(EstheticianFactory(user__first_name="Zoe"), sessions)
    browser = esthetician_client if role == "esthetician" else manager_client

    # Session, user, staff groups, esthetician (none for a manager), the team's day in numbers
    # (a manager's), today's sessions, latest intakes; left booked, flagged, intakes running
    # out (their sessions' keys, then the rows), series behind (ids, then the rows); the access
    # log.
    with django_assert_max_num_queries(14):
        response = browser.get(reverse("today"))

    page = response.content.decode()
    shown = sessions if role == "esthetician" else 2 * sessions
    assert page.count('<li class="session') == shown
    for kind in ("unrecorded", "flagged", "intake", "behind"):
        assert page.count(f'<li class="need need--{kind}">') == shown, kind


def test_flagged_booked_session_says_needs_attention_with_the_reason(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Fern"),
        starts_at=today_at(15),
        needs_attention=True,
        attention_reason="Pacemaker or other implanted electronic device: never.",
    )

    page = today_page(esthetician_client)

    assert "Needs attention" in page
    assert "Pacemaker or other implanted electronic device: never." in page
    assert "session--attention" in page


# The next step of each session ---------------------------------------------------------------


def flat(html: str) -> str:
    """The words of some markup as a person reads them, tags left out."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_a_session_not_yet_started_offers_check_in_and_no_no_show(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    session = SessionFactory(
        esthetician=esthetician, client=cleared_client(), starts_at=today_at(10)
    )

    page = day_list(esthetician_client)

    check_in = reverse("session_check_in", args=[session.pk])
    assert f'<a class="button" href="{check_in}?next=/">Check in' in page
    assert reverse("session_no_show", args=[session.pk]) not in page
    assert "Booked" in flat(page)


def test_a_started_session_nobody_checked_in_offers_check_in_and_a_no_show_button(
    esthetician_client: BrowserClient, esthetician: Esthetician, clock: time_machine.Traveller
) -> None:
    session = SessionFactory(
        esthetician=esthetician, client=cleared_client(), starts_at=today_at(10)
    )
    clock.move_to(today_at(10, 10))

    page = day_list(esthetician_client)

    assert reverse("session_check_in", args=[session.pk]) in page
    no_show = reverse("session_no_show", args=[session.pk])
    form = page.split(f'<form method="post" action="{no_show}">', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="next" value="/">' in form
    assert "No-show for Iris Moss" in flat(form)


def test_a_checked_in_started_session_offers_record_and_complete(
    esthetician_client: BrowserClient, esthetician: Esthetician, clock: time_machine.Traveller
) -> None:
    session = SessionFactory(
        esthetician=esthetician,
        client=cleared_client(),
        starts_at=today_at(10),
        checked_in_at=today_at(9, 55),
    )
    clock.move_to(today_at(10, 5))

    page = day_list(esthetician_client)

    complete = reverse("session_complete", args=[session.pk])
    assert f'<a class="button" href="{complete}?next=/">Record and complete' in page
    assert "Checked in 09:55" in flat(page)
    assert reverse("session_check_in", args=[session.pk]) not in page
    assert reverse("session_no_show", args=[session.pk]) not in page


def test_a_session_checked_in_early_says_when_it_can_be_recorded(
    esthetician_client: BrowserClient, esthetician: Esthetician, clock: time_machine.Traveller
) -> None:
    session = SessionFactory(
        esthetician=esthetician,
        client=cleared_client(),
        starts_at=today_at(10),
        checked_in_at=today_at(9, 50),
    )
    clock.move_to(today_at(9, 52))

    page = day_list(esthetician_client)

    assert reverse("session_complete", args=[session.pk]) not in page
    assert "The treatment can be recorded from 10:00, once the session has started." in page


@pytest.mark.parametrize(
    ("status", "words"),
    [(Session.Status.COMPLETED, "Completed"), (Session.Status.NO_SHOW, "No-show")],
)
def test_an_ended_session_says_how_in_words_and_offers_no_step(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    clock: time_machine.Traveller,
    status: str,
    words: str,
) -> None:
    SessionFactory(
        esthetician=esthetician, client=cleared_client(), starts_at=today_at(10), status=status
    )
    clock.move_to(today_at(12))

    page = day_list(esthetician_client)

    assert f'<span class="badge badge--status">{words}</span>' in page
    assert "session__steps" not in page


def test_a_session_ended_and_still_booked_says_to_record_what_happened(
    esthetician_client: BrowserClient, esthetician: Esthetician, clock: time_machine.Traveller
) -> None:
    SessionFactory(esthetician=esthetician, client=cleared_client(), starts_at=today_at(14))
    clock.move_to(today_at(20, 50))
    # A sign-in lasts ten hours: the evening's.
    esthetician_client.force_login(esthetician.user)

    page = flat(day_list(esthetician_client))

    assert "Still booked: ended 15:00. Record what happened." in page


def test_a_flag_says_what_kind_of_problem_it_is(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(),
        starts_at=today_at(15),
        needs_attention=True,
        attention_reason="The spa is closed on Tue 1 Dec (Flood).",
        attention_kinds=["closure"],
    )

    page = flat(day_list(esthetician_client))

    assert "Needs attention Spa closed: The spa is closed on Tue 1 Dec (Flood)." in page


# Needs you -----------------------------------------------------------------------------------


def test_a_session_of_today_left_booked_is_listed_once_in_the_days_own_list(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    session = SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Olive", last_name="Hart"),
        starts_at=today_at(7),
    )

    page = esthetician_client.get(reverse("today")).content.decode()

    assert page.count(f'href="{reverse("session_detail", args=[session.pk])}"') == 1
    assert "Ended, still booked" not in page


def test_needs_you_lists_sessions_left_booked_this_week_with_their_steps(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    yesterday = SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Olive", last_name="Hart"),
        starts_at=today_at(14, days=-1),
    )
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Older"),
        starts_at=today_at(14, days=-8),
    )
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Given"),
        starts_at=today_at(14, days=-2),
        status=Session.Status.COMPLETED,
    )

    page = needs_you(esthetician_client)

    assert "Ended, still booked (1)" in flat(page)
    assert (
        "Olive Hart Still booked: ended Mon 30 Nov, 15:00. Not checked in that day: "
        "mark a no-show, or cancel it from its page."
    ) in flat(page)
    assert reverse("session_no_show", args=[yesterday.pk]) in page
    # Check-in was on the day: only a no-show, or the session page to cancel it, is left.
    assert reverse("session_check_in", args=[yesterday.pk]) not in page
    assert "Older" not in page
    assert "Given" not in page


@pytest.mark.parametrize(
    ("kinds", "reason", "words"),
    [
        (["health"], "Pacemaker fitted.", "Health block: Pacemaker fitted."),
        (["hours"], "Anna does not work on Wednesdays.", "Outside working hours: Anna does"),
        (["closure"], "The spa is closed on Wed 2 Dec.", "Spa closed: The spa is closed"),
        (["away"], "Anna is away on Wed 2 Dec.", "Esthetician away: Anna is away"),
        (["intake"], "The health intake of Tue 1 Sep is", "New intake needed: The health"),
        (["health", "closure"], "Pacemaker. Spa closed.", "Health block · Spa closed: Pacemaker."),
    ],
)
def test_needs_you_lists_flagged_sessions_saying_what_kind_of_problem(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    kinds: list[str],
    reason: str,
    words: str,
) -> None:
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Fern", last_name="Lee"),
        starts_at=today_at(10, days=1),
        needs_attention=True,
        attention_reason=reason,
        attention_kinds=kinds,
    )

    page = flat(needs_you(esthetician_client))

    assert "Flagged this week (1)" in page
    assert f"Fern Lee Wed 2 Dec, 10:00–11:00 · Microcurrent lift {words}" in page


def test_needs_you_leaves_out_flags_after_this_week(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    for days, name in ((7, "Within"), (8, "Beyond")):
        SessionFactory(
            esthetician=esthetician,
            client=cleared_client(first_name=name),
            starts_at=today_at(10, days=days),
            needs_attention=True,
            attention_reason="Pacemaker fitted.",
            attention_kinds=["health"],
        )

    page = needs_you(esthetician_client)

    assert "Within" in page
    assert "Beyond" not in page


def test_needs_you_offers_a_new_link_to_a_client_whose_intake_runs_out(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    # An intake of Tue 1 Sep is good through Mon 30 Nov: out of date by Thu 3 Dec.
    client = ClientFactory(first_name="Rose", last_name="Day")
    IntakeFactory(client=client, submitted_at=dt.datetime(2026, 9, 1, 12, tzinfo=LONDON))
    SessionFactory(esthetician=esthetician, client=client, starts_at=today_at(10, days=2))

    page = needs_you(esthetician_client)

    assert "The intake of Tue 1 Sep is out of date. Next session: Thu 3 Dec, 10:00." in flat(page)
    form = page.split(f'action="{reverse("client_intake_link", args=[client.pk])}"', 1)[1]
    form = form.split("</form>", 1)[0]
    assert '<input type="hidden" name="next" value="/">' in form
    assert "Send a new link to Rose Day" in flat(form)


def test_needs_you_says_a_link_is_already_out(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = ClientFactory()
    IntakeFactory(client=client, submitted_at=NOW - dt.timedelta(days=89))
    SessionFactory(esthetician=esthetician, client=client, starts_at=today_at(10, days=3))
    intake_link_create(client=client, created_by=esthetician.user, site_url="http://spa")

    page = flat(needs_you(esthetician_client))

    assert "will be out of date by Fri 4 Dec" in page
    assert "A link went out Tue 1 Dec, 08:00 and has not been used yet." in page


def test_a_client_without_email_is_sent_to_their_page_for_a_link_to_copy(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = ClientFactory(first_name="Ada", email="")
    IntakeFactory(client=client, submitted_at=NOW - dt.timedelta(days=95))
    SessionFactory(esthetician=esthetician, client=client, starts_at=today_at(10, days=1))

    page = needs_you(esthetician_client)

    assert reverse("client_intake_link", args=[client.pk]) not in page
    assert "No email address on file: make a link to copy on Ada’s page." in flat(page)


def test_needs_you_lists_series_behind_schedule_with_why(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = cleared_client(first_name="Mia", last_name="Stone")
    series = SeriesFactory(
        client=client, esthetician=esthetician, starts_on=dt.date(2026, 11, 3), planned_sessions=6
    )
    for days, status in ((-28, Session.Status.COMPLETED), (-21, Session.Status.COMPLETED)):
        SessionFactory(
            client=client,
            esthetician=esthetician,
            series=series,
            kind=Session.Kind.SERIES,
            status=status,
            starts_at=today_at(10, days=days),
        )

    page = flat(needs_you(esthetician_client))

    assert "Series behind schedule (1)" in page
    assert "Mia Stone Microcurrent lift · 2 of 6 done · last treatment Tue 10 Nov" in page
    assert "A missed session has no make-up booked." in page


def test_nothing_needing_anyone_says_so(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(esthetician=esthetician, client=cleared_client(), starts_at=today_at(10))

    assert "Nothing needs you" in needs_you(esthetician_client)


def test_an_estheticians_needs_are_their_own(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=EstheticianFactory(),
        client=cleared_client(first_name="Elsewhere"),
        starts_at=today_at(10, days=-1),
    )

    page = needs_you(esthetician_client)

    assert "Elsewhere" not in page
    assert "Nothing needs you" in page


def test_a_managers_needs_you_is_the_teams_grouped_by_esthetician(
    manager_client: BrowserClient, esthetician: Esthetician
) -> None:
    zoe = EstheticianFactory(user__first_name="Zoe", user__last_name="Reed")
    for who, name, hour in ((zoe, "Olive", 9), (esthetician, "Iris", 15)):
        SessionFactory(
            esthetician=who,
            client=cleared_client(first_name=name),
            starts_at=today_at(hour, days=-1),
        )

    page = needs_you(manager_client)

    assert '<h4 class="needs__who">' in page
    assert page.index("Anna") < page.index("Iris") < page.index("Zoe Reed") < page.index("Olive")


def test_a_long_list_shows_the_first_50_and_says_how_many_more(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    for number in range(51):
        SessionFactory(
            esthetician=esthetician,
            client=cleared_client(),
            starts_at=today_at(7, days=1) + dt.timedelta(minutes=10 * number),
            ends_at=today_at(7, 10, days=1) + dt.timedelta(minutes=10 * number),
            needs_attention=True,
            attention_reason="Pacemaker fitted.",
            attention_kinds=["health"],
        )

    page = needs_you(esthetician_client)

    assert "Flagged this week (51)" in flat(page)
    assert page.count('<li class="need need--flagged">') == 50
    assert "And 1 more, not shown: the 50 most pressing are above." in flat(page)


def test_today_is_only_read(esthetician_client: BrowserClient) -> None:
    assert esthetician_client.post(reverse("today")).status_code == 405
    assert esthetician_client.head(reverse("today")).status_code == 200
