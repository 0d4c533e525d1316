"""An esthetician's calendar as the planner needs it, and the check of one time against it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone

from clients.eligibility import Finding, assess_at
from clients.models import Client
from clients.selectors import latest_intake
from spa.dates import moment_label
from treatments import scheduling
from treatments.models import Closure, Esthetician, Session
from treatments.selectors.today import day_bounds


def availability_for(
    esthetician: Esthetician,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    ignoring: Session | None = None,
    client: Client | None = None,
    request: scheduling.SeriesRequest | None = None,
) -> scheduling.Availability:
    """An esthetician's hours, days off and booked sessions between two spa-local dates, and
    the client's own sessions with anyone (`ignoring` is a session being moved); for a series
    `request`, only the sessions that can stand in the way of one of its sessions."""
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for stretch in esthetician.working_hours.order_by("weekday", "starts_at"):
        hours.setdefault(stretch.weekday, []).append((stretch.starts_at, stretch.ends_at))
    days_off = [
        scheduling.DaysOff(
            starts_on=closure.starts_on,
            ends_on=closure.ends_on,
            reason=closure.reason,
            esthetician_away=closure.esthetician_id is not None,
        )
        for closure in Closure.objects.filter(
            Q(esthetician__isnull=True) | Q(esthetician=esthetician),
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
    ]
    start, _ = day_bounds(starts_on)
    _, end = day_bounds(ends_on)
    busy: list[tuple[dt.datetime, dt.datetime]] = []
    client_busy: list[tuple[dt.datetime, dt.datetime]] = []
    whose = Q(esthetician=esthetician) | Q(client=client) if client else Q(esthetician=esthetician)
    held = (
        Session.objects.filter(
            whose,
            status__in=Session.HELD_STATUSES,
            starts_at__gte=start - Session.LONGEST,
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .filter(_in_the_way_of(request, starts_on=starts_on, ends_on=ends_on))
        .exclude(pk=getattr(ignoring, "pk", None))
        .values_list("esthetician_id", "client_id", "starts_at", "ends_at")
    )
    esthetician_id, client_id = esthetician.pk, getattr(client, "pk", None)
    for whose_esthetician, whose_client, starts_at, ends_at in held:
        if whose_esthetician == esthetician_id:
            busy.append((starts_at, ends_at))
        if whose_client == client_id:
            client_busy.append((starts_at, ends_at))
    return scheduling.Availability(
        esthetician=str(esthetician),
        hours=hours,
        days_off=days_off,
        busy=busy,
        client_busy=client_busy,
    )


def _in_the_way_of(
    request: scheduling.SeriesRequest | None, *, starts_on: dt.date, ends_on: dt.date
) -> Q:
    """The sessions that can overlap a session the request plans: one on a preferred weekday
    overlapping its time of day, or any that crosses a midnight or lies on a day the clocks
    change (there local times do not compare). A plan only ever tries those times, so it is
    the same as from every session; a busy calendar is read in a few rows, not a year's."""
    if request is None:
        return Q()
    opens = request.start_time
    closes = dt.datetime.combine(dt.date.min, opens) + dt.timedelta(minutes=request.minutes)
    if closes.date() != dt.date.min:
        return Q()  # Its sessions would cross midnight (none can be booked): no narrowing.
    one_day = Q(starts_at__date=F("ends_at__date"))
    at_its_time = Q(
        starts_at__iso_week_day__in=[weekday + 1 for weekday in request.weekdays],
        starts_at__time__lt=closes.time(),
        ends_at__time__gt=opens,
    )
    changes = scheduling.clock_change_days(starts_on - Session.LONGEST, ends_on)
    return (one_day & at_its_time) | ~one_day | Q(starts_at__date__in=changes)


def calendars_without_bookings(
    esthetician_ids: set[int], *, starts_on: dt.date, ends_on: dt.date
) -> dict[int, scheduling.Availability]:
    """Several estheticians' hours and days off between two dates, in two queries.

    Their bookings are left out: these calendars judge sessions already booked.
    """
    estheticians = Esthetician.objects.filter(pk__in=esthetician_ids).select_related("user")
    hours: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = {pk: {} for pk in esthetician_ids}
    names = {}
    for esthetician in estheticians.prefetch_related("working_hours"):
        names[esthetician.pk] = str(esthetician)
        for stretch in sorted(
            esthetician.working_hours.all(), key=lambda s: (s.weekday, s.starts_at)
        ):
            hours[esthetician.pk].setdefault(stretch.weekday, []).append(
                (stretch.starts_at, stretch.ends_at)
            )
    closures = list(
        Closure.objects.filter(
            Q(esthetician__isnull=True) | Q(esthetician_id__in=esthetician_ids),
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
    )
    return {
        pk: scheduling.Availability(
            esthetician=names.get(pk, ""),
            hours=hours[pk],
            days_off=[
                scheduling.DaysOff(
                    closure.starts_on,
                    closure.ends_on,
                    closure.reason,
                    esthetician_away=closure.esthetician_id is not None,
                )
                for closure in closures
                if closure.esthetician_id in (None, pk)
            ],
        )
        for pk in esthetician_ids
    }


@dataclass(frozen=True)
class SlotCheck:
    """The client's findings for a time, and every reason it cannot be booked."""

    findings: list[Finding]
    problems: list[scheduling.Reason]


def slot_check(
    *,
    client: Client,
    esthetician: Esthetician,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    caution_note: str,
    ignoring: Session | None = None,
) -> SlotCheck:
    """Check a time exactly as booking does; `ignoring` is a session being moved."""
    if client.erased_at is not None:
        return SlotCheck([], [scheduling.CLIENT_ERASED])
    now = timezone.now()
    today = timezone.localdate(now)
    findings = assess_at(latest_intake(client), starts_at, today=today)
    if starts_at < now:
        passed = f"{moment_label(starts_at, today=today)} has already passed."
        return SlotCheck(findings, [scheduling.Reason("in_the_past", passed)])
    availability = availability_for(
        esthetician,
        starts_on=timezone.localdate(starts_at),
        ends_on=timezone.localdate(ends_at),
        ignoring=ignoring,
        client=client,
    )
    problems = scheduling.booking_problems(
        starts_at,
        ends_at,
        availability=availability,
        findings=findings,
        caution_note=caution_note,
        today=today,
    )
    return SlotCheck(findings, problems)
