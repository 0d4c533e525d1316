"""Markers shared across the suite."""

from __future__ import annotations

import pytest
from django.conf import settings

requires_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: run with DATABASE_URL=postgresql://... (CI does)",
)
