from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from spa.bench.report import COLUMNS

READS = [
    "Today, esthetician",
    "Today, manager (everyone)",
    "Calendar, team day",
    "Calendar, week (busiest)",
    "Clients",
    "Clients, search surname",
    "Clients, search phone",
    "Client page",
    "Series page",
    "Session page",
    "Series planning preview, 12",
    "Dashboard",
    "Dashboard, period week",
    "Dashboard, period month",
    "Dashboard, period 3months",
    "Dashboard, period year",
    "Dashboard, sort by client",
    "Dashboard, sort by esthetician",
    "Dashboard, sort by treatment",
    "Dashboard, sort by progress",
    "Dashboard, sort by next",
    "Dashboard, sort by last",
    "Dashboard, sort by status",
    "Dashboard, behind schedule",
    "Dashboard, all statuses",
    "CSV export, all series",
    "Calendar feed (.ics)",
    "Intake via link, form",
]
# A write went through when it redirects; a refused one shows its form again (200).
WRITES = [
    "Book one session (POST)",
    "Plan + confirm 12 (preview + POST)",
    "Complete a session (POST)",
    "Intake via link (POST)",
]


@pytest.fixture
def demo(db: None, settings) -> None:
    settings.DEBUG = True
    call_command("seed_demo")
    settings.DEBUG = False


def test_bench_measures_every_page_and_write_as_expected(demo: None, capsys) -> None:
    call_command("bench", runs=1, json=True)

    rows = {row["page"]: row for row in json.loads(capsys.readouterr().out)}
    assert list(rows) == READS + WRITES
    for name in READS:
        assert (rows[name]["status"], rows[name]["ok"]) == (200, True), rows[name]
    for name in WRITES:
        assert (rows[name]["status"], rows[name]["ok"]) == (302, True), rows[name]
    export = rows["CSV export, all series"]
    assert export["bytes"] > 0
    # With one run, the first byte and the last are of the same request.
    assert 0 < export["first_byte_ms"] <= export["median_ms"]
    assert 0 < export["first_byte_queries"] <= export["queries"]
    for row in rows.values():
        assert row["queries"] > 0
        assert row["ratio"] > 0


def test_bench_leaves_the_database_as_it_found_it(demo: None, capsys) -> None:
    from clients.models import HealthRecordAccess, Intake
    from treatments.models import CalendarFeedFetch, Series, Session

    models = [HealthRecordAccess, Intake, CalendarFeedFetch, Series, Session]
    before = [model.objects.count() for model in models]

    call_command("bench", runs=1, only="(POST)")

    assert [model.objects.count() for model in models] == before


def test_bench_prints_an_aligned_table_with_what_was_measured(demo: None, capsys) -> None:
    call_command("bench", runs=1, only="clients")

    lines = capsys.readouterr().out.splitlines()
    for said in ("clients", "sessions", "1 runs", "rolled back"):
        assert said in lines[0]
    assert lines[1] == COLUMNS
    assert [line.split("  ")[0] for line in lines[2:]] == [
        "Clients",
        "Clients, search surname",
        "Clients, search phone",
    ]
    status_column = COLUMNS.index("status")
    assert all(line[status_column:] == "200" for line in lines[2:])


@pytest.mark.django_db
def test_bench_asks_for_the_demo_data_first() -> None:
    with pytest.raises(CommandError, match=r"run `manage.py seed_demo` first"):
        call_command("bench", runs=1)


# `--server` itself starts gunicorn, which must see committed data in a database of its own: it
# is run by hand (README "Speed"). Its load loop is checked against the live test server.
def test_the_load_loop_counts_every_answer(live_server) -> None:
    from urllib.parse import urlsplit

    from spa.bench.server import hammer

    port = urlsplit(live_server.url).port

    rate = hammer(port, "/healthz", "", seconds=0.3)

    assert rate.requests > 0
    assert rate.statuses == {200: rate.requests}


def test_a_write_that_redirects_without_being_made_is_not_ok(demo: None, settings) -> None:
    import dataclasses

    from django.db import transaction
    from django.utils import timezone

    from spa.bench.pages import writes
    from spa.bench.subjects import subjects_pick
    from spa.bench.timing import browser_for, measure
    from treatments.models import Session

    settings.ROOT_URLCONF = "spa.bench.urls"
    subjects = subjects_pick(now=timezone.now())
    # A session still to come: recording it is refused, and the refusal redirects.
    later = Session.objects.filter(status=Session.Status.BOOKED, starts_at__gt=timezone.now())
    subjects = dataclasses.replace(subjects, to_complete=later.first())
    complete = next(page for page in writes(subjects) if page.name.startswith("Complete"))
    browser = browser_for(subjects.to_complete.esthetician.user)

    with transaction.atomic():
        measured = measure(complete, browser=browser, floor_browser=browser, runs=1, warm_up=0)

    assert measured.status == 302
    assert not measured.ok
