"""Read the EMAIL_URL setting: one address that says how the app sends email."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
SMTP_OPTIONS = {"tls", "ssl", "timeout"}
YES = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class EmailSettings:
    """Django's EMAIL_* settings; the defaults are Django's own, except the SMTP timeout."""

    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    timeout: int | None = None
    file_path: str | None = None


def parse(url: str) -> EmailSettings:
    """Turn `smtp://user:password@host:587?tls=true`, `console://`, `file:///path`… into settings.

    Unset (empty), email is printed to the console, as on a development machine.
    """
    url = url.strip()
    if not url:
        return EmailSettings(backend=BACKENDS["console"])
    # Only the scheme is named in errors: the rest of the address may hold a password.
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in BACKENDS:
        raise ImproperlyConfigured(
            f"EMAIL_URL has an unknown scheme {scheme!r}: use smtp://, smtps://, console://, "
            "file://, locmem:// or dummy://."
        )
    parts = urlsplit(url)
    if scheme == "file":
        if parts.netloc or not parts.path:
            raise ImproperlyConfigured(
                "EMAIL_URL file:// needs a folder's full path after three slashes: "
                "file:///var/tmp/spa-mail"
            )
        return EmailSettings(backend=BACKENDS["file"], file_path=unquote(parts.path))
    if scheme in {"smtp", "smtps"}:
        return smtp_settings(scheme, parts)
    return EmailSettings(backend=BACKENDS[scheme])


def smtp_settings(scheme: str, parts: SplitResult) -> EmailSettings:
    """The SMTP server's address, login and encryption from a parsed smtp:// or smtps:// URL."""
    options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = sorted(set(options) - SMTP_OPTIONS)
    if unknown:
        raise ImproperlyConfigured(
            f"EMAIL_URL has unknown options {', '.join(unknown)}: use tls, ssl or timeout."
        )
    if not parts.hostname:
        raise ImproperlyConfigured(
            "EMAIL_URL smtp:// needs a server: smtp://user:password@host:587"
        )
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has a port that is not a number.") from None
    use_ssl = scheme == "smtps" or options.get("ssl", "").lower() in YES
    use_tls = options.get("tls", "").lower() in YES
    if use_ssl and use_tls:
        raise ImproperlyConfigured(
            "EMAIL_URL asks for both SSL and STARTTLS: use smtps:// (or ?ssl=true) for a server "
            "that speaks SSL from the start, or smtp://…?tls=true for one that upgrades."
        )
    timeout = options.get("timeout", "10")
    if not timeout.isdigit():
        raise ImproperlyConfigured(f"EMAIL_URL timeout must be whole seconds, not {timeout!r}.")
    return EmailSettings(
        backend=BACKENDS[scheme],
        host=parts.hostname,
        port=port or (465 if use_ssl else 25),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        # Django waits for ever on a silent server by default; a worker must not.
        timeout=int(timeout),
    )
