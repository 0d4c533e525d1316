"""Where a form sends staff back to: the page they came from, when it is one of the site's."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_page(request: HttpRequest) -> str:
    """The `next` page the form or the address asks to return to, if it is on this site; else ""."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    # Anything else (another host, a scheme, "//elsewhere") would make the site an open redirect.
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return ""
