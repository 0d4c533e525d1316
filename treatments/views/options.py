"""A choice of esthetician written as its options in one pass: the whole team's list is long,
and a template's lookups per option cost more than the rest of the page's work."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import format_html_join
from django.utils.safestring import SafeString


def options(choices: Iterable[tuple[int, str]], *, chosen: int | None) -> SafeString:
    """An `<option>` per (value, label), escaped, the chosen one selected."""
    return format_html_join(
        "\n",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == chosen else "", label) for value, label in choices),
    )
