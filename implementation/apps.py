from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImplementationConfig(AppConfig):
    name = "implementation"
    verbose_name = _("Implementation")

    def ready(self) -> None:
        from implementation import announcements
        from implementation import dashboard

        announcements.register()
        dashboard.register()
