"""``{% proposal_outcome proposal as outcome %}``: a proposal's published result, or None."""

from django import template

from results.reasons import describe_reason
from results.selectors import get_funded_allocation

register = template.Library()


@register.simple_tag
def proposal_outcome(proposal):

    allocation = get_funded_allocation(proposal=proposal)
    if allocation is None:
        return None
    return {
        "allocation": allocation,
        "reason": describe_reason(allocation),
        "cycle": allocation.tally_run.scope.cycle,
    }
