"""The Celery app: workers and beat read their settings from Django's (CELERY_*)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spa.settings")

app = Celery("spa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
