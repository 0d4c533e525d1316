"""The bench's report: an aligned table for people, a list for machines."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection

from spa.bench.timing import Measure

NAME = 40
COLUMNS = (
    f"{'page':{NAME}} {'median ms':>10} {'p95 ms':>9} {'queries':>8} {'× floor':>8} "
    f"{'floor ms':>9}  status"
)
UNDONE = "writes: each run in a savepoint rolled back after it is timed (no commit is timed)"


@dataclass(frozen=True)
class Failure:
    """A page the bench could not measure: the view raised."""

    page: str
    error: str


def database_name() -> str:
    """ "PostgreSQL 16.4", "SQLite 3.45.1"."""
    if connection.vendor == "postgresql":
        version = connection.pg_version  # type: ignore[attr-defined]
        return f"PostgreSQL {version // 10000}.{version % 100}"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return connection.display_name


def header(*, clients: int, sessions: int, at: dt.datetime, runs: int, warm_up: int) -> str:
    return (
        f"{database_name()}, {clients:,} clients, {sessions:,} sessions, "
        f"{at:%a %d %b %Y %H:%M %Z}, {runs} runs after {warm_up} warm-up, each after a floor "
        f"request; {UNDONE}."
    )


def row(measure: Measure | Failure) -> str:
    """The page's line (two for a streamed answer: its last byte, then its first)."""
    if isinstance(measure, Failure):
        return f"{measure.page:{NAME}} failed: {measure.error}"
    status = str(measure.status)
    if not measure.ok:
        wrong = measure.status != measure.expect
        status += f" (expected {measure.expect})!" if wrong else " but not done!"
    line = (
        f"{measure.page:{NAME}} {measure.median_ms:10.1f} {measure.p95_ms:9.1f} "
        f"{measure.queries:8d} {measure.ratio:7.1f}× {measure.floor_ms:9.2f}  {status}"
    )
    if measure.first_byte_ms is None:
        return line
    first = measure.first_byte_ms
    return (
        f"{line}, {measure.bytes:,} bytes to the last\n"
        f"{'  first byte':{NAME}} {first:10.1f} {'':>9} {measure.first_byte_queries:8d} "
        f"{first / measure.floor_ms:7.1f}×"
    )


def as_json(measures: list[Measure | Failure]) -> str:
    rows: list[dict[str, object]] = []
    for measure in measures:
        if isinstance(measure, Failure):
            rows.append({"page": measure.page, "error": measure.error, "ok": False})
            continue
        line: dict[str, object] = {
            "page": measure.page,
            "median_ms": round(measure.median_ms, 2),
            "p95_ms": round(measure.p95_ms, 2),
            "queries": measure.queries,
            "ratio": round(measure.ratio, 2),
            "status": measure.status,
            "floor_ms": round(measure.floor_ms, 3),
            "expect": measure.expect,
            "ok": measure.ok,
            "write": measure.write,
        }
        if measure.first_byte_ms is not None:
            line |= {
                "first_byte_ms": round(measure.first_byte_ms, 2),
                "first_byte_ratio": round(measure.first_byte_ms / measure.floor_ms, 2),
                "first_byte_queries": measure.first_byte_queries,
                "bytes": measure.bytes,
            }
        rows.append(line)
    return json.dumps(rows, indent=2)
