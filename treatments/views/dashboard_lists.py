"""The dashboard's long lists (the series table's rows, maintenance to book, bookings that
need attention, the estheticians to filter by), each line drawn once in Python: a few hundred
lines through template tags cost more than the rest of the page together. The markup is the
template's, line for line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil

from spa.addresses import Numbered
from spa.dates import day_label, moment_label
from treatments.models import MaintenanceVisit, Series, Session
from treatments.selectors.dashboard import StaffName
from treatments.views.options import options

VISIT_ITEM = """
<li class="visit-item">
  <div class="visit-item__main">
    <p class="visit-item__who"><a href="{client_url}">{name}</a></p>
    <p class="visit-item__what">Maintenance {number} of {visits} · {esthetician}</p>
    <p class="visit-item__due">Due {due}{missed}</p>
    <p class="visit-item__contact">
      {phone}
      {email}
      {neither}
    </p>
  </div>
  <a class="button button--quiet visit-item__book"
     href="{book_url}?client={client}&amp;visit={visit}">Book<span
     class="visually-hidden"> maintenance {number} for {name}</span></a>
</li>
"""

ATTENTION_ITEM = """
<li class="attention-item">
  <p class="attention-item__when">{when}</p>
  <div class="attention-item__main">
    <p><a href="{client_url}">{name}</a> <span
       class="muted">· {treatment} with {esthetician}</span></p>
    <p class="attention-item__reason"><strong>{labels}:</strong> {reason}</p>
  </div>
  <a class="button button--quiet attention-item__open" href="{session_url}">Open session<span
     class="visually-hidden"> of {name}, {when}</span></a>
</li>
"""

SERIES_ROW = """
<tr class="series-row{flagged}">
  <th scope="row" class="series-row__client">
    <a href="{client_url}">{name}</a>
  </th>
  <td class="series-row__esthetician"><span
  class="series-row__label">Esthetician</span> {esthetician}</td>
  <td class="series-row__treatment">
    <a href="{series_url}">{treatment}<span class="visually-hidden"> series for {name}</span></a>
  </td>
  <td class="series-row__progress">
    <progress value="{completed}" max="{planned}" aria-hidden="true"></progress>
    <span>{completed} of {planned}</span>
  </td>
  <td class="series-row__next"><span class="series-row__label">Next</span> {next}</td>
  <td class="series-row__last"><span class="series-row__label">Last completed</span> {last}</td>
  <td class="series-row__started"><span class="series-row__label">Started</span> {started}</td>
  <td class="series-row__status"><span
  class="badge badge--status badge--{status}">{status_label}</span></td>
  <td class="series-row__flags">{flags}</td>
</tr>
"""
NO_SESSION_YET = ' <span class="series-row__note">(start date: no session yet)</span>'
BEHIND = '<span class="badge badge--caution">Behind schedule</span>'
ATTENTION = '<span class="badge badge--block">Needs attention</span>'

MISSED = mark_safe(' <span class="badge badge--status">Missed</span>')
NO_CONTACT = mark_safe('<span class="muted">No phone or email</span>')


def visit_lines(
    visits: Iterable[MaintenanceVisit], *, today: dt.date, estheticians: Mapping[int, str]
) -> list[SafeString]:
    """Each maintenance visit to book as its list item: who, which visit, with whom (named by
    `estheticians`, by id), when due, how to reach the client and the link that books it.
    Every text is escaped as a template would; a day's "due" words are worked out once for
    the visits that share it."""
    book_url = reverse("session_new")
    client_page = Numbered.of("client_detail")
    due_words: dict[dt.date, str] = {}
    lines = []
    for visit in visits:
        series = visit.series
        client = series.client
        phone, email = escape(client.phone), escape(client.email)
        if visit.due_on not in due_words:
            due_words[visit.due_on] = escape(_due(visit.due_on, today=today))
        line = VISIT_ITEM.format(
            client_url=escape(client_page.at(client.pk)),
            name=escape(client.full_name),
            number=visit.number,
            visits=series.maintenance_visits,
            esthetician=escape(estheticians[series.esthetician_id]),
            due=due_words[visit.due_on],
            missed=MISSED if visit.status == MaintenanceVisit.Status.MISSED else "",
            phone=f'<a href="tel:{phone.replace(" ", "")}">{phone}</a>' if phone else "",
            email=f'<a href="mailto:{email}">{email}</a>' if email else "",
            neither="" if phone or email else NO_CONTACT,
            book_url=book_url,
            client=client.pk,
            visit=visit.pk,
        )
        lines.append(mark_safe(line))  # every text in it is escaped above
    return lines


def attention_lines(sessions: Iterable[Session], *, today: dt.date) -> list[SafeString]:
    """Each booked session that needs attention as its list item: when, who, why."""
    lines = []
    for session in sessions:
        labels = format_html_join(" · ", "{}", ((label,) for label in session.attention_labels()))
        lines.append(
            format_html(
                ATTENTION_ITEM,
                when=moment_label(session.starts_at, today=today),
                client_url=reverse("client_detail", args=[session.client.pk]),
                name=session.client.full_name,
                treatment=session.treatment.name,
                esthetician=str(session.esthetician),
                labels=labels or "Needs attention",
                reason=session.attention_reason,
                session_url=reverse("session_detail", args=[session.pk]),
            )
        )
    return lines


def _due(day: dt.date, *, today: dt.date) -> str:
    """ "Fri 4 Dec, 3 days ago", "…, today" or "…, in 5 days"."""
    label = day_label(day, today=today)
    if day < today:
        return f"{label}, {timesince(day, today)} ago"
    if day == today:
        return f"{label}, today"
    return f"{label}, in {timeuntil(day, today)}"


def esthetician_options(estheticians: Iterable[StaffName], *, chosen: int | None) -> SafeString:
    """The esthetician filter's options, one per esthetician, the chosen one selected."""
    return options(
        (
            (person.pk, person.name if person.is_active else f"{person.name} (no longer working)")
            for person in estheticians
        ),
        chosen=chosen,
    )


def series_rows(
    rows: Iterable[Series], *, today: dt.date, estheticians: Mapping[int, str]
) -> list[SafeString]:
    """Each series of a table page (from `with_progress_for_page`) as its table row: client,
    esthetician (named by `estheticians`, by id), treatment, progress, next, last and first
    session, status and flags."""
    client_page, series_page = Numbered.of("client_detail"), Numbered.of("series_detail")
    lines = []
    for series in rows:
        name = escape(series.client.full_name)
        next_at = series.next_session_at and timezone.localtime(series.next_session_at)
        next_words = (
            f'<span class="nowrap">{day_label(next_at.date(), today=today)},</span> '
            f'<span class="nowrap">{next_at:%H:%M}</span>'
            if next_at
            else "–"
        )
        last = series.last_completed_at
        started = (
            day_label(timezone.localdate(series.first_session_at), today=today)
            if series.first_session_at
            else day_label(series.starts_on, today=today) + NO_SESSION_YET
        )
        flags = " ".join(
            badge
            for badge, shown in (
                (BEHIND, series.behind_schedule),
                (ATTENTION, series.needs_attention),
            )
            if shown
        )
        line = SERIES_ROW.format(
            flagged=" series-row--flagged"
            if series.behind_schedule or series.needs_attention
            else "",
            client_url=escape(client_page.at(series.client.pk)),
            name=name,
            esthetician=escape(estheticians[series.esthetician_id]),
            series_url=escape(series_page.at(series.pk)),
            treatment=escape(series.treatment.name),
            completed=series.completed_count,
            planned=series.planned_sessions,
            next=next_words,
            last=day_label(timezone.localdate(last), today=today) if last else "–",
            started=started,
            status=escape(series.status),
            status_label=escape(series.get_status_display()),
            flags=flags,
        )
        lines.append(mark_safe(line))  # every text in it is escaped above
    return lines
