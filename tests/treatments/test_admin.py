from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client as BrowserClient
from django.urls import reverse

from clients.models import Client
from tests.admin_forms import posted_back
from tests.clients.factories import ClientFactory, IntakeFactory
from tests.treatments.factories import (
    ClosureFactory,
    EstheticianFactory,
    SeriesFactory,
    SessionFactory,
    TreatmentFactory,
    WorkingHoursFactory,
)
from treatments.admin import LATEST_SESSIONS_ON_CLIENT_PAGE
from treatments.models import Closure, MaintenanceVisit, Series, Session, Treatment

pytestmark = pytest.mark.django_db


def maintenance_visit(number: int = 1) -> MaintenanceVisit:
    return MaintenanceVisit.objects.create(
        series=SeriesFactory(status=Series.Status.COMPLETED),
        number=number,
        due_on=dt.date(2027, 3, 2),
    )


def closure_of_an_esthetician() -> Closure:
    return ClosureFactory(esthetician=EstheticianFactory(), reason="Annual leave")


def series_session() -> Session:
    series = SeriesFactory()
    return SessionFactory(
        series=series,
        client=series.client,
        esthetician=series.esthetician,
        treatment=series.treatment,
        kind=Session.Kind.SERIES,
    )


ROWS: dict[str, Callable[[], Model]] = {
    "esthetician": EstheticianFactory,
    "treatment": TreatmentFactory,
    "workinghours": WorkingHoursFactory,
    "closure": closure_of_an_esthetician,
    "series": SeriesFactory,
    "session": series_session,
    "maintenancevisit": maintenance_visit,
}
EDITABLE = ["esthetician", "treatment", "workinghours", "closure"]
VIEW_ONLY = ["series", "session", "maintenancevisit"]


def admin_url(model: str, view: str, *args: Any) -> str:
    return reverse(f"admin:treatments_{model}_{view}", args=args)


@pytest.mark.parametrize("model", ROWS)
def test_changelist_lists_rows(admin_client: BrowserClient, model: str) -> None:
    row = ROWS[model]()

    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [row]


@pytest.mark.parametrize("model", ROWS)
def test_change_page_opens(admin_client: BrowserClient, model: str) -> None:
    row = ROWS[model]()

    response = admin_client.get(admin_url(model, "change", row.pk))

    assert response.status_code == 200


@pytest.mark.parametrize("model", EDITABLE)
def test_add_page_opens(admin_client: BrowserClient, model: str) -> None:
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", VIEW_ONLY)
def test_add_page_is_refused_for_booked_rows(admin_client: BrowserClient, model: str) -> None:
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == 403


@pytest.mark.parametrize("model", VIEW_ONLY)
def test_change_page_of_booked_rows_is_read_only(admin_client: BrowserClient, model: str) -> None:
    row = ROWS[model]()

    response = admin_client.get(admin_url(model, "change", row.pk))

    assert 'name="_save"' not in response.text


@pytest.mark.parametrize("model", VIEW_ONLY)
def test_posting_a_change_to_booked_rows_is_refused(
    admin_client: BrowserClient, model: str
) -> None:
    row = ROWS[model]()

    response = admin_client.post(admin_url(model, "change", row.pk), {"status": "cancelled"})

    assert response.status_code == 403


@pytest.mark.parametrize("model", VIEW_ONLY)
def test_delete_page_is_refused_for_booked_rows(admin_client: BrowserClient, model: str) -> None:
    row = ROWS[model]()

    response = admin_client.post(admin_url(model, "delete", row.pk), {"post": "yes"})

    assert response.status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def thirty_sessions() -> None:
    for _ in range(30):
        series_session()


def thirty_visits() -> None:
    for _ in range(30):
        maintenance_visit()


def thirty_closures() -> None:
    for _ in range(30):
        closure_of_an_esthetician()


def thirty_treatments() -> None:
    for number in range(30):
        TreatmentFactory(name=f"Microcurrent {number}")


BATCHES: dict[str, Callable[[], None]] = {
    "esthetician": lambda: EstheticianFactory.create_batch(30),
    "treatment": thirty_treatments,
    "workinghours": lambda: WorkingHoursFactory.create_batch(30),
    "closure": thirty_closures,
    "series": lambda: SeriesFactory.create_batch(30),
    "session": thirty_sessions,
    "maintenancevisit": thirty_visits,
}


@pytest.mark.parametrize("model", BATCHES)
def test_changelist_queries_are_bounded(
    admin_client: BrowserClient, django_assert_max_num_queries: Any, model: str
) -> None:
    BATCHES[model]()

    with django_assert_max_num_queries(8):
        response = admin_client.get(admin_url(model, "changelist"))

    assert len(response.context["cl"].result_list) == 30


def test_session_changelist_filters_by_esthetician(admin_client: BrowserClient) -> None:
    wanted = SessionFactory()
    SessionFactory()

    response = admin_client.get(
        admin_url("session", "changelist"), {"esthetician__id__exact": wanted.esthetician.pk}
    )

    assert list(response.context["cl"].result_list) == [wanted]


def test_session_search_finds_by_client_name(admin_client: BrowserClient) -> None:
    wanted = SessionFactory(client__last_name="Marchetti")
    SessionFactory(client__last_name="Lund")

    response = admin_client.get(admin_url("session", "changelist"), {"q": "marchetti"})

    assert list(response.context["cl"].result_list) == [wanted]


def test_closure_changelist_filters_whole_spa_closures(admin_client: BrowserClient) -> None:
    christmas = ClosureFactory()
    closure_of_an_esthetician()

    response = admin_client.get(admin_url("closure", "changelist"), {"esthetician__isnull": "True"})

    assert list(response.context["cl"].result_list) == [christmas]
    assert "Whole spa" in response.text


def test_series_page_lists_its_sessions(admin_client: BrowserClient) -> None:
    session = series_session()

    response = admin_client.get(admin_url("series", "change", session.series.pk))

    [sessions] = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Session
    ]
    assert [form.instance for form in sessions.formset.forms] == [session]


def test_esthetician_change_page_queries_are_bounded(
    admin_client: BrowserClient, django_assert_max_num_queries: Any
) -> None:
    esthetician = EstheticianFactory()
    for weekday in range(6):
        WorkingHoursFactory(esthetician=esthetician, weekday=weekday)
    for month in range(1, 11):
        ClosureFactory(
            esthetician=esthetician,
            starts_on=dt.date(2027, month, 1),
            ends_on=dt.date(2027, month, 2),
        )

    with django_assert_max_num_queries(8):
        response = admin_client.get(admin_url("esthetician", "change", esthetician.pk))

    assert response.status_code == 200


def test_working_hours_can_be_added_on_the_esthetician_page(admin_client: BrowserClient) -> None:
    esthetician = EstheticianFactory()
    url = admin_url("esthetician", "change", esthetician.pk)
    data = posted_back(admin_client.get(url))
    data |= {
        "working_hours-TOTAL_FORMS": "1",
        "working_hours-0-weekday": "2",
        "working_hours-0-starts_at": "09:00",
        "working_hours-0-ends_at": "13:00",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert [str(hours) for hours in esthetician.working_hours.all()] == ["Wednesday 09:00–13:00"]


def test_treatment_can_be_added(admin_client: BrowserClient) -> None:
    response = admin_client.post(
        admin_url("treatment", "add"),
        {"name": "Microcurrent express", "minutes": "30", "kind": "series", "is_active": "on"},
    )

    assert response.status_code == 302
    assert Treatment.objects.get().name == "Microcurrent express"


def test_esthetician_day_away_can_be_added(admin_client: BrowserClient) -> None:
    esthetician = EstheticianFactory()

    response = admin_client.post(
        admin_url("closure", "add"),
        {
            "starts_on": "2026-12-24",
            "ends_on": "2026-12-24",
            "reason": "Away",
            "esthetician": esthetician.pk,
        },
    )

    assert response.status_code == 302
    assert Closure.objects.get().esthetician == esthetician


# The client's page, extended here with their latest sessions.


def sessions_of_one_client(count: int) -> Client:
    """A client with one session a day for `count` days, all with one esthetician."""
    client = ClientFactory()
    esthetician = EstheticianFactory()
    first = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    for day in range(count):
        SessionFactory(
            client=client, esthetician=esthetician, starts_at=first + dt.timedelta(days=day)
        )
    return client


def session_forms(response: Any) -> list[Any]:
    [sessions] = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Session
    ]
    return sessions.formset.forms


def test_client_page_lists_only_the_latest_sessions(admin_client: BrowserClient) -> None:
    client = sessions_of_one_client(LATEST_SESSIONS_ON_CLIENT_PAGE + 5)

    response = admin_client.get(reverse("admin:clients_client_change", args=[client.pk]))

    shown = [form.instance.starts_at for form in session_forms(response)]
    assert len(shown) == LATEST_SESSIONS_ON_CLIENT_PAGE
    assert shown == sorted(shown, reverse=True)
    assert shown[0] == client.sessions.latest("starts_at").starts_at


def test_client_page_links_to_all_their_sessions(admin_client: BrowserClient) -> None:
    client = sessions_of_one_client(3)
    SessionFactory()

    response = admin_client.get(
        admin_url("session", "changelist"), {"client__id__exact": client.pk}
    )

    assert {session.client for session in response.context["cl"].result_list} == {client}
    assert len(response.context["cl"].result_list) == 3


def test_client_change_page_queries_are_bounded(
    admin_client: BrowserClient, django_assert_max_num_queries: Any
) -> None:
    client = sessions_of_one_client(LATEST_SESSIONS_ON_CLIENT_PAGE + 5)
    IntakeFactory.create_batch(5, client=client)

    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:clients_client_change", args=[client.pk]))

    assert response.status_code == 200


def test_client_with_many_sessions_can_be_edited(admin_client: BrowserClient) -> None:
    client = sessions_of_one_client(LATEST_SESSIONS_ON_CLIENT_PAGE + 5)
    IntakeFactory(client=client)
    url = reverse("admin:clients_client_change", args=[client.pk])
    data = posted_back(admin_client.get(url))
    data["notes"] = "Prefers afternoons."

    response = admin_client.post(url, data)

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.notes == "Prefers afternoons."
    assert client.sessions.count() == LATEST_SESSIONS_ON_CLIENT_PAGE + 5
