"""Where sessions can go: the esthetician's calendar, the client's blocks, and series plans.

Pure: plain values in, plain values out; no queries and no clock (`today` is passed in).
The rules are in docs/domain.md, "Series and maintenance".

A session can be booked at a time when:
- it lies inside one stretch of the esthetician's working hours that day,
- the spa is open and the esthetician is not away,
- the esthetician has no other session then,
- nothing in the client's health intake blocks treatment on that day,
- and any caution has been acknowledged in a note by staff.

A series is planned by walking forward from its start date. Each session goes on the next
preferred weekday, at the preferred time, at least two days after the one before and no more
than the sessions-per-week allows in one calendar week. When that day will not do, the session
moves on to the next preferred weekday that will, and says why it moved.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone

from clients.eligibility import Finding, assess
from clients.models import Intake
from spa.dates import day_label

MIN_DAYS_APART = 2
PLANNING_HORIZON_DAYS = 366

# Short words for the blocks that can move a session (the others allow no plan at all).
BLOCK_BRIEFS = {
    "recent_injectable": "recent filler or botox",
    "pregnancy_first_trimester": "first trimester of pregnancy",
}


@dataclass(frozen=True)
class Reason:
    """Why a time cannot be booked: `code` for programs, `message` for people."""

    code: str
    message: str
    until: dt.date | None = None
    brief: str = ""


CLIENT_ERASED = Reason(
    "client_erased", "This client's record was erased: they can no longer be booked."
)


@dataclass(frozen=True)
class DaysOff:
    """Days the spa is closed (`esthetician_away` False) or the esthetician is away."""

    starts_on: dt.date
    ends_on: dt.date
    reason: str = ""
    esthetician_away: bool = False


@dataclass(frozen=True)
class Availability:
    """An esthetician's calendar as plain values, and the client's other sessions: neither
    the esthetician nor the client is ever in two places at once."""

    esthetician: str
    hours: Mapping[int, Sequence[tuple[dt.time, dt.time]]]
    days_off: Sequence[DaysOff] = ()
    busy: Sequence[tuple[dt.datetime, dt.datetime]] = ()
    client_busy: Sequence[tuple[dt.datetime, dt.datetime]] = ()

    def busy_during(
        self, starts_at: dt.datetime, ends_at: dt.datetime
    ) -> tuple[dt.datetime, dt.datetime] | None:
        """The esthetician's earliest session overlapping this time, or None."""
        return self._busy.first_overlapping(starts_at, ends_at)

    def client_busy_during(
        self, starts_at: dt.datetime, ends_at: dt.datetime
    ) -> tuple[dt.datetime, dt.datetime] | None:
        """The client's earliest other session overlapping this time, or None."""
        return self._client_busy.first_overlapping(starts_at, ends_at)

    # A plan tries day after day against a year of a busy esthetician's sessions: put in
    # order once, each try looks only among those that start close enough to reach it.
    @cached_property
    def _busy(self) -> Timeline:
        return Timeline(self.busy)

    @cached_property
    def _client_busy(self) -> Timeline:
        return Timeline(self.client_busy)


class Timeline:
    """Sessions in order of their start, to find the one in the way of a time at once."""

    def __init__(self, times: Sequence[tuple[dt.datetime, dt.datetime]]) -> None:
        self.times = sorted(times)
        self.starts = [starts_at for starts_at, _ in self.times]
        self.longest = max((ends_at - starts_at for starts_at, ends_at in self.times), default=None)

    def first_overlapping(
        self, starts_at: dt.datetime, ends_at: dt.datetime
    ) -> tuple[dt.datetime, dt.datetime] | None:
        """The earliest session overlapping starts_at–ends_at, or None."""
        if self.longest is None:
            return None
        # None starting before this, the longest ago, can still be going on.
        first = bisect_left(self.starts, starts_at - self.longest)
        last = bisect_left(self.starts, ends_at)
        for busy_from, busy_to in self.times[first:last]:
            if starts_at < busy_to:
                return busy_from, busy_to
        return None


@dataclass(frozen=True)
class SeriesRequest:
    """What staff ask for when planning a series."""

    starts_on: dt.date
    sessions: int
    sessions_per_week: int
    weekdays: frozenset[int]
    start_time: dt.time
    minutes: int


@dataclass(frozen=True)
class ProposedSession:
    number: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    moved_from: dt.date | None = None
    skipped: tuple[tuple[dt.date, tuple[Reason, ...]], ...] = ()
    cautions: tuple[Finding, ...] = ()
    today: dt.date | None = None

    @property
    def why_moved(self) -> str:
        """ "moved from Tue 1 Dec: recent filler or botox until Fri 4 Dec", or "" when not moved.

        Each reason is named once, at the first day it struck; a reason without an end date
        that struck again says on how many later days.
        """
        if self.moved_from is None:
            return ""
        struck: dict[str, list[dt.date]] = {}
        dated: dict[str, bool] = {}
        for day, reasons in self.skipped:
            briefs = "; ".join(reason.brief or reason.message for reason in reasons)
            struck.setdefault(briefs, []).append(day)
            dated[briefs] = all(reason.until is not None for reason in reasons)
        parts = []
        for briefs, days in struck.items():
            part = f"{day_label(days[0], today=self.today)}: {briefs}"
            if len(days) > 1 and not dated[briefs]:
                later = len(days) - 1
                part += f" (and {later} later day{'s' if later > 1 else ''})"
            parts.append(part)
        return "moved from " + "; ".join(parts)


@dataclass(frozen=True)
class Plan:
    sessions: tuple[ProposedSession, ...] = ()
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def cautions(self) -> tuple[Finding, ...]:
        """Every caution met by any session of the plan, once each."""
        seen: dict[str, Finding] = {}
        for session in self.sessions:
            for caution in session.cautions:
                seen.setdefault(caution.code, caution)
        return tuple(seen.values())


def clock_change_days(starts_on: dt.date, ends_on: dt.date) -> list[dt.date]:
    """The spa-local days between two dates (both included) on which the clocks change, or
    change at the midnight after: on those days local times of day do not compare as hours."""
    zone = timezone.get_current_timezone()
    days = (ends_on - starts_on).days + 1
    offsets = [
        dt.datetime.combine(starts_on + dt.timedelta(days=n), dt.time(), zone).utcoffset()
        for n in range(days + 1)
    ]
    return [starts_on + dt.timedelta(days=n) for n in range(days) if offsets[n] != offsets[n + 1]]


def session_time(day: dt.date, at: dt.time) -> dt.datetime:
    """The moment `at` o'clock on `day` in the spa's time zone (10:00 stays 10:00 across DST)."""
    return timezone.make_aware(dt.datetime.combine(day, at))


def calendar_problems(
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    availability: Availability,
    *,
    today: dt.date | None = None,
) -> list[Reason]:
    """What in the esthetician's calendar stands in the way of a session at this time."""
    start = timezone.localtime(starts_at)
    end = timezone.localtime(ends_at)
    day = start.date()
    name = availability.esthetician
    problems: list[Reason] = []

    for days_off in availability.days_off:
        if days_off.starts_on <= day <= days_off.ends_on:
            because = f" ({days_off.reason})" if days_off.reason else ""
            if days_off.esthetician_away:
                brief = f"{name} away{because}"
                problems.append(
                    Reason(
                        "esthetician_away",
                        f"{name} is away on {day_label(day, today=today)}{because}.",
                        brief=brief,
                    )
                )
            else:
                brief = f"spa closed{because}"
                problems.append(
                    Reason(
                        "spa_closed",
                        f"The spa is closed on {day_label(day, today=today)}{because}.",
                        brief=brief,
                    )
                )

    stretches = availability.hours.get(day.weekday(), ())
    inside = end.date() == day and any(
        opens <= start.time() and end.time() <= closes for opens, closes in stretches
    )
    if not inside:
        if stretches:
            hours = ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in stretches)
            message = f"{start:%H:%M}–{end:%H:%M} is outside {name}'s hours on {day:%A}s ({hours})."
        else:
            message = f"{name} does not work on {day:%A}s."
        problems.append(Reason("outside_hours", message, brief=f"outside {name}'s hours"))

    if busy := availability.busy_during(starts_at, ends_at):
        taken = timezone.localtime(busy[0])
        problems.append(
            Reason(
                "slot_taken",
                f"{name} already has a session from {taken:%H:%M} on "
                f"{day_label(day, today=today)}.",
                brief=f"{name} already booked",
            )
        )
    if busy := availability.client_busy_during(starts_at, ends_at):
        taken = f"{timezone.localtime(busy[0]):%H:%M}–{timezone.localtime(busy[1]):%H:%M}"
        problems.append(
            Reason(
                "client_busy",
                f"The client already has a session from {taken} on {day_label(day, today=today)}.",
                brief="client booked elsewhere",
            )
        )
    return problems


def finding_reasons(findings: Sequence[Finding], *, today: dt.date | None = None) -> list[Reason]:
    """The blocks among the findings, as reasons a booking is refused."""
    reasons = []
    for finding in findings:
        if finding.is_block:
            brief = BLOCK_BRIEFS.get(finding.code, finding.code.replace("_", " "))
            if finding.until is not None:
                brief += f" until {day_label(finding.until, today=today)}"
            reasons.append(Reason(finding.code, finding.message, finding.until, brief))
    return reasons


def unacknowledged_cautions(findings: Sequence[Finding], caution_note: str) -> list[Reason]:
    """A reason to refuse when the findings hold cautions and no staff note acknowledges them."""
    cautions = [finding for finding in findings if not finding.is_block]
    if not cautions or caution_note.strip():
        return []
    listed = "; ".join(caution.message for caution in cautions)
    return [
        Reason(
            "caution_not_acknowledged",
            f"A note acknowledging the client's cautions is needed: {listed}",
            brief="caution not acknowledged",
        )
    ]


def booking_problems(
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    availability: Availability,
    findings: Sequence[Finding],
    caution_note: str,
    today: dt.date | None = None,
) -> list[Reason]:
    """Every reason a session at this time cannot be booked; empty when it can."""
    return (
        calendar_problems(starts_at, ends_at, availability, today=today)
        + finding_reasons(findings, today=today)
        + unacknowledged_cautions(findings, caution_note)
    )


def plan_series(
    request: SeriesRequest, *, availability: Availability, intake: Intake | None, today: dt.date
) -> Plan:
    """Propose every session of a series, or say why no plan is possible."""
    permanent = [
        reason
        for reason in finding_reasons(assess(intake, request.starts_on, today=today), today=today)
        if reason.until is None
    ]
    if permanent:
        return Plan(reasons=tuple(permanent))
    if not request.weekdays:
        return Plan(reasons=(Reason("no_weekdays", "Choose at least one preferred weekday."),))

    per_week: Counter[tuple[int, int]] = Counter()
    last_day = request.starts_on + dt.timedelta(days=PLANNING_HORIZON_DAYS)
    earliest = request.starts_on
    sessions: list[ProposedSession] = []

    def next_day(on_or_after: dt.date) -> dt.date:
        day = on_or_after
        while day.weekday() not in request.weekdays or (
            per_week[day.isocalendar()[:2]] >= request.sessions_per_week
        ):
            day += dt.timedelta(days=1)
        return day

    for number in range(1, request.sessions + 1):
        intended = day = next_day(earliest)
        skipped: list[tuple[dt.date, tuple[Reason, ...]]] = []
        while True:
            if day > last_day:
                return Plan(
                    sessions=tuple(sessions),
                    reasons=(
                        Reason(
                            "no_free_slot",
                            f"No free {request.start_time:%H:%M} slot for session {number} "
                            f"within a year of {day_label(request.starts_on, today=today)}.",
                        ),
                    ),
                )
            starts_at = session_time(day, request.start_time)
            ends_at = starts_at + dt.timedelta(minutes=request.minutes)
            findings = assess(intake, day, today=today)
            problems = calendar_problems(
                starts_at, ends_at, availability, today=today
            ) + finding_reasons(findings, today=today)
            if not problems:
                break
            skipped.append((day, tuple(problems)))
            day = next_day(day + dt.timedelta(days=1))

        sessions.append(
            ProposedSession(
                number=number,
                starts_at=starts_at,
                ends_at=ends_at,
                moved_from=intended if skipped else None,
                skipped=tuple(skipped),
                cautions=tuple(finding for finding in findings if not finding.is_block),
                today=today,
            )
        )
        per_week[day.isocalendar()[:2]] += 1
        earliest = day + dt.timedelta(days=MIN_DAYS_APART)
    return Plan(sessions=tuple(sessions))


def maintenance_due_dates(*, after: dt.date, weeks: int, visits: int) -> list[dt.date]:
    """Maintenance visits fall every `weeks` weeks after the last completed treatment."""
    return [after + dt.timedelta(weeks=weeks * number) for number in range(1, visits + 1)]
