"""Helpers for tests that post admin forms."""

from __future__ import annotations

from typing import Any


def posted_back(response: Any) -> dict[str, Any]:
    """The admin change form's data as a browser would post it back, all values unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data: dict[str, Any] = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data
