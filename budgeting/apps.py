from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "budgeting"
    verbose_name = _("Budget cycles")

    def ready(self) -> None:
        from budgeting import announcements

        announcements.register()
