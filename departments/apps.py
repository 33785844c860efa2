from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("City departments")

    def ready(self) -> None:
        from departments.selectors import get_pending_review_refusal
        from proposals.review.gates import register_recommendation_gate

        # The 분과 recommends after the departments have answered (issue #11).
        register_recommendation_gate(get_pending_review_refusal)
