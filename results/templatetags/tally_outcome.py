"""``{% proposal_outcome proposal as outcome %}``: a proposal's published result, or None; its
votes are shown only when ``voting.view_vote_counts`` allows (``outcome.show_votes``)."""

import rules
from django import template

from budgeting.models import BudgetCycle

from results.reasons import describe_reason
from results.selectors import get_funded_allocation

register = template.Library()


@register.simple_tag(takes_context=True)
def proposal_outcome(context, proposal):

    allocation = get_funded_allocation(proposal=proposal)
    if allocation is None:
        return None
    cycle = allocation.tally_run.scope.cycle
    return {
        "allocation": allocation,
        "reason": describe_reason(allocation),
        "cycle": cycle,
        "show_votes": rules.has_perm("voting.view_vote_counts", context["request"].user, cycle),
    }


@register.filter
def tally_rule_label(rule: str) -> str:
    """A count's rule in words (``greedy`` -> "Most votes first"), never the code word."""
    try:
        return str(BudgetCycle.TallyRule(rule).label)
    except ValueError:
        return rule
