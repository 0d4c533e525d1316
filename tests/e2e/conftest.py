"""Browser journeys run in Debian's Chromium; playwright's own browser download is not used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the journeys, saying why, on a machine without Chromium."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"browser journeys need Chromium at {CHROMIUM}")
    e2e = Path(__file__).parent
    for item in items:
        if e2e in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system Chromium, headless and without reaching for the network."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL: journeys open live_server.url themselves.

    This also replaces pytest-playwright's own fixture, a method that pytest 9 warns about.
    """
    return None
