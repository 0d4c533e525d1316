"""Settings come from the environment; a production start without a secret key is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOW = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
    "'zone': settings.TIME_ZONE, 'intake': settings.INTAKE_VALID_DAYS, "
    "'injectable': settings.INJECTABLE_WAIT_DAYS, 'hosts': settings.ALLOWED_HOSTS}))"
)
SETTINGS_VARIABLES = [
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "TIME_ZONE",
    "INTAKE_VALID_DAYS",
    "INJECTABLE_WAIT_DAYS",
]


def start(**environment: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh Python with exactly these settings variables."""
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env |= {"DJANGO_SETTINGS_MODULE": "spa.settings", **environment}
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_without_debug_a_missing_secret_key_stops_the_start_with_a_clear_message():
    started = start(DEBUG="false")

    assert started.returncode != 0
    assert "SECRET_KEY is not set" in started.stderr


def test_defaults_are_sqlite_in_process_tasks_and_london():
    started = start(DEBUG="true")

    shown = json.loads(started.stdout)
    assert shown["engine"] == "django.db.backends.sqlite3"
    assert shown["eager"] is True
    assert shown["zone"] == "Europe/London"
    assert (shown["intake"], shown["injectable"]) == (90, 14)


def test_the_environment_sets_database_broker_zone_and_rules():
    started = start(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgresql://postgres@127.0.0.1:5432/spa",
        REDIS_URL="redis://127.0.0.1:6379/0",
        TIME_ZONE="Europe/Dublin",
        INTAKE_VALID_DAYS="60",
        INJECTABLE_WAIT_DAYS="21",
        ALLOWED_HOSTS="spa.example.com, www.spa.example.com",
    )

    shown = json.loads(started.stdout)
    assert shown["engine"] == "django.db.backends.postgresql"
    assert (shown["eager"], shown["broker"]) == (False, "redis://127.0.0.1:6379/0")
    assert shown["zone"] == "Europe/Dublin"
    assert (shown["intake"], shown["injectable"]) == (60, 21)
    assert shown["hosts"] == ["spa.example.com", "www.spa.example.com"]


def test_a_rule_setting_that_is_not_a_number_is_named_in_the_error():
    started = start(DEBUG="true", INTAKE_VALID_DAYS="ninety")

    assert started.returncode != 0
    assert "INTAKE_VALID_DAYS must be a whole number" in started.stderr
