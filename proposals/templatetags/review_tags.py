"""Template tags for the council review: the review block, the funnel, the Council nav link."""

from django import template

from budgeting.selectors import is_council_member_anywhere
from proposals.models import FeasibilityReview
from proposals.review.selectors import get_proposal_funnel
from proposals.review.selectors import get_review_summary
from proposals.review.selectors import list_rubric

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def review_summary(context, proposal):
    """``{% review_summary proposal as summary %}``: what this viewer may see of the review."""
    return get_review_summary(proposal=proposal, user=_user(context))


@register.simple_tag
def proposal_funnel(cycle):
    """``{% proposal_funnel cycle as funnel %}``: the public funnel counts (two queries)."""
    return get_proposal_funnel(cycle=cycle)


@register.simple_tag(takes_context=True)
def shows_council_link(context) -> bool:
    """Whether the nav shows the Council link: council members of any cycle, and staff."""
    user = _user(context)
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or is_council_member_anywhere(user=user)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def bar_width(row, step) -> int:
    """A funnel row's ``step`` as a share of its submitted proposals, in steps of 5 %."""
    return row.percent(step)


@register.simple_tag
def reason_label(code) -> str:
    """The translated label of a feasibility reason code (unknown codes shown as they are)."""
    try:
        return str(FeasibilityReview.ReasonCode(code).label)
    except ValueError:
        return str(code)


@register.simple_tag
def cycle_rubric(cycle):
    """``{% cycle_rubric cycle as rubric %}``: the cycle's published scoring rubric."""
    return list(list_rubric(cycle=cycle))
