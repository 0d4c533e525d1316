"""Load the demo spa: staff logins, treatments, hours, ~30 clients covering every rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from clients.models import Client, Intake
from spa.access import ESTHETICIANS, MANAGERS
from spa.bulk import Writer, new_ids
from treatments import demo, demo_load
from treatments.models import Closure, Esthetician, Series, Session, Treatment, WorkingHours
from treatments.services import sessions_reassess

DAY = dt.timedelta(days=1)
# Generated clients written (and committed) at a time.
BATCH = 10_000
WEEK = dt.timedelta(weeks=1)

# (first name, last name, intake answers or None for no intake, days since the intake)
CLIENTS: list[tuple[str, str, dict[str, Any] | None, int]] = [
    ("Olivia", "Bennett", {}, 30),
    ("Amelia", "Hughes", {}, 20),
    ("Isla", "Morgan", {}, 60),
    ("Ava", "Collins", {}, 80),
    ("Mia", "Turner", {}, 40),
    ("Sophie", "Reid", {}, 45),
    ("Grace", "Walker", {"epilepsy": True}, 10),
    ("Chloe", "Price", {"has_pacemaker": True}, 5),
    ("Emily", "Ward", {"acute_acne": True}, 1),
    ("Hannah", "Cole", {"pregnant": True, "due_date": 200}, 3),
    ("Lucy", "Fox", {"pregnant": True, "due_date": 120}, 3),
    ("Ella", "James", {"pregnant": True}, 2),
    ("Freya", "Lewis", {"last_injectable_on": -5}, 2),
    ("Poppy", "Wright", {}, 100),
    ("Ruby", "Hall", None, 0),
    ("Evie", "Green", {"cancer": True}, 8),
    ("Daisy", "King", {"metal_implants": True}, 8),
    ("Alice", "Scott", {"heart_condition": True}, 8),
    ("Millie", "Baker", {"skin_lesions": True}, 8),
    ("Rosie", "Adams", {"under_18": True}, 8),
    ("Zara", "Patel", {}, 12),
    ("Layla", "Khan", {}, 12),
    ("Nina", "Shah", {}, 14),
    ("Aisha", "Evans", {}, 14),
    ("Fatima", "Wilson", {}, 16),
    ("Leah", "Taylor", {}, 16),
    ("Jess", "Brown", {}, 18),
    ("Kate", "Davies", {}, 18),
    ("Laura", "Roberts", None, 0),
    ("Sarah", "Thomas", {}, 22),
]


class Command(BaseCommand):
    help = "Load the demo spa (idempotent). With --clients N, also N clients with history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--clients",
            type=int,
            default=0,
            help="Also generate this many clients with realistic history (for speed work).",
        )

    def handle(self, *args: Any, clients: int, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates logins with a known password, so it runs only with DEBUG=true."
            )
        try:
            password_validation.validate_password(settings.DEMO_PASSWORD)
        except ValidationError as weak:
            raise CommandError(f"DEMO_PASSWORD is refused: {' '.join(weak.messages)}") from None
        now = timezone.now()
        with transaction.atomic():
            staff = self.staff()
            treatments = self.treatments()
            self.closures(now.date(), staff[1])
            added = self.demo_clients(staff, treatments, now)
        self.stdout.write(f"Demo spa ready ({added} demo clients added).")
        if clients:
            self.load_clients(clients, staff, treatments, now)
        password = settings.DEMO_PASSWORD
        self.stdout.write(
            f"Logins: manager / {password} (Manager), esthetician / {password} (Esthetician), "
            f"priya / {password} (Esthetician)"
        )

    def load_clients(
        self,
        count: int,
        staff: list[Esthetician],
        treatments: dict[str, Treatment],
        now: dt.datetime,
    ) -> None:
        """Add the generated clients numbered below `count` that are missing, in batches that
        each commit (a batch that failed is made again next time)."""
        missing = sorted(set(range(count)) - demo_load.generated_numbers())
        if not missing:
            self.stdout.write(f"Generated clients: {count} already.")
            return
        anna, priya = staff
        extra = load_estheticians(demo_load.team_size(count) - len(staff))
        # Anna (the `esthetician` login) and the first two extra are the favourites.
        favourites, others = [anna, *extra[:2]], [priya, *extra[2:]]
        team = demo_load.Team([one.pk for one in favourites], [one.pk for one in others])
        diary = demo_load.Diary.from_database([*staff, *extra])
        ids = {model: new_ids(model) for model in (Client, Series, Session)}
        with Writer() as writer:
            for first in range(0, len(missing), BATCH):
                rows = demo_load.load(
                    numbers=missing[first : first + BATCH],
                    diary=diary,
                    team=team,
                    treatment=treatments["Microcurrent lift"],
                    maintenance=treatments["Maintenance microcurrent"],
                    now=now,
                    ids=ids,
                )
                writer.write(rows.save)
                done = min(first + BATCH, len(missing))
                self.stdout.write(f"  {done} of {len(missing)} generated clients")
        if connection.vendor == "postgresql":
            # Fresh statistics, so the planner knows the tables' new size at once.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Generated clients: {count} ({Session.objects.count()} sessions in all, "
            f"{len(staff) + len(extra)} estheticians)."
        )

    def staff(self) -> list[Esthetician]:
        """The demo logins and the two estheticians' working weeks."""
        user_model = get_user_model()
        people = [
            ("manager", "Maria", "Lopez", MANAGERS),
            ("esthetician", "Anna", "Clarke", ESTHETICIANS),
            ("priya", "Priya", "Shah", ESTHETICIANS),
        ]
        estheticians = []
        for username, first, last, group in people:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@spa.example.com",
                    "is_staff": group == MANAGERS,
                },
            )
            if created:
                user.set_password(settings.DEMO_PASSWORD)
                user.save(update_fields=["password"])
            user.groups.add(Group.objects.get_or_create(name=group)[0])
            if group == ESTHETICIANS:
                estheticians.append(Esthetician.objects.get_or_create(user=user)[0])
        anna, priya = estheticians
        weeks = {
            anna: [(day, "09:00", "13:00") for day in range(5)]
            + [(day, "14:00", "18:00") for day in range(5)]
            + [(5, "09:00", "14:00")],
            priya: [(day, "10:00", "18:00") for day in range(1, 6)],
        }
        for esthetician, stretches in weeks.items():
            for weekday, opens, closes in stretches:
                WorkingHours.objects.get_or_create(
                    esthetician=esthetician,
                    weekday=weekday,
                    starts_at=dt.time.fromisoformat(opens),
                    defaults={"ends_at": dt.time.fromisoformat(closes)},
                )
        return estheticians

    def treatments(self) -> dict[str, Treatment]:
        rows = [
            ("Microcurrent lift", 60, Treatment.Kind.SERIES),
            ("Microcurrent express", 45, Treatment.Kind.SERIES),
            ("Maintenance microcurrent", 45, Treatment.Kind.MAINTENANCE),
        ]
        return {
            name: Treatment.objects.get_or_create(
                name=name, defaults={"minutes": minutes, "kind": kind}
            )[0]
            for name, minutes, kind in rows
        }

    def closures(self, today: dt.date, priya: Esthetician) -> None:
        christmas = dt.date(today.year, 12, 25)
        Closure.objects.get_or_create(
            starts_on=christmas, ends_on=christmas + DAY, defaults={"reason": "Christmas"}
        )
        away = today + 3 * WEEK
        Closure.objects.get_or_create(
            starts_on=away,
            ends_on=away + 2 * DAY,
            esthetician=priya,
            defaults={"reason": "Training course"},
        )

    def demo_clients(
        self, staff: list[Esthetician], treatments: dict[str, Treatment], now: dt.datetime
    ) -> int:
        """Create the demo clients that are missing, each with the history their story needs."""
        today = timezone.localdate(now)
        added: dict[str, Client] = {}
        intakes = []
        for first, last, answers, days_ago in CLIENTS:
            email = f"{first}.{last}@example.com".lower()
            if Client.objects.filter(email=email).exists():
                continue
            born = dt.date(today.year - 17, 3, 1) if answers and "under_18" in answers else None
            client = Client.objects.create(
                first_name=first,
                last_name=last,
                email=email,
                phone=f"07700 900{len(added):03d}",
                date_of_birth=born or dt.date(1980 + len(added) % 20, 1 + len(added) % 12, 10),
            )
            added[first] = client
            if answers is not None:
                intakes.append(
                    demo.intake_row(client, now - days_ago * DAY, **intake_answers(answers, today))
                )
        Intake.objects.bulk_create(intakes)
        if added:
            self.stories(added, staff, treatments, now)
            # What a new intake would have done: flag booked sessions it now blocks.
            for client in added.values():
                sessions_reassess(client=client)
        return len(added)

    def stories(
        self,
        clients: dict[str, Client],
        staff: list[Esthetician],
        treatments: dict[str, Treatment],
        now: dt.datetime,
    ) -> None:
        """Series in every state, and a working day for each esthetician."""
        anna, priya = staff
        lift, maintenance = treatments["Microcurrent lift"], treatments["Maintenance microcurrent"]
        slots = demo.SlotBook.from_database(staff)
        history = demo.History()
        today = timezone.localdate(now)

        def at(days: int, hour: int) -> dt.datetime:
            return timezone.make_aware(dt.datetime.combine(today + days * DAY, dt.time(hour)))

        done, no_show, postponed = "completed", "no_show", "postponed"
        stories = [
            # client, esthetician, first session, outcomes so far, status, extra
            ("Olivia", anna, at(-21, 10), [done] * 3, Series.Status.ACTIVE, {}),
            ("Amelia", anna, at(-28, 11), [done, no_show, done, done], Series.Status.ACTIVE, {}),
            ("Isla", anna, at(-90, 15), [done] * 8, Series.Status.COMPLETED, {"visits_done": 1}),
            ("Ava", priya, at(-120, 12), [done] * 8, Series.Status.COMPLETED, {}),
            ("Mia", priya, at(-35, 14), [done, done], Series.Status.CANCELLED, {}),
            ("Sophie", anna, at(-42, 9), [done, done, done, postponed], Series.Status.ACTIVE, {}),
            (
                "Grace",
                priya,
                at(-14, 11),
                [done, done],
                Series.Status.ACTIVE,
                {"caution_note": "Epilepsy: seizure-free for 6 years; GP letter on file."},
            ),
            ("Zara", priya, at(-230, 10), [done] * 8, Series.Status.COMPLETED, {"visits_done": 6}),
        ]
        for name, esthetician, starts_at, outcomes, status, extra in stories:
            if name not in clients:
                continue
            demo.add_series(
                history,
                slots,
                client=clients[name],
                esthetician=esthetician,
                treatment=lift,
                maintenance=maintenance,
                starts_at=starts_at,
                outcomes=outcomes,
                status=status,
                now=now,
                **extra,
            )
        singles = [
            ("Layla", anna, 0, 10),
            ("Nina", priya, 0, 11),
            ("Aisha", anna, 0, 14),
            ("Fatima", priya, 0, 15),
            ("Leah", anna, 1, 11),
            ("Emily", anna, 2, 15),
        ]
        for name, esthetician, days, hour in singles:
            if name in clients:
                start = slots.take(esthetician, at(days, hour))
                history.sessions.append(
                    demo.session_row(clients[name], esthetician, lift, start, Session.Status.BOOKED)
                )
        history.save()


def load_estheticians(count: int) -> list[Esthetician]:
    """`count` extra estheticians (no login), Monday to Saturday 9–17, for generated clients."""
    user_model = get_user_model()
    estheticians = []
    for number in range(1, count + 1):
        user, created = user_model.objects.get_or_create(
            username=f"therapist{number:02d}",
            defaults={"first_name": "Therapist", "last_name": f"{number:02d}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        esthetician, created = Esthetician.objects.get_or_create(user=user)
        if created:
            WorkingHours.objects.bulk_create(
                WorkingHours(
                    esthetician=esthetician, weekday=day, starts_at=dt.time(9), ends_at=dt.time(17)
                )
                for day in range(6)
            )
        estheticians.append(esthetician)
    return estheticians


def intake_answers(answers: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Turn the table's relative days into dates."""
    answers = {key: value for key, value in answers.items() if key != "under_18"}
    if isinstance(answers.get("due_date"), int):
        answers["due_date"] = today + answers["due_date"] * DAY
    if isinstance(answers.get("last_injectable_on"), int):
        answers["last_injectable_on"] = today + answers["last_injectable_on"] * DAY
    return answers
