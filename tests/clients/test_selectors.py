"""Which intake is in force for a client, alone or many at once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from clients import selectors
from clients.eligibility import Finding
from clients.models import Client
from clients.selectors import (
    client_findings,
    client_search,
    client_standing,
    clients_found,
    clients_with_standing,
    intake_initial,
    intake_number,
    latest_intake,
    latest_intakes,
    previous_intake,
    standing,
)
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


# The client list and page ----------------------------------------------------------------------

TODAY = dt.date(2026, 11, 25)


def block(code: str, until: dt.date | None = None) -> Finding:
    return Finding(code=code, severity="block", message=code, until=until)


def caution(code: str) -> Finding:
    return Finding(code=code, severity="caution", message=code, until=None)


@pytest.mark.parametrize(
    ("findings", "kind", "label"),
    [
        ([], "can_book", "Can book"),
        ([caution("epilepsy")], "caution", "Caution"),
        ([block("recent_injectable", dt.date(2026, 12, 4))], "blocked", "Blocked until Fri 4 Dec"),
        (
            [
                block("recent_injectable", dt.date(2026, 12, 4)),
                block("pregnancy_first_trimester", dt.date(2026, 12, 8)),
                caution("epilepsy"),
            ],
            "blocked",
            "Blocked until Tue 8 Dec",
        ),
        (
            [block("recent_injectable", dt.date(2026, 12, 4)), block("pacemaker")],
            "blocked",
            "Blocked",
        ),
        ([block("intake_missing")], "intake_needed", "Intake needed"),
        ([block("intake_expired"), block("pacemaker")], "intake_needed", "Intake needed"),
        (
            [block("recent_injectable", dt.date(2027, 1, 4))],
            "blocked",
            "Blocked until Mon 4 Jan 2027",
        ),
    ],
    ids=[
        "nothing",
        "caution only",
        "one dated block",
        "the latest of dated blocks",
        "a block without an end",
        "no intake",
        "expired intake first",
        "next year",
    ],
)
def test_standing_sums_up_the_findings(findings: list[Finding], kind: str, label: str) -> None:
    summary = standing(findings, today=TODAY)

    assert (summary.kind, summary.label) == (kind, label)
    assert summary.findings == findings


def test_client_standing_assesses_the_latest_intake_on_the_date() -> None:
    client = ClientFactory()
    IntakeFactory(
        client=client,
        submitted_at=dt.datetime(2026, 11, 24, 10, tzinfo=LONDON),
        last_injectable_on=dt.date(2026, 11, 20),
    )

    assert client_standing(client, dt.date(2026, 12, 3), today=TODAY).label == (
        "Blocked until Fri 4 Dec"
    )
    assert client_standing(client, dt.date(2026, 12, 4), today=TODAY).label == "Can book"


def test_clients_with_standing_needs_one_query_for_every_clients_intake(
    django_assert_num_queries,
) -> None:
    clear, blocked, missing = ClientFactory.create_batch(3)
    IntakeFactory(client=clear, submitted_at=dt.datetime(2026, 11, 24, 10, tzinfo=LONDON))
    IntakeFactory(
        client=blocked,
        submitted_at=dt.datetime(2026, 11, 24, 10, tzinfo=LONDON),
        has_pacemaker=True,
    )

    with django_assert_num_queries(1):
        rows = clients_with_standing([clear, blocked, missing], today=TODAY)

    assert [(row.client, row.standing.label) for row in rows] == [
        (clear, "Can book"),
        (blocked, "Blocked"),
        (missing, "Intake needed"),
    ]


@pytest.fixture
def annabel():
    return ClientFactory(
        first_name="Annabel",
        last_name="Clarkson",
        email="annabel.c@example.com",
        phone="07700 900-123",
    )


@pytest.mark.parametrize(
    "query",
    ["annabel", "CLARK", "Ann Cla", "Clarkson Annabel", "annabel.c@", "900-123", "07700900123"],
)
def test_client_search_matches_names_email_and_phone(annabel, query: str) -> None:
    ClientFactory(first_name="Zoe", last_name="Reed", email="zoe@example.com", phone="0123")

    assert list(client_search(query)) == [annabel]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
@pytest.mark.parametrize(
    ("lookup", "index"),
    [
        ("first_name__icontains", "client_first_name_trgm_idx"),
        ("last_name__icontains", "client_last_name_trgm_idx"),
        ("email__icontains", "client_email_trgm_idx"),
        ("phone__icontains", "client_phone_trgm_idx"),
        ("phone_digits__contains", "client_phone_digits_trgm_idx"),
    ],
)
def test_on_postgresql_each_comparison_of_the_search_has_its_trigram_index(
    lookup: str, index: str
) -> None:
    with connection.cursor() as cursor:
        # Only a bitmap scan is left: one needs an index on exactly the compared expression.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
    clients = Client.objects.alias(phone_digits=selectors.PHONE_DIGITS)

    assert index in clients.filter(**{lookup: "07700"}).explain()


def test_client_search_needs_every_word_to_match(annabel) -> None:
    assert list(client_search("Annabel Reed")) == []


def test_client_search_without_words_lists_everyone_by_last_name() -> None:
    zoe = ClientFactory(first_name="Zoe", last_name="Adams")
    ann = ClientFactory(first_name="Ann", last_name="Baker")

    assert list(client_search("  ")) == [zoe, ann]


def test_clients_found_holds_every_match_in_name_order_and_counts_them() -> None:
    zoe = ClientFactory(first_name="Zoe", last_name="Carr")
    ann = ClientFactory(first_name="Ann", last_name="Barr")
    ClientFactory(first_name="Ivy", last_name="Cole")

    found = clients_found("ARR")

    assert (found.clients[0:10], found.count, found.more) == ([ann, zoe], 2, False)


def test_clients_found_past_the_limit_keeps_the_newest_matches_in_name_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 2)
    ClientFactory(first_name="Ann", last_name="Able")  # the oldest match: left out
    newer = ClientFactory(first_name="Ann", last_name="Cole")
    newest = ClientFactory(first_name="Ann", last_name="Baker")
    ClientFactory(first_name="Zoe", last_name="Reed")

    found = clients_found("ann")

    assert (found.clients[0:10], found.count, found.more) == ([newest, newer], 2, True)


def test_clients_found_without_a_query_lists_the_first_by_name_up_to_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selectors, "LIST_LIMIT", 2)
    carter = ClientFactory(last_name="Carter")
    ClientFactory(last_name="Zeller")
    able = ClientFactory(last_name="Able")

    found = clients_found(" ")

    assert (found.count, found.more, found.limit) == (2, True, 2)
    assert found.clients[0 : found.count] == [able, carter]


def test_clients_found_pages_through_the_clients_in_name_order() -> None:
    clients = [ClientFactory(last_name=name) for name in ("Cole", "Able", "Dunn", "Bell")]

    found = clients_found("")

    assert found.clients[1:3] == [clients[3], clients[0]]


def test_clients_found_never_finds_an_erased_client() -> None:
    ClientFactory(first_name="Ann", erased_at=dt.datetime(2026, 11, 1, tzinfo=LONDON))

    assert clients_found("Ann").count == 0
    assert clients_found("").count == 0


def test_intake_number_and_previous_intake_follow_the_submission_order() -> None:
    client = ClientFactory()
    first = IntakeFactory(client=client, submitted_at=MONDAY)
    second = IntakeFactory(client=client, submitted_at=TUESDAY)
    IntakeFactory(submitted_at=MONDAY - dt.timedelta(days=1))

    assert (intake_number(first), intake_number(second)) == (1, 2)
    assert previous_intake(second) == first
    assert previous_intake(first) is None


def test_intake_initial_carries_the_latest_answers_as_yes_and_no() -> None:
    client = ClientFactory(first_name="Iris", email="iris@example.com")
    IntakeFactory(
        client=client,
        epilepsy=True,
        pregnant=True,
        due_date=dt.date(2027, 6, 1),
        last_injectable_on=dt.date(2026, 11, 2),
    )

    initial = intake_initial(client)

    assert initial["first_name"] == "Iris"
    assert initial["email"] == "iris@example.com"
    assert initial["epilepsy"] == "yes"
    assert initial["has_pacemaker"] == "no"
    assert initial["pregnant"] == "yes"
    assert initial["due_date"] == dt.date(2027, 6, 1)
    assert initial["had_injectable"] == "yes"
    assert initial["last_injectable_on"] == dt.date(2026, 11, 2)


def test_intake_initial_without_an_intake_has_only_the_contact_details() -> None:
    client = ClientFactory(first_name="Iris")

    initial = intake_initial(client)

    assert initial["first_name"] == "Iris"
    assert "epilepsy" not in initial
