"""The calendar: the team's day and each esthetician's week, moving sessions on it by
dragging, and each esthetician's subscription feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from spa.access import staff_required
from spa.addresses import numbered
from spa.dates import day_label, moment_label
from spa.throttle import limit_link_guesses
from spa.views import render_page, wants_partial
from treatments import services
from treatments.calendar_grid import team_grid, week_grid
from treatments.forms import RescheduleForm
from treatments.ical import FeedEvent, calendar_text
from treatments.models import Esthetician, Session
from treatments.selectors import (
    CalendarSession,
    FeedSession,
    calendar_estheticians,
    calendar_for,
    esthetician_for_feed,
    feed_fetches,
    feed_sessions,
    shortest_treatment_minutes,
    team_calendar_for,
    team_for_day,
)
from treatments.services import BookingRefused
from treatments.services.visits import (
    calendar_feed_fetched,
    calendar_feed_revoke,
    calendar_token_hash,
    calendar_token_regenerate,
)
from treatments.views.options import options

VIEWS = ("week", "day")
# The team's day shows this many estheticians side by side; a bigger team is paged through.
TEAM_COLUMNS = 10
FEED_LINK = "calendar_feed_link"
# Far enough for any real booking, and far from the ends of Python's dates.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
CALENDAR_PAGE = "treatments/calendar.html"
# Why a move can be refused, as far as the calendar may say. Any other reason (a block, a
# caution to acknowledge) comes from the client's health record, which the calendar never
# shows: that is said only on the session's page, where each look is logged.
CALENDAR_REASONS = frozenset(
    {
        "slot_taken",
        "client_busy",
        "outside_hours",
        "spa_closed",
        "esthetician_away",
        "in_the_past",
        "not_booked",
        "client_erased",
    }
)


@dataclass(frozen=True)
class Move:
    """What became of a session dragged on the calendar, in words the calendar may show."""

    session: Session
    moved: bool
    said: str
    # Refused for a reason from the client's health record: open the session to see it.
    for_health: bool = False


@require_http_methods(["GET"])
@staff_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The team's day (a column per esthetician) or one esthetician's week, as a time grid;
    htmx swaps only the calendar region."""
    return render_page(request, CALENDAR_PAGE, _calendar_page(request), partial="calendar")


@require_POST
@staff_required
def calendar_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a session dragged to another time or esthetician, with a reschedule's checks.

    htmx gets the calendar region as it now stands (the address's view) and what became of
    the move; a plain post goes back to the calendar with it as a message."""
    session = get_object_or_404(
        Session.objects.select_related("client", "esthetician__user"), pk=pk
    )
    move = _move(request, session, RescheduleForm(request.POST))
    if not wants_partial(request):
        if move.moved:
            messages.success(request, move.said)
        else:
            why = " Open the session to see why." if move.for_health else ""
            messages.error(request, f"Not moved: {move.said}{why}")
        return redirect(_calendar_query_url(request.GET))
    context = _calendar_page(request) | {"move": move}
    return render_page(request, CALENDAR_PAGE, context, partial="calendar")


def _calendar_page(request: HttpRequest) -> dict[str, Any]:
    """What the calendar shows for the view, date and esthetician in the address."""
    today = timezone.localdate()
    view, day, notice = _asked_for(request.GET, today=today)
    estheticians = calendar_estheticians()
    own = getattr(request.user, "esthetician", None)
    esthetician, who_notice = _chosen_esthetician(request.GET, estheticians, own=own)
    context = {
        "view": view,
        "day": day,
        "today": today,
        "notice": " ".join(filter(None, [notice, who_notice])),
        "esthetician": esthetician,
        "estheticians": estheticians,
        "own": own if own is not None and own.is_active else None,
        # A region swapped in by htmx also refreshes the announcement of the last move.
        "swapped": wants_partial(request),
    }
    if esthetician is None:
        return context
    # A free time is offered only where the shortest treatment fits (None: nothing to book).
    shortest = shortest_treatment_minutes()
    context["bookable"] = shortest is not None
    if view == "day":
        context |= _team_day(estheticians, esthetician, day=day, today=today, shortest=shortest)
    else:
        context |= _week(esthetician, day=day, today=today, shortest=shortest)
        context["picker"] = _picker(estheticians, esthetician, own=context["own"])
    context["links"] = _links(esthetician, view=view, day=day, today=today)
    context["move_query"] = urlencode(
        {"view": view, "date": day.isoformat(), "esthetician": esthetician.pk}
    )
    # The addresses the grid links each free time and session to: reversed once per page, the
    # session's number put in by the template (hundreds of entries, one reverse each).
    context["book_url"] = reverse("session_new")
    context["to"] = numbered(session="session_detail", move="calendar_move")
    return context


def _move(request: HttpRequest, session: Session, form: RescheduleForm) -> Move:
    """Move the session as the form says, or say why not."""
    if not form.is_valid():
        errors = " ".join(error for errors in form.errors.values() for error in errors)
        return Move(session, moved=False, said=errors)
    esthetician = form.cleaned_data["esthetician"]
    try:
        moved = services.session_reschedule(
            session=session, starts_at=form.starts_at(), by=request.user, esthetician=esthetician
        )
    except BookingRefused as refused:
        shown = [reason.message for reason in refused.reasons if reason.code in CALENDAR_REASONS]
        for_health = len(shown) < len(refused.reasons)
        if for_health:
            shown.append("The client's health record stands in the way on that day.")
        return Move(session, moved=False, said=" ".join(shown), for_health=for_health)
    said = f"Moved {moved.client} to {moment_label(moved.starts_at)} with {moved.esthetician}."
    return Move(moved, moved=True, said=said)


@require_http_methods(["GET", "POST"])
@staff_required
def calendar_subscription(request: HttpRequest) -> HttpResponse:
    """The esthetician's feed for their phone: on or off, its recent fetches, a new address.

    A new address (POST) is shown once, on the page that follows; the old one stops working."""
    esthetician = get_object_or_404(
        Esthetician.objects.select_related("user"), user=request.user, is_active=True
    )
    if request.method == "POST":
        replaced = bool(esthetician.calendar_token_hash)
        token = calendar_token_regenerate(esthetician=esthetician)
        url = request.build_absolute_uri(reverse("calendar_feed", args=[token]))
        request.session[FEED_LINK] = {"url": url, "replaced": replaced}
        return redirect("calendar_subscription")
    context = {
        "esthetician": esthetician,
        "feed_link": request.session.pop(FEED_LINK, None),
        "fetches": feed_fetches(esthetician),
    }
    return render(request, "treatments/calendar_subscription.html", context)


@require_POST
@staff_required
def calendar_subscription_off(request: HttpRequest) -> HttpResponse:
    """Turn off the logged-in esthetician's feed: its address stops working at once."""
    esthetician = get_object_or_404(Esthetician, user=request.user, is_active=True)
    calendar_feed_revoke(esthetician=esthetician)
    messages.success(request, "Your calendar subscription is off: its link no longer works.")
    return redirect("calendar_subscription")


@require_safe
@limit_link_guesses("calendar-feed")
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The esthetician's booked and completed sessions for a phone's calendar; the token in
    the address is the only key."""
    esthetician = esthetician_for_feed(calendar_token_hash(token))
    if esthetician is None:
        return HttpResponseNotFound(
            "No calendar at this address.\n", content_type="text/plain; charset=utf-8"
        )
    sessions = feed_sessions(esthetician, now=timezone.now())
    calendar_feed_fetched(
        esthetician=esthetician,
        ip_address=request.META.get("REMOTE_ADDR"),
        user_agent=request.headers.get("User-Agent", ""),
        sessions=len(sessions),
        flagged=sum(session.needs_attention for session in sessions),
    )
    feed = _feed(esthetician, sessions, request=request)
    response = HttpResponse(feed, content_type="text/calendar; charset=utf-8")
    patch_cache_control(response, private=True)
    return response


def _asked_for(params: QueryDict, *, today: dt.date) -> tuple[str, dt.date, str]:
    """The view and date in the address, or the defaults with a sentence saying what was wrong."""
    view = params.get("view", "")
    view = view if view in VIEWS else VIEWS[0]
    value = params.get("date", "").strip()
    if not value:
        return view, today, ""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        return view, today, f"“{value[:20]}” is not a date the calendar can show; showing today."
    return view, day, ""


def _chosen_esthetician(
    params: QueryDict, estheticians: list[Esthetician], *, own: Esthetician | None
) -> tuple[Esthetician | None, str]:
    """The esthetician asked for (404 for an unknown id), else me, else the first one."""
    value = params.get("esthetician", "").strip()
    if value.isdigit() and len(value) < 19:
        pk = int(value)
        listed = next((esthetician for esthetician in estheticians if esthetician.pk == pk), None)
        return listed or get_object_or_404(Esthetician.objects.select_related("user"), pk=pk), ""
    notice = f"There is no esthetician “{value[:20]}”; showing the usual calendar." if value else ""
    if own is not None and own.is_active:
        return own, notice
    return (estheticians[0] if estheticians else None), notice


def _picker(
    estheticians: list[Esthetician], chosen: Esthetician, *, own: Esthetician | None
) -> SafeString:
    """The week's choice of esthetician, an option each, the user's own marked "(me)"."""
    mine = own.pk if own is not None else None
    return options(
        (
            (person.pk, f"{person} (me)" if person.pk == mine else str(person))
            for person in estheticians
        ),
        chosen=chosen.pk,
    )


def _calendar_url(*, view: str, day: dt.date, esthetician: Esthetician) -> str:
    query = urlencode({"view": view, "date": day.isoformat(), "esthetician": esthetician.pk})
    return f"{reverse('calendar')}?{query}"


def _calendar_query_url(params: QueryDict) -> str:
    """The calendar at the view, date and esthetician these parameters name (if any)."""
    query = urlencode(
        {name: params[name] for name in ("view", "date", "esthetician") if params.get(name)}
    )
    return f"{reverse('calendar')}?{query}" if query else reverse("calendar")


def _links(esthetician: Esthetician, *, view: str, day: dt.date, today: dt.date) -> dict[str, str]:
    """The addresses around what is shown: earlier, later, today, the day or the week."""
    step = dt.timedelta(days=7 if view == "week" else 1)

    def url(view: str, day: dt.date) -> str:
        return _calendar_url(view=view, day=day, esthetician=esthetician)

    return {
        "prev": url(view, day - step),
        "next": url(view, day + step),
        "today": url(view, today),
        "day": url("day", day),
        "week": url("week", day),
    }


def _week(
    esthetician: Esthetician, *, day: dt.date, today: dt.date, shortest: int | None
) -> dict[str, Any]:
    """The grid of one esthetician's week (Sunday only when it holds something)."""
    monday = day - dt.timedelta(days=day.weekday())
    days = [monday + dt.timedelta(days=offset) for offset in range(7)]
    data = calendar_for(esthetician, starts_on=days[0], ends_on=days[-1])
    if not _works_sunday(days[-1], data.hours, data.sessions):
        days = days[:-1]
    return {
        "days": days,
        "title": f"{day_label(days[0], today=today)} – {day_label(days[-1], today=today)}",
        "grid": week_grid(
            days=days,
            hours=data.hours,
            sessions=data.sessions,
            days_off=data.days_off,
            shortest_treatment=shortest,
            now=timezone.now(),
        ),
    }


def _team_day(
    estheticians: list[Esthetician],
    chosen: Esthetician,
    *,
    day: dt.date,
    today: dt.date,
    shortest: int | None,
) -> dict[str, Any]:
    """The grid of one day with a column per esthetician, as a front desk plans it: at most
    TEAM_COLUMNS of them, those around the chosen esthetician, with the way to the others."""
    team = team_for_day(day, estheticians=estheticians)
    chosen_at = next((n for n, who in enumerate(team) if who.pk == chosen.pk), 0)
    first = chosen_at - chosen_at % TEAM_COLUMNS
    shown = team[first : first + TEAM_COLUMNS]
    timetables = team_calendar_for(day, estheticians=shown)
    earlier, later = team[first - TEAM_COLUMNS] if first else None, None
    if first + TEAM_COLUMNS < len(team):
        later = team[first + TEAM_COLUMNS]
    return {
        "days": [day],
        "title": day_label(day, today=today),
        "grid": team_grid(
            day=day, timetables=timetables, shortest_treatment=shortest, now=timezone.now()
        ),
        "team_page": {
            "first": first + 1,
            "last": first + len(shown),
            "of": len(team),
            "columns": TEAM_COLUMNS,
            "earlier": earlier and _calendar_url(view="day", day=day, esthetician=earlier),
            "later": later and _calendar_url(view="day", day=day, esthetician=later),
        }
        if len(team) > TEAM_COLUMNS
        else None,
    }


def _works_sunday(
    sunday: dt.date, hours: Mapping[int, Sequence[object]], sessions: Iterable[CalendarSession]
) -> bool:
    """Sunday is shown when the esthetician works Sundays or has sessions on this one."""
    return bool(hours.get(6)) or any(
        timezone.localdate(item.starts_at) == sunday for item in sessions
    )


def _feed(
    esthetician: Esthetician, sessions: Iterable[FeedSession], *, request: HttpRequest
) -> str:
    """An iCalendar with one event per session: who, what, where in the series, any flag."""
    kinds, statuses = dict(Session.Kind.choices), dict(Session.Status.choices)
    # The session page's address, with the number put in per event (one reverse, not hundreds).
    page = request.build_absolute_uri(reverse("session_detail", args=[0]))
    before, after = page.rsplit("/0/", 1)
    events = []
    for session in sessions:
        description = f"{kinds[session.kind]} · {statuses[session.status]}"
        if session.needs_attention and session.status == Session.Status.BOOKED:
            # Only that it does: why is health data, kept to the session's logged page.
            description += "\nNeeds attention"
        events.append(
            FeedEvent(
                uid=f"session-{session.pk}@spa-planner",
                modified_at=session.updated_at,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                summary=f"{session.client_name} – {session.treatment} ({session.place})",
                description=description,
                url=f"{before}/{session.pk}/{after}",
            )
        )
    return calendar_text(name=f"{esthetician} – Spa Planner", events=events)
