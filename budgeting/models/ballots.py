"""Ballots and participation, kept apart so that no row links a person to what they chose.

``Ballot`` has no foreign key to users: it is keyed by ``voter_key`` =
HMAC(settings.CHAMYEO_VOTER_KEY_SECRET, "user id:scope id"), and it stores no time (a time equal to
``Participation.voted_at`` would let anyone join the two tables) and no receipt. Its primary key is
a random UUID, so ids do not reveal the order ballots were cast in. ``Participation`` says *who*
voted and when, never *what*; it holds the voter's receipt code, so a receipt leads to a person
(who knows it anyway) and never to a ballot's content. When voting closes, the receipts of the
ballots counted are copied, sorted, into ``CountedReceipt`` (a scope and a code, nothing else):
the list published with the results.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# No 0/O/1/I/L: receipts are read aloud and typed back.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_receipt() -> str:
    """A random receipt code like ``7KQ4-MX2P-9HTA-C3VE`` (16 symbols from 80 random bits)."""
    value = int.from_bytes(secrets.token_bytes(10), "big")
    chars = []
    for _position in range(16):
        value, index = divmod(value, len(RECEIPT_ALPHABET))
        chars.append(RECEIPT_ALPHABET[index])
    return "-".join("".join(chars[i : i + 4]) for i in range(0, 16, 4))


class Ballot(models.Model):
    """One voter's current ballot on one scope. Replaced in place when the voter changes it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    voter_key = models.CharField(_("voter key"), max_length=64)
    scope = models.ForeignKey(
        "budgeting.BallotScope",
        on_delete=models.PROTECT,
        related_name="ballots",
        verbose_name=_("ballot scope"),
    )
    # The budget-school source of the weighted rule: set when the ballot is cast by someone who
    # completed the cycle's budget school. A tag on the ballot, never the person: it says "a
    # graduate's ballot", as anonymous as any other (db_default: the SQL cast leaves it out).
    from_school_graduate = models.BooleanField(
        _("cast by a budget-school graduate"), default=False, db_default=False
    )
    # Not columns: set by voting's submit_ballot on the ballot it returns (whether it replaced
    # an earlier one, and the receipt code it gave the voter, which is stored with the voter's
    # Participation, never with the ballot); a ballot read from the database has neither.
    is_change: bool
    receipt: str

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["voter_key", "scope"], name="ballot_one_per_voter_per_scope"
            ),
        ]
        # the budget-school source reads only the tagged ballots of a scope
        indexes = [
            models.Index(
                fields=["scope"],
                condition=Q(from_school_graduate=True),
                name="ballot_school_graduates",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Ballot"))


class BallotChoice(models.Model):
    """A project chosen on a ballot, with its points: 1 on an approval or knapsack ballot, the
    points given on a cumulative ballot, the rank (1 = first choice) on a ranked ballot (the count
    turns rank r of at most k into k + 1 - r points)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="choices", verbose_name=_("ballot")
    )
    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="ballot_choices",
        verbose_name=_("proposal"),
    )
    points = models.PositiveSmallIntegerField(_("points"), default=1)

    class Meta:
        verbose_name = _("ballot choice")
        verbose_name_plural = _("ballot choices")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "proposal"], name="ballotchoice_one_per_proposal"
            ),
            models.CheckConstraint(condition=Q(points__gte=1), name="ballotchoice_points_positive"),
        ]

    def __str__(self) -> str:
        return str(_("Ballot choice"))


class Participation(models.Model):
    """Who took part on which ballot, by which channel and when: never what they chose.

    The row is also the per-person lock: every write of a ballot locks it first, by the person
    key, so ballots for one person by any channels and accounts are serialised and all but the
    first are refused (an online ballot may be changed online).
    """

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PHONE = "phone", _("Phone number verified by SMS")
        CODE = "code", _("One-time voting code")
        KIOSK = "kiosk", _("Kiosk at a district office")
        PAPER = "paper", _("Paper ballot at a district office")

    # Empty for a person who voted without an account (code, phone, kiosk, walk-in paper).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("resident"),
    )
    # HMAC of the person's verified identity (phone number, census/ID reference, or the account
    # when neither is known; voting.shared.person_key): the per-person lock across channels.
    # Empty only on rows written before it existed (the next ballot write fills it in).
    person_key = models.CharField(  # noqa: DJ001 (NULL: the partial unique index skips it)
        _("person key"), max_length=64, null=True, blank=True, editable=False
    )
    scope = models.ForeignKey(
        "budgeting.BallotScope",
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("ballot scope"),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    started_at = models.DateTimeField(_("ballot opened at"), null=True, blank=True)
    voted_at = models.DateTimeField(_("voted at"), null=True, blank=True)
    # When the resident last withdrew their online ballot (voted_at is then empty until they
    # vote again): lets "My participation" say "withdrawn" rather than "not voted yet".
    withdrawn_at = models.DateTimeField(_("ballot withdrawn at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # The code of the voter's current ballot; a new one on every change, none after withdrawal.
    receipt = models.CharField(_("receipt"), max_length=19, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope"], name="participation_one_per_resident_per_scope"
            ),
            models.UniqueConstraint(
                fields=["person_key", "scope"],
                condition=Q(person_key__isnull=False),
                name="participation_one_per_person_per_scope",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(person_key__isnull=False),
                name="participation_has_a_person",
            ),
        ]
        indexes = [models.Index(fields=["scope", "voted_at"], name="participation_turnout")]

    def __str__(self) -> str:
        return f"{self.user_id or '-'} · {self.scope_id}"


class CountedReceipt(models.Model):
    """The receipt code of one counted ballot of a scope: the list published with the results.

    Written when voting closes, in code order, from the participations of the scope (never from
    the ballots, which hold no receipt), so neither its rows nor their order say anything about
    any ballot's content. A resident finds their code in it: "your ballot was counted".
    """

    scope = models.ForeignKey(
        "budgeting.BallotScope",
        on_delete=models.PROTECT,
        related_name="counted_receipts",
        verbose_name=_("ballot scope"),
    )
    code = models.CharField(_("receipt"), max_length=19)

    class Meta:
        verbose_name = _("counted receipt")
        verbose_name_plural = _("counted receipts")
        constraints = [
            models.UniqueConstraint(fields=["scope", "code"], name="countedreceipt_one_per_scope")
        ]

    def __str__(self) -> str:
        return self.code
