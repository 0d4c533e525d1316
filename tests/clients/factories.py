from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clients.models import Client, Intake

# The demo logins' password, which staff made by the factories share.
DEMO_PASSWORD = "lift-and-glow-demo"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    # Staff names no client's name in a test hides in (a random "Oliver" holds "Olive").
    first_name = factory.Sequence(lambda n: f"Staff{n}")
    last_name = "Member"
    password = factory.django.Password(DEMO_PASSWORD)

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for name in extracted or ():
            self.groups.add(Group.objects.get_or_create(name=name)[0])


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    phone = factory.Sequence(lambda n: f"07700 9{n:05d}")
    date_of_birth = dt.date(1985, 6, 15)


class IntakeFactory(factory.django.DjangoModelFactory):
    """A clear intake: nothing that blocks or cautions."""

    class Meta:
        model = Intake

    client = factory.SubFactory(ClientFactory)
    source = Intake.Source.STAFF
    date_of_birth = factory.SelfAttribute("client.date_of_birth")
