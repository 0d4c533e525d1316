"""The Docker stack's files stay true to the app: its settings, services, image and locks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_django.live_server_helper import LiveServer

ROOT = Path(__file__).resolve().parent.parent
SETTING_READ = re.compile(r'(?:os\.environ\.get|env_bool|env_int|env_list)\(\s*"([A-Z][A-Z0-9_]*)"')
EXAMPLE_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
PIN = re.compile(r"^([a-z0-9][a-z0-9._-]*)==(\S+)", re.MULTILINE)


def settings_read() -> set[str]:
    """The environment variables spa/settings.py reads."""
    return set(SETTING_READ.findall((ROOT / "spa" / "settings.py").read_text()))


def pins(lock: str) -> dict[str, str]:
    """Package name to pinned version, from a pip-compile lock file."""
    return dict(PIN.findall((ROOT / lock).read_text()))


def test_every_setting_the_app_reads_is_in_env_example() -> None:
    read = settings_read()
    listed = set(EXAMPLE_LINE.findall((ROOT / ".env.example").read_text()))

    assert {"SECRET_KEY", "EMAIL_URL", "HTTPS"} <= read
    assert read - listed == set()


def compose_config(directory: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`docker-compose config` with these arguments, with the example settings as .env."""
    if shutil.which("docker-compose") is None:
        pytest.skip("needs docker-compose to read docker-compose.yml (apt-get install it)")
    # Compose needs a .env beside the project; the example, as the README's first step makes.
    shutil.copy(ROOT / ".env.example", directory / ".env")
    compose = [
        "docker-compose",
        "-f",
        ROOT / "docker-compose.yml",
        "--project-directory",
        directory,
    ]
    shown = subprocess.run(
        [*compose, "config", *arguments], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stderr
    return shown


def services(config: str) -> dict[str, str]:
    """Each service's part of `docker-compose config`'s output, by name."""
    parts: dict[str, str] = {}
    name = None
    for line in config.splitlines():
        if found := re.fullmatch(r"  ([a-z-]+):", line):
            name = found[1]
            parts[name] = ""
        elif not line.startswith("  "):
            name = None
        elif name:
            parts[name] += line + "\n"
    return parts


def test_compose_runs_the_six_services_with_the_example_settings(tmp_path: Path) -> None:
    shown = compose_config(tmp_path, "--services")

    assert sorted(shown.stdout.split()) == ["beat", "db", "migrate", "redis", "web", "worker"]


def test_only_migrate_knows_the_owners_and_the_superusers_passwords(tmp_path: Path) -> None:
    stack = services(compose_config(tmp_path).stdout)

    assert "MIGRATE_DATABASE_URL: postgresql://spa_owner:" in stack["migrate"]
    assert "PGPASSWORD:" in stack["migrate"]
    assert "manage.py db_roles && python manage.py migrate" in stack["migrate"]
    for name in ("web", "worker", "beat"):
        assert "DATABASE_URL: postgresql://spa_app:" in stack[name]
        assert "spa_owner" not in stack[name]
        assert "PGPASSWORD" not in stack[name]
        assert "migrate --noinput" not in stack[name]


def test_the_image_is_slim_and_runs_as_its_own_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)

    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
    assert "--require-hashes -r requirements-runtime.lock" in dockerfile


def test_secrets_and_local_files_stay_out_of_the_image() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())

    assert {".env", ".venv", ".git", "db.sqlite3", "staticfiles"} <= ignored


def test_the_image_lock_pins_the_same_versions_as_the_development_lock() -> None:
    runtime, development = pins("requirements-runtime.lock"), pins("requirements.lock")

    assert {"django", "gunicorn", "whitenoise", "redis", "psycopg"} <= set(runtime)
    assert {name: development.get(name) for name in runtime} == runtime
    assert "pytest" not in runtime


@pytest.mark.django_db(transaction=True)
def test_the_containers_health_check_passes_on_a_healthy_site(live_server: LiveServer) -> None:
    checked = subprocess.run(
        [sys.executable, ROOT / "bin" / "docker-healthcheck", f"{live_server.url}/healthz"],
        env={"ALLOWED_HOSTS": ".localhost,127.0.0.1"},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert checked.returncode == 0, checked.stderr


def test_the_containers_health_check_fails_when_nothing_answers() -> None:
    checked = subprocess.run(
        [sys.executable, ROOT / "bin" / "docker-healthcheck", "http://127.0.0.1:1/healthz"],
        env={},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert checked.returncode == 1
    assert "http://127.0.0.1:1/healthz" in checked.stderr


def make_run_dry(*settings: str, env: dict[str, str] | None = None) -> list[str]:
    """The commands `make run` would run, without running them."""
    shown = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *settings],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    return shown.stdout.splitlines()


def test_make_run_points_links_at_the_port_it_serves() -> None:
    serve = make_run_dry("PORT=8001")[-1]

    assert "SITE_URL=http://127.0.0.1:8001 " in serve
    assert serve.endswith("runserver 127.0.0.1:8001")


def test_make_run_keeps_a_site_url_that_was_set() -> None:
    serve = make_run_dry(env={"SITE_URL": "https://spa.example"})[-1]

    assert "SITE_URL=https://spa.example " in serve


def test_make_run_prints_the_logins_not_the_demo_spas_emails() -> None:
    seed = next(line for line in make_run_dry() if "seed_demo" in line)

    assert "EMAIL_URL=dummy://" in seed
