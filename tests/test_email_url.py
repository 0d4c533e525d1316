"""EMAIL_URL: one address in the environment says how the app sends email."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from spa.email_url import EmailSettings, parse

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("", "django.core.mail.backends.console.EmailBackend"),
        ("console://", "django.core.mail.backends.console.EmailBackend"),
        ("locmem://", "django.core.mail.backends.locmem.EmailBackend"),
        ("dummy://", "django.core.mail.backends.dummy.EmailBackend"),
    ],
)
def test_backends_without_a_server(url: str, backend: str) -> None:
    assert parse(url) == EmailSettings(backend=backend)


def test_file_backend_writes_to_the_folder_in_the_path() -> None:
    assert parse("file:///var/tmp/spa-mail") == EmailSettings(
        backend="django.core.mail.backends.filebased.EmailBackend",
        file_path="/var/tmp/spa-mail",
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://bookings%40spa.example:p%40ss%3Aw%2Frd@smtp.example.com:587?tls=true",
            EmailSettings(
                backend=SMTP,
                host="smtp.example.com",
                port=587,
                user="bookings@spa.example",
                password="p@ss:w/rd",
                use_tls=True,
                timeout=10,
            ),
        ),
        (
            "smtps://bookings:secret@smtp.example.com",
            EmailSettings(
                backend=SMTP,
                host="smtp.example.com",
                port=465,
                user="bookings",
                password="secret",
                use_ssl=True,
                timeout=10,
            ),
        ),
        (
            "smtp://mail.internal?timeout=30",
            EmailSettings(backend=SMTP, host="mail.internal", port=25, timeout=30),
        ),
        (
            "smtp://bookings:secret@smtp.example.com:2465?ssl=yes",
            EmailSettings(
                backend=SMTP,
                host="smtp.example.com",
                port=2465,
                user="bookings",
                password="secret",
                use_ssl=True,
                timeout=10,
            ),
        ),
    ],
)
def test_smtp_server_login_and_encryption(url: str, expected: EmailSettings) -> None:
    assert parse(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("smpt://bookings:secret@smtp.example.com", "unknown scheme 'smpt'"),
        ("smtp.example.com", "unknown scheme ''"),
        ("smtp://bookings:secret@", "needs a server"),
        ("smtp://smtp.example.com:five", "port that is not a number"),
        ("smtp://smtp.example.com?tsl=true", "unknown options tsl"),
        ("smtps://smtp.example.com?tls=true", "both SSL and STARTTLS"),
        ("smtp://smtp.example.com?timeout=soon", "timeout must be whole seconds"),
        ("file://", "needs a folder's full path"),
        ("file://var/tmp/spa-mail", "needs a folder's full path"),
    ],
)
def test_a_mistake_is_named_at_start_up(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message) as refused:
        parse(url)

    assert "secret" not in str(refused.value)
