"""The accessibility check every journey runs (tests/e2e/conftest.py) really finds problems."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.e2e.conftest import axe_violations


def test_axe_finds_a_list_item_outside_a_list_and_passes_a_sound_page(browser: Browser) -> None:
    # A page of its own: the journeys' own page is checked after each test, and must stay clean.
    page = browser.new_page()
    try:
        page.set_content(
            '<!doctype html><html lang="en"><head><title>Broken</title></head>'
            "<body><main><h1>Broken</h1><div><li>An item of no list</li></div></main></body></html>"
        )
        broken = axe_violations(page)
        page.set_content(
            '<!doctype html><html lang="en"><head><title>Sound</title></head>'
            "<body><main><h1>Sound</h1><ul><li>An item</li></ul></main></body></html>"
        )
        sound = axe_violations(page)
    finally:
        page.close()

    assert [problem.split(":")[0] for problem in broken] == ["listitem"]
    assert sound == []
