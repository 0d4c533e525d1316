"""Writing many rows at once: COPY on PostgreSQL, `bulk_create` elsewhere.

For loads of generated data (`seed_demo --clients`), where building a model instance per row
and an INSERT per thousand rows cost minutes. Rows are plain tuples; ids are reserved first
(`new_ids`), so rows that point at each other can be written table by table.
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

SQLITE_BATCH = 500
ID_BLOCK = 10_000


def new_ids(model: type[models.Model]) -> Iterator[int]:
    """Ids no row of `model` has or will be given by the database: on PostgreSQL taken from
    the table's own sequence a block at a time (gaps, as after a rolled-back insert, are
    harmless); elsewhere counted on from the highest id, for one writer at a time."""
    table, column = model._meta.db_table, model._meta.pk.column
    if connection.vendor != "postgresql":
        highest = model.objects.aggregate(highest=models.Max("pk"))["highest"] or 0
        yield from itertools.count(highest + 1)
        return
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, ID_BLOCK],
            )
            yield from (pk for (pk,) in cursor.fetchall())


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write `rows` (values in the order of `columns`, field names as in `Field.attname`) as
    new rows of `model`, and say how many. Every other concrete field takes its default
    (`auto_now` fields: now). No `save()`, no signals: the rows must already be valid."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    unknown = set(columns) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
    now = timezone.now()
    rest = [name for name in fields if name not in columns and not fields[name].primary_key]
    defaults = tuple(
        now
        if getattr(fields[name], "auto_now", False) or getattr(fields[name], "auto_now_add", False)
        else fields[name].get_default()
        for name in rest
    )
    if connection.vendor == "postgresql":
        return _copy(
            model,
            [fields[name] for name in columns],
            [fields[name] for name in rest],
            defaults,
            rows,
        )
    names = [*columns, *rest]
    written = 0
    for batch in _batched(rows):
        model.objects.bulk_create(
            [model(**dict(zip(names, (*row, *defaults), strict=True))) for row in batch]
        )
        written += len(batch)
    return written


def _copy(
    model: type[models.Model],
    given: list[models.Field],
    rest: list[models.Field],
    defaults: tuple[Any, ...],
    rows: Iterable[Sequence[Any]],
) -> int:
    """COPY the rows in; JSON values travel as their text, which the server parses."""
    defaults = tuple(
        json.dumps(value) if isinstance(field, models.JSONField) else value
        for field, value in zip(rest, defaults, strict=True)
    )
    given_json = [index for index, field in enumerate(given) if isinstance(field, models.JSONField)]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in [*given, *rest])
    table = connection.ops.quote_name(model._meta.db_table)
    written = 0
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            if given_json:
                row = list(row)
                for index in given_json:
                    row[index] = json.dumps(row[index])
            copy.write_row((*row, *defaults))
            written += 1
    return written


class Writer:
    """Runs writes, each in its own transaction. On PostgreSQL, outside a transaction, up to
    `threads` run at once in background threads (each with its own connection), while the
    caller prepares the next; elsewhere each runs at once. Writes running together must not
    depend on each other's rows."""

    def __init__(self, threads: int = 2) -> None:
        background = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.threads = threads
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="bulk") if background else None
        self.pending: deque[Future[None]] = deque()

    def write(self, save: Callable[[], object]) -> None:
        """Run `save` in a transaction, once a thread is free for it."""
        if self.pool is None:
            _atomic(save)
            return
        while len(self.pending) >= self.threads:
            self.pending.popleft().result()
        self.pending.append(self.pool.submit(_background, save))

    def wait(self) -> None:
        """Wait for the writes under way; an error in one is raised here."""
        while self.pending:
            self.pending.popleft().result()

    def __enter__(self) -> Writer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.wait()
        finally:
            if self.pool is not None:
                self.pool.shutdown()


def _atomic(save: Callable[[], object]) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A bulk write may well take longer than a page is allowed to.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")
        save()


def _background(save: Callable[[], object]) -> None:
    """`_atomic` in a thread of its own, whose connection is closed once done."""
    try:
        _atomic(save)
    finally:
        connection.close()


def _batched(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[Sequence[Any], ...]]:
    iterator = iter(rows)
    while batch := tuple(itertools.islice(iterator, SQLITE_BATCH)):
        yield batch
