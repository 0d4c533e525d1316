"""The calendar: day and week views, and each esthetician's subscription feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import icalendar
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from spa.access import staff_required
from spa.dates import day_label
from spa.throttle import limit_link_guesses
from spa.views import render_page
from treatments.calendar_grid import week_grid
from treatments.models import Esthetician, Session
from treatments.selectors import (
    CalendarSession,
    calendar_estheticians,
    calendar_for,
    esthetician_for_feed,
    feed_fetches,
    feed_sessions,
    session_place,
)
from treatments.services.visits import (
    calendar_feed_fetched,
    calendar_feed_revoke,
    calendar_token_hash,
    calendar_token_regenerate,
)

VIEWS = ("week", "day")
FEED_LINK = "calendar_feed_link"
# Far enough for any real booking, and far from the ends of Python's dates.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


@require_http_methods(["GET"])
@staff_required
def calendar(request: HttpRequest) -> HttpResponse:
    """One esthetician's day or week as a time grid; htmx swaps only the calendar region."""
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
    }
    if esthetician is not None:
        context.update(_calendar(esthetician, view=view, day=day, today=today))
    return render_page(request, "treatments/calendar.html", context, partial="calendar")


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
    sessions = list(feed_sessions(esthetician, now=timezone.now()))
    calendar_feed_fetched(
        esthetician=esthetician,
        ip_address=request.META.get("REMOTE_ADDR"),
        user_agent=request.headers.get("User-Agent", ""),
        sessions=sessions,
    )
    feed = _feed(esthetician, sessions, request=request)
    response = HttpResponse(feed.to_ical(), content_type="text/calendar; charset=utf-8")
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


def _calendar_url(*, view: str, day: dt.date, esthetician: Esthetician) -> str:
    query = urlencode({"view": view, "date": day.isoformat(), "esthetician": esthetician.pk})
    return f"{reverse('calendar')}?{query}"


def _calendar(
    esthetician: Esthetician, *, view: str, day: dt.date, today: dt.date
) -> dict[str, Any]:
    """The grid and the links around it for one esthetician's day or week."""
    if view == "week":
        monday = day - dt.timedelta(days=day.weekday())
        days = [monday + dt.timedelta(days=offset) for offset in range(7)]
    else:
        days = [day]
    data = calendar_for(esthetician, starts_on=days[0], ends_on=days[-1])
    if view == "week" and not _works_sunday(days[-1], data.hours, data.sessions):
        days = days[:-1]
    step = dt.timedelta(days=7 if view == "week" else 1)

    def url(view: str, day: dt.date) -> str:
        return _calendar_url(view=view, day=day, esthetician=esthetician)

    return {
        "days": days,
        "title": day_label(day, today=today)
        if view == "day"
        else f"{day_label(days[0], today=today)} – {day_label(days[-1], today=today)}",
        "grid": week_grid(
            days=days,
            hours=data.hours,
            sessions=data.sessions,
            days_off=data.days_off,
            now=timezone.now(),
        ),
        "links": {
            "prev": url(view, day - step),
            "next": url(view, day + step),
            "today": url(view, today),
            "day": url("day", day),
            "week": url("week", day),
        },
    }


def _works_sunday(
    sunday: dt.date, hours: Mapping[int, Sequence[object]], sessions: Iterable[CalendarSession]
) -> bool:
    """Sunday is shown when the esthetician works Sundays or has sessions on this one."""
    return bool(hours.get(6)) or any(
        timezone.localdate(item.starts_at) == sunday for item in sessions
    )


def _feed(
    esthetician: Esthetician, sessions: Iterable[Session], *, request: HttpRequest
) -> icalendar.Calendar:
    """An iCalendar with one event per session: who, what, where in the series, any flag."""
    feed = icalendar.Calendar()
    feed.add("prodid", "-//Spa Planner//Esthetician calendar//EN")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", f"{esthetician} – Spa Planner")
    feed.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", icalendar.vDuration(dt.timedelta(hours=1)))
    for session in sessions:
        place = session_place(session)
        description = [f"{session.get_kind_display()} · {session.get_status_display()}"]
        if session.needs_attention and session.status == Session.Status.BOOKED:
            # Only that it does: why is health data, kept to the session's logged page.
            description.append("Needs attention")
        event = icalendar.Event()
        event.add("uid", f"session-{session.pk}@spa-planner")
        event.add("dtstamp", session.updated_at.astimezone(dt.UTC))
        event.add("last-modified", session.updated_at.astimezone(dt.UTC))
        event.add("dtstart", session.starts_at.astimezone(dt.UTC))
        event.add("dtend", session.ends_at.astimezone(dt.UTC))
        event.add("summary", f"{session.client.full_name} – {session.treatment.name} ({place})")
        event.add("description", "\n".join(description))
        event.add("status", "CONFIRMED")
        event.add("url", request.build_absolute_uri(reverse("session_detail", args=[session.pk])))
        feed.add_component(event)
    return feed
