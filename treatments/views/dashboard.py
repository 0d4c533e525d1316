"""The manager's dashboard: every series' progress, maintenance due, problems, exports.

The address holds what the page shows (`?period=month&flag=behind&sort=next&dir=asc&page=2`):
the period of the figures, the table's filters, sort and page. htmx swaps one of two regions:
the series table when its filters, sort or page change, or the board (figures and table)
when the period changes, so every link and hidden field on screen always carries the rest.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from clients.services import health_records_viewed
from spa.access import manager_required
from spa.views import render_page, wants_partial
from treatments import charts
from treatments.models import Esthetician, Series
from treatments.selectors.dashboard import (
    FLAGS,
    LIST_LIMIT,
    SORTS,
    Period,
    SeriesFilters,
    completed_per_week,
    figures,
    maintenance_due_soon,
    maintenance_overdue_visits,
    needs_attention,
    periods,
    series_by_status,
    series_count,
    series_export,
    series_table,
    staff_names,
    with_progress_for_page,
)
from treatments.views.dashboard_lists import (
    attention_lines,
    esthetician_options,
    series_rows,
    visit_lines,
)

PAGE = "treatments/dashboard.html"
# The element htmx swaps (its id, sent as HX-Target) and the partial that draws it.
REGIONS = {"dashboard-board": "board", "series-table": "table"}
SERIES_PER_PAGE = 25
EXPORT_CHUNK = 2000
DEFAULT_PERIOD = "4weeks"
ALL = "all"
DEFAULT_STATUS = Series.Status.ACTIVE
STATUSES = {**dict(Series.Status.choices), ALL: "All"}
DEFAULT_SORT = SeriesFilters()
# Columns that first show the latest or the furthest along; the others start from A, or soonest.
DESCENDING_FIRST = {"started", "last", "progress"}
COLUMNS = [
    ("client", "Client"),
    ("esthetician", "Esthetician"),
    ("treatment", "Treatment"),
    ("progress", "Progress"),
    ("next", "Next session"),
    ("last", "Last completed"),
    ("started", "Started"),
    ("status", "Status"),
]
EXPORT_COLUMNS = [
    "series_id",
    "client",
    "client_email",
    "esthetician",
    "treatment",
    "started_on",
    "planned_sessions",
    "completed_sessions",
    "next_session_date",
    "next_session_time",
    "last_completed_date",
    "last_completed_time",
    "status",
    "behind_schedule",
    "needs_attention",
]


@dataclass(frozen=True)
class Column:
    """A sortable column heading: the link that sorts by it, and how it sorts now."""

    key: str
    label: str
    href: str
    aria_sort: str = ""


class _Pages(Paginator):
    """Pages of the series table, counted by the database's tally when it has one."""

    def __init__(self, object_list: Any, per_page: int, *, count: int | None) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        return super().count


@require_GET
@manager_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Figures for a period, every series' progress, maintenance due and problems."""
    today, now = timezone.localdate(), timezone.now()
    region = REGIONS.get(request.htmx.target or "") if wants_partial(request) else None
    period, period_notices = period_from(request.GET, today=today)
    estheticians = staff_names()
    names = {person.pk: person.name for person in estheticians}
    filters, notices = filters_from(request.GET, esthetician_ids={e.pk for e in estheticians})
    context = {"today": today, "period": period, "filters": filters, "notices": notices}
    context |= _table(
        request.GET.get("page", ""), filters, period=period, now=now, today=today, names=names
    )
    context |= {"statuses": STATUSES, "flags": FLAGS}
    context["esthetician_options"] = esthetician_options(estheticians, chosen=filters.esthetician)
    if region != "table":
        context |= _figures(period, filters, today=today, now=now)
        context["period_notices"] = period_notices
    if region is None:
        context |= _overview(today=today, now=now, estheticians=names)
        attention = list(needs_attention(now=now))
        context["attention"] = attention_lines(attention, today=today)
        health_records_viewed(
            user=request.user,
            clients=[session.client_id for session in attention],
            seen="Dashboard: why booked sessions need attention",
        )
    response = render_page(request, PAGE, context, partial=region)
    if region:
        # Two regions answer at one address: caches keep them apart. The address htmx puts in
        # the bar is the page's own, without empty fields or values that were left out.
        patch_vary_headers(response, ["HX-Target"])
        push_url(response, context["here"])
    return response


@require_GET
@manager_required
def dashboard_export(request: HttpRequest) -> StreamingHttpResponse:
    """The series table as filtered and sorted, every matching row, as a CSV file."""
    today, now = timezone.localdate(), timezone.now()
    esthetician_ids = set(Esthetician.objects.order_by().values_list("pk", flat=True))
    filters, _ = filters_from(request.GET, esthetician_ids=esthetician_ids)
    series = series_export(filters, today=today, now=now, chunk_size=EXPORT_CHUNK)
    response = StreamingHttpResponse(
        _csv_chunks(_export_rows(series)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="series-{today.isoformat()}.csv"'
    return response


def period_from(params: QueryDict, *, today: dt.date) -> tuple[Period, list[str]]:
    """The period in the address, or the last 4 weeks with a sentence saying why."""
    choices = periods(today)
    value = params.get("period", "").strip()
    if not value or value in choices:
        return choices[value or DEFAULT_PERIOD], []
    default = choices[DEFAULT_PERIOD]
    return default, [f"“{value[:20]}” is not a period; showing the {default.label.lower()}."]


def filters_from(
    params: QueryDict, *, esthetician_ids: Collection[int]
) -> tuple[SeriesFilters, list[str]]:
    """The table's filters and sort from the address; a value that cannot be used is left out,
    and a sentence says so."""
    notices: list[str] = []
    esthetician = params.get("esthetician", "").strip()
    chosen = int(esthetician) if esthetician.isdecimal() and len(esthetician) < 19 else None
    if esthetician and chosen not in esthetician_ids:
        chosen = None
        notices.append(f"There is no esthetician “{esthetician[:20]}”; showing everyone's series.")
    status = _choice(params, "status", STATUSES, DEFAULT_STATUS, notices, "series in progress")
    flag = _choice(params, "flag", FLAGS, "", notices, "series with and without flags")
    started_from = _date(params, "started_from", "started on or after", notices)
    started_to = _date(params, "started_to", "started on or before", notices)
    if started_from and started_to and started_from > started_to:
        started_from, started_to = started_to, started_from
        notices.append("The two start dates were the wrong way round; they have been swapped.")
    sort = params.get("sort", "").strip()
    if sort and sort not in SORTS:
        notices.append(f"The table cannot be sorted by “{sort[:20]}”; it is sorted by start date.")
    sort = sort if sort in SORTS else DEFAULT_SORT.sort
    direction = params.get("dir", "").strip()
    descending = direction == "desc" if direction in ("asc", "desc") else sort in DESCENDING_FIRST
    return SeriesFilters(
        esthetician=chosen,
        status="" if status == ALL else status,
        flag=flag,
        started_from=started_from,
        started_to=started_to,
        sort=sort,
        descending=descending,
    ), notices


def query_for(filters: SeriesFilters, *, period: str = DEFAULT_PERIOD, page: int = 1) -> str:
    """The address's query for what is on screen, leaving out every default."""
    params: dict[str, Any] = {
        "period": "" if period == DEFAULT_PERIOD else period,
        "esthetician": filters.esthetician or "",
        "status": ALL if not filters.status else _unless(filters.status, DEFAULT_STATUS),
        "flag": filters.flag,
        "started_from": filters.started_from.isoformat() if filters.started_from else "",
        "started_to": filters.started_to.isoformat() if filters.started_to else "",
    }
    if (filters.sort, filters.descending) != (DEFAULT_SORT.sort, DEFAULT_SORT.descending):
        params |= {"sort": filters.sort, "dir": "desc" if filters.descending else "asc"}
    params["page"] = page if page > 1 else ""
    return urlencode({name: value for name, value in params.items() if value})


def _table(
    page_number: str,
    filters: SeriesFilters,
    *,
    period: Period,
    now: dt.datetime,
    today: dt.date,
    names: Mapping[int, str],
) -> dict[str, Any]:
    """One page of the series table, its column headings, pages and download link."""
    # The page is read as ids, then its rows in full: the sort reads no more than it needs.
    series = series_table(filters, today=today, now=now).values_list("pk", flat=True)
    page = _Pages(series, SERIES_PER_PAGE, count=series_count(filters)).get_page(page_number)
    notices = []
    if page_number and (len(page_number) > 9 or page_number != str(page.number)):
        notices.append(f"There is no page “{page_number[:20]}”; showing page {page.number}.")
    return {
        "page": page,
        "rows": series_rows(
            with_progress_for_page(list(page.object_list), today=today, now=now),
            today=today,
            estheticians=names,
        ),
        "columns": _columns(filters, period=period.key),
        "page_links": _page_links(page, filters, period=period.key),
        "here": _address("dashboard", query_for(filters, period=period.key, page=page.number)),
        "export_url": _address("dashboard_export", query_for(filters)),
        "clear_url": _address("dashboard", query_for(SeriesFilters(), period=period.key)),
        "page_notices": notices,
    }


def _figures(
    period: Period, filters: SeriesFilters, *, today: dt.date, now: dt.datetime
) -> dict[str, Any]:
    """The figures for the period, and a link to each other period keeping the table as is."""
    choices = [
        (choice, _address("dashboard", query_for(filters, period=choice.key)))
        for choice in periods(today).values()
    ]
    return {"figures": figures(period, today=today, now=now), "period_choices": choices}


def _overview(
    *, today: dt.date, now: dt.datetime, estheticians: Mapping[int, str]
) -> dict[str, Any]:
    """What the address does not change: maintenance to book and the two charts (the
    bookings that need attention are read by the view, which records who saw why)."""
    return {
        "due_soon": visit_lines(
            maintenance_due_soon(today=today), today=today, estheticians=estheticians
        ),
        "overdue": visit_lines(
            maintenance_overdue_visits(today=today), today=today, estheticians=estheticians
        ),
        "weeks_chart": charts.weekly_columns(completed_per_week(today=today)),
        "status_chart": charts.status_bars(series_by_status()),
        "list_limit": LIST_LIMIT,
    }


def _columns(filters: SeriesFilters, *, period: str) -> list[Column]:
    """Each heading sorts by its column; the sorted one turns the other way round."""
    columns = []
    for key, label in COLUMNS:
        is_sorted = filters.sort == key
        descending = not filters.descending if is_sorted else key in DESCENDING_FIRST
        query = query_for(replace(filters, sort=key, descending=descending), period=period)
        aria_sort = ("descending" if filters.descending else "ascending") if is_sorted else ""
        columns.append(Column(key, label, _address("dashboard", query), aria_sort))
    return columns


def _page_links(page: Page, filters: SeriesFilters, *, period: str) -> dict[str, str]:
    links = {}
    if page.has_previous():
        previous = query_for(filters, period=period, page=page.previous_page_number())
        links["previous"] = _address("dashboard", previous)
    if page.has_next():
        links["next"] = _address(
            "dashboard", query_for(filters, period=period, page=page.next_page_number())
        )
    return links


def _export_rows(series: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    """The header, then each series in the table's order."""
    yield EXPORT_COLUMNS
    for row in series:
        esthetician = " ".join(
            [row["esthetician__user__first_name"], row["esthetician__user__last_name"]]
        ).strip()
        yield [
            row["pk"],
            _cell(f"{row['client__first_name']} {row['client__last_name']}".strip()),
            _cell(row["client__email"]),
            _cell(esthetician or row["esthetician__user__username"]),
            _cell(row["treatment__name"]),
            (row["first_session_on"] or row["starts_on"]).isoformat(),
            row["planned_sessions"],
            row["completed_count"],
            *_date_and_time(row["next_session_on"], row["next_session_time"]),
            *_date_and_time(row["last_completed_on"], row["last_completed_time"]),
            STATUSES[row["status"]],
            "yes" if row["behind_schedule"] else "no",
            "yes" if row["has_flagged_booking"] else "no",
        ]


def _csv_chunks(rows: Iterator[list[Any]]) -> Iterator[str]:
    """The header at once, then the rows as CSV text a chunk at a time (each row read once,
    never all of them held)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(next(rows))
    yield text.getvalue()
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        text.seek(0)
        text.truncate()
        writer.writerows(chunk)
        yield text.getvalue()


def _cell(text: str) -> str:
    # A spreadsheet runs a cell that starts like a formula; a quote mark keeps it text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _date_and_time(day: dt.date | None, time: dt.time | None) -> tuple[str, str]:
    """The spa-local date and time, in two cells a spreadsheet reads as a date and a time."""
    if day is None or time is None:
        return "", ""
    return day.isoformat(), time.isoformat()[:5]


def _choice(
    params: QueryDict,
    name: str,
    allowed: Collection[str],
    default: str,
    notices: list[str],
    instead: str,
) -> str:
    value = params.get(name, "").strip()
    if value and value not in allowed:
        notices.append(f"“{value[:20]}” is not a {name}; showing {instead}.")
        return default
    return value or default


def _date(params: QueryDict, name: str, words: str, notices: list[str]) -> dt.date | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        notices.append(f"“{value[:20]}” is not a date; the “{words}” filter is left out.")
        return None


def _unless(value: str, default: str) -> str:
    return "" if value == default else value


def _address(name: str, query: str) -> str:
    return f"{reverse(name)}?{query}" if query else reverse(name)
