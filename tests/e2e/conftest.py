"""Browser journeys run in Debian's Chromium (playwright's own browser download is not used),
and axe-core checks every page they visit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

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


# Accessibility: axe-core (tests/e2e/vendor, from the npm registry) checks every page each
# journey loads, whatever loaded it (an address, a link, a form); a violation fails the test.
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
# Checked once htmx has settled and the dimming of a region being fetched has faded; run again
# if the page fetched anything while it was being checked. One run at a time on a page (a
# check on loading and the journey's last check may meet).
AXE_RUN = """async () => {
    const settled = () => !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")
        && document.getAnimations().every((animation) => animation.playState !== "running");
    const pause = (milliseconds) => new Promise((done) => setTimeout(done, milliseconds));
    if (window.spaRequests === undefined) {
        window.spaRequests = 0;
        document.addEventListener("htmx:beforeRequest", () => { window.spaRequests += 1; });
    }
    const check = async () => {
        for (let tries = 0; tries < 5; tries += 1) {
            for (let waited = 0; !settled() && waited < 10000; waited += 50) await pause(50);
            const before = window.spaRequests;
            const result = await axe.run(document);
            if (window.spaRequests === before && settled()) return result;
        }
        throw new Error("The page kept fetching while it was checked.");
    };
    const run = (window.spaAxeRun || Promise.resolve()).then(check);
    window.spaAxeRun = run.catch(() => null);
    return (await run).violations.map((rule) => {
        const nodes = rule.nodes.slice(0, 3).map((node) => {
            const why = node.any.concat(node.all).map((check) => check.message).join("; ");
            return `${node.target}${why ? ` [${why}]` : ""}`;
        });
        const more = rule.nodes.length > 3 ? `, and ${rule.nodes.length - 3} more` : "";
        return `${rule.id}: ${rule.help} (${nodes.join(", ")}${more})`;
    });
}"""
# Said when the page moved on before its check ran: the next page is checked when it loads.
LEFT_ALREADY = ("Execution context was destroyed", "navigation", "Target page, context or browser")


def axe_violations(page: Page) -> list[str]:
    """What axe-core finds wrong with the page as it stands: "rule: help (elements)"."""
    if page.evaluate("typeof axe === 'undefined'"):
        page.evaluate(AXE)
    return page.evaluate(AXE_RUN)


@pytest.fixture(autouse=True)
def every_page_is_accessible(page: Page) -> Iterator[None]:
    """Fail the journey if any page it loaded, or the page it ends on, breaks an axe rule."""
    found: list[str] = []

    def check(loaded: Page) -> None:
        try:
            found.extend(f"{loaded.url}: {problem}" for problem in axe_violations(loaded))
        except PlaywrightError as error:
            if not any(words in str(error) for words in LEFT_ALREADY):
                raise

    page.on("load", check)
    yield
    if not page.is_closed() and page.url != "about:blank":
        # The page the journey ends on, as htmx may have changed it since it loaded.
        check(page)
    assert found == [], "axe-core found:\n" + "\n".join(dict.fromkeys(found))
