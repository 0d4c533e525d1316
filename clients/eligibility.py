"""Contraindication rules: may a client have microcurrent on a date, and what must staff know?

This module is the table "Contraindications" in docs/domain.md, one small function per row,
in the table's order. A *block* refuses the booking; a *caution* allows it once staff record
a note acknowledging it. Everything here is pure: the intake, the session's spa-local date and
today's spa-local date come in, the findings go out. No queries, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from spa.dates import day_label

if TYPE_CHECKING:
    from clients.models import Intake

BLOCK = "block"
CAUTION = "caution"

# A pregnancy is in its first trimester until 14 weeks: 280 - 98 = 182 days before the due date.
FIRST_TRIMESTER_ENDS_BEFORE_DUE = timedelta(days=182)
ADULT_AGE = 18


@dataclass(frozen=True)
class Finding:
    """One reason a session is refused (block) or needs a staff note (caution)."""

    code: str
    severity: str
    message: str
    until: date | None

    @property
    def is_block(self) -> bool:
        """True when the booking must be refused."""
        return self.severity == BLOCK


def assess(intake: Intake | None, on: date, *, today: date) -> list[Finding]:
    """The findings for a session on the spa-local date `on`, checked on spa-local `today`."""
    if intake is None:
        return [_intake_missing()]
    findings = [
        # Blocks
        _intake_expired(intake, today=today),
        _pacemaker(intake),
        _acute_acne(intake),
        _pregnancy_first_trimester(intake, on, today=today),
        _pregnancy_due_date_missing(intake),
        _recent_injectable(intake, on, today=today),
        # Cautions
        _pregnancy(intake, on, today=today),
        _epilepsy(intake),
        _cancer(intake),
        _metal_implants(intake),
        _heart_condition(intake),
        _skin_lesions(intake),
        _under_18(intake, on, today=today),
    ]
    return [finding for finding in findings if finding is not None]


def assess_at(intake: Intake | None, starts_at: datetime, *, today: date) -> list[Finding]:
    """Findings for a session starting at an aware datetime, taken on the spa's local date."""
    return assess(intake, _spa_date(starts_at), today=today)


def blocks(findings: Iterable[Finding]) -> list[Finding]:
    """Only the findings that refuse the booking."""
    return [finding for finding in findings if finding.is_block]


def cautions(findings: Iterable[Finding]) -> list[Finding]:
    """Only the findings that need a staff note."""
    return [finding for finding in findings if not finding.is_block]


def _spa_date(moment: datetime) -> date:
    """The calendar date of an aware moment in the spa's time zone (TIME_ZONE)."""
    # The spa's zone, not the active one: a zone activated for one request must never move a
    # session onto another day's rules.
    return timezone.localdate(moment, timezone.get_default_timezone())


# Blocks -------------------------------------------------------------------------------------


def _intake_missing() -> Finding:
    """No intake on file: nobody may be treated without one."""
    return _block(
        "intake_missing",
        "No health intake on file: the client must fill one in before booking.",
    )


def oldest_intake_in_date(today: date) -> date:
    """The earliest spa-local day an intake can have been filled in and still be in date today:
    one filled in before it is more than INTAKE_VALID_DAYS old."""
    return today - timedelta(days=settings.INTAKE_VALID_DAYS)


def _intake_expired(intake: Intake, *, today: date) -> Finding | None:
    """The intake is more than INTAKE_VALID_DAYS old today."""
    valid_days = settings.INTAKE_VALID_DAYS
    submitted_on = _spa_date(intake.submitted_at)
    if submitted_on >= oldest_intake_in_date(today):
        return None
    return _block(
        "intake_expired",
        f"The health intake of {day_label(submitted_on, today=today)} is more than "
        f"{valid_days} days old: the client must fill in a new one.",
    )


def _pacemaker(intake: Intake) -> Finding | None:
    """A pacemaker or other implanted electronic device: never."""
    if not intake.has_pacemaker:
        return None
    return _block(
        "pacemaker",
        "Pacemaker or other implanted electronic device: microcurrent must never be used.",
    )


def _acute_acne(intake: Intake) -> Finding | None:
    """An acne flare-up or acutely inflamed skin: not until a newer intake says it has cleared."""
    if not intake.acute_acne:
        return None
    return _block(
        "acute_acne",
        "Acne flare-up or acutely inflamed skin: no treatment until a new intake or "
        "pre-treatment check records that it has cleared.",
    )


def _pregnancy_first_trimester(intake: Intake, on: date, *, today: date) -> Finding | None:
    """Pregnant and in the first trimester (under 14 weeks) on the session date."""
    if not intake.pregnant or intake.due_date is None:
        return None
    trimester_over_on = intake.due_date - FIRST_TRIMESTER_ENDS_BEFORE_DUE
    if on >= trimester_over_on:
        return None
    return _block(
        "pregnancy_first_trimester",
        f"First trimester of pregnancy (due {day_label(intake.due_date, today=today)}): "
        f"no treatment until {day_label(trimester_over_on, today=today)}.",
        until=trimester_over_on,
    )


def _pregnancy_due_date_missing(intake: Intake) -> Finding | None:
    """Pregnant with no due date: the first trimester cannot be ruled out."""
    if not intake.pregnant or intake.due_date is not None:
        return None
    return _block(
        "pregnancy_due_date_missing",
        "Pregnant, with no due date on the intake: no treatment until a new intake gives "
        "the due date.",
    )


def _recent_injectable(intake: Intake, on: date, *, today: date) -> Finding | None:
    """Dermal filler or botox less than INJECTABLE_WAIT_DAYS before the session."""
    if intake.last_injectable_on is None:
        return None
    wait_days = settings.INJECTABLE_WAIT_DAYS
    allowed_from = intake.last_injectable_on + timedelta(days=wait_days)
    if on >= allowed_from:
        return None
    return _block(
        "recent_injectable",
        f"Filler or botox injected {day_label(intake.last_injectable_on, today=today)}: "
        f"no treatment until {day_label(allowed_from, today=today)}, {wait_days} days after.",
        until=allowed_from,
    )


# Cautions -----------------------------------------------------------------------------------


def _pregnancy(intake: Intake, on: date, *, today: date) -> Finding | None:
    """Pregnant and past the first trimester on the session date."""
    if not intake.pregnant or intake.due_date is None:
        return None
    if on < intake.due_date - FIRST_TRIMESTER_ENDS_BEFORE_DUE:
        return None
    return _caution(
        "pregnancy",
        f"Pregnant, past the first trimester (due {day_label(intake.due_date, today=today)})",
    )


def _epilepsy(intake: Intake) -> Finding | None:
    """Epilepsy."""
    return _caution("epilepsy", "Epilepsy") if intake.epilepsy else None


def _cancer(intake: Intake) -> Finding | None:
    """Cancer, active or in treatment."""
    return _caution("cancer", "Cancer, active or in treatment") if intake.cancer else None


def _metal_implants(intake: Intake) -> Finding | None:
    """Metal plates, pins or screws in the face or neck."""
    if not intake.metal_implants:
        return None
    return _caution("metal_implants", "Metal plates, pins or screws in the face or neck")


def _heart_condition(intake: Intake) -> Finding | None:
    """A heart condition other than a device, including heart surgery in the last 12 months."""
    if not intake.heart_condition:
        return None
    return _caution("heart_condition", "Heart condition or heart surgery in the last 12 months")


def _skin_lesions(intake: Intake) -> Finding | None:
    """Open wounds, cold sores or infection in the treatment area."""
    if not intake.skin_lesions:
        return None
    return _caution("skin_lesions", "Open wounds, cold sores or infection in the treatment area")


def _under_18(intake: Intake, on: date, *, today: date) -> Finding | None:
    """Younger than 18 on the session date."""
    if intake.date_of_birth is None:
        return None
    adult_on = _birthday(intake.date_of_birth, age=ADULT_AGE)
    if on >= adult_on:
        return None
    return _caution(
        "under_18", f"Under 18 (turns 18 on {day_label(adult_on, today=today)})", until=adult_on
    )


def _birthday(date_of_birth: date, *, age: int) -> date:
    """The day someone turns `age`; born on 29 February, they do so on 1 March in other years."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:
        return date(date_of_birth.year + age, 3, 1)


def _block(code: str, message: str, *, until: date | None = None) -> Finding:
    return Finding(code=code, severity=BLOCK, message=message, until=until)


def _caution(code: str, reason: str, *, until: date | None = None) -> Finding:
    message = f"{reason}: book only with a staff note acknowledging it."
    return Finding(code=code, severity=CAUTION, message=message, until=until)
