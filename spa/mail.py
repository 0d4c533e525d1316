"""Emails in the spa's voice: a plain-text and an HTML version from one pair of templates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(
    *, to: str, subject: str, template: str, context: Mapping[str, Any]
) -> None:
    """Send `<template>.txt` with `<template>.html` as its HTML alternative."""
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{template}.txt", context), to=[to]
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
