from __future__ import annotations

from django.urls import path

from privacy import views

urlpatterns = [
    path("clients/<int:pk>/record/", views.client_record_page, name="client_record"),
    path("clients/<int:pk>/record.json", views.client_record_json, name="client_record_json"),
    path("clients/<int:pk>/erase/", views.client_erase_view, name="client_erase"),
    path("privacy/retention/", views.retention, name="retention"),
]
