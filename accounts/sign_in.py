"""What every sign-in starts with: its idle clock, and the second step it still owes."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from accounts.two_factor import SECOND_STEP, second_step_for

# When the signed-in user was last seen (seconds since the epoch); setting it saves the
# session, which puts its end SESSION_COOKIE_AGE after that moment.
LAST_SEEN = "spa_last_seen"
# Pushing the end back means writing the session: once in a while, not on every request.
RENEW_AFTER_SECONDS = 5 * 60


def note_seen(request: HttpRequest) -> None:
    """Start the idle time again."""
    request.session[LAST_SEEN] = int(time.time())


def signed_in(sender: Any, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> None:
    """On every sign-in (the login page, the admin's): note it, and what it still owes."""
    note_seen(request)
    step = second_step_for(user)
    if step:
        request.session[SECOND_STEP] = step
    else:
        request.session.pop(SECOND_STEP, None)
