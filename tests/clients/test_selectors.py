"""Which intake is in force for a client, alone or many at once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clients.selectors import client_findings, latest_intake, latest_intakes
from tests.clients.factories import ClientFactory, IntakeFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON)
TUESDAY = MONDAY + dt.timedelta(days=1)


def test_latest_intake_is_the_newest_submitted() -> None:
    client = ClientFactory()
    IntakeFactory(client=client, submitted_at=MONDAY)
    newest = IntakeFactory(client=client, submitted_at=TUESDAY)
    # Recorded later but dated earlier, as when a paper form is typed in afterwards.
    IntakeFactory(client=client, submitted_at=MONDAY - dt.timedelta(days=7))

    assert latest_intake(client) == newest


def test_latest_intake_breaks_a_tie_by_the_last_recorded() -> None:
    client = ClientFactory()
    first = IntakeFactory(client=client, submitted_at=MONDAY)
    second = IntakeFactory(client=client, submitted_at=MONDAY)

    assert second.pk > first.pk
    assert latest_intake(client) == second


def test_latest_intake_is_none_without_any_intake() -> None:
    assert latest_intake(ClientFactory()) is None


def test_latest_intake_ignores_other_clients() -> None:
    client = ClientFactory()
    own = IntakeFactory(client=client, submitted_at=MONDAY)
    IntakeFactory(submitted_at=TUESDAY)

    assert latest_intake(client) == own


def test_latest_intakes_maps_each_client_to_its_newest_intake_in_one_query(
    django_assert_num_queries,
) -> None:
    ada, bea, cal, dee = ClientFactory.create_batch(4)
    IntakeFactory(client=ada, submitted_at=MONDAY)
    ada_newest = IntakeFactory(client=ada, submitted_at=TUESDAY)
    IntakeFactory(client=bea, submitted_at=TUESDAY)
    bea_tie_winner = IntakeFactory(client=bea, submitted_at=TUESDAY)
    cal_only = IntakeFactory(client=cal, submitted_at=MONDAY)
    IntakeFactory(client=dee, submitted_at=TUESDAY)

    with django_assert_num_queries(1):
        intakes = latest_intakes([ada.pk, bea.pk, cal.pk])

    assert intakes == {ada.pk: ada_newest, bea.pk: bea_tie_winner, cal.pk: cal_only}


def test_latest_intakes_leaves_out_clients_without_an_intake() -> None:
    with_intake, without_intake = ClientFactory.create_batch(2)
    intake = IntakeFactory(client=with_intake)

    assert latest_intakes([with_intake.pk, without_intake.pk]) == {with_intake.pk: intake}


def test_latest_intakes_takes_any_iterable_and_needs_no_query_for_none(
    django_assert_num_queries,
) -> None:
    client = ClientFactory()
    intake = IntakeFactory(client=client)

    assert latest_intakes(pk for pk in [client.pk]) == {client.pk: intake}
    with django_assert_num_queries(0):
        assert latest_intakes([]) == {}


def test_client_findings_assess_the_latest_intake() -> None:
    client = ClientFactory()
    IntakeFactory(client=client, submitted_at=MONDAY, has_pacemaker=True)
    IntakeFactory(client=client, submitted_at=TUESDAY, last_injectable_on=dt.date(2026, 11, 10))

    findings = client_findings(client, dt.date(2026, 11, 23), today=dt.date(2026, 11, 17))

    assert [finding.code for finding in findings] == ["recent_injectable"]
    assert findings[0].until == dt.date(2026, 11, 24)


def test_client_findings_without_an_intake_say_it_is_missing() -> None:
    findings = client_findings(ClientFactory(), dt.date(2026, 11, 23), today=dt.date(2026, 11, 17))

    assert [finding.code for finding in findings] == ["intake_missing"]


def test_client_findings_check_expiry_against_today_by_default() -> None:
    client = ClientFactory()
    IntakeFactory(client=client, submitted_at=dt.datetime(2020, 1, 6, 10, 0, tzinfo=LONDON))

    findings = client_findings(client, dt.date(2020, 1, 7))

    assert [finding.code for finding in findings] == ["intake_expired"]
