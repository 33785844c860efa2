from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from core.retention import RetentionRule
        from core.retention import register_retention_rule
        from privacy.services import purge_expired_sessions

        register_retention_rule(
            RetentionRule(
                name="sessions.expired",
                description=_("Login sessions, once they have expired"),
                days=0,
                purge=purge_expired_sessions,
            )
        )
