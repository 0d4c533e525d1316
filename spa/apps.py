from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SpaConfig(AppConfig):
    name = "spa"
    verbose_name = "Spa Planner"

    def ready(self) -> None:
        from spa.groups import managers_see_every_record

        # After every migrate, once Django has made the permissions of any new model. (Django
        # sends it for each app with models, and this app has none.)
        post_migrate.connect(managers_see_every_record)
