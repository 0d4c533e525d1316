"""Single sessions: booking, moving, ending, and the visit itself (check-in, record)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clients.models import Client
from clients.selectors import (
    ClientWithStanding,
    client_search,
    clients_with_standing,
    latest_intake,
)
from clients.services import health_records_viewed
from spa.access import staff_required
from spa.dates import moment_label
from spa.redirects import next_page
from spa.views import render_page
from treatments import services
from treatments.forms import (
    BOOKABLE_CLIENTS,
    CancelForm,
    CheckInForm,
    RescheduleForm,
    SessionBookForm,
    TreatmentRecordForm,
)
from treatments.models import Esthetician, Session, TreatmentRecord
from treatments.selectors import (
    BookingCheck,
    booking_check,
    due_visit,
    last_treatment,
    latest_record,
    make_up_obstacles,
    session_for_page,
    session_page,
)
from treatments.services import BookingRefused, CheckIn
from treatments.views.calendar import VIEWS as CALENDAR_VIEWS

SEARCH_RESULTS = 10
# What the booking page's address carries, so a slot, a client or a visit can be linked to;
# `calendar` is the calendar's view ("day" or "week") a free slot was picked on.
BOOKING_QUERY = (
    "client",
    "maintenance_visit",
    "esthetician",
    "treatment",
    "day",
    "time",
    "calendar",
)
SESSION_PAGE = "treatments/session_detail.html"
# What recording a treatment reads of its session (the page itself reads more).
RECORDING = Session.objects.select_related("client", "esthetician", "treatment")
# What each step of the session page shows of the client's health record, for the access log.
SEEN_ON_STEP = {
    "": "Session page: findings and treatment record",
    "check_in": "Pre-treatment check: the answers on file",
    "complete": "Treatment record form: the last treatment record",
}


# Booking one session ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def session_new(request: HttpRequest) -> HttpResponse:
    """Book one session, or a maintenance visit (`?visit=`), checking the slot as it is chosen."""
    if request.method == "GET":
        values = _booking_values(request)
        form, chosen = SessionBookForm(initial=values), SessionBookForm(values)
        context = _booking_context(request, form, values, check=_check(chosen))
        # A date the check cannot take (a year ahead or more) is said at once, not on booking.
        context["day_errors"] = chosen.errors.get("day") if values["day"] else None
        context["slot"] = _picked_slot(chosen, values, client=context["client"])
        partial = "check" if context["client"] else "client_results"
        return render_page(request, "treatments/session_new.html", context, partial=partial)
    form = SessionBookForm(request.POST)
    check = None
    if form.is_valid():
        try:
            session = services.session_book(**_booking_fields(form), booked_by=request.user)
        except BookingRefused as refused:
            # Checked only once refused (the service checks under its locks): for the page's
            # words and the earliest time that would do instead.
            check = _slot_check(form).refused(refused.reasons)
        else:
            messages.success(request, f"Booked: {_session_words(session)}.")
            return redirect("session_detail", pk=session.pk)
    context = _booking_context(request, form, request.POST, check=check)
    context["slot"] = _picked_slot(form, request.POST, client=context["client"])
    context["refused"] = check is not None
    return render_page(request, "treatments/session_new.html", context)


def _booking_values(request: HttpRequest) -> dict[str, str]:
    """The booking page's choices from its address, with defaults for what is not given: the
    signed-in esthetician, the client's last treatment (none: staff choose), a visit's day."""
    values = {name: request.GET.get(name, "").strip() for name in BOOKING_QUERY}
    visit = due_visit(values["maintenance_visit"] or request.GET.get("visit"))
    values["maintenance_visit"] = ""
    defaults: dict[str, Any] = {"esthetician": getattr(request.user, "esthetician", None)}
    if visit is not None:
        series = visit.series
        values |= {"maintenance_visit": str(visit.pk), "client": str(series.client_id)}
        on = max(visit.due_on, timezone.localdate())
        defaults = {"esthetician": series.esthetician, "day": on.isoformat()}
        defaults["time"] = f"{series.preferred_time:%H:%M}"
        defaults["treatment"] = last_treatment(series.client, series=series)
    elif (client := _bookable(values["client"])) is not None:
        defaults["treatment"] = last_treatment(client)
    for name, default in defaults.items():
        if not values[name] and default is not None:
            values[name] = str(getattr(default, "pk", default))
    return values


def _bookable(client_id: str) -> Client | None:
    """The client a page's address names, if they can be booked."""
    return BOOKABLE_CLIENTS.filter(pk=client_id).first() if client_id.isdecimal() else None


def _check(form: SessionBookForm) -> BookingCheck | None:
    """The live check of the chosen slot; None until every choice is made."""
    return _slot_check(form) if form.is_valid() else None


def _slot_check(form: SessionBookForm) -> BookingCheck:
    """The check of the slot a valid form holds."""
    data = form.cleaned_data
    return booking_check(
        client=data["client"],
        esthetician=data["esthetician"],
        starts_at=form.starts_at(),
        minutes=data["treatment"].minutes,
        caution_note=data["caution_note"],
    )


@dataclass(frozen=True)
class ChosenSlot:
    """A time chosen before the client (a free slot of the calendar), and the way back to it."""

    esthetician: Esthetician
    starts_at: dt.datetime
    calendar_url: str


def _calendar_view(values: Any) -> str:
    """The calendar's view a free slot was picked on, or "" when the booking began elsewhere."""
    view = str(values.get("calendar", ""))
    return view if view in CALENDAR_VIEWS else ""


def _picked_slot(form: SessionBookForm, values: Any, *, client: Client | None) -> ChosenSlot | None:
    """The slot to show with the way back to the calendar: before a client is chosen, any
    esthetician, day and time the address carries; once chosen, only a slot picked on the
    calendar, as the form's own choices travel in the address too."""
    view = _calendar_view(values)
    if client is not None and not view:
        return None
    return _chosen_slot(form, view=view)


def _chosen_slot(form: SessionBookForm, *, view: str = "") -> ChosenSlot | None:
    """The esthetician, day and time the form holds, when all three can be read, with the
    calendar at that day (in the view it was picked on)."""
    form.is_valid()
    data = form.cleaned_data
    if any(data.get(name) is None for name in ("esthetician", "day", "time")):
        return None
    esthetician, day = data["esthetician"], data["day"]
    query = {"view": view} if view else {}
    query |= {"date": day.isoformat(), "esthetician": esthetician.pk}
    return ChosenSlot(esthetician, form.starts_at(), _address("calendar", query))


def _booking_fields(form: SessionBookForm) -> dict[str, Any]:
    """The keyword arguments `session_book` takes from the form."""
    data = form.cleaned_data
    visit = data["maintenance_visit"]
    return {
        # A visit's client is the one of its series, whatever the page carried.
        "client": visit.series.client if visit else data["client"],
        "esthetician": data["esthetician"],
        "treatment": data["treatment"],
        "starts_at": form.starts_at(),
        "maintenance_visit": visit,
        "caution_note": data["caution_note"],
    }


def _booking_context(
    request: HttpRequest, form: SessionBookForm, values: Any, *, check: BookingCheck | None
) -> dict[str, Any]:
    """What the booking page shows: the client (or a search for one), the form, the check."""
    client = _bookable(str(values.get("client", "")))
    visit = due_visit(values.get("maintenance_visit"))
    asked_visit = request.GET.get("visit") or request.GET.get("maintenance_visit")
    query = request.GET.get("q", "").strip()[:100]
    results = client_search(query)[:SEARCH_RESULTS] if query and client is None else []
    earliest_url = ""
    if check is not None and check.earliest is not None:
        moment = timezone.localtime(check.earliest.starts_at)
        chosen = {name: values.get(name, "") for name in BOOKING_QUERY}
        chosen |= {"day": moment.date().isoformat(), "time": f"{moment:%H:%M}"}
        earliest_url = _address("session_new", chosen)
    results = clients_with_standing(results, today=timezone.localdate())
    _log_booking_page(request, client, results, check)
    # Another client keeps the slot (and where it was picked), not this one's treatment.
    slot = {
        name: values[name]
        for name in ("esthetician", "day", "time", "calendar")
        if values.get(name)
    }
    return {
        "another_client_url": _address("session_new", slot),
        "calendar_view": _calendar_view(values),
        "form": form,
        "client": client,
        "visit": visit,
        "visit_gone": bool(asked_visit) and visit is None,
        "check": check,
        "earliest_url": earliest_url,
        "query": query,
        "results": results,
    }


def _address(name: str, query: dict[str, Any]) -> str:
    """A page's address with a query, or without one when there is nothing to carry."""
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def _log_booking_page(
    request: HttpRequest,
    client: Client | None,
    results: list[ClientWithStanding],
    check: BookingCheck | None,
) -> None:
    """Log the health data the booking page shows: a client's findings, or who can book."""
    if client is not None:
        when = f" on {moment_label(check.starts_at)}" if check is not None else ""
        seen = f"Booking page: findings{when}"
        health_records_viewed(user=request.user, clients=[client], seen=seen)
    elif results:
        health_records_viewed(
            user=request.user,
            clients=[row.client for row in results],
            seen="Booking page: client search, whether each can book today",
        )


# The session page and what can happen to a booked session -----------------------------------


def _session_or_404(pk: int) -> Session:
    session = session_for_page(pk)
    if session is None:
        raise Http404("No session here.")
    return session


def _render_session(
    request: HttpRequest, session: Session, *, step: str = "", **extra: Any
) -> HttpResponse:
    """The session page; `step` is "check_in" or "complete" for the visit's forms."""
    local = timezone.localtime(session.starts_at)
    health_records_viewed(
        user=request.user,
        clients=[session.client_id],
        seen=f"{SEEN_ON_STEP[step]} of {moment_label(session.starts_at)}",
    )
    context = {
        "page": session_page(session, today=timezone.localdate()),
        "session": session,
        "step": step,
        "reschedule_form": RescheduleForm(
            initial={
                "day": local.date(),
                "time": local.time(),
                "esthetician": session.esthetician_id,
                "caution_note": "",
            }
        ),
        "cancel_form": CancelForm(),
        # The page the visit's forms return to (Today, say) instead of the session page.
        "next": next_page(request),
        **extra,
    }
    partial = "intensity_check" if step == "complete" else None
    return render_page(request, SESSION_PAGE, context, partial=partial)


@require_http_methods(["GET"])
@staff_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: who, when, where it sits in the plan, the day's findings and what can be done."""
    return _render_session(request, _session_or_404(pk))


@require_http_methods(["POST"])
@staff_required
def session_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a booked session to another time, or esthetician, with a new booking's checks."""
    session = _session_or_404(pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return _render_session(request, session, reschedule_form=form)
    try:
        moved = services.session_reschedule(
            session=session,
            starts_at=form.starts_at(),
            by=request.user,
            caution_note=form.cleaned_data["caution_note"],
            esthetician=form.cleaned_data["esthetician"],
        )
    except BookingRefused as refused:
        if "not_booked" in refused.codes:
            return _refused(request, session, refused)
        check = _move_check(session, form).refused(refused.reasons)
        return _render_session(request, session, reschedule_form=form, reschedule_check=check)
    said = f"Moved to {moment_label(moved.starts_at)}"
    if moved.esthetician_id != session.esthetician_id:
        said += f" with {moved.esthetician}"
    messages.success(request, f"{said}.")
    return redirect("session_detail", pk=session.pk)


def _move_check(session: Session, form: RescheduleForm) -> BookingCheck:
    """The new time checked as the move was (for the earliest allowed time instead)."""
    return booking_check(
        client=session.client,
        esthetician=form.cleaned_data["esthetician"] or session.esthetician,
        starts_at=form.starts_at(),
        minutes=int((session.ends_at - session.starts_at).total_seconds() // 60),
        caution_note=form.cleaned_data["caution_note"] or session.caution_note,
        ignoring=session,
    )


@require_http_methods(["POST"])
@staff_required
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a booked session with a reason; a course session gets a make-up if one fits."""
    session = _session_or_404(pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _render_session(request, session, cancel_form=form)
    try:
        make_up = services.session_cancel(
            session=session, reason=form.cleaned_data["reason"], by=request.user
        )
    except BookingRefused as refused:
        return _refused(request, session, refused)
    messages.success(
        request, _with_make_up(f"{session.client}: session cancelled.", session, make_up)
    )
    return redirect("session_detail", pk=session.pk)


@require_http_methods(["POST"])
@staff_required
def session_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the client did not come (once the session has started)."""
    session = _session_or_404(pk)
    try:
        make_up = services.session_mark_no_show(session=session, by=request.user)
    except BookingRefused as refused:
        return _refused(request, session, refused)
    messages.success(
        request, _with_make_up(f"{session.client}: marked as a no-show.", session, make_up)
    )
    return _back(request, session)


@require_http_methods(["GET", "POST"])
@staff_required
def session_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The pre-treatment check: the block questions again; a block postpones the session."""
    session = _session_or_404(pk)
    if session.status != Session.Status.BOOKED:
        return _not_booked(request, session)
    if timezone.localdate(session.starts_at) != timezone.localdate():
        messages.info(request, services.not_today(session).message)
        return _back(request, session)
    form = CheckInForm(
        request.POST or None, on_file=latest_intake(session.client), today=timezone.localdate()
    )
    if form.is_valid():
        try:
            checked = services.session_check_in(
                session=session,
                answers=form.check_answers(),
                by=request.user,
                caution_note=form.cleaned_data["caution_note"],
            )
        except BookingRefused as refused:
            if "not_booked" in refused.codes:
                return _refused(request, session, refused)
            form.add_error("caution_note", str(refused))
        else:
            return _checked_in(request, checked)
    return _render_session(request, session, step="check_in", check_in_form=form)


def _checked_in(request: HttpRequest, checked: CheckIn) -> HttpResponse:
    session = checked.session
    if checked.postponed:
        reasons = " ".join(block.message for block in checked.blocks)
        said = f"{session.client}: postponed. {reasons}"
        messages.warning(request, _with_make_up(said, session, checked.make_up))
        return _back(request, session)
    messages.success(
        request, f"{session.client} checked in: nothing stands in the way of today's treatment."
    )
    if session.starts_at > timezone.now():
        return _back(request, session)
    return redirect(_keeping_next(request, reverse("session_complete", args=[session.pk])))


@require_http_methods(["GET", "POST"])
@staff_required
def session_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """The treatment record: the last intensity is suggested, a big rise must be confirmed."""
    # Recording reads only what the checks and the record need; the page reads all it shows.
    recording = request.method == "POST"
    session = get_object_or_404(RECORDING, pk=pk) if recording else _session_or_404(pk)
    if session.status != Session.Status.BOOKED:
        return _not_booked(request, session)
    if session.checked_in_at is None:
        messages.info(request, "Check the client in first: the pre-treatment check comes first.")
        return redirect(_keeping_next(request, reverse("session_check_in", args=[session.pk])))
    if session.starts_at > timezone.now():
        messages.info(
            request,
            f"The treatment can be recorded once the session has started "
            f"({moment_label(session.starts_at)}).",
        )
        return redirect("session_detail", pk=session.pk)
    last = latest_record(session.client)
    form = _record_form(request, session, last)
    if form.is_valid():
        try:
            services.session_complete(session=session, by=request.user, record=form.record())
        except BookingRefused as refused:
            if "not_booked" in refused.codes:
                return _refused(request, session, refused)
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, f"{session.client}: session completed; the treatment record is saved."
            )
            return _back(request, session)
    return _render_session(
        request,
        _session_or_404(pk) if recording else session,
        step="complete",
        record_form=form,
        last_record=last,
        **_jump(form),
    )


def _record_form(
    request: HttpRequest, session: Session, last: TreatmentRecord | None
) -> TreatmentRecordForm:
    """The record form: the last intensity suggested (or the one typed, for the live check)."""
    initial: dict[str, Any] = {"minutes": session.treatment.minutes}
    typed = request.GET.get("intensity_ua", "").strip()
    if typed:
        initial["intensity_ua"] = typed
    return TreatmentRecordForm(
        request.POST or None,
        previous_intensity=last.intensity_ua if last else None,
        initial=initial,
    )


def _jump(form: TreatmentRecordForm) -> dict[str, str]:
    """The warning on a big rise in intensity and, while typing, a value out of range."""
    typed = form.data.get("intensity_ua") if form.is_bound else form.initial.get("intensity_ua")
    if typed in (None, ""):
        return {"jump_warning": ""}
    try:
        intensity = form.fields["intensity_ua"].clean(typed)
    except ValidationError as error:
        # A posted form says so next to the field already.
        said = "" if form.is_bound else " ".join(error.messages)
        return {"jump_warning": "", "intensity_error": said}
    return {"jump_warning": form.jump_warning(intensity)}


def _refused(request: HttpRequest, session: Session, refused: BookingRefused) -> HttpResponse:
    """Say why the service refused, back on the session page (or the page staff came from)."""
    messages.error(request, str(refused))
    return _back(request, session)


def _not_booked(request: HttpRequest, session: Session) -> HttpResponse:
    messages.info(request, f"This session is already {session.get_status_display().lower()}.")
    return _back(request, session)


def _back(request: HttpRequest, session: Session) -> HttpResponse:
    """Back to the page staff came from (`next`: Today, say), else to the session page."""
    return redirect(next_page(request) or reverse("session_detail", args=[session.pk]))


def _keeping_next(request: HttpRequest, url: str) -> str:
    """The address of the visit's next step, still returning where staff came from."""
    back = next_page(request)
    return f"{url}?{urlencode({'next': back})}" if back else url


def _with_make_up(said: str, session: Session, make_up: Session | None) -> str:
    """Add what became of a course session's make-up: booked when, or why none could be."""
    if make_up is not None:
        return f"{said} Make-up booked for {moment_label(make_up.starts_at)}."
    if session.kind not in Session.COURSE_KINDS or session.series is None:
        return said
    why = " ".join(reason.message for reason in make_up_obstacles(session.series))
    return f"{said} No make-up could be booked{': ' + why if why else '.'}"


def _session_words(session: Session) -> str:
    """ "Iris Moss, Tue 1 Dec, 10:00–11:00 with Anna"."""
    ends = timezone.localtime(session.ends_at)
    return (
        f"{session.client}, {moment_label(session.starts_at)}–{ends:%H:%M} "
        f"with {session.esthetician}"
    )
