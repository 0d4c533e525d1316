"""The pre-treatment check: the block questions asked again at check-in, against what is on file.

A check-in's answers become a new intake version. That version only adds to what is on file or
corrects it with an explicit answer; nothing the record knows is dropped by a default:

- "No new injection" keeps the injection date on file; a newer date replaces it; an older one
  never does (the latest injection is what the 14-day wait counts from).
- "Still pregnant" keeps the due date on file; a new due date replaces it; "no longer pregnant"
  is an explicit answer and clears it.
- The caution answers and the date of birth are not asked at check-in: they are carried over.

Pure: the intake on file and the answers come in, the new version's answers go out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clients.models import Intake

# The answers an intake keeps that the pre-treatment check does not ask again.
CARRIED_OVER = (
    "date_of_birth",
    "epilepsy",
    "cancer",
    "metal_implants",
    "heart_condition",
    "skin_lesions",
)


@dataclass(frozen=True)
class CheckAnswers:
    """What the client said at check-in.

    `due_date` None while pregnant keeps the due date on file; `injected_on` is the date of an
    injection since the one on file, None when there has been none.
    """

    has_pacemaker: bool
    acute_acne: bool
    pregnant: bool
    due_date: dt.date | None = None
    injected_on: dt.date | None = None


def answers_after_check(on_file: Intake | None, check: CheckAnswers) -> dict[str, Any]:
    """The answers of the intake version a check-in writes: what is on file, as updated."""
    carried = {name: getattr(on_file, name) for name in CARRIED_OVER} if on_file else {}
    return {
        **carried,
        "has_pacemaker": check.has_pacemaker,
        "acute_acne": check.acute_acne,
        "pregnant": check.pregnant,
        "due_date": _due_date(on_file, check),
        "last_injectable_on": latest_injection(on_file, check.injected_on),
    }


def _due_date(on_file: Intake | None, check: CheckAnswers) -> dt.date | None:
    if not check.pregnant:
        return None
    if check.due_date is not None:
        return check.due_date
    return on_file.due_date if on_file is not None and on_file.pregnant else None


def latest_injection(on_file: Intake | None, injected_on: dt.date | None) -> dt.date | None:
    """The most recent injection known: the one on file or the newer one given now."""
    known = [day for day in (on_file and on_file.last_injectable_on, injected_on) if day]
    return max(known, default=None)
