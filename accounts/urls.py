from __future__ import annotations

from django.urls import path

from accounts import views

urlpatterns = [
    path("accounts/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/lockouts/", views.lockout_list, name="lockout_list"),
    path("accounts/lockouts/unlock/", views.lockout_clear, name="lockout_clear"),
]
