"""Why a project was (not) funded, in plain words: used by the results pages and tags."""

from django.utils.translation import gettext as _

from budgeting.models import Allocation
from core.templatetags.money import format_won


def describe_reason(allocation: Allocation) -> str:  # noqa: PLR0911 (one return per reason)
    """Why a project was (not) funded, in plain words, from its reason code and numbers."""
    p = allocation.reason_params or {}
    values = {
        "cost": format_won(allocation.cost_won),
        "left": format_won(p.get("remaining_budget", 0)),
        "money": format_won(p.get("supporters_money", 0)),
        "score": p.get("score", 0),
        "threshold": p.get("threshold", 0),
        "votes": p.get("votes", 0),
        "minimum": p.get("minimum", 0),
    }
    code = allocation.reason_code
    if code == "funded" and "round" in p:
        return _("Funded: its supporters' equal shares paid for it.")
    if code == "funded":
        return (
            _("Funded: %(left)s was left when its turn came, enough for its cost of %(cost)s.")
            % values
        )
    if code == "funded_in_completion":
        return (
            _(
                "Funded with the money left over (most votes first): %(left)s was left, it cost "
                "%(cost)s."
            )
            % values
        )
    if code == "not_enough_budget":
        return _("Not funded: %(left)s left, cost %(cost)s.") % values
    if code == "below_threshold":
        return _("Not funded: %(score)s votes, fewer than the %(threshold)s needed.") % values
    if code == "below_minimum_support" and allocation.votes == 0:
        return _("Not funded: nobody voted for it.")
    if code == "below_minimum_support":
        return (
            _("Not funded: %(votes)s votes, below the minimum support of %(minimum)s votes.")
            % values
        )
    if code == "not_reached_no_skip":
        return _("Not funded: counting stopped at an earlier project that did not fit.")
    if code == "supporters_could_not_pay" and allocation.votes == 0:
        return _("Not funded: nobody voted for it.")
    if code == "supporters_could_not_pay":
        text = (
            _(
                "Not funded: its supporters' remaining shares (%(money)s) could not pay for it "
                "(cost %(cost)s)."
            )
            % values
        )
        if "remaining_budget" in p:
            text += " " + _("The %(left)s left over at the end was not enough either.") % values
        return text
    return _("Funded.") if allocation.is_funded else _("Not funded.")
