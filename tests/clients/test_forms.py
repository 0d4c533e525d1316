from __future__ import annotations

import datetime as dt

import pytest

from clients.forms import IntakeForm
from tests.clients.factories import ClientFactory

TODAY = dt.date(2026, 12, 1)
DAY = dt.timedelta(days=1)

YES_NO_QUESTIONS = (
    "has_pacemaker",
    "acute_acne",
    "pregnant",
    "had_injectable",
    "epilepsy",
    "cancer",
    "metal_implants",
    "heart_condition",
    "skin_lesions",
)


def intake_answers(**changes: str | dt.date | None) -> dict[str, str]:
    """A complete intake as the browser posts it: every question No. None leaves a field out."""
    answers: dict[str, str | dt.date | None] = {
        "first_name": "Iris",
        "last_name": "Moss",
        "email": "iris@example.com",
        "phone": "07700 900123",
        "date_of_birth": "1985-06-15",
        **dict.fromkeys(YES_NO_QUESTIONS, "no"),
        "consent": "on",
        "signature": "Iris Moss",
        **changes,
    }
    return {name: str(value) for name, value in answers.items() if value is not None}


def intake_form(**changes: str | dt.date | None) -> IntakeForm:
    return IntakeForm(intake_answers(**changes), today=TODAY)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"had_injectable": "yes", "last_injectable_on": TODAY + DAY},
            "last_injectable_on",
            "The injection date can't be in the future.",
            id="injection tomorrow",
        ),
        pytest.param(
            {"had_injectable": "yes"},
            "last_injectable_on",
            "Please give the date of your most recent injection.",
            id="injection yes without a date",
        ),
        pytest.param(
            {"pregnant": "yes", "due_date": TODAY - 15 * DAY},
            "due_date",
            "That due date is more than 14 days ago. If your baby has been born, answer No to "
            "“Are you pregnant?”.",
            id="due date 15 days ago",
        ),
        pytest.param(
            {"pregnant": "yes", "due_date": TODAY + dt.timedelta(weeks=42) + DAY},
            "due_date",
            "A due date can't be more than 42 weeks away: please check it.",
            id="due date 42 weeks and a day ahead",
        ),
        pytest.param(
            {"pregnant": "yes"},
            "due_date",
            "Please give your due date, or how many weeks pregnant you are.",
            id="pregnant with neither due date nor weeks",
        ),
        pytest.param(
            {"pregnant": "yes", "weeks_pregnant": "43"},
            "weeks_pregnant",
            "Weeks pregnant is a number from 0 to 42.",
            id="43 weeks pregnant",
        ),
        pytest.param(
            {"date_of_birth": TODAY + DAY},
            "date_of_birth",
            "The date of birth can't be in the future.",
            id="born tomorrow",
        ),
        pytest.param(
            {"date_of_birth": dt.date(1906, 11, 30)},
            "date_of_birth",
            "That is more than 120 years ago: please check the year.",
            id="born the day before exactly 120 years ago",
        ),
        *(
            pytest.param(
                {question: None},
                question,
                "Please answer Yes or No.",
                id=f"{question.replace('_', ' ')} unanswered",
            )
            for question in YES_NO_QUESTIONS
        ),
        pytest.param(
            {"consent": None},
            "consent",
            "Please tick the box to confirm your answers.",
            id="consent unticked",
        ),
        pytest.param(
            {"signature": ""},
            "signature",
            "Please type your full name to sign.",
            id="signature missing",
        ),
    ],
)
def test_bad_answer_is_refused_next_to_its_field(
    changes: dict[str, str | dt.date | None], field: str, message: str
) -> None:
    form = intake_form(**changes)

    assert form.errors == {field: [message]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"had_injectable": "yes", "last_injectable_on": TODAY}, id="injection today"),
        pytest.param({"pregnant": "yes", "due_date": TODAY - 14 * DAY}, id="due 14 days ago"),
        pytest.param(
            {"pregnant": "yes", "due_date": TODAY + dt.timedelta(weeks=42)},
            id="due exactly 42 weeks ahead",
        ),
        pytest.param({"date_of_birth": TODAY}, id="born today"),
        pytest.param({"date_of_birth": dt.date(1906, 12, 1)}, id="born exactly 120 years ago"),
        pytest.param({"pregnant": "yes", "weeks_pregnant": "0"}, id="0 weeks pregnant"),
        pytest.param({"pregnant": "yes", "weeks_pregnant": "42"}, id="42 weeks pregnant"),
    ],
)
def test_answer_on_the_boundary_is_accepted(changes: dict[str, str | dt.date]) -> None:
    form = intake_form(**changes)

    assert form.errors == {}


@pytest.mark.django_db
def test_weeks_pregnant_become_a_due_date() -> None:
    form = intake_form(pregnant="yes", weeks_pregnant="10")

    assert form.is_valid()
    assert form.health_answers()["due_date"] == TODAY + dt.timedelta(days=280 - 70)


@pytest.mark.django_db
def test_a_typed_due_date_wins_over_weeks_pregnant() -> None:
    due = TODAY + dt.timedelta(weeks=20)
    form = intake_form(pregnant="yes", due_date=due, weeks_pregnant="10")

    assert form.is_valid()
    assert form.health_answers()["due_date"] == due


@pytest.mark.django_db
def test_follow_ups_of_a_no_answer_are_ignored() -> None:
    """A date typed before the answer became No sits in a hidden field: it is not an answer."""
    form = intake_form(
        pregnant="no",
        due_date=TODAY - 100 * DAY,
        weeks_pregnant="many",
        had_injectable="no",
        last_injectable_on=TODAY + DAY,
    )

    assert form.errors == {}
    answers = form.health_answers()
    assert answers["pregnant"] is False
    assert answers["due_date"] is None
    assert answers["last_injectable_on"] is None


@pytest.mark.django_db
def test_answers_become_an_intake_version_and_contact_details() -> None:
    form = intake_form(pregnant="yes", due_date="2027-06-01", epilepsy="yes")

    assert form.is_valid()
    assert form.health_answers() == {
        "has_pacemaker": False,
        "acute_acne": False,
        "pregnant": True,
        "due_date": dt.date(2027, 6, 1),
        "last_injectable_on": None,
        "epilepsy": True,
        "cancer": False,
        "metal_implants": False,
        "heart_condition": False,
        "skin_lesions": False,
        "date_of_birth": dt.date(1985, 6, 15),
    }
    assert form.contact() == {
        "first_name": "Iris",
        "last_name": "Moss",
        "email": "iris@example.com",
        "phone": "07700 900123",
        "date_of_birth": dt.date(1985, 6, 15),
    }


@pytest.mark.django_db
def test_email_of_another_client_is_refused() -> None:
    ClientFactory(email="Iris@Example.com")
    form = IntakeForm(intake_answers(email="iris@example.com"), today=TODAY, client=ClientFactory())

    assert form.errors == {
        "email": [
            "Another client already uses this email address. Please give your own, "
            "or ask the spa to help."
        ]
    }


@pytest.mark.django_db
def test_the_clients_own_email_is_accepted() -> None:
    iris = ClientFactory(email="Iris@Example.com")
    form = IntakeForm(intake_answers(email="iris@example.com"), today=TODAY, client=iris)

    assert form.errors == {}
