from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = _("Counting and results")

    def ready(self) -> None:
        from budgeting.phases import Phase
        from budgeting.services.cycles import register_phase_step
        from results.services.publication import publish_results

        register_phase_step(Phase.PUBLISHED, publish_results)
