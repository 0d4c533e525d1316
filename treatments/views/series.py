"""Planning a series with a live preview, and following it to the end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import push_url

from clients.models import Client
from clients.selectors import latest_intake
from clients.services import health_records_viewed
from spa.access import staff_required
from spa.dates import day_label
from spa.views import render_page, wants_partial
from treatments import services
from treatments.forms import BOOKABLE_CLIENTS, SeriesPlanForm
from treatments.models import Series, Treatment
from treatments.scheduling import Plan, Reason, maintenance_due_dates
from treatments.selectors import (
    completed_count,
    home_care_routine,
    last_treatment,
    maintenance_schedule,
    series_client_choices,
    series_permanent_blocks,
    series_rhythm,
    series_timeline,
    series_upcoming_sessions,
    series_with_people,
)

PLANNING_PAGE = "treatments/series_new.html"
# The choices that make a plan; they travel in the address so a reload keeps them.
PLAN_FIELDS = [name for name in SeriesPlanForm.base_fields if name != "caution_note"]
# Blocks a newer intake can lift; a pacemaker is never lifted.
LIFTED_BY_NEW_INTAKE = {
    "intake_missing",
    "intake_expired",
    "acute_acne",
    "pregnancy_due_date_missing",
}
UNFIXABLE = {"pacemaker"}
# How an empty field is named in "To see the plan, choose the ...".
MISSING_NAMES = {"starts_on": "first session date", "sessions_per_week": "sessions a week"}
# Why a plan fails without anything blocking the client.
CALENDAR_CODES = {"no_free_slot", "no_weekdays"}


@dataclass(frozen=True)
class Preview:
    """What the planning page shows beside the form: what is missing, what blocks the
    client, or the proposed sessions with the maintenance visits after them."""

    still_to_choose: str = ""
    problems: list[str] = field(default_factory=list)
    blocks: list[Reason] = field(default_factory=list)
    no_plan: list[Reason] = field(default_factory=list)
    plan: Plan | None = None
    maintenance: list[dt.date] = field(default_factory=list)
    home_care: str = ""
    # What the confirmation carries back, so that only this very plan can be booked.
    fingerprint: str = ""

    @property
    def intake_would_help(self) -> bool:
        return any(reason.code in LIFTED_BY_NEW_INTAKE for reason in self.blocks)

    @property
    def cannot_be_offered(self) -> bool:
        return any(reason.code in UNFIXABLE for reason in self.blocks)


@require_http_methods(["GET", "POST"])
@staff_required
def series_new(request: HttpRequest) -> HttpResponse:
    """Plan a series: choose the client and the rhythm, watch the plan, then book it all."""
    if request.method == "POST":
        return _series_confirm(request)
    form = SeriesPlanForm(_plan_data(request.GET, user=request.user))
    form.is_valid()
    context = _planning_context(request, form)
    return render_page(request, PLANNING_PAGE, context, partial="preview")


def _series_confirm(request: HttpRequest) -> HttpResponse:
    """Book exactly the previewed sessions, or show why not beside a fresh preview."""
    form = SeriesPlanForm(request.POST)
    refusal: list[str] = []
    if form.is_valid():
        try:
            series = services.series_create(
                **form.series_fields(),
                created_by=request.user,
                slots=_slots(request.POST.getlist("slot")),
                shown=request.POST.get("plan_shown", ""),
            )
        except services.BookingRefused as refused:
            refusal = _refusal(form, refused.reasons)
        else:
            booked = series.planned_sessions
            messages.success(request, f"{booked} sessions booked for {series.client}.")
            return redirect("series_detail", pk=series.pk)
    context = _planning_context(request, form) | {"refusal": refusal, "show_errors": True}
    return render(request, PLANNING_PAGE, context)


@require_GET
@staff_required
def series_client_search(request: HttpRequest) -> HttpResponse:
    """Live results of the client search on the planning page (the page itself without JS)."""
    if not wants_partial(request):
        return redirect(f"{reverse('series_new')}?{request.GET.urlencode()}")
    query = request.GET.get("q", "").strip()[:100]
    context = {
        "query": query,
        "found": series_client_choices(query),
        "carried": _choices(request.GET, without=("client",)),
    }
    response = render_page(request, PLANNING_PAGE, context, partial="client_results")
    return push_url(response, f"{reverse('series_new')}?{request.GET.urlencode()}")


@require_GET
@staff_required
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A series from start to end: progress, every session, the maintenance visits after."""
    series = get_object_or_404(series_with_people(), pk=pk)
    health_records_viewed(
        user=request.user,
        clients=[series.client_id],
        seen=f"Series page of {series.treatment}: cautions noted and what needs attention",
    )
    timeline = series_timeline(series)
    context = {
        "series": series,
        "timeline": timeline,
        "completed": completed_count(timeline),
        "rhythm": series_rhythm(series),
        "home_care": _routine(series),
        "visits": maintenance_schedule(series, today=timezone.localdate()),
    }
    return render(request, "treatments/series_detail.html", context)


@require_GET
@staff_required
def series_home_care(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable page for the client: their home device routine and their next visits."""
    series = get_object_or_404(series_with_people(), pk=pk)
    context = {
        "series": series,
        "home_care": _routine(series),
        "upcoming": series_upcoming_sessions(series, now=timezone.now()),
    }
    return render(request, "treatments/series_home_care.html", context)


def _routine(series: Series) -> str:
    return home_care_routine(
        minutes_a_day=series.home_minutes_a_day, days_a_week=series.home_days_a_week
    )


def _plan_data(query: QueryDict, *, user: AbstractBaseUser | AnonymousUser) -> QueryDict:
    """The choices in the address, with the defaults for any it leaves out (a first visit): the
    signed-in esthetician, the client's last series treatment (none: staff choose), tomorrow."""
    data = QueryDict(mutable=True)
    for name, form_field in SeriesPlanForm.base_fields.items():
        if form_field.initial is not None:
            data[name] = str(form_field.initial)
    data["starts_on"] = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    data["sessions_per_week"] = "1"
    # The defaults that need a read only when the address leaves them out (a preview has all).
    esthetician = getattr(user, "esthetician", None) if "esthetician" not in query else None
    if esthetician is not None:
        data["esthetician"] = str(esthetician.pk)
    client_id = query.get("client", "") if "treatment" not in query else ""
    client = BOOKABLE_CLIENTS.filter(pk=client_id).first() if client_id.isdecimal() else None
    treatment = last_treatment(client, kind=Treatment.Kind.SERIES) if client else None
    if treatment is not None:
        data["treatment"] = str(treatment.pk)
    for name in query:
        data.setlist(name, query.getlist(name))
    return data


def _choices(data: QueryDict, *, without: tuple[str, ...] = ()) -> QueryDict:
    """The planning choices of a request, for links and hidden fields that carry them on."""
    choices = QueryDict(mutable=True)
    for name in PLAN_FIELDS:
        if name not in without and name in data:
            choices.setlist(name, data.getlist(name))
    return choices


def _planning_context(request: HttpRequest, form: SeriesPlanForm) -> dict[str, Any]:
    """The planning page: the client search until a client is chosen, then form and preview."""
    client = form.cleaned_data.get("client")
    context: dict[str, Any] = {
        "form": form,
        "client": client,
        "choices": _choices(form.data),
        "carried": _choices(form.data, without=("client",)),
    }
    if client is None:
        query = request.GET.get("q", "").strip()[:100]
        return context | {"query": query, "found": series_client_choices(query)}
    starts_on = form.cleaned_data.get("starts_on") or timezone.localdate()
    health_records_viewed(
        user=request.user,
        clients=[client],
        seen=f"Series planning: findings from {day_label(starts_on, today=timezone.localdate())}",
    )
    return context | {"preview": _preview(form, client)}


def _preview(form: SeriesPlanForm, client: Client) -> Preview:
    """Plan the series from the form as it stands; nothing is written."""
    today = timezone.localdate()
    starts_on = form.cleaned_data.get("starts_on") or today
    intake = latest_intake(client)
    blocks = series_permanent_blocks(intake, on=starts_on, today=today)
    if blocks:
        return Preview(blocks=blocks)
    if any(name != "caution_note" for name in form.errors):
        return Preview(**_what_is_missing(form))
    data = form.cleaned_data
    plan = services.series_plan(
        client=client, esthetician=data["esthetician"], request=form.request(), intake=intake
    )
    if plan.reasons:
        blocks = [reason for reason in plan.reasons if reason.code not in CALENDAR_CODES]
        return Preview(blocks=blocks, no_plan=[r for r in plan.reasons if r not in blocks])
    maintenance = maintenance_due_dates(
        after=timezone.localdate(plan.sessions[-1].starts_at),
        weeks=data["maintenance_weeks"],
        visits=data["maintenance_visits"],
    )
    home_care = home_care_routine(
        minutes_a_day=data["home_minutes_a_day"], days_a_week=data["home_days_a_week"]
    )
    fingerprint = services.series_fingerprint(plan, **{name: data[name] for name in PLAN_FIELDS})
    return Preview(plan=plan, maintenance=maintenance, home_care=home_care, fingerprint=fingerprint)


def _what_is_missing(form: SeriesPlanForm) -> dict[str, Any]:
    """The fields left empty, named in one phrase, and what is wrong with others in sentences."""
    empty, problems = [], []
    for name, errors in form.errors.as_data().items():
        if name == "caution_note":
            continue
        if name in form.fields and any(error.code == "required" for error in errors):
            empty.append(MISSING_NAMES.get(name, str(form[name].label).lower()))
        else:
            problems.extend(message for error in errors for message in error.messages)
    return {"still_to_choose": _listed(empty), "problems": problems}


def _listed(names: list[str]) -> str:
    """ "treatment, preferred days and preferred time"."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _slots(values: list[str]) -> list[dt.datetime]:
    """The previewed start times; an unreadable one makes the list fail to match the plan."""
    slots = []
    for value in values:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return []
        slots.append(moment if timezone.is_aware(moment) else timezone.make_aware(moment))
    return slots


def _refusal(form: SeriesPlanForm, reasons: tuple[Reason, ...]) -> list[str]:
    """Put a missing caution note beside its field; return the other reasons in sentences."""
    sentences = []
    for reason in reasons:
        if reason.code == "caution_not_acknowledged":
            form.add_error("caution_note", reason.message)
        else:
            sentences.append(reason.message)
    return sentences
