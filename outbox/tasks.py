"""Delivering the outbox: run by beat every minute, and woken when a message is due now."""

from __future__ import annotations

from celery import shared_task

from outbox import services


@shared_task
def deliver_due() -> int:
    """Send every message that is due, one at a time; safe to run any number of times at once."""
    return services.deliver_due()
