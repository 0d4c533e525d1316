"""The site with the floor's address, for gunicorn while `manage.py bench --server` runs."""

from __future__ import annotations

import os

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spa.settings")
django.setup(set_prefix=False)
# Before the first request, so every worker resolves addresses with the floor's among them.
settings.ROOT_URLCONF = "spa.bench.urls"

application = get_wsgi_application()
