"""Generated clients with years of history, for speed work (`seed_demo --clients N`).

Each client has an intake and one weekly course somewhere in the last four years (or the
next six weeks): treatments given with a record of rising intensity, no-shows and
cancellations, maintenance visits after a finished course, sessions booked ahead for a course
in progress, now and then a course given up. Every session has a free hour of its
esthetician's working hours (`Diary`), so no esthetician or client is ever booked twice.

A few favourite estheticians are asked for by name: a client who asks gets one of them when
that favourite has the same hour free for the whole course, within a week of the wanted day;
otherwise, and for everyone who does not ask, one of the rest of the team. So the favourites'
calendars fill as the spa grows, and the rest take what is left.

Rows are written table by table with `spa.bulk.insert_rows` (COPY on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from clients.models import Client, Intake
from spa.bulk import insert_rows
from treatments import scheduling
from treatments.demo import course_intensity
from treatments.models import (
    Closure,
    Esthetician,
    MaintenanceVisit,
    Series,
    Session,
    Treatment,
    TreatmentRecord,
    WorkingHours,
)

# The share of new clients who ask for a favourite esthetician by name.
ASKS_FOR_FAVOURITE = 0.6
# How many days later than wanted a client who asked will still take a favourite's hour.
FAVOURITE_WAIT_DAYS = 7
# The share of courses under way that the client gives up after their last visit so far.
GIVES_UP = 0.04
HISTORY_DAYS = 4 * 365
# How many days after a maintenance visit is due the client still waits for their own
# esthetician (after that, a colleague sees them).
VISIT_WAIT_DAYS = 7
# A maintenance visit due this soon is booked already.
VISITS_AHEAD = dt.timedelta(weeks=4)
BOOKED_AHEAD_DAYS = 42
PLANNED = 8
LOAD_DOMAIN = "@load.example.com"
# A slot is one on-the-hour start: (day ordinal) * 24 + hour, in the spa's time zone.
DAY = 24
WEEK = 7 * DAY
ESTHETICIAN = 1 << 25  # taken slots are esthetician pk * ESTHETICIAN + slot


def team_size(clients: int) -> int:
    """How many estheticians carry `clients` generated clients: 0.7 × the square root.

    A team grows slower than its client list (7 at 100 clients, 31 at 2,000, 99 at 20,000,
    221 at 100,000: from 70 down to 2.2 per 1,000 clients), so calendars fill as the spa
    grows: at 100,000 the favourites are booked full and the rest over half full."""
    return max(3, round(0.7 * clients**0.5))


@dataclass
class Diary:
    """Every esthetician's working hours, days off and taken hours, as slot numbers."""

    starts: dict[int, list[tuple[int, ...]]]  # pk → per weekday, the hours a session may start
    away: set[int] = field(default_factory=set)  # pk * ESTHETICIAN + day * DAY
    taken: set[int] = field(default_factory=set)
    moments: dict[int, dt.datetime] = field(default_factory=dict)

    @classmethod
    def from_database(cls, estheticians: Iterable[Esthetician]) -> Diary:
        """The estheticians' hours and closures, and every session they already hold."""
        pks = [esthetician.pk for esthetician in estheticians]
        starts: dict[int, list[set[int]]] = {pk: [set() for _ in range(7)] for pk in pks}
        for pk, weekday, opens, closes in WorkingHours.objects.filter(
            esthetician_id__in=pks
        ).values_list("esthetician_id", "weekday", "starts_at", "ends_at"):
            first = opens.hour + (1 if (opens.minute, opens.second) != (0, 0) else 0)
            starts[pk][weekday].update(range(first, closes.hour))
        diary = cls(
            starts={pk: [tuple(sorted(day)) for day in days] for pk, days in starts.items()}
        )
        for who, first, last in Closure.objects.values_list(
            "esthetician_id", "starts_on", "ends_on"
        ):
            for pk in pks if who is None else [who] if who in starts else []:
                for day in range(first.toordinal(), last.toordinal() + 1):
                    diary.away.add(pk * ESTHETICIAN + day * DAY)
        held = Session.objects.filter(esthetician_id__in=pks, status__in=Session.HELD_STATUSES)
        for pk, starts_at, ends_at in held.values_list("esthetician_id", "starts_at", "ends_at"):
            diary.hold(pk, timezone.localtime(starts_at), timezone.localtime(ends_at))
        return diary

    def hold(self, pk: int, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
        """Mark every hour a session touches as taken."""
        hour = starts_at.replace(minute=0, second=0, microsecond=0)
        while hour < ends_at:
            self.taken.add(pk * ESTHETICIAN + hour.date().toordinal() * DAY + hour.hour)
            hour += dt.timedelta(hours=1)

    def first_free(self, pk: int, wanted: int) -> int:
        """The first free slot at or after `wanted`."""
        while (slot := self.free_within(pk, wanted, days=27)) is None:
            wanted = (wanted // DAY + 28) * DAY
        return slot

    def free_within(self, pk: int, wanted: int, days: int) -> int | None:
        """The first free slot at or after `wanted`, at most `days` days later."""
        first, hour = divmod(wanted, DAY)
        base = pk * ESTHETICIAN
        week = self.starts[pk]
        for day in range(first, first + days + 1):
            if base + day * DAY not in self.away:
                for start in week[(day - 1) % 7]:
                    if start >= hour and base + day * DAY + start not in self.taken:
                        return day * DAY + start
            hour = 0
        return None

    def take(self, pk: int, slot: int) -> int:
        self.taken.add(pk * ESTHETICIAN + slot)
        return slot

    def standing_slot(self, pk: int, wanted: int, weeks: int, wait_days: int) -> int | None:
        """The first slot from `wanted` (up to `wait_days` later) free every week for `weeks`
        (a week the esthetician is away, the session moves as usual)."""
        day, hour = divmod(wanted, DAY)
        base = pk * ESTHETICIAN
        for later in range(wait_days + 1):
            first = base + (day + later) * DAY
            if first in self.away:
                continue
            for start in self.starts[pk][(day + later - 1) % 7]:
                if (later or start >= hour) and all(
                    first + start + week * WEEK not in self.taken for week in range(weeks)
                ):
                    return first + start - base
        return None

    def moment(self, slot: int) -> dt.datetime:
        """The aware datetime a slot starts at."""
        if slot not in self.moments:
            day, hour = divmod(slot, DAY)
            self.moments[slot] = scheduling.session_time(dt.date.fromordinal(day), dt.time(hour))
        return self.moments[slot]


def slot_at(moment: dt.datetime) -> int:
    """The first slot starting at or after `moment`."""
    local = timezone.localtime(moment)
    later = (local.minute, local.second, local.microsecond) != (0, 0, 0)
    return local.date().toordinal() * DAY + local.hour + later


@dataclass
class Team:
    favourites: list[int]
    others: list[int]

    def choose(self, diary: Diary, wanted: int, chance: random.Random) -> tuple[int, int]:
        """Who gives the course and its first slot."""
        if chance.random() < ASKS_FOR_FAVOURITE or not self.others:
            for pk in chance.sample(self.favourites, len(self.favourites)):
                slot = diary.standing_slot(pk, wanted, PLANNED, FAVOURITE_WAIT_DAYS)
                if slot is not None:
                    return pk, slot
        pk = chance.choice(self.others or self.favourites)
        return pk, diary.first_free(pk, wanted)

    def visit_slot(self, diary: Diary, pk: int, due: int, series: int) -> tuple[int, int]:
        """Who gives a maintenance visit due at `due`, and when: the course's esthetician if
        they have an hour within a week, else a colleague (the same one for the course)."""
        slot = diary.free_within(pk, due, VISIT_WAIT_DAYS)
        if slot is not None:
            return pk, slot
        colleagues = [other for other in self.others or self.favourites if other != pk] or [pk]
        stand_in = colleagues[series % len(colleagues)]
        return stand_in, diary.first_free(stand_in, due)


SESSION_COLUMNS = (
    "id",
    "client_id",
    "esthetician_id",
    "treatment_id",
    "series_id",
    "kind",
    "starts_at",
    "ends_at",
    "status",
    "status_reason",
    "caution_note",
)
# Plain strings (COPY writes values as they are, and these are the columns' values).
COMPLETED, BOOKED = Session.Status.COMPLETED.value, Session.Status.BOOKED.value
SERIES, MAKE_UP = Session.Kind.SERIES.value, Session.Kind.MAKE_UP.value
MAINTENANCE = Session.Kind.MAINTENANCE.value
REASONS = {
    Session.Status.CANCELLED.value: "Client called to cancel.",
    Session.Status.NO_SHOW.value: "The client did not come.",
}
CAUTION = "Epilepsy: controlled, GP letter seen."
AREAS = ["forehead_brow", "cheekbones", "jawline"]


@dataclass
class Load:
    """The rows of one batch of generated clients, written table by table."""

    diary: Diary
    team: Team
    treatment: Treatment
    maintenance: Treatment
    now: dt.datetime
    ids: dict[type, Iterator[int]]
    clients: list[tuple] = field(default_factory=list)
    intakes: list[tuple] = field(default_factory=list)
    series: list[tuple] = field(default_factory=list)
    sessions: list[tuple] = field(default_factory=list)
    visits: list[tuple] = field(default_factory=list)
    records: list[tuple] = field(default_factory=list)
    finished: list[tuple[int, int, int, int, int, str]] = field(default_factory=list)
    visits_to_book: dict[int, tuple[int, int, int, str]] = field(default_factory=dict)

    def add_client(self, number: int, wanted: int, chance: random.Random) -> None:
        """Client `number`, who wants to start their course at slot `wanted`."""
        client = next(self.ids[Client])
        born = dt.date(chance.randint(1950, 2004), chance.randint(1, 12), 15)
        self.clients.append(
            (
                client,
                chance.choice(FIRST_NAMES),
                chance.choice(LAST_NAMES),
                f"client{number:06d}{LOAD_DOMAIN}",
                f"07700 {number:06d}",
                born,
            )
        )
        today = timezone.localdate(self.now)
        pk, start = self.team.choose(self.diary, wanted, chance)
        starts_at = self.diary.moment(start)
        epilepsy = chance.random() < 0.03
        injectable = chance.random() < 0.1
        self.intakes.append(
            (
                client,
                min(starts_at - dt.timedelta(days=3), self.now - dt.timedelta(days=1)),
                Intake.Source.CLIENT_LINK.value,
                born,
                epilepsy,
                today - dt.timedelta(days=chance.randint(1, 400)) if injectable else None,
            )
        )
        weeks_past = max(0, min(PLANNED, (self.now - starts_at).days // 7 + 1))
        outcomes = chance.choices(["completed", "no_show", "cancelled"], [90, 5, 5], k=weeks_past)
        while (
            outcomes.count("completed") < PLANNED and weeks_past >= PLANNED and len(outcomes) < 12
        ):
            outcomes.append("completed")
        gives_up = bool(outcomes) and chance.random() < GIVES_UP
        self.add_series(
            client,
            pk,
            start,
            outcomes,
            gives_up=gives_up,
            visits_done=chance.randint(0, 6),
            caution_note=CAUTION if epilepsy else "",
        )

    def add_series(
        self,
        client: int,
        pk: int,
        start: int,
        outcomes: Sequence[str],
        *,
        gives_up: bool,
        visits_done: int,
        caution_note: str,
    ) -> None:
        """A weekly course from `start`: `outcomes` so far, then booked up to eight given."""
        series = next(self.ids[Series])
        completed, week, slot, last_completed = 0, 0, None, None
        for outcome in outcomes:
            wanted = start + week * WEEK
            if slot is not None:
                wanted = max(wanted, (slot // DAY + 2) * DAY + start % DAY)
            free = self.diary.first_free(pk, wanted)
            if self.diary.moment(free) >= self.now:
                break
            slot = self.diary.take(pk, free)
            session = self.session(client, pk, series, slot, outcome, self.kind(week), caution_note)
            if outcome == COMPLETED:
                self.record(session, course_intensity(completed), self.treatment)
                completed, last_completed = completed + 1, slot
            week += 1
        done = completed >= PLANNED
        status, ended_on = ("completed" if done else "active"), None
        if gives_up and not done and slot is not None:
            status, ended_on = "cancelled", dt.date.fromordinal(slot // DAY)
        if status == "active":
            now = slot_at(self.now + dt.timedelta(hours=1))
            while completed < PLANNED:
                wanted = start + week * WEEK
                if slot is not None:
                    wanted = max(wanted, slot + WEEK)
                while wanted < now:
                    wanted += WEEK
                slot = self.diary.take(pk, self.diary.first_free(pk, wanted))
                self.session(client, pk, series, slot, BOOKED, self.kind(week), caution_note)
                week, completed = week + 1, completed + 1
        if done:
            ended_on = dt.date.fromordinal(last_completed // DAY)
            # Placed once every course of the batch has its hours (see `load`).
            self.finished.append((client, pk, series, last_completed, visits_done, caution_note))
        self.series.append(
            (
                series,
                client,
                pk,
                self.treatment.pk,
                dt.date.fromordinal(start // DAY),
                [(start // DAY - 1) % 7],
                dt.time(start % DAY),
                status,
                ended_on,
                caution_note,
            )
        )

    def add_visits(
        self, client: int, pk: int, series: int, after: int, done: int, caution_note: str
    ) -> None:
        """Six maintenance visits, four weeks apart: up to `done` given, the rest due (the
        next one may be booked later, by `book_visits`)."""
        for number in range(1, 7):
            due = after + 4 * WEEK
            session, status, after = None, "due", due
            if number <= done:
                who, free = self.team.visit_slot(self.diary, pk, due, series)
                if self.diary.moment(free) < self.now:
                    self.diary.take(who, free)
                    session = self.session(
                        client,
                        who,
                        series,
                        free,
                        COMPLETED,
                        MAINTENANCE,
                        caution_note,
                        self.maintenance,
                    )
                    self.record(session, course_intensity(PLANNED - 1), self.maintenance)
                    status, after = COMPLETED, free
            if status == "due" and not self.visits_to_book.get(series):
                self.visits_to_book[series] = (len(self.visits), client, pk, caution_note)
            self.visits.append((series, number, dt.date.fromordinal(due // DAY), status, session))

    def book_visits(self) -> None:
        """Book each course's next maintenance visit due in the coming four weeks, once the
        courses have their hours (the clients book these a few weeks ahead, not years)."""
        for index, client, pk, caution_note in self.visits_to_book.values():
            series, number, due_on, _, _ = self.visits[index]
            who, free = self.team.visit_slot(self.diary, pk, due_on.toordinal() * DAY, series)
            if self.now <= self.diary.moment(free) < self.now + VISITS_AHEAD:
                self.diary.take(who, free)
                session = self.session(
                    client, who, series, free, BOOKED, MAINTENANCE, caution_note, self.maintenance
                )
                self.visits[index] = (series, number, due_on, BOOKED, session)

    @staticmethod
    def kind(week: int) -> str:
        return SERIES if week < PLANNED else MAKE_UP

    def session(
        self,
        client: int,
        pk: int,
        series: int,
        slot: int,
        status: str,
        kind: str,
        caution_note: str,
        treatment: Treatment | None = None,
    ) -> int:
        """A session at `slot`, and its id."""
        treatment = treatment or self.treatment
        session = next(self.ids[Session])
        starts_at = self.diary.moment(slot)
        ends_at = starts_at + dt.timedelta(minutes=treatment.minutes)
        row = (session, client, pk, treatment.pk, series, kind, starts_at, ends_at, status)
        self.sessions.append((*row, REASONS.get(status, ""), caution_note))
        return session

    def record(self, session: int, intensity_ua: int, treatment: Treatment) -> None:
        """What the esthetician wrote down after a completed session."""
        minutes = treatment.minutes - 10 if treatment.minutes > 20 else 10
        self.records.append(
            (session, intensity_ua, 300, "square", AREAS, minutes, "Conductive gel", "comfortable")
        )

    def save(self) -> None:
        insert_rows(
            Client,
            ("id", "first_name", "last_name", "email", "phone", "date_of_birth"),
            self.clients,
        )
        insert_rows(
            Intake,
            (
                "client_id",
                "submitted_at",
                "source",
                "date_of_birth",
                "epilepsy",
                "last_injectable_on",
            ),
            self.intakes,
        )
        insert_rows(
            Series,
            (
                "id",
                "client_id",
                "esthetician_id",
                "treatment_id",
                "starts_on",
                "preferred_weekdays",
                "preferred_time",
                "status",
                "ended_on",
                "caution_note",
            ),
            self.series,
        )
        insert_rows(Session, SESSION_COLUMNS, self.sessions)
        insert_rows(
            MaintenanceVisit, ("series_id", "number", "due_on", "status", "session_id"), self.visits
        )
        insert_rows(
            TreatmentRecord,
            (
                "session_id",
                "intensity_ua",
                "frequency_hz",
                "waveform",
                "areas",
                "minutes",
                "gel_used",
                "tolerance",
            ),
            self.records,
        )


def load(
    *,
    numbers: Sequence[int],
    diary: Diary,
    team: Team,
    treatment: Treatment,
    maintenance: Treatment,
    now: dt.datetime,
    ids: dict[type, Iterator[int]],
    seed: int = 20261121,
) -> Load:
    """The rows (not yet written) of the generated clients with these `numbers`."""
    chance = random.Random(seed + numbers[0])
    rows = Load(diary, team, treatment, maintenance, now, ids)
    today = timezone.localdate(now).toordinal()
    wanted = [
        (today + chance.randint(-HISTORY_DAYS, BOOKED_AHEAD_DAYS)) * DAY + chance.randint(9, 16)
        for _ in numbers
    ]
    # In the order the clients came to the spa: each takes the hours the earlier ones left,
    # and a favourite's hour is taken again as soon as a course there ends.
    for number, slot in sorted(zip(numbers, wanted, strict=True), key=lambda pair: pair[1]):
        rows.add_client(number, slot, chance)
    # Then the maintenance visits after each finished course, in the hours the courses left.
    for finished in rows.finished:
        rows.add_visits(*finished)
    rows.book_visits()
    return rows


def generated_numbers() -> set[int]:
    """The numbers of the generated clients already written (client000042@load.example.com)."""
    emails = Client.objects.filter(email__endswith=LOAD_DOMAIN).values_list("email", flat=True)
    return {int(email.removeprefix("client").removesuffix(LOAD_DOMAIN)) for email in emails}


FIRST_NAMES = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Sophie",
    "Grace",
    "Chloe",
    "Emily",
    "Hannah",
    "Lucy",
    "Ella",
    "Freya",
    "Poppy",
    "Ruby",
    "Evie",
    "Daisy",
    "Alice",
    "Millie",
    "Rosie",
    "Zara",
    "Layla",
    "Nina",
    "Priya",
    "Aisha",
    "Fatima",
    "Leah",
    "Jess",
    "Kate",
    "Laura",
    "Sarah",
    "Megan",
    "Holly",
    "Anna",
    "Beth",
    "Claire",
    "Diane",
    "Fiona",
    "Helen",
    "Irene",
    "Joanna",
    "Karen",
    "Linda",
    "Maria",
    "Nora",
    "Paula",
    "Rachel",
    "Tom",
    "James",
    "Oliver",
    "Ben",
    "Sam",
    "Daniel",
]
LAST_NAMES = [
    "Bennett",
    "Hughes",
    "Morgan",
    "Collins",
    "Turner",
    "Reid",
    "Walker",
    "Price",
    "Ward",
    "Cole",
    "Fox",
    "James",
    "Lewis",
    "Wright",
    "Hall",
    "Green",
    "King",
    "Scott",
    "Baker",
    "Adams",
    "Patel",
    "Khan",
    "Shah",
    "Evans",
    "Wilson",
    "Taylor",
    "Brown",
    "Davies",
    "Roberts",
    "Thomas",
    "Jackson",
    "White",
    "Harris",
    "Martin",
    "Thompson",
    "Wood",
    "Clarke",
    "Hill",
    "Moore",
    "Carter",
    "Mitchell",
    "Parker",
    "Cook",
]
