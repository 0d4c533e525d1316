from __future__ import annotations

import csv
import datetime as dt
import itertools
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.clients.factories import DEMO_PASSWORD, ClientFactory, UserFactory
from tests.treatments.factories import EstheticianFactory, SeriesFactory, SessionFactory
from treatments.models import Esthetician, Series, Session

HOURS = itertools.count(8)


@pytest.fixture
def anna(transactional_db: None) -> Esthetician:
    return EstheticianFactory(user__first_name="Anna", user__last_name="Berg")


def course(
    esthetician: Esthetician,
    first_name: str,
    last_name: str,
    *,
    completed: list[int],
    booked: list[int],
) -> Series:
    """A weekly course of 6: sessions completed `completed` days ago and booked `booked`
    days ahead, each at its own hour so none overlap."""
    today = timezone.localdate()
    series = SeriesFactory(
        esthetician=esthetician,
        client=ClientFactory(first_name=first_name, last_name=last_name),
        starts_on=today - dt.timedelta(days=max(completed)),
        planned_sessions=6,
    )
    moments = [(-days, Session.Status.COMPLETED) for days in completed]
    moments += [(days, Session.Status.BOOKED) for days in booked]
    for days, status in moments:
        day = today + dt.timedelta(days=days)
        starts_at = dt.datetime.combine(
            day, dt.time(next(HOURS) % 10 + 8), tzinfo=timezone.get_current_timezone()
        )
        SessionFactory(
            client=series.client,
            esthetician=esthetician,
            treatment=series.treatment,
            series=series,
            kind=Session.Kind.SERIES,
            status=status,
            starts_at=starts_at,
        )
    return series


def test_a_manager_finds_the_series_behind_schedule_and_takes_them_away_as_csv(
    page: Page, live_server: LiveServer, anna: Esthetician
) -> None:
    UserFactory(username="maria", first_name="Maria", groups=["Manager"])
    late = course(anna, "Iris", "Moss", completed=[27, 20], booked=[])
    course(anna, "Nina", "Shah", completed=[3], booked=[4, 11, 18, 25, 32])

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()

    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    rows = page.locator("#series-table tbody tr")
    expect(rows).to_have_count(2)

    page.get_by_label("Flag").select_option(label="Behind schedule")

    expect(page).to_have_url(re.compile(r"/dashboard/\?flag=behind$"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Iris Moss")
    expect(rows.first).to_contain_text("Behind schedule")

    page.get_by_role("link", name="Microcurrent lift series for Iris Moss").click()
    expect(page).to_have_url(re.compile(rf"/series/{late.pk}/$"))
    expect(page.get_by_role("heading", name="Microcurrent lift series", level=1)).to_be_visible()

    page.go_back()

    expect(page).to_have_url(re.compile(r"/dashboard/\?flag=behind$"))
    expect(page.get_by_label("Flag")).to_have_value("behind")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Iris Moss")

    with page.expect_download() as downloading:
        page.get_by_role("link", name=re.compile(r"^Download CSV")).click()
    download = downloading.value

    assert download.suggested_filename == f"series-{timezone.localdate().isoformat()}.csv"
    with open(download.path(), newline="", encoding="utf-8") as exported:
        lines = list(csv.DictReader(exported))
    assert [(line["series_id"], line["client"]) for line in lines] == [(str(late.pk), "Iris Moss")]
    assert lines[0]["behind_schedule"] == "yes"
    assert lines[0]["completed_sessions"] == "2"


def test_the_period_and_the_table_keep_each_other_and_the_back_button_undoes_each_step(
    page: Page, live_server: LiveServer, anna: Esthetician
) -> None:
    UserFactory(username="maria", first_name="Maria", groups=["Manager"])
    course(anna, "Iris", "Moss", completed=[27, 20], booked=[])
    course(anna, "Ava", "Adams", completed=[34, 27], booked=[])
    course(anna, "Nina", "Shah", completed=[3], booked=[4, 11, 18, 25, 32])
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/dashboard/")
    periods = page.get_by_role("navigation", name="Period of the figures")
    figures_title = page.locator("#figures-title")
    clients = page.locator("#series-table tbody th")

    periods.get_by_role("link", name="This year").click()
    expect(page).to_have_url(re.compile(r"/dashboard/\?period=year$"))
    expect(figures_title).to_contain_text("This year")
    page.get_by_label("Flag").select_option(label="Behind schedule")
    expect(page).to_have_url(re.compile(r"\?period=year&flag=behind$"))
    page.get_by_role("link", name="Client", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?period=year&flag=behind&sort=client&dir=asc$"))
    expect(clients).to_have_text(["Ava Adams", "Iris Moss"])
    periods.get_by_role("link", name="This month").click()

    expect(page).to_have_url(re.compile(r"\?period=month&flag=behind&sort=client&dir=asc$"))
    expect(figures_title).to_contain_text("This month")
    expect(clients).to_have_text(["Ava Adams", "Iris Moss"])

    page.go_back()
    expect(page).to_have_url(re.compile(r"\?period=year&flag=behind&sort=client&dir=asc$"))
    expect(figures_title).to_contain_text("This year")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?period=year&flag=behind$"))
    expect(clients).to_have_text(["Iris Moss", "Ava Adams"])
    expect(page.get_by_label("Flag")).to_have_value("behind")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?period=year$"))
    expect(clients).to_have_count(3)
    expect(page.get_by_label("Flag")).to_have_value("")

    since = timezone.localdate() - dt.timedelta(days=30)
    page.get_by_role("group", name="Started between").get_by_label("On or after").fill(
        since.isoformat()
    )
    expect(page).to_have_url(re.compile(rf"\?period=year&started_from={since.isoformat()}$"))
    expect(clients).to_have_text(["Nina Shah", "Iris Moss"])
