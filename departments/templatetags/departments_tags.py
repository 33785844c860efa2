"""``{% department_trail proposal as trail %}`` and ``{% department_funnel cycle as funnel %}``."""

from django import template
from django.utils.translation import get_language

from departments.selectors import PublicTrail
from departments.selectors import count_infeasible_by_reason
from departments.selectors import count_reviews_by_department
from departments.selectors import get_public_trail
from departments.selectors import list_ladder
from proposals.models import FeasibilityReview

register = template.Library()


@register.simple_tag
def department_trail(proposal) -> PublicTrail:
    return get_public_trail(proposal=proposal)


@register.simple_tag
def department_funnel(cycle) -> dict:
    reasons = count_infeasible_by_reason(cycle=cycle)
    labels = dict(FeasibilityReview.ReasonCode.choices)
    return {
        "departments": count_reviews_by_department(cycle=cycle),
        "reasons": [(labels.get(code, code), count) for code, count in sorted(reasons.items())],
        "ladder": list(list_ladder(cycle=cycle)),
    }


@register.filter
def department_name(row: dict) -> str:
    """The Korean or English name of a funnel row (``department__name_ko`` / ``_en``)."""
    if (get_language() or "ko").startswith("en"):
        return str(row["department__name_en"])
    return str(row["department__name_ko"])
