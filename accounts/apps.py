from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Residents and roles")

    def ready(self) -> None:
        from accounts.services import UNCONFIRMED_SIGNUP_RETENTION_DAYS
        from accounts.services import purge_unconfirmed_signups
        from accounts.session_limits import connect_signals
        from core.retention import RetentionRule
        from core.retention import register_retention_rule

        register_retention_rule(
            RetentionRule(
                name="accounts.unconfirmed_signups",
                description=_("Sign-ups whose e-mail address was never confirmed"),
                days=UNCONFIRMED_SIGNUP_RETENTION_DAYS,
                purge=purge_unconfirmed_signups,
            )
        )

        connect_signals()
