"""Confirming an erasure: it cannot be undone, so the manager types the client's name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clients.models import Client


class EraseForm(forms.Form):
    confirm_name = forms.CharField(
        label="Type the client's full name to confirm",
        max_length=201,
        error_messages={"required": "Type the client's full name to confirm."},
    )
    reason = forms.CharField(
        label="Why",
        max_length=200,
        help_text="For the erasure record, e.g. “The client asked to be forgotten”.",
        error_messages={"required": "Say why the client is erased: it goes in the record."},
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_confirm_name(self) -> str:
        typed = " ".join(self.cleaned_data["confirm_name"].split())
        if typed.casefold() != " ".join(self.client.full_name.split()).casefold():
            raise ValidationError(
                f"That is not the client's name as recorded: type “{self.client.full_name}”."
            )
        return typed
