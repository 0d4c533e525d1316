"""A client's intake versions in words: each answer, and what changed from one version to the next.

Pure: intakes already loaded come in, words go out. No queries, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clients.models import Intake

NOT_GIVEN = "–"

# Every answer an intake version stores, in the intake form's order, named as staff say it.
ANSWERS = (
    ("date_of_birth", "Date of birth"),
    ("has_pacemaker", "Pacemaker or other implanted electronic device"),
    ("acute_acne", "Acne flare-up or inflamed skin"),
    ("pregnant", "Pregnant"),
    ("due_date", "Due date"),
    ("last_injectable_on", "Last filler or botox"),
    ("epilepsy", "Epilepsy"),
    ("cancer", "Cancer, active or in treatment"),
    ("metal_implants", "Metal plates, pins or screws in face or neck"),
    ("heart_condition", "Heart condition or heart surgery in the last 12 months"),
    ("skin_lesions", "Open wounds, cold sores or infection in the area"),
)


@dataclass(frozen=True)
class Answer:
    """One answer of an intake version, in words."""

    question: str
    answer: str
    is_yes: bool = False


@dataclass(frozen=True)
class Change:
    """One answer that differs from the previous version: "Pregnant: No → Yes"."""

    question: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.question}: {self.before} → {self.after}"


@dataclass(frozen=True)
class IntakeVersion:
    """An intake version beside its number and what changed from the one before it."""

    intake: Intake
    number: int
    changes: list[Change] | None  # None for the first version: there is nothing before it.

    @property
    def summary(self) -> str:
        """What changed, in one line: "Pregnant: No → Yes; Due date: – → 1 Jun 2027"."""
        if self.changes is None:
            return "First intake"
        if not self.changes:
            return "Same answers as the previous version"
        return "; ".join(str(change) for change in self.changes)

    @property
    def recorded_by(self) -> str:
        """Who recorded this version, in words."""
        return recorded_by(self.intake)


def in_words(value: object) -> str:
    """An answer as staff read it: "Yes", "No", "1 Jun 2027" or "–"."""
    if value is None or value == "":
        return NOT_GIVEN
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def answers(intake: Intake) -> list[Answer]:
    """Every answer of an intake version, in the form's order."""
    return [
        Answer(
            question=question,
            answer=in_words(getattr(intake, name)),
            is_yes=getattr(intake, name) is True,
        )
        for name, question in ANSWERS
    ]


def changes(previous: Intake, current: Intake) -> list[Change]:
    """The answers of `current` that differ from `previous`, in the form's order."""
    return [
        Change(question, in_words(getattr(previous, name)), in_words(getattr(current, name)))
        for name, question in ANSWERS
        if getattr(previous, name) != getattr(current, name)
    ]


def versions(intakes_newest_first: Sequence[Intake]) -> list[IntakeVersion]:
    """A client's whole intake history, newest first, each version with what it changed."""
    oldest_first = list(reversed(intakes_newest_first))
    history = [
        IntakeVersion(
            intake=intake,
            number=number,
            changes=changes(oldest_first[number - 2], intake) if number > 1 else None,
        )
        for number, intake in enumerate(oldest_first, start=1)
    ]
    return list(reversed(history))


def recorded_by(intake: Intake) -> str:
    """ "Client, through an intake link", or the member of staff who recorded it."""
    user = intake.recorded_by
    if user is None:
        return intake.get_source_display()
    return user.get_full_name() or user.get_username()
