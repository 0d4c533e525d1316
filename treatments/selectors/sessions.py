"""The reads of the session screens: booking one session, the session page and its visit."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from clients.eligibility import Finding, assess_at, blocks, cautions
from clients.models import Client
from clients.selectors import latest_intake
from treatments import scheduling
from treatments.models import (
    Esthetician,
    MaintenanceVisit,
    Series,
    Session,
    Treatment,
    TreatmentRecord,
)
from treatments.scheduling import ProposedSession, Reason
from treatments.selectors.availability import availability_for, slot_check
from treatments.selectors.today import SessionWithFindings

# The reasons that come from the esthetician's calendar rather than the client's health.
CALENDAR_CODES = frozenset(
    {"in_the_past", "slot_taken", "client_busy", "outside_hours", "spa_closed", "esthetician_away"}
)
EVERY_DAY = frozenset(range(7))


# The session page --------------------------------------------------------------------------


# What the session page shows of the session's own relations: who, with whom, what, which
# course; then what happened to it (the record and who wrote it, the maintenance visit it is,
# who booked it).
PAGE_RELATIONS = ("client", "esthetician__user", "treatment", "series")
PAGE_OUTCOME = ("record__recorded_by", "maintenance_visit", "booked_by")


def session_for_page(pk: int) -> Session | None:
    """One session with everything its page shows (its place in the course too), or None.

    Read in two queries of five tables each rather than one of ten: PostgreSQL takes longer
    to plan the ten-table join than to plan and run both halves.
    """
    try:
        session = Session.objects.select_related(*PAGE_RELATIONS).with_series_position().get(pk=pk)
        outcome = Session.objects.select_related(*PAGE_OUTCOME).get(pk=pk)
    except Session.DoesNotExist:
        return None
    for name in ("record", "maintenance_visit", "booked_by"):
        relation = Session._meta.get_field(name)
        relation.set_cached_value(session, relation.get_cached_value(outcome))
    return session


@dataclass(frozen=True)
class SessionPage:
    """A session beside what its page says about it: its place in the plan and the findings."""

    session: Session
    place: str
    findings: list[Finding]
    record: TreatmentRecord | None
    # For a course session that was not given: the make-ups its series has booked.
    make_ups: list[Session] = dataclasses.field(default_factory=list)

    @property
    def blocks(self) -> list[Finding]:
        """The findings that refuse the treatment."""
        return blocks(self.findings)

    @property
    def cautions(self) -> list[Finding]:
        """The findings that need a staff note."""
        return cautions(self.findings)

    @property
    def has_started(self) -> bool:
        """True once the session's start time has come."""
        return self.session.starts_at <= timezone.now()

    @property
    def is_today(self) -> bool:
        """True on the session's own spa-local day, the only day it can be checked in."""
        return timezone.localdate(self.session.starts_at) == timezone.localdate()


def session_page(session: Session, *, today: dt.date) -> SessionPage:
    """The session with its place ("Series 3 of 8") and, while booked, the day's findings."""
    # As `with_findings` assesses, for one session: only a booked one, on its date.
    booked = session.status == Session.Status.BOOKED
    intake = latest_intake(session.client) if booked else None
    findings = assess_at(intake, session.starts_at, today=today) if booked else []
    item = SessionWithFindings(session=session, findings=findings)
    place = item.place
    visit = getattr(session, "maintenance_visit", None)
    if session.kind == Session.Kind.MAINTENANCE and visit is not None and session.series:
        place = f"Maintenance visit {visit.number} of {session.series.maintenance_visits}"
    make_ups: list[Session] = []
    ended = session.status not in Session.HELD_STATUSES
    if ended and session.kind in Session.COURSE_KINDS and session.series_id:
        make_ups = list(
            Session.objects.filter(
                series_id=session.series_id,
                kind=Session.Kind.MAKE_UP,
                status=Session.Status.BOOKED,
            ).order_by("starts_at")
        )
    return SessionPage(
        session=session,
        place=place,
        findings=item.findings,
        record=getattr(session, "record", None),
        make_ups=make_ups,
    )


def latest_record(client: Client) -> TreatmentRecord | None:
    """The treatment record of the client's latest completed session, or None."""
    return (
        TreatmentRecord.objects.filter(session__client=client)
        .select_related("session")
        .order_by("-session__starts_at", "-pk")
        .first()
    )


def previous_intensity(client: Client) -> int | None:
    """The intensity (µA) of the client's latest treatment record, or None for a first one."""
    record = latest_record(client)
    return record.intensity_ua if record else None


def make_up_obstacles(series: Series) -> list[Reason]:
    """Why no make-up session fits at the end of a series.

    Looks the way the outcome services look for one (`outcomes._book_make_up`): the first
    preferred day at least two days after the last session still held, or after today.
    """
    today = timezone.localdate()
    last = series.sessions.filter(status__in=Session.HELD_STATUSES).order_by("-starts_at").first()
    after = max(timezone.localdate(last.starts_at) if last else series.starts_on, today)
    request = scheduling.SeriesRequest(
        starts_on=after + dt.timedelta(days=scheduling.MIN_DAYS_APART),
        sessions=1,
        sessions_per_week=series.sessions_per_week,
        weekdays=frozenset(series.preferred_weekdays),
        start_time=series.preferred_time,
        minutes=series.treatment.minutes,
    )
    plan = _plan(series.esthetician, request, client=series.client)
    if plan.reasons:
        return list(plan.reasons)
    return scheduling.unacknowledged_cautions(plan.cautions, series.caution_note)


# Booking one session -----------------------------------------------------------------------


@dataclass(frozen=True)
class BookingCheck:
    """Whether a session can be booked at a time, and if not, why and when instead."""

    esthetician: Esthetician
    starts_at: dt.datetime
    ends_at: dt.datetime
    findings: tuple[Finding, ...]
    problems: tuple[Reason, ...]
    earliest: ProposedSession | None = None
    no_date_because: tuple[Reason, ...] = ()

    @property
    def blocks(self) -> list[Finding]:
        """The client's findings that refuse treatment on the day."""
        return blocks(self.findings)

    @property
    def cautions(self) -> list[Finding]:
        """The client's findings that need a staff note on the day."""
        return cautions(self.findings)

    @property
    def allowed(self) -> bool:
        """True when nothing stands in the way."""
        return not self.problems

    @property
    def calendar_problems(self) -> list[Reason]:
        """What in the esthetician's calendar stands in the way."""
        return [reason for reason in self.problems if reason.code in CALENDAR_CODES]

    @property
    def calendar_codes(self) -> frozenset[str]:
        """The codes of the reasons that come from the calendar (the page lists them apart)."""
        return CALENDAR_CODES

    @property
    def finding_codes(self) -> set[str]:
        """The codes of the client's findings on the day (the page lists them apart)."""
        return {finding.code for finding in self.findings}

    @property
    def slot(self) -> str:
        """The time in one word: "free", "taken", "past" or "unavailable" (closed, off hours)."""
        codes = {reason.code for reason in self.calendar_problems}
        if not codes:
            return "free"
        if "in_the_past" in codes:
            return "past"
        return "taken" if codes & {"slot_taken", "client_busy"} else "unavailable"

    def refused(self, reasons: Sequence[Reason]) -> BookingCheck:
        """The same check, listing the reasons a booking service gave for refusing."""
        return dataclasses.replace(self, problems=tuple(reasons))


def booking_check(
    *,
    client: Client,
    esthetician: Esthetician,
    starts_at: dt.datetime,
    minutes: int,
    caution_note: str = "",
    ignoring: Session | None = None,
) -> BookingCheck:
    """Check a time as the booking services will (read-only), with the earliest allowed one.

    `ignoring` is the session being moved, so that it does not stand in its own way.
    """
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    checked = slot_check(
        client=client,
        esthetician=esthetician,
        starts_at=starts_at,
        ends_at=ends_at,
        caution_note=caution_note,
        ignoring=ignoring,
    )
    findings, problems = checked.findings, checked.problems
    check = BookingCheck(
        esthetician=esthetician,
        starts_at=starts_at,
        ends_at=ends_at,
        findings=tuple(findings),
        problems=tuple(problems),
    )
    if all(reason.code == "caution_not_acknowledged" for reason in problems):
        return check
    plan = _earliest_plan(esthetician, starts_at, minutes, client=client, ignoring=ignoring)
    if plan.reasons:
        return dataclasses.replace(check, no_date_because=plan.reasons)
    return dataclasses.replace(check, earliest=plan.sessions[0])


def _earliest_plan(
    esthetician: Esthetician,
    starts_at: dt.datetime,
    minutes: int,
    *,
    client: Client,
    ignoring: Session | None,
) -> scheduling.Plan:
    """A one-session plan at the same time of day, any day from the chosen one (or today)."""
    now = timezone.now()
    local = timezone.localtime(starts_at)
    first_day = max(local.date(), timezone.localdate(now))
    if scheduling.session_time(first_day, local.time()) < now:
        first_day += dt.timedelta(days=1)
    request = scheduling.SeriesRequest(
        starts_on=first_day,
        sessions=1,
        sessions_per_week=1,
        weekdays=EVERY_DAY,
        start_time=local.time(),
        minutes=minutes,
    )
    return _plan(esthetician, request, client=client, ignoring=ignoring)


def _plan(
    esthetician: Esthetician,
    request: scheduling.SeriesRequest,
    *,
    client: Client,
    ignoring: Session | None = None,
) -> scheduling.Plan:
    if client.erased_at is not None:
        return scheduling.Plan(reasons=(scheduling.CLIENT_ERASED,))
    availability = availability_for(
        esthetician,
        starts_on=request.starts_on,
        ends_on=request.starts_on + dt.timedelta(days=scheduling.PLANNING_HORIZON_DAYS),
        ignoring=ignoring,
        client=client,
    )
    return scheduling.plan_series(
        request,
        availability=availability,
        intake=latest_intake(client),
        today=timezone.localdate(),
    )


def due_visit(pk: str | int | None) -> MaintenanceVisit | None:
    """A maintenance visit still to be booked, with its series, client and esthetician."""
    if not str(pk or "").isdigit():
        return None
    return (
        MaintenanceVisit.objects.filter(pk=pk, status=MaintenanceVisit.Status.DUE)
        .select_related("series__client", "series__esthetician__user", "series__treatment")
        .first()
    )


def last_treatment(
    client: Client, *, series: Series | None = None, kind: str | None = None
) -> Treatment | None:
    """What a booking or a plan starts with: the treatment of the client's latest session,
    booked or given, else of their latest series (within `series` when given: a maintenance
    visit's). Only a treatment still offered, of `kind` when given; None when there is none,
    so staff choose."""
    offered = Treatment.objects.filter(is_active=True)
    if kind is not None:
        offered = offered.filter(kind=kind)
    sessions = Session.objects.filter(
        client=client, status__in=Session.HELD_STATUSES, treatment__in=offered
    )
    every_series = Series.objects.filter(client=client, treatment__in=offered)
    if series is not None:
        sessions, every_series = sessions.filter(series=series), every_series.filter(pk=series.pk)
    latest = (
        sessions.select_related("treatment").order_by("-starts_at", "-pk").first()
        or every_series.select_related("treatment").order_by("-starts_on", "-pk").first()
    )
    return latest.treatment if latest is not None else None
