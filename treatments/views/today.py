from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from clients.services import health_records_viewed_each
from spa.access import staff_required
from spa.addresses import numbered
from spa.dates import day_label
from treatments.models import Esthetician
from treatments.selectors import (
    TeamMemberDay,
    WorklistSession,
    sessions_for_day,
    team_day,
    worklist,
)
from treatments.selectors.needs_you import LIMIT, NeedsYou, needs_you

# What the page shows of a client's health, part by part, for their access log.
SEEN_FINDINGS = "each session's findings"
SEEN_FLAG = "why a session this week needs attention"
SEEN_INTAKE = "the date of the intake on file"
# Above this many sessions in the team's day, a manager's Today shows the team in numbers (a row
# per esthetician, each opening their day) rather than every session: a list that long is no
# use to read, and slow to send.
TEAM_LIST_LIMIT = 60


@require_safe
@staff_required
def today(request: HttpRequest) -> HttpResponse:
    """The worklist: today's sessions with the next step of each, and what needs seeing to.
    An esthetician's own; for a manager, everyone's grouped by esthetician, or the team in
    numbers when there are too many sessions to list, or one esthetician's (`?esthetician=`)."""
    now = timezone.now()
    day = timezone.localdate(now)
    # A manager has no esthetician row: the missing one-to-one raises an AttributeError.
    own = getattr(request.user, "esthetician", None)
    esthetician = own or _chosen_esthetician(request)
    team = team_day(day) if esthetician is None else []
    team_total = sum(member.sessions for member in team)
    in_numbers = team_total > TEAM_LIST_LIMIT
    sessions = (
        []
        if in_numbers
        else worklist(sessions_for_day(day=day, esthetician=esthetician), today=day, now=now)
    )
    needs = needs_you(esthetician=esthetician, today=day, now=now)
    health_records_viewed_each(user=request.user, seen=_health_data_shown(day, sessions, needs))
    here = reverse("today")
    context = {
        "day": day,
        "esthetician": esthetician,
        "own": own is not None,
        "team": team if in_numbers else [],
        "team_rows": _team_rows(team) if in_numbers else "",
        "team_total": team_total,
        "sessions": sessions,
        "needs": needs,
        "limit": LIMIT,
        # Where each step (check-in, the record, a no-show, a new intake link) comes back to.
        "back_to": here if own or esthetician is None else f"{here}?esthetician={esthetician.pk}",
        # The pages each row links to, reversed once for the page (a row's number put in).
        "to": numbered(
            session="session_detail",
            check_in="session_check_in",
            complete="session_complete",
            no_show="session_no_show",
            client="client_detail",
            intake_link="client_intake_link",
            series="series_detail",
        ),
    }
    return render(request, "treatments/today.html", context)


def _team_rows(team: list[TeamMemberDay]) -> SafeString:
    """The team in numbers, a table row per esthetician opening their day: written in one
    pass here rather than cell by cell by the template (a big team has hundreds)."""
    return format_html_join(
        "",
        '<tr><th scope="row"><a href="?esthetician={}">{}</a></th><td>{}</td><td>{}</td>'
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n        ",
        (
            (
                member.esthetician_pk,
                member.name,
                member.sessions,
                member.from_time,
                member.until_time,
                member.checked_in,
                member.completed,
                member.to_come,
                member.not_held,
                member.flagged,
            )
            for member in team
        ),
    )


def _chosen_esthetician(request: HttpRequest) -> Esthetician | None:
    """The esthetician whose day a manager asked for (`?esthetician=`; 404 for an unknown one)."""
    value = request.GET.get("esthetician", "").strip()
    if not value.isdigit() or len(value) > 18:
        return None
    return get_object_or_404(Esthetician.objects.select_related("user"), pk=int(value))


def _health_data_shown(
    day: dt.date, sessions: list[WorklistSession], needs: NeedsYou
) -> dict[int, str]:
    """What the page showed of each client's health: their findings beside today's session,
    the reason a session of theirs is flagged, the date of their intake."""
    shown: dict[int, list[str]] = {}
    for item in sessions:
        shown.setdefault(item.session.client_id, []).append(SEEN_FINDINGS)
    for session in needs.flags_with_health_reasons():
        shown.setdefault(session.client_id, []).append(SEEN_FLAG)
    for row in needs.intakes.rows:
        shown.setdefault(row.session.client_id, []).append(SEEN_INTAKE)
    label = day_label(day)
    return {
        client_id: f"Today, {label}: {'; '.join(dict.fromkeys(parts))}"
        for client_id, parts in shown.items()
    }
