"""Time every staff page and write against a floor, on this database (README "Speed").

python manage.py seed_demo --clients 100000
python manage.py bench --runs 30
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.test import Client as Browser
from django.test.utils import override_settings
from django.utils import timezone

from spa.bench import report
from spa.bench.pages import ESTHETICIAN, MANAGER, bench_pages
from spa.bench.subjects import subjects_pick
from spa.bench.timing import browser_for, measure

WARM_UP = 3
# In-process requests: the test client's host, errors raised, the bench's urlconf with the floor.
IN_PROCESS = {"ROOT_URLCONF": "spa.bench.urls", "DEBUG": False, "ALLOWED_HOSTS": ["testserver"]}


class Command(BaseCommand):
    help = (
        "Time every staff page and write against a floor (a signed-in page with nothing on "
        "it): median, p95, queries and × floor. Nothing is kept: the run is rolled back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=30, help="Timed requests per page.")
        parser.add_argument("--only", default="", help="Only pages whose name holds this.")
        parser.add_argument("--json", action="store_true", help="Print a JSON list instead.")
        parser.add_argument(
            "--server",
            action="store_true",
            help="Instead: requests per second under gunicorn (2 workers), floor, week, dashboard.",
        )
        parser.add_argument(
            "--seconds", type=float, default=10, help="With --server: seconds per page."
        )

    def handle(self, *args: Any, runs: int, only: str, json: bool, server: bool, **options: Any):
        if server:
            from spa.bench.server import throughput

            throughput(seconds=options["seconds"], write=self.stdout.write)
            return
        now = timezone.now()
        with override_settings(**IN_PROCESS), transaction.atomic():
            subjects = subjects_pick(now=now)
            pages = [page for page in bench_pages(subjects) if only.lower() in page.name.lower()]
            browsers = {
                ESTHETICIAN: browser_for(subjects.esthetician.user),
                MANAGER: browser_for(subjects.manager),
            }
            floor_browser = browser_for(subjects.esthetician.user)
            if not json:
                self.stdout.write(
                    report.header(
                        clients=subjects.clients,
                        sessions=subjects.sessions,
                        at=timezone.localtime(now),
                        runs=runs,
                        warm_up=WARM_UP,
                    )
                )
                self.stdout.write(report.COLUMNS)
            measures: list[Any] = []
            for page in pages:
                try:
                    measured: Any = measure(
                        page,
                        browser=browsers.get(page.who) or Browser(),
                        floor_browser=floor_browser,
                        runs=runs,
                        warm_up=WARM_UP,
                    )
                except Exception as error:  # one broken page must not stop the rest
                    measured = report.Failure(page.name, f"{type(error).__name__}: {error}")
                measures.append(measured)
                if not json:
                    self.stdout.write(report.row(measured))
            # Sessions signed in, access logs, feed fetches: the bench leaves none behind.
            transaction.set_rollback(True)
        if json:
            self.stdout.write(report.as_json(measures))
        missing = [m.page for m in measures if isinstance(m, report.Failure) or not m.ok]
        if missing:
            sys.stderr.write(f"Not as expected: {', '.join(missing)}.\n")
