"""The dashboard's long lists (maintenance to book, bookings that need attention, the
estheticians to filter by), each line drawn once in Python: a few hundred lines through
template tags cost more than the rest of the page together. The markup is the template's,
line for line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil

from spa.dates import day_label, moment_label
from treatments.models import Esthetician, MaintenanceVisit, Session

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
    due_words: dict[dt.date, str] = {}
    lines = []
    for visit in visits:
        series = visit.series
        client = series.client
        phone, email = escape(client.phone), escape(client.email)
        if visit.due_on not in due_words:
            due_words[visit.due_on] = escape(_due(visit.due_on, today=today))
        line = VISIT_ITEM.format(
            client_url=escape(reverse("client_detail", args=[client.pk])),
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


def esthetician_options(estheticians: Iterable[Esthetician], *, chosen: int | None) -> SafeString:
    """The esthetician filter's options, one per esthetician, the chosen one selected."""
    options = [
        '<option value="{}"{}>{}{}</option>'.format(
            person.pk,
            " selected" if person.pk == chosen else "",
            escape(str(person)),
            "" if person.is_active else " (no longer working)",
        )
        for person in estheticians
    ]
    return mark_safe("\n".join(options))  # every text in it is escaped above
