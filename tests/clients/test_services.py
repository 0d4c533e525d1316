from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from clients.models import HealthRecordAccess, Intake, IntakeLink
from clients.services import (
    IntakeLinkUnusable,
    client_update,
    health_records_viewed_each,
    intake_link_create,
    intake_link_send,
    intake_submit,
    token_hash,
)
from tests.clients.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)
SITE = "https://spa.example.com"
CLEAR = {
    "has_pacemaker": False,
    "acute_acne": False,
    "pregnant": False,
    "due_date": None,
    "last_injectable_on": None,
    "epilepsy": False,
    "cancer": False,
    "metal_implants": False,
    "heart_condition": False,
    "skin_lesions": False,
    "date_of_birth": dt.date(1985, 6, 15),
}


@pytest.fixture(autouse=True)
def saturday_morning():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_an_intake_link_carries_256_random_bits_and_only_its_hash_is_stored():
    client = ClientFactory()

    url = intake_link_create(client=client, created_by=None, site_url=SITE)

    token = token_of(url)
    assert url == f"{SITE}/intake/{token}/"
    assert len(token) >= 43
    link = IntakeLink.objects.get(client=client)
    assert link.token_hash == token_hash(token)
    assert token not in link.token_hash


def test_an_intake_link_expires_after_seven_days(saturday_morning):
    link_url = intake_link_create(client=ClientFactory(), created_by=None, site_url=SITE)
    link = IntakeLink.objects.get(token_hash=token_hash(token_of(link_url)))

    assert link.expires_at == NOW + dt.timedelta(days=7)
    assert link.state(NOW + dt.timedelta(days=7, seconds=-1)) == "open"
    assert link.state(NOW + dt.timedelta(days=7)) == "expired"


def test_a_new_link_closes_the_clients_earlier_open_links():
    client = ClientFactory()
    first = intake_link_create(client=client, created_by=None, site_url=SITE)

    intake_link_create(client=client, created_by=None, site_url=SITE)

    earlier = IntakeLink.objects.get(token_hash=token_hash(token_of(first)))
    assert earlier.state(NOW) == "expired"


def test_sending_a_link_emails_it_to_the_client_and_logs_it(django_capture_on_commit_callbacks):
    staff = UserFactory()
    client = ClientFactory(email="olivia@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        url = intake_link_send(client=client, created_by=staff, site_url=SITE)

    assert [message.to for message in mail.outbox] == [["olivia@example.com"]]
    assert url in mail.outbox[0].body
    assert url in mail.outbox[0].alternatives[0][0]
    logged = HealthRecordAccess.objects.get(client=client)
    assert (logged.action, logged.user) == (HealthRecordAccess.Action.LINK_SENT, staff)


def test_a_client_without_email_gets_a_link_but_no_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        url = intake_link_send(client=ClientFactory(email=""), created_by=None, site_url=SITE)

    assert url.startswith(SITE)
    assert mail.outbox == []


def submit_through(link_url: str, **answers: object) -> Intake:
    link = IntakeLink.objects.get(token_hash=token_hash(token_of(link_url)))
    return intake_submit(
        client=link.client,
        answers={**CLEAR, **answers},
        source=Intake.Source.CLIENT_LINK,
        signature="Olivia Bennett",
        ip_address="203.0.113.7",
        link=link,
    )


def test_submitting_through_a_link_stores_a_version_and_uses_the_link_up():
    url = intake_link_create(client=ClientFactory(), created_by=None, site_url=SITE)

    intake = submit_through(url, epilepsy=True)

    link = IntakeLink.objects.get(token_hash=token_hash(token_of(url)))
    assert (link.used_at, link.intake) == (NOW, intake)
    assert (intake.signature, intake.ip_address, intake.epilepsy) == (
        "Olivia Bennett",
        "203.0.113.7",
        True,
    )
    assert intake.recorded_by is None


def test_a_second_submission_of_one_link_stores_nothing():
    url = intake_link_create(client=ClientFactory(), created_by=None, site_url=SITE)
    submit_through(url)

    with pytest.raises(IntakeLinkUnusable) as refused:
        submit_through(url, has_pacemaker=True)

    assert refused.value.state == "used"
    assert Intake.objects.count() == 1


def test_an_expired_link_stores_nothing(saturday_morning):
    url = intake_link_create(client=ClientFactory(), created_by=None, site_url=SITE)
    saturday_morning.move_to(NOW + dt.timedelta(days=8))

    with pytest.raises(IntakeLinkUnusable) as refused:
        submit_through(url)

    assert refused.value.state == "expired"
    assert not Intake.objects.exists()


def test_a_staff_intake_records_who_took_it():
    staff = UserFactory()
    client = ClientFactory()

    intake = intake_submit(
        client=client, answers=CLEAR, source=Intake.Source.STAFF, recorded_by=staff
    )

    assert intake.recorded_by == staff
    logged = HealthRecordAccess.objects.get(client=client)
    assert (logged.action, logged.user) == (HealthRecordAccess.Action.RECORDED, staff)


def test_contact_details_given_with_an_intake_update_the_client_and_are_logged():
    client = ClientFactory(phone="07700 900001")
    contact = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "email": client.email,
        "phone": "07700 900999",
        "date_of_birth": client.date_of_birth,
    }

    intake_submit(client=client, answers=CLEAR, source=Intake.Source.STAFF, contact=contact)

    client.refresh_from_db()
    assert client.phone == "07700 900999"
    actions = set(HealthRecordAccess.objects.values_list("action", "detail"))
    assert (HealthRecordAccess.Action.CONTACT_CHANGED, "Changed phone") in actions


def test_editing_a_client_logs_only_real_changes():
    client = ClientFactory()

    client_update(client=client, fields={"first_name": client.first_name}, by=None)
    client_update(client=client, fields={"notes": "Prefers mornings"}, by=None)

    assert list(HealthRecordAccess.objects.values_list("detail", flat=True)) == ["Changed notes"]


def test_a_page_logs_what_it_showed_of_each_client_in_one_insert(django_assert_num_queries):
    iris, olive = ClientFactory(), ClientFactory()
    user = UserFactory(username="anna")

    with django_assert_num_queries(1):
        health_records_viewed_each(
            user=user,
            seen={
                iris: "Today, Tue 1 Dec: each session's findings",
                olive.pk: "Today: intake date",
            },
        )

    lines = HealthRecordAccess.objects.filter(action=HealthRecordAccess.Action.VIEWED)
    assert sorted(lines.values_list("client_id", "user_id", "detail")) == sorted(
        [
            (iris.pk, user.pk, "Today, Tue 1 Dec: each session's findings"),
            (olive.pk, user.pk, "Today: intake date"),
        ]
    )


def test_a_page_that_showed_nobody_logs_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        health_records_viewed_each(user=None, seen={})
