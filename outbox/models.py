"""Every message the spa sends is first a row here, written with the change that causes it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Message(models.Model):
    """One email, waiting to go, being sent, sent, failed for good, or no longer wanted."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Appointment reminder"
        INTAKE_LINK = "intake_link", "Intake link"
        MAINTENANCE_DUE = "maintenance_due", "Maintenance due"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        CAN_BOOK_AGAIN = "can_book_again", "You can book again"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "No longer needed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the message is about, so a change to it can cancel or re-time it ("session:42").
    topic = models.CharField(max_length=60, blank=True, db_index=True)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(
        "treatments.Session", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField(help_text="When it should go, or be tried again.")
    # A worker sends one message at a time: it claims it ("sending") first. A claim older than
    # OUTBOX_SENDING_TIMEOUT_SECONDS is a worker that stopped: the message goes again.
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last took it to send."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-pk"]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(status="pending"), name="outbox_pending_due_idx"
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="outbox_sending_claimed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to} ({self.get_status_display()})"
