"""The site's addresses and the floor's, served only while the bench runs."""

from __future__ import annotations

from django.urls import path

from spa.bench.floor import FLOOR_PATH, floor
from spa.urls import handler500
from spa.urls import urlpatterns as site_patterns

urlpatterns = [*site_patterns, path(FLOOR_PATH, floor, name="bench_floor")]

__all__ = ["handler500", "urlpatterns"]
