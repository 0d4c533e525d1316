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
# Where a user's group names are kept for the rest of the request (as Django keeps perms).
GROUPS_CACHE = "_spa_group_names"

View = Callable[..., HttpResponse]


def group_names(user: Any) -> frozenset[str]:
    """The names of the user's groups, read once a request: the page and its menu both ask."""
    if not hasattr(user, GROUPS_CACHE):
        setattr(user, GROUPS_CACHE, frozenset(user.groups.values_list("name", flat=True)))
    return getattr(user, GROUPS_CACHE)


def is_staff_member(user: Any) -> bool:
    """True for superusers and members of the Esthetician or Manager group."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(group_names(user) & set(STAFF_GROUPS))


def is_manager(user: Any) -> bool:
    """True for superusers and members of the Manager group."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or MANAGERS in group_names(user)


def staff_required(view: View) -> View:
    """Send anonymous visitors to log in; refuse logged-in people who are not staff."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_member(request.user):
            raise PermissionDenied("This page is for the spa's staff.")
        return view(request, *args, **kwargs)

    return wrapped


def manager_required(view: View) -> View:
    """Send anonymous visitors to log in; refuse logged-in people who are not managers."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_manager(request.user):
            raise PermissionDenied("This page is for the spa's managers.")
        return view(request, *args, **kwargs)

    return wrapped
