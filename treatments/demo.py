"""Demo data: a small spa to click through (the large generated histories: `demo_load`).

History is written directly (the booking services refuse times already past); every
session still goes through `SlotBook`, so no esthetician is ever booked twice at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from clients.models import Client, Intake
from treatments import scheduling
from treatments.models import (
    Esthetician,
    MaintenanceVisit,
    Series,
    Session,
    Treatment,
    TreatmentRecord,
)

HOUR = dt.timedelta(hours=1)
WEEK = dt.timedelta(weeks=1)
# A course starts low and rises gradually (never more than 25% a session), then holds.
FIRST_INTENSITY_UA, INTENSITY_STEP_UA, TOP_INTENSITY_UA = 150, 25, 350


@dataclass
class SlotBook:
    """Hands out free on-the-hour starts for each esthetician, 09:00–16:00."""

    taken: set[tuple[int, dt.datetime]] = field(default_factory=set)

    @classmethod
    def from_database(cls, estheticians: Iterable[Esthetician]) -> SlotBook:
        ids = [esthetician.pk for esthetician in estheticians]
        rows = Session.objects.filter(
            esthetician_id__in=ids, status__in=Session.HELD_STATUSES
        ).values_list("esthetician_id", "starts_at")
        return cls(taken={(pk, timezone.localtime(start)) for pk, start in rows})

    def take(self, esthetician: Esthetician, wanted: dt.datetime) -> dt.datetime:
        """Take the first free start at or after `wanted`."""
        start = self.first_free(esthetician, wanted)
        self.taken.add((esthetician.pk, start))
        return start

    def first_free(self, esthetician: Esthetician, wanted: dt.datetime) -> dt.datetime:
        """The first free start at or after `wanted`, skipping Sundays and evenings."""
        start = timezone.localtime(wanted)
        if start.time() != dt.time(start.hour):
            start = start.replace(minute=0, second=0, microsecond=0) + HOUR
        while (
            (esthetician.pk, start) in self.taken
            or start.weekday() == 6
            or not 9 <= start.hour <= 16
        ):
            start = start + HOUR
            if start.hour > 16 or start.hour < 9:
                next_day = start.date() + dt.timedelta(days=1)
                start = scheduling.session_time(next_day, dt.time(9))
        return start


@dataclass
class History:
    """Rows to write in bulk, in dependency order."""

    series: list[Series] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    visits: list[MaintenanceVisit] = field(default_factory=list)
    records: list[TreatmentRecord] = field(default_factory=list)

    def save(self) -> None:
        Series.objects.bulk_create(self.series, batch_size=2000)
        for session in self.sessions:
            session.series_id = session.series.pk if session.series else None
        Session.objects.bulk_create(self.sessions, batch_size=2000)
        for visit in self.visits:
            visit.series_id = visit.series.pk
            visit.session_id = visit.session.pk if visit.session else None
        MaintenanceVisit.objects.bulk_create(self.visits, batch_size=2000)
        for record in self.records:
            record.session_id = record.session.pk
        TreatmentRecord.objects.bulk_create(self.records, batch_size=2000)

    def given(self, session: Session, intensity_ua: int) -> None:
        """Write the treatment record of a completed session, as the esthetician would have."""
        self.records.append(
            TreatmentRecord(
                session=session,
                intensity_ua=intensity_ua,
                frequency_hz=300,
                waveform=TreatmentRecord.Waveform.SQUARE,
                areas=["forehead_brow", "cheekbones", "jawline"],
                minutes=session.treatment.minutes - 10 if session.treatment.minutes > 20 else 10,
                gel_used="Conductive gel",
                tolerance=TreatmentRecord.Tolerance.COMFORTABLE,
            )
        )


def course_intensity(completed_before: int) -> int:
    """The intensity of a course's next treatment: up by a step each time, then held."""
    return min(FIRST_INTENSITY_UA + INTENSITY_STEP_UA * completed_before, TOP_INTENSITY_UA)


def add_series(
    history: History,
    slots: SlotBook,
    *,
    client: Client,
    esthetician: Esthetician,
    treatment: Treatment,
    maintenance: Treatment,
    starts_at: dt.datetime,
    outcomes: Sequence[str],
    status: str = Series.Status.ACTIVE,
    planned: int = 8,
    visits_done: int = 0,
    caution_note: str = "",
    now: dt.datetime,
) -> Series:
    """A weekly series whose sessions ended as `outcomes` (then booked ones up to `planned`)."""
    start = slots.first_free(esthetician, starts_at)
    series = Series(
        client=client,
        esthetician=esthetician,
        treatment=treatment,
        starts_on=start.date(),
        planned_sessions=planned,
        sessions_per_week=1,
        preferred_weekdays=[start.weekday()],
        preferred_time=start.time(),
        status=status,
        caution_note=caution_note,
    )
    history.series.append(series)
    completed, week, last_completed = 0, 0, None
    at = start
    for outcome in outcomes:
        kind = Session.Kind.SERIES if week < planned else Session.Kind.MAKE_UP
        at = slots.take(esthetician, start + week * WEEK)
        week += 1
        session = session_row(
            client, esthetician, treatment, at, outcome, series, kind, caution_note
        )
        history.sessions.append(session)
        if outcome == Session.Status.COMPLETED:
            history.given(session, course_intensity(completed))
            completed, last_completed = completed + 1, at
    if status == Series.Status.ACTIVE:
        while completed < planned:
            kind = Session.Kind.SERIES if week < planned else Session.Kind.MAKE_UP
            # Once a week from the last one, from the first week still to come: never two of
            # the client's sessions on one day.
            wanted = max(start + week * WEEK, at + WEEK)
            while wanted < now + HOUR:
                wanted += WEEK
            at = slots.take(esthetician, wanted)
            week += 1
            history.sessions.append(
                session_row(
                    client, esthetician, treatment, at, "booked", series, kind, caution_note
                )
            )
            completed += 1
    if status == Series.Status.COMPLETED and last_completed is not None:
        series.ended_on = timezone.localdate(last_completed)
        add_maintenance(history, slots, series, maintenance, last_completed, visits_done, now)
    if status == Series.Status.CANCELLED:
        series.ended_on = timezone.localdate(at) if outcomes else series.starts_on
    return series


def add_maintenance(
    history: History,
    slots: SlotBook,
    series: Series,
    treatment: Treatment,
    last_completed: dt.datetime,
    visits_done: int,
    now: dt.datetime,
) -> None:
    """Maintenance visits after a completed course: `visits_done` given, the rest due."""
    after = timezone.localtime(last_completed)
    for number in range(1, series.maintenance_visits + 1):
        due_on = after.date() + dt.timedelta(weeks=series.maintenance_weeks)
        visit = MaintenanceVisit(series=series, number=number, due_on=due_on)
        wanted = scheduling.session_time(due_on, after.time())
        if number <= visits_done and wanted < now:
            at = slots.take(series.esthetician, wanted)
            visit.status, visit.session = (
                MaintenanceVisit.Status.COMPLETED,
                session_row(
                    series.client,
                    series.esthetician,
                    treatment,
                    at,
                    Session.Status.COMPLETED,
                    series,
                    Session.Kind.MAINTENANCE,
                    series.caution_note,
                ),
            )
            history.sessions.append(visit.session)
            history.given(visit.session, course_intensity(series.planned_sessions - 1))
            after = at
        else:
            after = scheduling.session_time(due_on, after.time())
        history.visits.append(visit)


def session_row(
    client: Client,
    esthetician: Esthetician,
    treatment: Treatment,
    at: dt.datetime,
    status: str,
    series: Series | None = None,
    kind: str = Session.Kind.SINGLE,
    caution_note: str = "",
) -> Session:
    """An unsaved session of `treatment` starting at `at`."""
    reasons = {
        Session.Status.CANCELLED: "Client called to cancel.",
        Session.Status.NO_SHOW: "The client did not come.",
        Session.Status.POSTPONED: "Cold sore at check-in.",
    }
    return Session(
        client=client,
        esthetician=esthetician,
        treatment=treatment,
        series=series,
        kind=kind,
        starts_at=at,
        ends_at=at + dt.timedelta(minutes=treatment.minutes),
        status=status,
        status_reason=reasons.get(status, ""),
        caution_note=caution_note,
    )


def intake_row(client: Client, submitted_at: dt.datetime, **answers: object) -> Intake:
    """An unsaved intake the client filled in through a link."""
    return Intake(
        client=client,
        submitted_at=submitted_at,
        source=Intake.Source.CLIENT_LINK,
        date_of_birth=client.date_of_birth,
        **answers,
    )
