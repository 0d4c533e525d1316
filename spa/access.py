"""Who may see staff pages: logged-in members of the Esthetician or Manager group."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ESTHETICIANS = "Esthetician"
MANAGERS = "Manager"
STAFF_GROUPS = (ESTHETICIANS, MANAGERS)

View = Callable[..., HttpResponse]


def is_staff_member(user: Any) -> bool:
    """True for superusers and members of the Esthetician or Manager group."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=STAFF_GROUPS).exists()


def is_manager(user: Any) -> bool:
    """True for superusers and members of the Manager group."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=MANAGERS).exists()


def staff_required(view: View) -> View:
    """Send anonymous visitors to log in; refuse logged-in people who are not staff."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_member(request.user):
            raise PermissionDenied("This page is for the spa's staff.")
        return view(request, *args, **kwargs)

    return wrapped
