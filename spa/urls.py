from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from spa import views

urlpatterns = [
    path("", include("treatments.urls")),
    path("", include("clients.urls")),
    path("", include("privacy.urls")),
    path("", include("accounts.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# A database that is down answers a calm 503 rather than the 500 page (spa.views.server_error).
handler500 = "spa.views.server_error"
