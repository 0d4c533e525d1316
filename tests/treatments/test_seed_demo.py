from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from clients.eligibility import assess
from clients.models import Client, Intake
from clients.selectors import latest_intakes
from treatments.demo_load import team_size
from treatments.models import (
    Esthetician,
    MaintenanceVisit,
    Series,
    Session,
    TreatmentRecord,
    WorkingHours,
)

EVERY_RULE = {
    "intake_missing",
    "intake_expired",
    "pacemaker",
    "acute_acne",
    "pregnancy_first_trimester",
    "pregnancy_due_date_missing",
    "recent_injectable",
    "pregnancy",
    "epilepsy",
    "cancer",
    "metal_implants",
    "heart_condition",
    "skin_lesions",
    "under_18",
}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def counts() -> tuple[int, ...]:
    return (
        Client.objects.count(),
        Series.objects.count(),
        Session.objects.count(),
        MaintenanceVisit.objects.count(),
    )


def overlapping_sessions(person: str = "esthetician_id") -> int:
    """How many held sessions overlap another of the same esthetician (or client)."""
    sessions = Session.objects.filter(status__in=Session.HELD_STATUSES)
    return sum(
        sessions.filter(
            **{person: getattr(session, person)},
            starts_at__lt=session.ends_at,
            ends_at__gt=session.starts_at,
        )
        .exclude(pk=session.pk)
        .count()
        for session in sessions
    )


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")

    assert not Client.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["spa-demo", "password1234", "202612011234"])
def test_seed_demo_refuses_a_short_common_or_numeric_demo_password(debug, settings, password):
    settings.DEMO_PASSWORD = password

    with pytest.raises(CommandError, match="DEMO_PASSWORD is refused"):
        call_command("seed_demo")

    assert not get_user_model().objects.filter(username="manager").exists()


@pytest.mark.django_db
def test_the_demo_logins_sign_in_with_the_demo_password(debug, client):
    call_command("seed_demo")

    response = client.post(
        "/accounts/login/", {"username": "manager", "password": "lift-and-glow-demo"}
    )

    assert response.status_code == 302


@pytest.mark.django_db
def test_seed_demo_can_run_twice_and_adds_nothing_the_second_time(debug):
    call_command("seed_demo")
    first = counts()

    call_command("seed_demo")

    assert counts() == first
    assert first[0] == 30


@pytest.mark.django_db
def test_the_demo_clients_cover_every_rule(debug):
    call_command("seed_demo")
    today = timezone.localdate()
    intakes = latest_intakes(Client.objects.values_list("pk", flat=True))

    codes = {
        finding.code
        for client in Client.objects.all()
        for finding in assess(intakes.get(client.pk), today, today=today)
    }

    assert codes == EVERY_RULE


@pytest.mark.django_db
def test_the_demo_has_series_in_every_state_and_no_double_bookings(debug):
    call_command("seed_demo")

    statuses = set(Series.objects.values_list("status", flat=True))
    assert statuses == set(Series.Status.values)
    session_statuses = set(Session.objects.values_list("status", flat=True))
    assert {"booked", "completed", "no_show", "postponed"} <= session_statuses
    assert set(MaintenanceVisit.objects.values_list("status", flat=True)) >= {"due", "completed"}
    assert overlapping_sessions() == 0


@pytest.mark.django_db
def test_generated_clients_each_get_an_intake_and_a_series(debug, capsys):
    call_command("seed_demo", clients=60)
    generated = Client.objects.filter(email__endswith="@load.example.com")

    assert generated.count() == 60
    assert generated.filter(intakes__isnull=True).count() == 0
    per_client = generated.annotate(series_count=Count("series")).values_list(
        "series_count", flat=True
    )
    assert set(per_client) == {1}
    assert overlapping_sessions() == 0
    call_command("seed_demo", clients=60)
    assert generated.count() == 60
    assert "Logins: manager / lift-and-glow-demo" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_demo_flags_a_booked_session_a_newer_intake_blocks(debug):
    call_command("seed_demo")

    flagged = Session.objects.filter(needs_attention=True, status=Session.Status.BOOKED)

    assert flagged.exists()
    assert all(session.attention_reason for session in flagged)


@pytest.mark.django_db
def test_each_demo_series_starts_on_its_preferred_day_and_time(debug):
    call_command("seed_demo", clients=40)

    for series in Series.objects.prefetch_related("sessions"):
        first = timezone.localtime(min(session.starts_at for session in series.sessions.all()))
        assert (first.weekday(), first.time()) == (
            series.preferred_weekdays[0],
            series.preferred_time,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("generated", [0, 40])
def test_the_demo_calendar_obeys_the_spas_own_rules(debug, generated):
    call_command("seed_demo", clients=generated)
    held = Session.objects.filter(status__in=Session.HELD_STATUSES)

    course_days = [
        (session.series_id, timezone.localdate(session.starts_at))
        for session in held.filter(kind__in=Session.COURSE_KINDS)
    ]
    assert len(course_days) == len(set(course_days)), "two course sessions on one day"
    assert overlapping_sessions("client_id") == 0
    for series in Series.objects.all():
        days = sorted(
            timezone.localdate(session.starts_at)
            for session in held.filter(series=series, kind__in=Session.COURSE_KINDS)
        )
        assert all((later - earlier).days >= 2 for earlier, later in itertools.pairwise(days))


@pytest.mark.django_db
def test_every_completed_demo_session_has_a_record_rising_gradually(debug):
    call_command("seed_demo")
    completed = Session.objects.filter(status=Session.Status.COMPLETED)

    assert not completed.filter(record__isnull=True).exists()
    for series in Series.objects.all():
        intensities = list(
            TreatmentRecord.objects.filter(
                session__series=series, session__kind__in=Session.COURSE_KINDS
            )
            .order_by("session__starts_at")
            .values_list("intensity_ua", flat=True)
        )
        assert intensities == sorted(intensities)
        assert all(later <= earlier * 1.25 for earlier, later in itertools.pairwise(intensities))
    assert TreatmentRecord.objects.values("intensity_ua").distinct().count() > 3


def held_overlaps(person: str) -> list[tuple[int, int]]:
    """Pairs of held sessions of one esthetician (or client) that overlap, found in one query."""
    rows = sorted(
        Session.objects.filter(status__in=Session.HELD_STATUSES).values_list(
            person, "starts_at", "ends_at", "pk"
        )
    )
    return [
        (earlier[3], later[3])
        for earlier, later in itertools.pairwise(rows)
        if earlier[0] == later[0] and later[1] < earlier[2]
    ]


def held_by_username() -> dict[str, int]:
    """Held sessions (given or booked) of each esthetician, by username."""
    held = Session.objects.filter(status__in=Session.HELD_STATUSES)
    busy = dict(held.values_list("esthetician__user__username").annotate(n=Count("pk")).order_by())
    return {
        esthetician.user.username: busy.get(esthetician.user.username, 0)
        for esthetician in Esthetician.objects.select_related("user")
    }


@pytest.fixture
def generated(debug):
    call_command("seed_demo", clients=300)
    return Client.objects.filter(email__endswith="@load.example.com")


@pytest.mark.django_db
def test_generated_clients_have_the_history_of_a_real_spa(generated):
    assert generated.count() == 300
    assert Intake.objects.filter(client__in=generated).count() == 300
    assert Series.objects.filter(client__in=generated).count() == 300
    assert Esthetician.objects.count() == team_size(300) == 12
    series = Series.objects.filter(client__in=generated)
    assert {"active", "completed"} <= set(series.values_list("status", flat=True))
    sessions = Session.objects.filter(client__in=generated)
    assert {"booked", "completed", "no_show", "cancelled"} <= set(
        sessions.values_list("status", flat=True)
    )
    assert sessions.filter(kind="maintenance").exists()
    visits = MaintenanceVisit.objects.filter(series__client__in=generated)
    assert {"due", "completed", "booked"} <= set(visits.values_list("status", flat=True))
    completed = sessions.filter(status="completed")
    assert TreatmentRecord.objects.filter(session__in=completed).count() == completed.count()
    assert not Session.objects.filter(status="completed", starts_at__gte=timezone.now()).exists()
    assert not Session.objects.filter(
        client__in=generated, status="booked", starts_at__lt=timezone.now()
    ).exists()


@pytest.mark.django_db
def test_generated_sessions_never_overlap_and_keep_to_working_hours(generated):
    assert held_overlaps("esthetician_id") == []
    assert held_overlaps("client_id") == []
    hours = {
        (row.esthetician_id, row.weekday, hour)
        for row in WorkingHours.objects.all()
        for hour in range(row.starts_at.hour, row.ends_at.hour)
    }
    for session in Session.objects.filter(client__in=generated):
        start = timezone.localtime(session.starts_at)
        assert (session.esthetician_id, start.weekday(), start.hour) in hours
        assert start.minute == 0


@pytest.mark.django_db
def test_generated_courses_rise_in_intensity_a_session_apart(generated):
    courses: dict[int, list[tuple]] = {}
    for series, starts_at, intensity in (
        Session.objects.filter(
            client__in=generated, kind__in=Session.COURSE_KINDS, status="completed"
        )
        .order_by("series", "starts_at")
        .values_list("series", "starts_at", "record__intensity_ua")
    ):
        courses.setdefault(series, []).append((timezone.localdate(starts_at), intensity))
    for course in courses.values():
        days, intensities = zip(*course, strict=True)
        assert list(intensities) == sorted(intensities)
        assert all((later - earlier).days >= 2 for earlier, later in itertools.pairwise(days))


@pytest.mark.django_db
def test_the_favourite_estheticians_are_the_busiest(generated):
    busy = held_by_username()
    favourites = [busy.pop(name) for name in ("esthetician", "therapist01", "therapist02")]

    assert min(favourites) > max(busy.values())


@pytest.mark.django_db
def test_generating_again_adds_nothing_and_more_adds_only_the_rest(generated):
    before = counts()

    call_command("seed_demo", clients=300)
    assert counts() == before

    call_command("seed_demo", clients=320)
    assert generated.count() == 320
    assert held_overlaps("esthetician_id") == []
    assert held_overlaps("client_id") == []
