"""A page's address for any record's number, reversed once per page rather than once per row."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Numbered:
    """The address of a named page that takes a record's number ("/sessions/<pk>/"), as the
    text around the number: `{{ address|numbered:session.pk }}` in a template."""

    before: str
    after: str

    @classmethod
    def of(cls, name: str) -> Numbered:
        before, after = reverse(name, args=[0]).rsplit("/0/", 1)
        return cls(before=f"{before}/", after=f"/{after}")

    def at(self, number: int) -> str:
        return f"{self.before}{number}{self.after}"


def numbered(**names: str) -> dict[str, Numbered]:
    """Each named page's address, by the name the template knows it by."""
    return {key: Numbered.of(name) for key, name in names.items()}
