"""A form's `next` page is only ever one of the site's own."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from spa.redirects import next_page


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        ("/", "/"),
        ("/clients/3/?on=2026-12-01", "/clients/3/?on=2026-12-01"),
        ("http://testserver/calendar/", "http://testserver/calendar/"),
        ("https://elsewhere.example/", ""),
        ("//elsewhere.example/", ""),
        ("/\\elsewhere.example/", ""),
        ("javascript:alert(1)", ""),
        ("", ""),
    ],
)
def test_next_page_is_kept_only_when_it_is_on_this_site(asked: str, kept: str) -> None:
    assert next_page(RequestFactory().post("/sessions/1/no-show/", {"next": asked})) == kept


def test_next_page_may_come_in_the_address(rf: RequestFactory) -> None:
    assert next_page(rf.get("/sessions/1/check-in/", {"next": "/"})) == "/"
