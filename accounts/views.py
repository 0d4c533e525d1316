"""Signing in: the lockout page, the second step with an authenticator app, and unlocking."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import lockouts, two_factor
from accounts.forms import CodeForm, UnlockForm
from accounts.two_factor import CodeRefused
from spa.access import manager_required


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any]
) -> HttpResponse:
    """The login page again (429), saying why, with the username still in its field."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "next": _next(request, default=""),
        "locked_out": True,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/login.html", context, status=429)


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the user's authenticator app."""
    device = two_factor.confirmed_device(request.user)
    if device is None or request.user.is_verified():
        request.session.pop(two_factor.SECOND_STEP, None)
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            two_factor.code_check(device, form.cleaned_data["code"])
        except CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            two_factor.signed_in_with(request, device)
            return redirect(_next(request))
    context = {"form": form, "next": _next(request), "spa_name": settings.SPA_NAME}
    return render(request, "accounts/verify.html", context)


@require_http_methods(["GET", "POST"])
@manager_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """A manager turns two-factor sign-in on: scan the code, type one code back."""
    if two_factor.confirmed_device(request.user) is not None:
        return _two_factor_on(request)
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            two_factor.device_confirm(
                request=request, device=device, code=form.cleaned_data["code"]
            )
        except CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            messages.success(
                request, "Two-factor sign-in is on: your next sign-in asks for a code."
            )
            return redirect(_next(request))
    context = {
        "form": form,
        "qr_code": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_in_groups(device),
        "required": request.session.get(two_factor.SECOND_STEP) == two_factor.ENROL,
        "next": _next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _two_factor_on(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in is on: say so, and let it be turned off unless the spa requires it."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and not settings.REQUIRE_MANAGER_2FA and form.is_valid():
        try:
            two_factor.devices_remove(user=request.user, code=form.cleaned_data["code"])
        except CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("two_factor_setup")
    context = {"form": form, "required": settings.REQUIRE_MANAGER_2FA}
    return render(request, "accounts/two_factor_on.html", context)


@require_http_methods(["GET"])
@manager_required
def lockout_list(request: HttpRequest) -> HttpResponse:
    """Usernames locked out after too many wrong passwords, each with an Unlock button."""
    context = {
        "lockouts": lockouts.current_lockouts(now=timezone.now()),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/lockouts.html", context)


@require_POST
@manager_required
def lockout_clear(request: HttpRequest) -> HttpResponse:
    """Unlock one username at one address."""
    form = UnlockForm(request.POST)
    if form.is_valid():
        lockouts.lockout_clear(**form.cleaned_data)
        messages.success(request, f"{form.cleaned_data['username']} can sign in again.")
    return redirect("lockout_list")


def _next(request: HttpRequest, default: str | None = None) -> str:
    """Where to go after this step: the `next` asked for, if it is one of our own pages."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL) if default is None else default
