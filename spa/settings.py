"""Settings for Spa Planner, read from the environment (see README "Configuration")."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from spa import email_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no setting: 1, true, yes and on mean yes."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Read a whole-number setting, with a start-up error naming it when it is not a number."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated setting."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(or DEBUG=true on a development machine)."
        )
    SECRET_KEY = "development-only-not-a-secret"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# HTTPS=true: the site is served over HTTPS by a proxy in front of it that ends TLS and says
# so in X-Forwarded-Proto (the proxy must set that header itself, never pass a visitor's on).
# Off by default, so the plain-HTTP servers of tests and development keep working.
HTTPS = env_bool("HTTPS") and not DEBUG
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Off when the proxy already redirects plain HTTP. /healthz stays answerable over plain
    # HTTP for the container's health check and a load balancer's probes.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Browsers remember "HTTPS only" for this long (a year), for the host and every
    # subdomain; "preload" lets the domain be put on browsers' built-in list if it is ever
    # submitted there. A health record is never to be sent in clear text.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_ratelimit",
    "django_htmx",
    "template_partials",
    "clients",
    "treatments",
    "outbox",
    "privacy",
    "accounts",
    # The site as a whole: its database roles command (db_roles).
    "spa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.IdleSignOutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "spa.middleware.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it turns the login form's answer into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "spa.urls"
WSGI_APPLICATION = "spa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["spa.templatetags"],
        },
    }
]

# PostgreSQL's time limits: a database that accepts connections but never answers must not
# hold a page (or /healthz) for minutes, and one runaway query must not hold a worker. 0: none.
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 5)
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 30_000)


def database(url: str, *, statement_timeout_ms: int) -> dict[str, Any]:
    """Django's settings for the database at `url`."""
    config = dj_database_url.parse(
        url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Booking checks then writes; IMMEDIATE takes SQLite's write lock up front so two
        # bookings cannot both pass the check (PostgreSQL uses a row lock instead).
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        options = config.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
        given = options.get("options", "")
        # No JIT: compiling a query took seconds (the whole series export, say) to save
        # milliseconds; a booking system's queries are short, or read once.
        options["options"] = (
            f"{given} -c statement_timeout={statement_timeout_ms} -c jit=off".strip()
        )
    return config


# Two roles on PostgreSQL (README "Least privilege"): the app connects as DATABASE_URL's, which
# may read and write rows but owns nothing, so it can neither TRUNCATE nor switch off the
# triggers that keep health records unchanged; `manage.py migrate` alone connects as the
# tables' owner, MIGRATE_DATABASE_URL (DATABASE_URL when unset), without a time limit: a
# migration rewriting a large table must not be stopped halfway.
# (The URLs stay out of the settings' names: they may hold passwords.)
_database_url = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
MIGRATE_DATABASE = database(
    os.environ.get("MIGRATE_DATABASE_URL") or _database_url, statement_timeout_ms=0
)
MIGRATING = sys.argv[1:2] == ["migrate"]
DATABASES = {
    "default": MIGRATE_DATABASE
    if MIGRATING
    else database(_database_url, statement_timeout_ms=DATABASE_STATEMENT_TIMEOUT_MS)
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "login"

# Axes checks every sign-in first and refuses one from a username and address that failed
# LOGIN_FAILURE_LIMIT times in a row, for LOGIN_LOCKOUT_MINUTES (or until a manager
# unlocks it). By username and address together, so a stranger guessing cannot lock a
# member of staff out of the spa's own computers.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries while locked out are refused unchecked and do not restart the wait.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "spa.throttle.client_ip"
# Lockouts are logged by username and address only, and no banner on every command.
AXES_VERBOSE = False
# Intake links and calendar feeds: an address that asks for this many unknown ones within
# ten minutes is refused for the rest of those ten minutes.
LINK_GUESS_LIMIT = env_int("LINK_GUESS_LIMIT", 20)

# A staff member's sign-in ends after a working day without use, and when the browser closes
# (the spa's computers are shared). Use pushes the end back (accounts.middleware).
SESSION_COOKIE_AGE = 10 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor sign-in with an authenticator app; compulsory for managers when set.
REQUIRE_MANAGER_2FA = env_bool("REQUIRE_MANAGER_2FA")

# Every page says where it may load from: our own files only, no inline script or style, no
# framing, forms posted only to us. Inline scripts would need the per-page nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# The app serves its own static files (WhiteNoise). STATIC_MANIFEST=true (the Docker image
# sets it and runs collectstatic) gives them content-hashed names, compressed copies and a
# year's caching. It is a switch rather than "whenever DEBUG is off" because that storage
# can only name files that collectstatic has gathered, even with WHITENOISE_MANIFEST_STRICT
# off: tests (DEBUG off) and `make run` would need a collectstatic first.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The contraindication rules (docs/domain.md): how long an intake stays valid, and how long
# after a filler or botox injection microcurrent must wait.
INTAKE_VALID_DAYS = env_int("INTAKE_VALID_DAYS", 90)
INJECTABLE_WAIT_DAYS = env_int("INJECTABLE_WAIT_DAYS", 14)

# Clients with no visit for this many years are listed for a manager to erase.
RETENTION_YEARS = env_int("RETENTION_YEARS", 8)

# Without Redis, tasks run in-process as they are sent, so a bare machine needs no broker.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# A worker that cannot reach the broker gives up at once: the outbox keeps the message.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULE = {
    "deliver-messages": {"task": "outbox.tasks.deliver_due", "schedule": 60.0},
    "nightly-review": {
        "task": "treatments.tasks.nightly_review",
        "schedule": crontab(hour=2, minute=30),
    },
}

# Messages: a reminder this many hours before each session; a failing message is tried this
# many times (waiting longer each time) before it stays failed, visible in the admin. A message
# a worker took to send but never recorded (the worker died) goes again after the timeout,
# which must be longer than any one send can take.
REMINDER_HOURS_BEFORE = env_int("REMINDER_HOURS_BEFORE", 24)
MAINTENANCE_REMINDER_DAYS_BEFORE = env_int("MAINTENANCE_REMINDER_DAYS_BEFORE", 7)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 6)
OUTBOX_SENDING_TIMEOUT_SECONDS = env_int("OUTBOX_SENDING_TIMEOUT_SECONDS", 300)

# The cache counts guesses at intake links and calendar feeds. Redis shares the count between
# gunicorn's workers; without it each process counts on its own (fine for one process).
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-ratelimit lists only the caches it knew of in 2023: Django's own RedisCache counts
# atomically too (W001), and local memory is a choice made above, knowingly (E003).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + (
    [] if REDIS_URL else ["django_ratelimit.E003"]
)
# The sessions' and series' indexes carry extra columns for PostgreSQL's index-only reads;
# SQLite, the embedded default, keeps the key columns, which is all it needs (W040).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS.append("models.W040")

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "lift-and-glow-demo")

# Email: printed to the console unless EMAIL_URL says otherwise (smtp://user:password@host:587
# ?tls=true, smtps://…, file:///path, console://, locmem://, dummy://; see spa/email_url.py).
_email = email_url.parse(os.environ.get("EMAIL_URL", ""))
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT = _email.timeout
EMAIL_FILE_PATH = _email.file_path
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Spa Planner <bookings@localhost>")
# The spa's name in messages to clients, and the address links in emails point at.
SPA_NAME = os.environ.get("SPA_NAME", "Spa Planner")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The name an authenticator app shows beside a staff member's codes.
OTP_TOTP_ISSUER = SPA_NAME

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
