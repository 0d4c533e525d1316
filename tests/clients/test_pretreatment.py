"""The pre-treatment check's new intake version: what is on file, updated, never dropped."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clients.models import Intake
from clients.pretreatment import CheckAnswers, answers_after_check

FILLER = dt.date(2026, 11, 26)
DUE = dt.date(2027, 7, 7)
NOTHING = CheckAnswers(has_pacemaker=False, acute_acne=False, pregnant=False)


def on_file(**answers: object) -> Intake:
    return Intake(date_of_birth=dt.date(1985, 6, 15), **answers)


@pytest.mark.parametrize(
    ("on_file_date", "given_date", "kept"),
    [
        (FILLER, None, FILLER),  # "no new injections": the date on file stays
        (FILLER, FILLER + dt.timedelta(days=3), FILLER + dt.timedelta(days=3)),  # newer replaces
        (FILLER, FILLER - dt.timedelta(days=3), FILLER),  # an older one never replaces it
        (None, FILLER, FILLER),  # the first one known
        (None, None, None),
    ],
)
def test_the_injection_date_only_ever_moves_forward(on_file_date, given_date, kept):
    answers = answers_after_check(
        on_file(last_injectable_on=on_file_date),
        CheckAnswers(has_pacemaker=False, acute_acne=False, pregnant=False, injected_on=given_date),
    )

    assert answers["last_injectable_on"] == kept


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (CheckAnswers(False, False, pregnant=True), (True, DUE)),  # still pregnant: kept
        (
            CheckAnswers(False, False, pregnant=True, due_date=DUE + dt.timedelta(7)),
            (True, DUE + dt.timedelta(7)),
        ),
        (CheckAnswers(False, False, pregnant=False), (False, None)),  # an explicit "no longer"
    ],
)
def test_a_due_date_on_file_is_kept_unless_changed_or_the_pregnancy_ended(check, expected):
    answers = answers_after_check(on_file(pregnant=True, due_date=DUE), check)

    assert (answers["pregnant"], answers["due_date"]) == expected


def test_a_new_pregnancy_takes_the_due_date_given():
    answers = answers_after_check(
        on_file(), CheckAnswers(False, False, pregnant=True, due_date=DUE)
    )

    assert (answers["pregnant"], answers["due_date"]) == (True, DUE)


def test_the_caution_answers_and_date_of_birth_are_carried_over():
    answers = answers_after_check(on_file(epilepsy=True, metal_implants=True), NOTHING)

    assert answers["epilepsy"] is True
    assert answers["metal_implants"] is True
    assert answers["cancer"] is False
    assert answers["date_of_birth"] == dt.date(1985, 6, 15)


def test_without_an_intake_on_file_the_answers_are_taken_as_given():
    answers = answers_after_check(None, CheckAnswers(True, True, False, injected_on=FILLER))

    assert answers == {
        "has_pacemaker": True,
        "acute_acne": True,
        "pregnant": False,
        "due_date": None,
        "last_injectable_on": FILLER,
    }


dates = st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)))


@given(on_file_date=dates, given_date=dates, pregnant=st.booleans())
def test_no_check_ever_forgets_an_injection_on_file(on_file_date, given_date, pregnant):
    answers = answers_after_check(
        on_file(last_injectable_on=on_file_date),
        CheckAnswers(False, False, pregnant=pregnant, due_date=None, injected_on=given_date),
    )

    if on_file_date is not None:
        assert answers["last_injectable_on"] >= on_file_date
