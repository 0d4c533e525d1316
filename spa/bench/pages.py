"""Every page and write the bench times, with the requests that make each one.

Writes are undone: each run of a write happens inside a savepoint rolled back after it is
timed (and the whole bench inside a transaction rolled back at the end), so every run books
the same free slot and the database is left as it was found."""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponseBase
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from clients.forms import BLOCK_QUESTIONS, CAUTION_QUESTIONS
from clients.services import intake_link_create
from spa.bench.subjects import PLANNED_SESSIONS, Subjects
from treatments.models import Session, TreatmentRecord
from treatments.selectors import latest_record
from treatments.selectors.dashboard import SORTS
from treatments.services.visits import calendar_token_regenerate
from treatments.views.dashboard import DEFAULT_PERIOD, DEFAULT_SORT

# Who asks: a signed-in esthetician or manager, or someone not signed in (a phone, a client).
ESTHETICIAN, MANAGER, NOBODY = "esthetician", "manager", "nobody"
HTMX = {"HX-Request": "true"}
DASHBOARD_PERIODS = ("week", "month", "3months", "year")
# A write that went through redirects; `went_through` tells it from a refusal that does too.
DONE = 302


@dataclass(frozen=True)
class Page:
    """One line of the report: who asks, the timed request(s), and the status that means ok.

    `prepare` runs untimed before each request (for writes, inside the savepoint undone after
    it); `send` gets what it returns. `went_through` checks, untimed, that a write was made
    (a refusal can redirect too)."""

    name: str
    who: str
    send: Callable[[Browser, Any], HttpResponseBase]
    expect: int = 200
    write: bool = False
    prepare: Callable[[], Any] = field(default=lambda: None)
    went_through: Callable[[Any, HttpResponseBase], bool] = field(default=lambda *_: True)


def redirects_to(pattern: str) -> Callable[[Any, HttpResponseBase], bool]:
    """The write went on to this page (a path, as a regular expression)."""
    return lambda _, response: re.fullmatch(pattern, response.get("Location", "")) is not None


def get(url: str, **headers: str) -> Callable[[Browser, Any], HttpResponseBase]:
    return lambda browser, _: browser.get(url, headers=headers or None)


def bench_pages(subjects: Subjects) -> list[Page]:
    """Every page and write, in the report's order."""
    return [*staff_pages(subjects), *dashboard_pages(), *outside_pages(subjects), *writes(subjects)]


def staff_pages(subjects: Subjects) -> list[Page]:
    client, series, week = subjects.client, subjects.series, subjects.week
    calendar = reverse("calendar")
    week_query = f"?view=week&date={week.isoformat()}&esthetician={subjects.esthetician.pk}"
    clients = reverse("client_list")
    pages = [
        Page("Today, esthetician", ESTHETICIAN, get(reverse("today"))),
        Page("Today, manager (everyone)", MANAGER, get(reverse("today"))),
        Page("Calendar, team day", ESTHETICIAN, get(f"{calendar}?view=day")),
        Page("Calendar, week (busiest)", ESTHETICIAN, get(calendar + week_query)),
        Page("Clients", ESTHETICIAN, get(clients)),
        Page("Clients, search surname", ESTHETICIAN, get(_search(clients, subjects.surname))),
        Page("Clients, search phone", ESTHETICIAN, get(_search(clients, subjects.phone_start))),
        Page("Client page", ESTHETICIAN, get(reverse("client_detail", args=[client.pk]))),
        Page("Series page", ESTHETICIAN, get(reverse("series_detail", args=[series.pk]))),
        Page(
            "Session page",
            ESTHETICIAN,
            get(reverse("session_detail", args=[subjects.session.pk])),
        ),
    ]
    if subjects.planning is not None:
        query = urlencode(subjects.planning.choices(), doseq=True)
        preview = get(f"{reverse('series_new')}?{query}", **HTMX)
        pages.append(Page(f"Series planning preview, {PLANNED_SESSIONS}", ESTHETICIAN, preview))
    return pages


def dashboard_pages() -> list[Page]:
    url = reverse("dashboard")
    pages = [Page("Dashboard", MANAGER, get(url))]
    for period in DASHBOARD_PERIODS:
        if period != DEFAULT_PERIOD:
            shown = get(f"{url}?period={period}")
            pages.append(Page(f"Dashboard, period {period}", MANAGER, shown))
    for sort in SORTS:
        if sort != DEFAULT_SORT.sort:
            pages.append(Page(f"Dashboard, sort by {sort}", MANAGER, get(f"{url}?sort={sort}")))
    pages += [
        Page("Dashboard, behind schedule", MANAGER, get(f"{url}?flag=behind")),
        Page("Dashboard, all statuses", MANAGER, get(f"{url}?status=all")),
        Page("CSV export, all series", MANAGER, get(f"{reverse('dashboard_export')}?status=all")),
    ]
    return pages


def outside_pages(subjects: Subjects) -> list[Page]:
    """What a phone or a client opens, without signing in: the feed and the intake link."""
    esthetician = subjects.esthetician
    feed_token = functools.cache(lambda: calendar_token_regenerate(esthetician=esthetician))
    intake_path = functools.cache(lambda: _intake_link(subjects))
    return [
        Page(
            "Calendar feed (.ics)",
            NOBODY,
            lambda browser, token: browser.get(reverse("calendar_feed", args=[token])),
            prepare=feed_token,
        ),
        Page(
            "Intake via link, form",
            NOBODY,
            lambda browser, path: browser.get(path),
            prepare=intake_path,
        ),
    ]


def writes(subjects: Subjects) -> list[Page]:
    pages = []
    if subjects.planning is not None:
        pages += [
            Page(
                "Book one session (POST)",
                ESTHETICIAN,
                functools.partial(_book, booking=_booking(subjects)),
                expect=DONE,
                write=True,
                went_through=redirects_to(r"/sessions/\d+/"),
            ),
            Page(
                f"Plan + confirm {PLANNED_SESSIONS} (preview + POST)",
                ESTHETICIAN,
                functools.partial(_plan_and_confirm, choices=subjects.planning.choices()),
                expect=DONE,
                write=True,
                went_through=redirects_to(r"/series/\d+/"),
            ),
        ]
    if subjects.to_complete is not None:
        session = subjects.to_complete
        pages.append(
            Page(
                "Complete a session (POST)",
                ESTHETICIAN,
                functools.partial(_complete, session=session, record=_record(session)),
                expect=DONE,
                write=True,
                prepare=functools.partial(_reopen, session),
                went_through=lambda *_: _completed(session),
            )
        )
    pages.append(
        Page(
            "Intake via link (POST)",
            NOBODY,
            functools.partial(_intake_send, answers=_intake_answers(subjects)),
            expect=DONE,
            write=True,
            prepare=functools.partial(_intake_link, subjects),
            went_through=redirects_to(re.escape(reverse("intake_thanks"))),
        )
    )
    return pages


def _search(url: str, words: str) -> str:
    return f"{url}?{urlencode({'q': words})}"


def _booking(subjects: Subjects) -> dict[str, str]:
    planning = subjects.planning
    assert planning is not None
    moment = timezone.localtime(planning.first_slot)
    return {
        "client": str(planning.client.pk),
        "esthetician": str(planning.esthetician.pk),
        "treatment": str(planning.treatment.pk),
        "day": moment.date().isoformat(),
        "time": f"{moment:%H:%M}",
        "maintenance_visit": "",
        "caution_note": "",
    }


def _book(browser: Browser, _: Any, *, booking: dict[str, str]) -> HttpResponseBase:
    return browser.post(reverse("session_new"), booking)


def _plan_and_confirm(browser: Browser, _: Any, *, choices: dict[str, Any]) -> HttpResponseBase:
    """The preview staff look at, then "Book" with the sessions and fingerprint it shows."""
    url = reverse("series_new")
    preview = browser.get(url, choices, headers=HTMX)
    page = html.unescape(preview.content.decode())
    slots = re.findall(r'name="slot" value="([^"]+)"', page)
    shown = re.search(r'name="plan_shown" value="([^"]*)"', page)
    return browser.post(url, choices | {"slot": slots, "plan_shown": shown[1] if shown else ""})


def _record(session: Session) -> dict[str, Any]:
    """A treatment record as the form posts it, at the client's last intensity."""
    last = latest_record(session.client)
    return {
        "intensity_ua": str(last.intensity_ua if last else 200),
        "frequency_hz": "300",
        "waveform": "square",
        "areas": ["cheekbones", "jawline"],
        "minutes": str(session.treatment.minutes if session.treatment.minutes <= 120 else 60),
        "gel_used": "Conductive gel",
        "tolerance": "comfortable",
        "adverse_reaction": "",
        "notes": "",
        "confirm_jump": "on",
    }


def _reopen(session: Session) -> None:
    """Make the session one to record: booked and checked in (undone after the run)."""
    if session.status == Session.Status.COMPLETED:
        TreatmentRecord.objects.filter(session=session).delete()
    Session.objects.filter(pk=session.pk).update(
        status=Session.Status.BOOKED, checked_in_at=session.starts_at
    )


def _complete(
    browser: Browser, _: Any, *, session: Session, record: dict[str, Any]
) -> HttpResponseBase:
    return browser.post(reverse("session_complete", args=[session.pk]), record)


def _completed(session: Session) -> bool:
    return Session.objects.filter(pk=session.pk, status=Session.Status.COMPLETED).exists()


def _intake_link(subjects: Subjects) -> str:
    return intake_link_create(client=subjects.client, created_by=None, site_url="")


def _intake_answers(subjects: Subjects) -> dict[str, str]:
    """The client's own details, No to every question, consent and signature."""
    client = subjects.client
    born = client.date_of_birth or dt.date(1985, 6, 15)
    return {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "email": client.email,
        "phone": client.phone,
        "date_of_birth": born.isoformat(),
        **dict.fromkeys((*BLOCK_QUESTIONS, *CAUTION_QUESTIONS), "no"),
        "consent": "on",
        "signature": f"{client.first_name} {client.last_name}",
    }


def _intake_send(browser: Browser, path: str, *, answers: dict[str, str]) -> HttpResponseBase:
    return browser.post(path, answers)
