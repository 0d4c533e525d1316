"""Booking sessions and series: every new or moved booking goes through here.

Each booking locks the esthetician's row (a move to another esthetician: both, lowest id
first), then the client's, checks the slot against the calendar and the client's latest
intake, then writes; two bookings of one slot therefore queue behind the lock and the second
one sees the first. On PostgreSQL the exclusion constraints `session_no_overlap` and
`session_client_no_overlap` are the backstop.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from clients.models import Client, Intake
from clients.selectors import latest_intake
from spa.dates import moment_label
from treatments import scheduling
from treatments.models import (
    Esthetician,
    MaintenanceVisit,
    Series,
    Session,
    Treatment,
)
from treatments.scheduling import Reason
from treatments.selectors import availability_for, slot_check
from treatments.services import messages

T = TypeVar("T")
# Keeps a plan's fingerprint apart from every other signature made with SECRET_KEY.
FINGERPRINT_SALT = "treatments.series-plan-shown"


class BookingRefused(Exception):
    """A booking or a change to one was refused; `reasons` lists every reason at once."""

    def __init__(self, reasons: Sequence[Reason]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(" ".join(reason.message for reason in self.reasons))

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


def lock_esthetician(esthetician: Esthetician) -> None:
    # Every booking for one esthetician queues here, so the overlap check below sees the
    # sessions written by any booking that went first.
    Esthetician.objects.select_for_update().get(pk=esthetician.pk)


def lock_client(client: Client) -> Client:
    """The client's row, locked and fresh: bookings for one client (with any esthetician)
    queue here. Always taken after the esthetician's row, never before, so two bookings
    never wait on each other."""
    return Client.objects.select_for_update().get(pk=client.pk)


def _slot_problems(**slot: Any) -> list[Reason]:
    return slot_check(**slot).problems


def create_session(**fields: object) -> Session:
    """Write a booked session and its reminder."""
    return sessions_create([Session(**fields)])[0]


def sessions_create(sessions: Sequence[Session]) -> list[Session]:
    """Write booked sessions, then their reminders: one INSERT each, however many sessions."""
    try:
        with transaction.atomic():
            created = Session.objects.bulk_create(sessions)
    except IntegrityError as error:
        raise _overlap_refusal(error) from error
    messages.reminders_schedule_new(created)
    return created


def _overlap_refusal(error: IntegrityError) -> BookingRefused:
    """The database's own refusal of an overlap, in words; any other error is raised as is.

    Only reachable if a booking slipped past the locks."""
    if "session_client_no_overlap" in str(error):
        said = "The client was booked at that time elsewhere a moment ago."
        return BookingRefused([Reason("client_busy", said)])
    if "session_no_overlap" not in str(error):
        raise error
    return BookingRefused(
        [Reason("slot_taken", "That time was booked by someone else a moment ago.")]
    )


def telling_when_blocks_lift(book: Callable[..., T]) -> Callable[..., T]:
    """Run a booking; when a block that ends on a date refused it, the client will be told
    on that date that they can book again (written after the refused booking rolled back)."""

    @functools.wraps(book)
    def booking(**kwargs: Any) -> T:
        try:
            return book(**kwargs)
        except BookingRefused as refused:
            messages.can_book_again_schedule(kwargs["client"], refused.reasons)
            raise

    return booking


@telling_when_blocks_lift
@transaction.atomic
def session_book(
    *,
    client: Client,
    esthetician: Esthetician,
    treatment: Treatment,
    starts_at: dt.datetime,
    booked_by: AbstractBaseUser | None,
    kind: str = Session.Kind.SINGLE,
    series: Series | None = None,
    maintenance_visit: MaintenanceVisit | None = None,
    caution_note: str = "",
) -> Session:
    """Book one session, or refuse with every reason it cannot be booked."""
    lock_esthetician(esthetician)
    client = lock_client(client)
    ends_at = starts_at + dt.timedelta(minutes=treatment.minutes)
    problems = _slot_problems(
        client=client,
        esthetician=esthetician,
        starts_at=starts_at,
        ends_at=ends_at,
        caution_note=caution_note,
    )
    if problems:
        raise BookingRefused(problems)
    if maintenance_visit is not None:
        series = maintenance_visit.series
        kind = Session.Kind.MAINTENANCE
    session = create_session(
        client=client,
        esthetician=esthetician,
        treatment=treatment,
        series=series,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        caution_note=caution_note.strip(),
        booked_by=booked_by,
    )
    if maintenance_visit is not None:
        maintenance_visit.status = MaintenanceVisit.Status.BOOKED
        maintenance_visit.session = session
        maintenance_visit.save(update_fields=["status", "session"])
        messages.maintenance_reminder_schedule(maintenance_visit)
    return session


def _series_problems(
    *, planned_sessions: int, sessions_per_week: int, maintenance_weeks: int
) -> list[Reason]:
    problems = []
    if not 6 <= planned_sessions <= 12:
        problems.append(Reason("invalid_series", "A series has 6 to 12 sessions."))
    if not 1 <= sessions_per_week <= 2:
        problems.append(Reason("invalid_series", "A series has 1 or 2 sessions a week."))
    if not 2 <= maintenance_weeks <= 8:
        problems.append(Reason("invalid_series", "Maintenance visits are 2 to 8 weeks apart."))
    return problems


@telling_when_blocks_lift
@transaction.atomic
def series_create(
    *,
    client: Client,
    esthetician: Esthetician,
    treatment: Treatment,
    starts_on: dt.date,
    planned_sessions: int,
    sessions_per_week: int,
    weekdays: Sequence[int],
    preferred_time: dt.time,
    created_by: AbstractBaseUser | None,
    maintenance_weeks: int = 4,
    maintenance_visits: int = 6,
    caution_note: str = "",
    home_device: str = "",
    home_minutes_a_day: int = 5,
    home_days_a_week: int = 0,
    slots: Sequence[dt.datetime] | None = None,
    shown: str | None = None,
) -> Series:
    """Plan a series and book all of its sessions, or none.

    `slots` are the start times staff saw in the preview; when given, exactly those are booked,
    and any that is no longer free is named in the refusal. `shown` is the fingerprint of the
    plan staff saw (`series_fingerprint`); when given, a plan that differs from it in anything
    (a choice, a session's time, the client's cautions) is refused.
    """
    problems = _series_problems(
        planned_sessions=planned_sessions,
        sessions_per_week=sessions_per_week,
        maintenance_weeks=maintenance_weeks,
    )
    if problems:
        raise BookingRefused(problems)
    lock_esthetician(esthetician)
    client = lock_client(client)
    plan = series_plan(
        client=client,
        esthetician=esthetician,
        request=scheduling.SeriesRequest(
            starts_on=starts_on,
            sessions=planned_sessions,
            sessions_per_week=sessions_per_week,
            weekdays=frozenset(weekdays),
            start_time=preferred_time,
            minutes=treatment.minutes,
        ),
        intake=latest_intake(client),
    )
    if plan.reasons:
        raise BookingRefused(plan.reasons)
    planned = [proposed.starts_at for proposed in plan.sessions]
    if slots is not None and list(slots) != planned:
        raise BookingRefused(_changed_slots(slots, planned))
    if shown is not None:
        now = series_fingerprint(
            plan,
            client=client,
            esthetician=esthetician,
            treatment=treatment,
            starts_on=starts_on,
            planned_sessions=planned_sessions,
            sessions_per_week=sessions_per_week,
            weekdays=weekdays,
            preferred_time=preferred_time,
            maintenance_weeks=maintenance_weeks,
            maintenance_visits=maintenance_visits,
            home_device=home_device,
            home_minutes_a_day=home_minutes_a_day,
            home_days_a_week=home_days_a_week,
        )
        if not constant_time_compare(shown, now):
            raise BookingRefused([PLAN_NOT_SHOWN])
    unacknowledged = scheduling.unacknowledged_cautions(plan.cautions, caution_note)
    if unacknowledged:
        raise BookingRefused(unacknowledged)

    series = Series.objects.create(
        client=client,
        esthetician=esthetician,
        treatment=treatment,
        starts_on=starts_on,
        planned_sessions=planned_sessions,
        sessions_per_week=sessions_per_week,
        preferred_weekdays=sorted(set(weekdays)),
        preferred_time=preferred_time,
        maintenance_weeks=maintenance_weeks,
        maintenance_visits=maintenance_visits,
        caution_note=caution_note.strip(),
        home_device=home_device.strip(),
        home_minutes_a_day=home_minutes_a_day,
        home_days_a_week=home_days_a_week,
        created_by=created_by,
    )
    sessions_create(
        [
            Session(
                client=client,
                esthetician=esthetician,
                treatment=treatment,
                series=series,
                kind=Session.Kind.SERIES,
                starts_at=proposed.starts_at,
                ends_at=proposed.ends_at,
                caution_note=series.caution_note,
                booked_by=created_by,
            )
            for proposed in plan.sessions
        ]
    )
    return series


PLAN_NOT_SHOWN = Reason(
    "plan_changed",
    "This is not the plan that was shown: a choice, the calendar or the client's cautions "
    "changed after it was shown.",
)


def series_fingerprint(plan: scheduling.Plan, **choices: Any) -> str:
    """A signature of a planned series as staff see it: the choices (as `series_create` takes
    them), every session's start and end, and the client's cautions. It tells a confirmation
    whether the plan it would book is still the one that was shown."""
    shown: dict[str, Any] = {name: _plain(value) for name, value in choices.items()}
    shown["sessions"] = [
        [_plain(proposed.starts_at), _plain(proposed.ends_at)] for proposed in plan.sessions
    ]
    shown["cautions"] = sorted(caution.code for caution in plan.cautions)
    return salted_hmac(FINGERPRINT_SALT, json.dumps(shown, sort_keys=True)).hexdigest()


def _plain(value: object) -> object:
    """A choice as JSON can hold it, the same however it was given (a row, its id, a list)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(item) for item in value)
    if isinstance(value, str):
        return value.strip()
    return value


def _changed_slots(slots: Sequence[dt.datetime], planned: Sequence[dt.datetime]) -> list[Reason]:
    gone = [slot for slot in slots if slot not in planned]
    if not gone:
        return [Reason("plan_changed", "The plan has changed since it was shown; check it again.")]
    return [
        Reason("slot_taken", f"{moment_label(slot)} is no longer free; the plan has changed.")
        for slot in gone
    ]


def series_plan(
    *,
    client: Client,
    esthetician: Esthetician,
    request: scheduling.SeriesRequest,
    intake: Intake | None,
) -> scheduling.Plan:
    """Propose a series' sessions from the calendar as it stands now and the client's intake in
    force, `latest_intake(client)` (no writes)."""
    if client.erased_at is not None:
        return scheduling.Plan(reasons=(scheduling.CLIENT_ERASED,))
    availability = availability_for(
        esthetician,
        starts_on=request.starts_on,
        ends_on=request.starts_on + dt.timedelta(days=scheduling.PLANNING_HORIZON_DAYS),
        client=client,
        request=request,
    )
    return scheduling.plan_series(
        request,
        availability=availability,
        intake=intake,
        today=timezone.localdate(),
    )


@transaction.atomic
def session_reschedule(
    *,
    session: Session,
    starts_at: dt.datetime,
    by: AbstractBaseUser | None,
    caution_note: str = "",
    esthetician: Esthetician | None = None,
) -> Session:
    """Move a booked session to another time, and to another esthetician when one is given,
    with the same checks as a new booking with the esthetician who will give it.

    Re-times the client's reminder (which names the esthetician)."""
    giving = esthetician or session.esthetician
    lock_estheticians(session.esthetician, giving)
    lock_client(session.client)
    session = booked_session(session)
    ends_at = starts_at + (session.ends_at - session.starts_at)
    note = caution_note.strip() or session.caution_note
    problems = _slot_problems(
        client=session.client,
        esthetician=giving,
        starts_at=starts_at,
        ends_at=ends_at,
        caution_note=note,
        ignoring=session,
    )
    if problems:
        raise BookingRefused(problems)
    session.esthetician = giving
    session.starts_at, session.ends_at, session.caution_note = starts_at, ends_at, note
    # The new time passed every check, so whatever flagged the old one no longer applies.
    session.needs_attention, session.attention_reason, session.attention_kinds = False, "", []
    try:
        with transaction.atomic():
            session.save(
                update_fields=[
                    "esthetician",
                    "starts_at",
                    "ends_at",
                    "caution_note",
                    "needs_attention",
                    "attention_reason",
                    "attention_kinds",
                    "updated_at",
                ]
            )
    except IntegrityError as error:
        raise _overlap_refusal(error) from error
    messages.reminder_schedule(session)
    return session


def lock_estheticians(*estheticians: Esthetician) -> None:
    """Lock each esthetician's row once, lowest id first: a move between two estheticians
    and one the other way round then queue rather than wait on each other for ever."""
    for pk in sorted({esthetician.pk for esthetician in estheticians}):
        Esthetician.objects.select_for_update().get(pk=pk)


def booked_session(session: Session) -> Session:
    """The session, freshly locked, provided it is still booked."""
    current = (
        Session.objects.select_for_update(of=("self",)).select_related("series").get(pk=session.pk)
    )
    if current.status != Session.Status.BOOKED:
        raise BookingRefused(
            [
                Reason(
                    "not_booked", f"This session is already {current.get_status_display().lower()}."
                )
            ]
        )
    return current
