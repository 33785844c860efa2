from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("City departments")

    def ready(self) -> None:
        from accounts.selectors import register_mfa_role
        from departments.selectors import get_pending_review_refusal
        from departments.selectors import is_department_official
        from proposals.review.gates import register_recommendation_gate

        # Officials must set up an authenticator before the staff pages open, as other staff.
        register_mfa_role(is_department_official)

        # The 분과 recommends after the departments have answered (issue #11).
        register_recommendation_gate(get_pending_review_refusal)
