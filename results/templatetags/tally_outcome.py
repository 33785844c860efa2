"""``{% proposal_outcome proposal as outcome %}``: a proposal's published result, or None; its
votes are shown only when ``voting.view_vote_counts`` allows (``outcome.show_votes``)."""

from fractions import Fraction

import rules
from django import template

from budgeting.models import Allocation
from budgeting.models import BudgetCycle
from core.templatetags.money import format_won
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


@register.filter
def share_won(amount: Fraction | int | None) -> str:
    """An exact amount of a share (a fraction of a won) rounded to the nearest won, for reading."""
    if amount is None:
        return ""
    return format_won(round(Fraction(amount)))


@register.filter
def describe_allocation(allocation: Allocation) -> str:
    """Why a project was (not) funded, in plain words."""
    return describe_reason(allocation)
