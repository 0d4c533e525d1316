from __future__ import annotations

import datetime as dt

import factory

from tests.clients.factories import ClientFactory, UserFactory
from treatments.models import Closure, Esthetician, Series, Session, Treatment, WorkingHours


class EstheticianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Esthetician

    user = factory.SubFactory(UserFactory, groups=["Esthetician"])


class TreatmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Treatment
        django_get_or_create = ("name",)

    name = "Microcurrent lift"
    minutes = 60
    kind = Treatment.Kind.SERIES


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    esthetician = factory.SubFactory(EstheticianFactory)
    weekday = 0
    starts_at = dt.time(9, 0)
    ends_at = dt.time(17, 0)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    starts_on = dt.date(2026, 12, 25)
    ends_on = dt.date(2026, 12, 26)
    reason = "Christmas"


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    client = factory.SubFactory(ClientFactory)
    esthetician = factory.SubFactory(EstheticianFactory)
    treatment = factory.SubFactory(TreatmentFactory)
    starts_on = dt.date(2026, 12, 1)
    planned_sessions = 8
    sessions_per_week = 1
    preferred_weekdays = [1]
    preferred_time = dt.time(10, 0)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    client = factory.SubFactory(ClientFactory)
    esthetician = factory.SubFactory(EstheticianFactory)
    treatment = factory.SubFactory(TreatmentFactory)
    kind = Session.Kind.SINGLE
    starts_at = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + dt.timedelta(hours=1))
