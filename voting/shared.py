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
    return _hmac(f"{user_id}:{scope_id}")


def _hmac(message: str) -> str:
    secret = settings.CHAMYEO_VOTER_KEY_SECRET
    if not secret:
        raise ImproperlyConfigured("CHAMYEO_VOTER_KEY_SECRET must be set to store ballots.")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


# The kinds of verified identity a person key is made from.
PERSON_PHONE = "phone"  # a number verified by SMS (E.164, e.g. +821012345678)
PERSON_CENSUS = "census"  # a census/ID reference an officer checked and recorded
PERSON_CODE = "code"  # a one-time voting code's id: its holder, when nothing else is known
PERSON_ACCOUNT = "account"  # an account without a verified phone number


def person_key(*, kind: str, value: str) -> str:
    """hex HMAC-SHA256(CHAMYEO_VOTER_KEY_SECRET, "person:kind:value"): who a person is, for the
    one-ballot-per-person lock, without storing the phone number or census reference itself.

    The "person:" prefix keeps these keys apart from ballot keys made with the same secret."""
    value = value.strip()
    if kind == PERSON_CENSUS:
        value = "".join(value.split()).upper().replace("-", "")
    return _hmac(f"person:{kind}:{value}")


def person_ballot_key(*, person_key: str, scope_id: int) -> str:
    """The ballot key of a person who votes without an account (code, phone, kiosk, paper)."""
    return _hmac(f"ballot:{person_key}:{scope_id}")


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


def person_key_of(user) -> str:  # accounts.User (this module imports no models)
    """The person key of an account holder: their verified phone number, else the account."""
    profile = getattr(user, "resident_profile", None)
    if profile is not None and profile.phone_verified_at and profile.phone_number:
        return person_key(kind=PERSON_PHONE, value=profile.phone_number.as_e164)
    return person_key(kind=PERSON_ACCOUNT, value=str(user.pk))
