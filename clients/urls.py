from __future__ import annotations

from django.urls import path

from clients.views import intake_link, staff

urlpatterns = [
    path("clients/", staff.client_list, name="client_list"),
    path("clients/new/", staff.client_create, name="client_create"),
    path("clients/<int:pk>/", staff.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", staff.client_edit, name="client_edit"),
    path("clients/<int:pk>/intake/", staff.client_intake_new, name="client_intake_new"),
    path("clients/<int:pk>/intake-link/", staff.client_intake_link, name="client_intake_link"),
    path("clients/<int:pk>/intakes/<int:intake_pk>/", staff.intake_detail, name="intake_detail"),
    path("intake/thanks/", intake_link.intake_thanks, name="intake_thanks"),
    path("intake/<str:token>/", intake_link.intake_link, name="intake_link"),
]
