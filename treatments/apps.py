from __future__ import annotations

from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments, series and sessions"

    def ready(self) -> None:
        from treatments import receivers  # noqa: F401  (connects them)
