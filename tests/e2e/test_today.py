from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from clients.forms import BLOCK_QUESTIONS, PreTreatmentCheckForm
from clients.models import Intake
from tests.clients.factories import DEMO_PASSWORD, ClientFactory, IntakeFactory
from tests.treatments.factories import EstheticianFactory, SessionFactory
from treatments.models import Session


def log_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_esthetician_logs_in_and_sees_todays_client(
    page: Page, live_server: LiveServer, transactional_db: None
) -> None:
    esthetician = EstheticianFactory(user__username="anna", user__first_name="Anna")
    client = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=client)
    starts_at = dt.datetime.combine(
        timezone.localdate(), dt.time(10), tzinfo=timezone.get_current_timezone()
    )
    SessionFactory(esthetician=esthetician, client=client, starts_at=starts_at)

    log_in(page, live_server, "anna")

    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    worklist = page.get_by_role("region", name="Your sessions")
    expect(worklist.get_by_role("link", name="Iris Moss", exact=True)).to_be_visible()
    expect(worklist.get_by_text("10:00–11:00")).to_be_visible()


def test_an_esthetician_checks_in_records_and_marks_a_no_show_all_from_today(
    page: Page, live_server: LiveServer, transactional_db: None
) -> None:
    esthetician = EstheticianFactory(user__username="anna", user__first_name="Anna")
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    intake = IntakeFactory(client=iris)
    olive = ClientFactory(first_name="Olive", last_name="Hart")
    IntakeFactory(client=olive)
    # The live server runs on the real clock. Both sessions have started, today: Olive's (a
    # minute long) a little while ago, Iris's just after it, going on now.
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    olive_starts = max(midnight, now - dt.timedelta(minutes=20))
    iris_starts = olive_starts + dt.timedelta(minutes=1)
    if iris_starts > now:
        pytest.skip("within two minutes of midnight no session of today has started yet")
    SessionFactory(
        esthetician=esthetician,
        client=olive,
        starts_at=olive_starts,
        ends_at=iris_starts,
    )
    SessionFactory(
        esthetician=esthetician,
        client=iris,
        starts_at=iris_starts,
        ends_at=now + dt.timedelta(minutes=45),
    )

    log_in(page, live_server, "anna")
    worklist = page.get_by_role("region", name="Your sessions")
    expect(worklist.get_by_role("listitem").filter(has_text="Iris Moss")).to_contain_text("Booked")

    # Iris: check in from the list, answer the pre-treatment check, record the treatment.
    worklist.get_by_role("link", name="Check in Iris Moss").click()
    expect(page.get_by_role("heading", name="Check in Iris Moss", level=1)).to_be_visible()
    check = PreTreatmentCheckForm(on_file=intake, today=timezone.localdate())
    for name in BLOCK_QUESTIONS:
        field = check.fields[name]
        group = page.get_by_role("group", name=field.label)
        group.get_by_label(dict(field.choices)["no"], exact=True).check()
    page.get_by_role("button", name="Check in").click()

    expect(page.get_by_role("heading", name="Treatment record", level=1)).to_be_visible()
    page.get_by_label("Intensity (µA)").fill("150")
    page.get_by_label("Frequency (Hz)").fill("300")
    page.get_by_label("Waveform").select_option(label="Square")
    page.get_by_label("Tolerance").select_option(label="Comfortable")
    page.get_by_label("Cheekbones").check()
    page.get_by_label("Jawline").check()
    page.get_by_role("button", name="Complete the session").click()

    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "session completed; the treatment record is saved."
    )
    worklist = page.get_by_role("region", name="Your sessions")
    iris_row = worklist.get_by_role("listitem").filter(has_text="Iris Moss")
    expect(iris_row).to_contain_text("Completed")
    expect(iris_row.get_by_role("link", name="Check in Iris Moss")).to_have_count(0)

    # Olive never came: one button on her row of the list.
    worklist.get_by_role("button", name="No-show for Olive Hart").click()

    expect(page.get_by_role("status")).to_contain_text("marked as a no-show.")
    worklist = page.get_by_role("region", name="Your sessions")
    expect(worklist.get_by_role("listitem").filter(has_text="Olive Hart")).to_contain_text(
        "No-show"
    )
    expect(page.get_by_role("region", name="Needs you")).to_contain_text("Nothing needs you")

    statuses = dict(Session.objects.values_list("client__first_name", "status"))
    assert statuses == {"Iris": Session.Status.COMPLETED, "Olive": Session.Status.NO_SHOW}
    record = Session.objects.get(client=iris).record
    assert (record.intensity_ua, record.areas) == (150, ["cheekbones", "jawline"])
    assert Intake.objects.filter(client=iris, source=Intake.Source.PRE_TREATMENT_CHECK).exists()
