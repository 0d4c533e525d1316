"""Background jobs of the treatments app."""

from __future__ import annotations

from celery import shared_task

from treatments.services import attention


@shared_task
def nightly_review() -> int:
    """Re-assess every booked session to come; safe to run twice."""
    return attention.nightly_review()
