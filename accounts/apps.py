from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Residents and roles")

    def ready(self) -> None:
        from accounts.session_limits import connect_signals

        connect_signals()
