"""Voting helpers shared by services, selectors and views: the voter key and readable refusals."""

import hashlib
import hmac
import random

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.exceptions import ApplicationError
from core.templatetags.money import format_won
from voting.ballot_rules import BallotRuleError


class BallotRefusedError(ApplicationError):
    """A ballot was not stored; ``message`` tells the resident why (never a server error)."""


def voter_key(*, user_id: int, scope_id: int) -> str:
    """hex HMAC-SHA256(CHAMYEO_VOTER_KEY_SECRET, "user id:scope id"): the only key of a ballot."""
    secret = settings.CHAMYEO_VOTER_KEY_SECRET
    if not secret:
        raise ImproperlyConfigured("CHAMYEO_VOTER_KEY_SECRET must be set to store ballots.")
    message = f"{user_id}:{scope_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def order_for_voter(items: list, *, key: str) -> list:
    """``items`` in a random order that is stable for one voter on one ballot."""
    shuffled = list(items)
    random.Random(f"ballot-order:{key}").shuffle(shuffled)  # noqa: S311 (order, not secrecy)
    return shuffled


def _too_many(p: dict) -> str:
    return (
        ngettext(
            "You chose %(used)d projects; you may choose at most %(allowed)d project.",
            "You chose %(used)d projects; you may choose at most %(allowed)d projects.",
            p["allowed"],
        )
        % p
    )


def _too_few(p: dict) -> str:
    return (
        ngettext(
            "You chose %(used)d projects; please choose at least %(minimum)d project.",
            "You chose %(used)d projects; please choose at least %(minimum)d projects.",
            p["minimum"],
        )
        % p
    )


def _over_budget(p: dict) -> str:
    return _(
        "Your choices cost %(used)s together, more than this ballot's budget of %(allowed)s. "
        "Remove a project to fit the budget."
    ) % {"used": format_won(p["used"]), "allowed": format_won(p["allowed"])}


_RULE_ERROR_MESSAGES = {
    "empty": lambda p: _("Choose at least one project."),
    "not_on_ballot": lambda p: _(
        "Some of your choices are not on this ballot. Please choose again."
    ),
    "points_not_allowed": lambda p: _("Points can only be given on a cumulative ballot."),
    "points_not_positive": lambda p: _("Points must be whole numbers from 1 up."),
    "too_many": _too_many,
    "too_few": _too_few,
    "over_budget": _over_budget,
    "too_many_points_on_one": lambda p: (
        _("You may give at most %(allowed)d points to one project.") % p
    ),
    "too_many_points": lambda p: (
        _("You gave %(used)d points; you have %(allowed)d points to spread.") % p
    ),
    "rank_out_of_range": lambda p: _("Ranks go from 1 (your first choice) to %(allowed)d.") % p,
    "rank_repeated": lambda p: (
        _("You gave rank %(rank)d to more than one project; give each rank to one project.") % p
    ),
    "rank_missing": lambda p: (
        _("Rank %(rank)d is missing: number your choices 1, 2, 3 … without a gap.") % p
    ),
}


def describe_rule_error(error: BallotRuleError) -> str:
    """The resident-facing sentence for a ballot that breaks its rule."""
    describe = _RULE_ERROR_MESSAGES.get(error.code)
    if describe is None:
        return _("This ballot does not follow the cycle's rule.")
    return describe(error.params)
