from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Signing in"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.sign_in import signed_in

        user_logged_in.connect(signed_in, dispatch_uid="accounts.signed_in")
