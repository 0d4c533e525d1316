from __future__ import annotations

from django.urls import path

from treatments import views

urlpatterns = [
    path("", views.today, name="today"),
]
