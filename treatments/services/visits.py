"""At the visit: the pre-treatment check at check-in, and the esthetician's calendar feed."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from clients.eligibility import assess_at
from clients.models import Intake
from clients.pretreatment import CheckAnswers, answers_after_check
from clients.selectors import latest_intake
from clients.services import intake_submit
from spa.dates import day_label
from treatments.models import CalendarFeedFetch, Esthetician, Session
from treatments.scheduling import Reason, finding_reasons, unacknowledged_cautions
from treatments.services.booking import BookingRefused, booked_session, lock_esthetician
from treatments.services.outcomes import session_postpone


@dataclass(frozen=True)
class CheckIn:
    """What the pre-treatment check found: the session goes ahead, or was postponed."""

    session: Session
    blocks: tuple[Reason, ...] = ()
    make_up: Session | None = None

    @property
    def postponed(self) -> bool:
        return bool(self.blocks)


@transaction.atomic
def session_check_in(
    *,
    session: Session,
    answers: CheckAnswers,
    by: AbstractBaseUser | None,
    caution_note: str = "",
) -> CheckIn:
    """Check the client in on the session's own day: the answers, added to what is on file,
    become a new intake version, and any block postpones the session with its reason (a
    course session gets its make-up)."""
    lock_esthetician(session.esthetician)
    session = booked_session(session)
    today = timezone.localdate()
    if timezone.localdate(session.starts_at) != today:
        raise BookingRefused([not_today(session)])
    intake = intake_submit(
        client=session.client,
        answers=answers_after_check(latest_intake(session.client), answers),
        source=Intake.Source.PRE_TREATMENT_CHECK,
        recorded_by=by,
    )
    findings = assess_at(intake, session.starts_at, today=today)
    blocks = tuple(finding_reasons(findings, today=today))
    if blocks:
        reason = " ".join(block.message for block in blocks)
        make_up = session_postpone(session=session, reason=reason, by=by)
        session.refresh_from_db()
        return CheckIn(session=session, blocks=blocks, make_up=make_up)
    note = caution_note.strip() or session.caution_note
    unacknowledged = unacknowledged_cautions(findings, note)
    if unacknowledged:
        raise BookingRefused(unacknowledged)
    session.checked_in_at = timezone.now()
    session.caution_note = note
    session.needs_attention, session.attention_reason, session.attention_kinds = False, "", []
    session.save(
        update_fields=[
            "checked_in_at",
            "caution_note",
            "needs_attention",
            "attention_reason",
            "attention_kinds",
            "updated_at",
        ]
    )
    return CheckIn(session=session)


def not_today(session: Session) -> Reason:
    """Why a session cannot be checked in: check-in is on the session's own day."""
    day = day_label(timezone.localdate(session.starts_at), today=timezone.localdate())
    return Reason("not_today", f"Check-in is on the day of the session: {day}.")


def calendar_token_hash(token: str) -> str:
    """The stored form of a calendar feed's secret."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_token_regenerate(*, esthetician: Esthetician) -> str:
    """Give the esthetician a new secret feed address; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    esthetician.calendar_token_hash = calendar_token_hash(token)
    esthetician.save(update_fields=["calendar_token_hash"])
    return token


@transaction.atomic
def calendar_feed_revoke(*, esthetician: Esthetician) -> None:
    """Turn the esthetician's feed off: the address stops working at once."""
    esthetician.calendar_token_hash = ""
    esthetician.save(update_fields=["calendar_token_hash"])


def calendar_feed_fetched(
    *,
    esthetician: Esthetician,
    ip_address: str | None,
    user_agent: str,
    sessions: int,
    flagged: int,
) -> CalendarFeedFetch:
    """Log one fetch of the esthetician's feed, with how many sessions it carried and how many
    of them were flagged."""
    return CalendarFeedFetch.objects.create(
        esthetician=esthetician,
        ip_address=ip_address,
        user_agent=user_agent[:200],
        sessions=sessions,
        flagged=flagged,
    )
