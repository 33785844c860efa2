from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals and council review")

    def ready(self) -> None:
        from proposals import dashboard

        dashboard.register()
