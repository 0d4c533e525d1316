"""The pre-treatment check's questions: asked against what is on file, never blank defaults."""

from __future__ import annotations

import datetime as dt

import pytest

from clients.forms import PreTreatmentCheckForm
from clients.models import Intake
from clients.pretreatment import CheckAnswers

TODAY = dt.date(2026, 12, 1)
FILLER = dt.date(2026, 11, 26)
DUE = dt.date(2027, 7, 7)
CLEAR = {"has_pacemaker": "no", "acute_acne": "no", "pregnant": "no", "had_injectable": "no"}


def on_file(**answers: object) -> Intake:
    return Intake(
        submitted_at=dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC), date_of_birth=None, **answers
    )


def check(intake: Intake | None, **posted: str) -> PreTreatmentCheckForm:
    return PreTreatmentCheckForm({**CLEAR, **posted}, on_file=intake, today=TODAY)


def test_the_injection_question_names_the_date_on_file():
    form = PreTreatmentCheckForm(on_file=on_file(last_injectable_on=FILLER), today=TODAY)

    assert form.fields["had_injectable"].label == "Any filler or botox injections since Thu 26 Nov?"
    assert ("no", "No, none since Thu 26 Nov") in form.fields["had_injectable"].choices


def test_without_an_injection_on_file_the_question_asks_since_the_intake():
    form = PreTreatmentCheckForm(on_file=on_file(), today=TODAY)

    assert form.fields["had_injectable"].label == "Any filler or botox injections since Sun 1 Nov?"


def test_the_pregnancy_question_names_the_due_date_on_file():
    form = PreTreatmentCheckForm(on_file=on_file(pregnant=True, due_date=DUE), today=TODAY)

    assert form.fields["pregnant"].label == "Still pregnant, due Wed 7 Jul 2027?"


def test_no_new_injection_says_nothing_new_and_so_keeps_the_date_on_file():
    form = check(on_file(last_injectable_on=FILLER))

    assert form.is_valid(), form.errors
    assert form.check_answers() == CheckAnswers(False, False, False, None, None)


def test_a_newer_injection_is_taken():
    form = check(
        on_file(last_injectable_on=FILLER), had_injectable="yes", last_injectable_on="2026-11-30"
    )

    assert form.is_valid(), form.errors
    assert form.check_answers().injected_on == dt.date(2026, 11, 30)


@pytest.mark.parametrize("day", ["2026-11-25", "2026-11-26"])
def test_an_injection_not_after_the_one_on_file_is_refused_next_to_the_field(day):
    form = check(on_file(last_injectable_on=FILLER), had_injectable="yes", last_injectable_on=day)

    assert not form.is_valid()
    assert form.errors["last_injectable_on"] == [
        "Thu 26 Nov is on file already: give the date of an injection after it, or answer No. "
        "To correct the date on file, record a new intake."
    ]


def test_the_day_after_the_one_on_file_is_newer():
    form = check(
        on_file(last_injectable_on=FILLER), had_injectable="yes", last_injectable_on="2026-11-27"
    )

    assert form.is_valid(), form.errors


def test_still_due_keeps_the_due_date_without_asking_for_it_again():
    form = check(on_file(pregnant=True, due_date=DUE), pregnant="same")

    assert form.is_valid(), form.errors
    assert form.check_answers() == CheckAnswers(False, False, True, None, None)


def test_a_new_due_date_is_asked_for_and_taken():
    intake = on_file(pregnant=True, due_date=DUE)
    missing = check(intake, pregnant="yes")
    given = check(intake, pregnant="yes", due_date="2027-07-21")

    assert "due_date" in missing.errors
    assert given.is_valid(), given.errors
    assert given.check_answers().due_date == dt.date(2027, 7, 21)


def test_no_longer_pregnant_is_an_explicit_answer():
    form = check(on_file(pregnant=True, due_date=DUE), pregnant="no")

    assert form.is_valid(), form.errors
    assert form.check_answers().pregnant is False


def test_every_question_needs_an_answer_there_is_no_default():
    form = PreTreatmentCheckForm({}, on_file=on_file(last_injectable_on=FILLER), today=TODAY)

    assert not form.is_valid()
    assert set(form.errors) == {"has_pacemaker", "acute_acne", "pregnant", "had_injectable"}


def test_what_is_on_file_is_shown_beside_the_yes_no_questions():
    form = PreTreatmentCheckForm(on_file=on_file(acute_acne=True), today=TODAY)

    assert form.fields["acute_acne"].help_text == "On file: Yes."
    assert form.fields["has_pacemaker"].help_text == "On file: No."
    assert form.fields["pregnant"].help_text == "On file: not pregnant."
