"""Time the busiest pages against this database: median milliseconds and queries per page.

python manage.py seed_demo --clients 20000
python manage.py bench_pages --runs 20
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from treatments.models import Series


class Command(BaseCommand):
    help = "Print the median time and query count of the staff pages, as a logged-in user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=10, help="Requests per page.")
        parser.add_argument("--esthetician", default="esthetician", help="Esthetician login.")
        parser.add_argument("--manager", default="manager", help="Manager login.")

    def handle(self, *args: Any, runs: int, esthetician: str, manager: str, **options: Any):
        users = get_user_model().objects
        try:
            staff = users.get(username=esthetician)
            boss = users.get(username=manager)
        except users.model.DoesNotExist as missing:
            raise CommandError(f"{missing}: run `manage.py seed_demo` first.") from None
        series = Series.objects.filter(status=Series.Status.ACTIVE).order_by("-pk").first()
        if series is None:
            raise CommandError("No series in progress: run `manage.py seed_demo` first.")
        client = series.client
        pages = [
            (staff, "Today", reverse("today")),
            (staff, "Calendar, week", reverse("calendar") + "?view=week"),
            (staff, "Calendar, team day", reverse("calendar") + "?view=day"),
            (staff, "Clients", reverse("client_list")),
            (staff, "Clients, search", reverse("client_list") + f"?q={client.last_name}"),
            (staff, "Client page", reverse("client_detail", args=[client.pk])),
            (staff, "Series page", reverse("series_detail", args=[series.pk])),
            (boss, "Dashboard", reverse("dashboard")),
            (boss, "Dashboard, behind", reverse("dashboard") + "?flag=behind&status="),
            (boss, "Dashboard, by next", reverse("dashboard") + "?sort=next&dir=asc&status="),
        ]
        self.stdout.write(f"{'page':22} {'median ms':>10} {'min ms':>8} {'queries':>8}  status")
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            for user, name, url in pages:
                self.stdout.write(self.measure(user, name, url, runs))

    def measure(self, user: Any, name: str, url: str, runs: int) -> str:
        browser = Browser()
        browser.force_login(user)
        browser.get(url)  # warm the caches, as a page opened twice in a day would be
        timings = []
        with CaptureQueriesContext(connection) as queries:
            for _ in range(runs):
                started = time.perf_counter()
                response = browser.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        per_request = len(queries.captured_queries) // runs
        return (
            f"{name:22} {statistics.median(timings):10.1f} {min(timings):8.1f} "
            f"{per_request:8d}  {response.status_code}"
        )
