"""A client's intake versions in words: each answer, and what changed between versions."""

from __future__ import annotations

import datetime as dt

from clients import history
from clients.models import Intake
from tests.clients.factories import UserFactory


def intake(**answers: object) -> Intake:
    """An unsaved intake: history is pure and never needs the database."""
    return Intake(source=Intake.Source.STAFF, date_of_birth=dt.date(1985, 6, 15), **answers)


def test_changes_name_each_answer_that_differs_before_and_after() -> None:
    before = intake()
    after = intake(pregnant=True, due_date=dt.date(2027, 6, 1))

    changes = history.changes(before, after)

    assert [str(change) for change in changes] == [
        "Pregnant: No → Yes",
        "Due date: – → 1 Jun 2027",
    ]


def test_no_changes_for_the_same_answers() -> None:
    assert history.changes(intake(epilepsy=True), intake(epilepsy=True)) == []


def test_versions_are_newest_first_numbered_from_the_oldest() -> None:
    first = intake()
    second = intake(last_injectable_on=dt.date(2026, 11, 20))
    third = intake(last_injectable_on=dt.date(2026, 11, 20))

    versions = history.versions([third, second, first])

    assert [version.number for version in versions] == [3, 2, 1]
    assert [version.summary for version in versions] == [
        "Same answers as the previous version",
        "Last filler or botox: – → 20 Nov 2026",
        "First intake",
    ]


def test_versions_of_no_intake_is_empty() -> None:
    assert history.versions([]) == []


def test_answers_are_in_words_in_the_forms_order() -> None:
    answers = history.answers(intake(has_pacemaker=True))

    assert [(answer.question, answer.answer) for answer in answers[:3]] == [
        ("Date of birth", "15 Jun 1985"),
        ("Pacemaker or other implanted electronic device", "Yes"),
        ("Acne flare-up or inflamed skin", "No"),
    ]
    assert len(answers) == len(history.ANSWERS)


def test_recorded_by_names_the_staff_member_or_the_client() -> None:
    staff = intake(recorded_by=UserFactory.build(first_name="Dora", last_name="Desk"))
    by_link = Intake(source=Intake.Source.CLIENT_LINK)

    assert history.recorded_by(staff) == "Dora Desk"
    assert history.recorded_by(by_link) == "Client, through an intake link"
