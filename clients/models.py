"""Clients and their health intake, kept as immutable versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class ClientQuerySet(models.QuerySet):
    def with_email(self, email: str) -> ClientQuerySet:
        """Clients with this email address, whatever its case; none for a blank address.

        Compared as the unique rule compares them, lower case, so that its index finds them.
        """
        return self.alias(email_lower=Lower("email")).filter(
            ~models.Q(email=""), email_lower=Lower(models.Value(email))
        )


class Client(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the client was erased (privacy.services.client_erase): who they were is gone,
    # and they can be neither found nor booked. `erasure` says who erased them and why.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="client_email_unique",
                violation_error_message="Another client already has this email address.",
            )
        ]
        indexes = [
            # The client list's order: a page far down it is found in the index alone.
            models.Index(
                fields=["last_name", "first_name", "id"],
                condition=models.Q(erased_at__isnull=True),
                name="client_listed_name_idx",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class RecordIsImmutable(Exception):
    """A health record, its access log or an erasure record is written once, never changed."""

    message = "This record is kept as it was written: it is never changed or deleted."

    def __init__(self) -> None:
        super().__init__(self.message)


class IntakeIsImmutable(RecordIsImmutable):
    """An intake is a health record: a new answer is a new version, never an edit."""

    message = "Intakes are never changed or deleted; record a new intake version instead."


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are added, never changed or deleted in bulk (the database refuses it too)."""

    refusal: type[RecordIsImmutable] = RecordIsImmutable

    def update(self, **kwargs: Any) -> NoReturn:
        raise self.refusal

    def delete(self) -> NoReturn:
        raise self.refusal


class AppendOnlyModel(models.Model):
    """A row written once: saving it again or deleting it is refused here and, by triggers
    (migrations 0002 and 0004 of clients), in the database itself."""

    refusal: type[RecordIsImmutable] = RecordIsImmutable

    class Meta:
        abstract = True

    # Guards, not behaviour: the row is a record and must stay as it was written.
    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise self.refusal
        # Always an INSERT: a reused id must fail, never overwrite the stored row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise self.refusal


class IntakeQuerySet(AppendOnlyQuerySet):
    refusal = IntakeIsImmutable

    def latest_first(self) -> IntakeQuerySet:
        return self.order_by("-submitted_at", "-pk")

    def erase_identifying(self, *, at: datetime) -> int:
        """Blank what identifies the client in these versions (erasure only: the database
        refuses any other change, and this one unless an erasure of the client is recorded)."""
        return models.QuerySet.update(
            self.filter(erased_at__isnull=True),
            date_of_birth=None,
            signature="",
            ip_address=None,
            erased_at=at,
        )


class Intake(AppendOnlyModel):
    """One version of a client's health answers; the newest version is in force."""

    refusal = IntakeIsImmutable

    class Source(models.TextChoices):
        CLIENT_LINK = "client_link", "Client, through an intake link"
        STAFF = "staff", "Staff, at the front desk"
        PRE_TREATMENT_CHECK = "pre_treatment_check", "Pre-treatment check"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="intakes")
    submitted_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=24, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member of staff who recorded it; empty when the client filled it in.",
    )
    date_of_birth = models.DateField(null=True, blank=True)

    # Blocks: booking is refused while one of these applies.
    has_pacemaker = models.BooleanField(
        "pacemaker, implanted defibrillator or other implanted electronic device", default=False
    )
    acute_acne = models.BooleanField("acne flare-up or acutely inflamed skin now", default=False)
    pregnant = models.BooleanField(default=False)
    due_date = models.DateField(null=True, blank=True)
    last_injectable_on = models.DateField(
        "most recent dermal filler or botox injection", null=True, blank=True
    )

    # Cautions: booking needs a note from staff acknowledging them.
    epilepsy = models.BooleanField(default=False)
    cancer = models.BooleanField("cancer, active or in treatment", default=False)
    metal_implants = models.BooleanField(
        "metal plates, pins or screws in face or neck", default=False
    )
    heart_condition = models.BooleanField(
        "heart condition (including heart surgery in the last 12 months)", default=False
    )
    skin_lesions = models.BooleanField(
        "open wounds, cold sores or infection in the area", default=False
    )

    # The client's consent, as given on the form: their typed full name, and where from.
    signature = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Set when the client was erased: what identified them here has been blanked.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        get_latest_by = ["submitted_at", "pk"]
        indexes = [
            models.Index(fields=["client", "-submitted_at"], name="intake_client_latest_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pregnant=True) | models.Q(due_date__isnull=True),
                name="intake_due_date_only_when_pregnant",
            )
        ]

    def __str__(self) -> str:
        return f"Intake for {self.client} ({timezone.localdate(self.submitted_at):%Y-%m-%d})"


class IntakeLink(models.Model):
    """A single-use link a client opens on their phone to fill in the health intake.

    Only a hash of the token is kept: the link itself exists in the client's email alone.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="intake_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    intake = models.OneToOneField(
        Intake, on_delete=models.PROTECT, null=True, blank=True, related_name="link"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Intake link for {self.client} ({self.created_at:%Y-%m-%d})"

    def state(self, now: datetime) -> str:
        """ "open", "used" or "expired"."""
        if self.used_at is not None:
            return "used"
        return "open" if now < self.expires_at else "expired"


class HealthRecordAccess(AppendOnlyModel):
    """Who saw or changed a client's health record, and when: kept for good, never changed."""

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed the health record"
        RECORDED = "recorded", "Recorded a new intake"
        LINK_SENT = "link_sent", "Sent an intake link"
        CLIENT_SUBMITTED = "client_submitted", "Client submitted an intake"
        CONTACT_CHANGED = "contact_changed", "Changed contact details"
        EXPORTED = "exported", "Downloaded everything held about the client"
        ERASED = "erased", "Erased the client's identifying data"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="access_log")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "health record access"
        verbose_name_plural = "health record access log"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["client", "-at"], name="access_client_latest_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.client} ({self.at:%Y-%m-%d %H:%M})"

    @property
    def by_whom(self) -> str:
        """Who did it, in words: the member of staff, the client, or the spa's own system."""
        if self.user is not None:
            return self.user.get_full_name() or self.user.get_username()
        if self.action == self.Action.CLIENT_SUBMITTED:
            return "Client"
        return "The spa's system"


class ClientErasure(AppendOnlyModel):
    """Who erased which client, when and why. The client's identifying data was replaced in
    place; this record and the access log are what remain of who they were to the spa."""

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="erasure")
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200)
    sessions_cancelled = models.PositiveIntegerField(default=0)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"Client {self.client_id} erased {self.at:%Y-%m-%d}"
