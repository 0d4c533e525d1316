"""Timing a page in-process, each of its requests right after one of the floor's."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.http import HttpResponseBase
from django.test import Client as Browser
from django.urls import reverse

from spa.bench.pages import Page


@dataclass(frozen=True, kw_only=True)
class Sample:
    """One timed request (or, for a write in two steps, both of its requests)."""

    ms: float
    queries: int
    status: int
    bytes: int
    # The page answered as expected: for a write, it went through (checked untimed).
    ok: bool = True
    # For a streamed answer: when its first bytes came, and the queries run until then.
    first_byte_ms: float | None = None
    first_byte_queries: int | None = None


@dataclass(frozen=True)
class Measure:
    """A page's line in the report."""

    page: str
    write: bool
    expect: int
    samples: list[Sample]
    floor: list[Sample]

    @property
    def median_ms(self) -> float:
        return statistics.median(sample.ms for sample in self.samples)

    @property
    def p95_ms(self) -> float:
        return percentile_95([sample.ms for sample in self.samples])

    @property
    def floor_ms(self) -> float:
        return statistics.median(sample.ms for sample in self.floor)

    @property
    def ratio(self) -> float:
        return self.median_ms / self.floor_ms

    @property
    def queries(self) -> int:
        return round(statistics.median(sample.queries for sample in self.samples))

    @property
    def status(self) -> int:
        """The status most requests got (the last one's when they disagree as often)."""
        statuses = [sample.status for sample in self.samples]
        return max(reversed(statuses), key=statuses.count)

    @property
    def ok(self) -> bool:
        return all(sample.ok for sample in self.samples)

    @property
    def streamed(self) -> bool:
        return self.samples[0].first_byte_ms is not None

    @property
    def first_byte_ms(self) -> float | None:
        if not self.streamed:
            return None
        return statistics.median(sample.first_byte_ms or 0.0 for sample in self.samples)

    @property
    def first_byte_queries(self) -> int | None:
        if not self.streamed:
            return None
        return round(statistics.median(sample.first_byte_queries or 0 for sample in self.samples))

    @property
    def bytes(self) -> int:
        return round(statistics.median(sample.bytes for sample in self.samples))


def browser_for(user: Any) -> Browser:
    """A browser signed in as the user (without axes saying so in the log for each one)."""
    browser = Browser()
    axes = logging.getLogger("axes")
    level = axes.level
    axes.setLevel(logging.WARNING)
    try:
        browser.force_login(user)
    finally:
        axes.setLevel(level)
    return browser


def percentile_95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


class QueryCount:
    """Counts the queries run while it wraps the connection (cheaply: no SQL is kept)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], *args: Any) -> Any:
        self.count += 1
        return execute(*args)


def timed(send: Callable[[], HttpResponseBase]) -> tuple[Sample, HttpResponseBase]:
    """Time a request to its last byte, reading a streamed answer through."""
    counted = QueryCount()
    first_ms = first_queries = None
    with connection.execute_wrapper(counted):
        started = time.perf_counter()
        response = send()
        if response.streaming:
            size = 0
            for chunk in response.streaming_content:  # type: ignore[attr-defined]
                if first_ms is None and chunk:
                    first_ms = (time.perf_counter() - started) * 1000
                    first_queries = counted.count
                size += len(chunk)
        else:
            size = len(response.content)  # type: ignore[attr-defined]
        ms = (time.perf_counter() - started) * 1000
    sample = Sample(
        ms=ms,
        queries=counted.count,
        status=response.status_code,
        bytes=size,
        first_byte_ms=first_ms,
        first_byte_queries=first_queries,
    )
    return sample, response


@contextlib.contextmanager
def undone() -> Iterator[None]:
    """A savepoint rolled back at the end: a write's run leaves nothing behind."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def measure(
    page: Page, *, browser: Browser, floor_browser: Browser, runs: int, warm_up: int
) -> Measure:
    """Warm-up then timed runs of the page, each right after a request to the floor."""
    floor_url = reverse("bench_floor")
    samples, floor = [], []
    # A page that fails (an exception in the view) leaves the transaction as it found it.
    with transaction.atomic():
        for run in range(warm_up + runs):
            floor_sample, _ = timed(lambda: floor_browser.get(floor_url))
            with undone() if page.write else contextlib.nullcontext():
                prepared = page.prepare()
                sample, response = timed(lambda: page.send(browser, prepared))  # noqa: B023
                ok = response.status_code == page.expect and page.went_through(prepared, response)
            sample = dataclasses.replace(sample, ok=ok)
            if run >= warm_up:
                floor.append(floor_sample)
                samples.append(sample)
    return Measure(page.name, page.write, page.expect, samples, floor)
