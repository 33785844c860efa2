from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("E-mail outbox")

    def ready(self) -> None:
        from core.retention import RetentionRule
        from core.retention import register_retention_rule
        from notifications.services import SENT_OUTBOX_RETENTION_DAYS
        from notifications.services import purge_sent_outbox

        register_retention_rule(
            RetentionRule(
                name="notifications.sent_outbox",
                description=_("E-mails we sent you (address and contents), after delivery"),
                days=SENT_OUTBOX_RETENTION_DAYS,
                purge=purge_sent_outbox,
            )
        )
