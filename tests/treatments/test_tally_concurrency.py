"""The dashboard's tallies stay right when many people change sessions at once (PostgreSQL).

A quarter hour's count is one row every writer of a session starting in it updates. Each
change writes its quarter hours in one statement, in order, so two moves the opposite way
round between the same two quarter hours take their locks in the same order: neither fails,
and the counts still add up.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from tests.clients.factories import IntakeFactory
from tests.markers import requires_postgresql
from tests.treatments.factories import EstheticianFactory, SessionFactory, TreatmentFactory
from tests.treatments.test_series_tally import assert_every_tally_agrees
from treatments.models import Session

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

MOVES = 200


def moving_back_and_forth(session: Session, first: dt.datetime, then: dt.datetime) -> None:
    """Move the session between two times, each move its own statement and transaction."""
    for move in range(MOVES):
        starts_at = then if move % 2 == 0 else first
        Session.objects.filter(pk=session.pk).update(
            starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=30)
        )


def test_moves_the_opposite_way_round_at_once_all_go_through_and_the_tallies_agree():
    treatment = TreatmentFactory(minutes=30)
    ten = timezone.make_aware(dt.datetime(2027, 3, 2, 10))
    eleven = ten + dt.timedelta(hours=1)
    annas = SessionFactory(
        esthetician=EstheticianFactory(),
        client=IntakeFactory().client,
        treatment=treatment,
        starts_at=ten,
    )
    bens = SessionFactory(
        esthetician=EstheticianFactory(),
        client=IntakeFactory().client,
        treatment=treatment,
        starts_at=eleven,
    )
    ready = threading.Barrier(2)
    failures: list[Exception] = []

    def run(session: Session, first: dt.datetime, then: dt.datetime) -> None:
        try:
            ready.wait()
            moving_back_and_forth(session, first, then)
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(annas, ten, eleven)),
        threading.Thread(target=run, args=(bens, eleven, ten)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert_every_tally_agrees()
