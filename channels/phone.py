"""Voting by phone alone (as Seoul's mVoting) and kiosk voters identified by an SMS code.

A resident without an account or a voting code verifies a Korean mobile number by SMS (the
verification of ``channels.services``: the same code length, lifetime, tries, limits per number
and per address, and Korean numbers only), states their district, year of birth and relation to
the city (self-declared, as in mVoting), and votes on the pots those facts give them, when the
cycle allows it (``BudgetCycle.allow_phone_voting``, frozen once voting opens) and does not admit
only residents verified by staff. They may change a ballot until the deadline by verifying the
same number again.

At an office's kiosk an officer may identify the voter by their mobile number instead of a
census/ID reference: a code goes to the number and the voter types it on the kiosk.

Either way the person key is the number's HMAC, the same as that of an account whose verified
number it is, of a code holder who verified it and of a kiosk voter identified by it: one ballot
per pot, whichever way the number votes first (the lock of ``voting.services.ballots``).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import phonenumbers
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import User
from budgeting.eligibility import Ineligibility
from budgeting.eligibility import ResidentFacts
from budgeting.eligibility import check_eligibility
from budgeting.models import Ballot
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import Participation
from budgeting.phases import Feature
from budgeting.selectors import get_eligibility_rule
from budgeting.selectors import get_track_bounds
from budgeting.selectors import list_scopes_for_cycle
from channels.models import Office
from channels.models import PhoneVerification
from channels.services import ChannelError
from channels.services import check_phone_code
from channels.services import is_officer_at
from channels.services import phone_person_key
from channels.services import request_phone_code
from channels.sms import sms_available
from voting.services.ballots import describe_ineligibility
from voting.services.ballots import replace_person_ballot
from voting.services.ballots import submit_person_ballot
from voting.shared import BallotRefusedError

Channel = Participation.Channel

# How long one SMS check lets a phone voter vote (and change a ballot) on this device.
PHONE_VOTING_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class PhoneDeclaration:
    """What a phone voter states about themself (nobody checks it, as in mVoting)."""

    birth_year: int
    relation: str
    district_id: int | None

    def as_session(self) -> dict[str, Any]:
        return {
            "birth_year": self.birth_year,
            "relation": self.relation,
            "district": self.district_id,
        }

    @classmethod
    def from_session(cls, data: Mapping[str, Any] | None) -> "PhoneDeclaration | None":
        if not data:
            return None
        return cls(
            birth_year=int(data["birth_year"]),
            relation=str(data["relation"]),
            district_id=data.get("district"),
        )


@dataclass(frozen=True, slots=True)
class PhoneScope:
    """A pot a phone voter may vote on, and what this number has done there."""

    scope: BallotScope
    voted_channel: str | None  # the channel of this number's counted ballot, None if none

    @property
    def may_vote(self) -> bool:
        """No ballot yet, or a ballot by phone alone (changed by voting again)."""
        return self.voted_channel in (None, Channel.PHONE)


# --- the cycle's setting ----------------------------------------------------------------------


def phone_voting_refusal(*, cycle: BudgetCycle) -> str | None:
    """Why ``cycle`` does not offer voting by phone alone, to say on its pages (None: it does)."""
    if not cycle.allow_phone_voting:
        return _(
            "This cycle does not offer voting by phone alone. Vote with your account, with a "
            "voting code or at a district office."
        )
    if cycle.requires_verification:
        return _(
            "Only residents verified by staff may vote in this cycle, so voting by phone alone "
            "is not offered: a phone number does not show where you live. Vote with your "
            "verified account or at a district office."
        )
    if not sms_available():
        return _("Phone verification is not offered here. Please ask the district office.")
    return None


def check_phone_voting_open(*, cycle: BudgetCycle) -> None:
    refusal = phone_voting_refusal(cycle=cycle)
    if refusal is not None:
        raise ChannelError(refusal, code="phone_voting_not_offered")
    if not cycle.allows(Feature.VOTE):
        raise ChannelError(_("Voting in this cycle is not open (or has closed)."), code="not_open")


# --- who the phone voter is -------------------------------------------------------------------


def mask_phone_number(number: PhoneNumber | str) -> str:
    """The number with its middle digits hidden (010-****-5678), to show whose session it is."""
    if not isinstance(number, PhoneNumber):
        number = PhoneNumber.from_string(str(number))
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    parts = national.split("-")
    if len(parts) == 3:
        return f"{parts[0]}-{'*' * len(parts[1])}-{parts[2]}"
    digits = "".join(ch for ch in national if ch.isdigit())
    return digits[:3] + "*" * max(len(digits) - 7, 0) + digits[-4:]


def get_phone_voter(*, verification_id: int | None) -> PhoneVerification:
    """The SMS check that lets this device vote: done, and at most PHONE_VOTING_WINDOW ago."""
    verification = (
        PhoneVerification.objects.filter(pk=verification_id, verified_at__isnull=False).first()
        if verification_id is not None
        else None
    )
    if (
        verification is None
        or verification.verified_at is None
        or verification.verified_at + PHONE_VOTING_WINDOW <= timezone.now()
    ):
        raise ChannelError(
            _("Please verify your mobile phone number again: a check lasts 30 minutes."),
            code="phone_check_expired",
        )
    return verification


def get_phone_voter_person(*, verification: PhoneVerification) -> str:
    return phone_person_key(verification.phone_number)


def list_declarable_districts() -> list[District]:
    """Every district a phone voter may state as theirs: each gu followed by its dongs."""
    districts = list(District.objects.select_related("parent"))
    gus = [d for d in districts if d.parent_id is None]
    ordered: list[District] = []
    for gu in gus:
        ordered.append(gu)
        ordered.extend(d for d in districts if d.parent_id == gu.pk)
    return ordered


def cycle_has_district_pots(*, cycle: BudgetCycle) -> bool:
    return cycle.scopes.filter(district__isnull=False).exists()


def _stated_gu_id(declaration: PhoneDeclaration) -> int | None:
    """The gu of the stated district when it is a dong (None for a gu or no district)."""
    if declaration.district_id is None:
        return None
    return (
        District.objects.filter(pk=declaration.district_id)
        .values_list("parent_id", flat=True)
        .first()
    )


def _facts(declaration: PhoneDeclaration) -> ResidentFacts:
    parent_id = _stated_gu_id(declaration)
    return ResidentFacts(
        birth_year=declaration.birth_year,
        relation=declaration.relation,
        district_id=declaration.district_id or 0,
        is_verified=False,  # nobody checked: a cycle of verified residents refuses phone voting
        district_parent_id=parent_id,
        has_verified_phone=True,
    )


def get_phone_ineligibility(
    *, scope: BallotScope, declaration: PhoneDeclaration
) -> Ineligibility | None:
    """Why a phone voter with ``declaration`` may not vote on ``scope`` (None: they may)."""
    return check_eligibility(
        _facts(declaration),
        get_eligibility_rule(cycle=scope.cycle),
        scope_district_id=scope.district_id,
        track=get_track_bounds(scope=scope),
    )


def list_phone_scopes(
    *, cycle: BudgetCycle, declaration: PhoneDeclaration, person: str
) -> list[PhoneScope]:
    """The pots of ``cycle`` a phone voter with ``declaration`` may vote on, in ballot order,
    each with the channel of the number's counted ballot there (if any)."""
    facts = _facts(declaration)
    rule = get_eligibility_rule(cycle=cycle)
    scopes = [
        scope
        for scope in list_scopes_for_cycle(cycle=cycle)
        if check_eligibility(
            facts, rule, scope_district_id=scope.district_id, track=get_track_bounds(scope=scope)
        )
        is None
    ]
    voted = dict(
        Participation.objects.filter(
            person_key=person, scope__in=scopes, voted_at__isnull=False
        ).values_list("scope_id", "channel")
    )
    return [PhoneScope(scope=scope, voted_channel=voted.get(scope.pk)) for scope in scopes]


# --- the ballot -------------------------------------------------------------------------------


def _lock_person_in_cycle(*, cycle: BudgetCycle, person: str) -> None:
    """Serialise one number's phone ballots in a cycle (the one-district check below)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"phone-cycle:{cycle.pk}:{person}"],
            )


def _check_one_district(*, scope: BallotScope, person: str, declaration: PhoneDeclaration) -> None:
    """A number votes in one district: refuse a district pot when the number already voted on
    the pot of a district its holder does not now state (a new statement of another district)."""
    if scope.district_id is None:
        return
    own = {declaration.district_id, _stated_gu_id(declaration)}
    elsewhere = (
        Participation.objects.filter(
            person_key=person,
            scope__cycle_id=scope.cycle_id,
            scope__district__isnull=False,
            voted_at__isnull=False,
        )
        .exclude(scope__district_id__in=[d for d in own if d is not None])
        .exists()
    )
    if elsewhere:
        raise ChannelError(
            _(
                "This number already voted on the ballot of another district in this cycle. "
                "One number votes in one district only."
            ),
            code="other_district",
        )


def vote_by_phone(
    *,
    verification_id: int,
    scope: BallotScope,
    choices: Mapping[int, int],
    declaration: PhoneDeclaration,
) -> Ballot:
    """Store the ballot of a phone voter on ``scope`` (channel ``phone``), or replace the one
    this number cast by phone alone before (until the deadline).

    Refused (``ChannelError`` or ``BallotRefusedError``, nothing stored) when the cycle does not
    offer phone voting, the SMS check is missing or older than PHONE_VOTING_WINDOW, the stated
    facts do not give a vote on ``scope``, the number voted in another district, or the number
    already voted on ``scope`` another way (an account with this verified number, a code, a
    kiosk or paper: that ballot counts, and the refused attempt is an audit event)."""
    cycle = scope.cycle
    check_phone_voting_open(cycle=cycle)
    verification = get_phone_voter(verification_id=verification_id)
    reason = get_phone_ineligibility(scope=scope, declaration=declaration)
    if reason is not None:
        raise ChannelError(describe_ineligibility(reason), code=f"ineligible_{reason.value}")
    person = phone_person_key(verification.phone_number)
    refusal: Exception | None = None
    with transaction.atomic():
        _lock_person_in_cycle(cycle=cycle, person=person)
        _check_one_district(scope=scope, person=person, declaration=declaration)
        counted = (
            Participation.objects.filter(person_key=person, scope=scope, voted_at__isnull=False)
            .values_list("channel", "user_id")
            .first()
        )
        if counted is not None and counted[0] == Channel.PHONE:
            if counted[1] is not None:
                raise ChannelError(
                    _(
                        "Your ballot on this pot is stored and belongs to an account; it can "
                        "no longer be changed here."
                    ),
                    code="phone_ballot_of_account",
                )
            # Changing one's vote: replaced in place, a new receipt (BALLOT_CHANGED event).
            ballot = replace_person_ballot(
                person=person, scope=scope, choices=choices, channel=Channel.PHONE
            )
        else:
            try:
                ballot = submit_person_ballot(
                    person=person, scope=scope, choices=choices, channel=Channel.PHONE
                )
            except BallotRefusedError as error:
                refusal = error  # raised below: the audit event of a second ballot is kept
    if refusal is not None:
        raise refusal
    return ballot


# --- the kiosk: a voter identified by a code sent to their phone ------------------------------


def request_kiosk_phone_code(
    *, officer: User, office: Office, raw_number: str
) -> PhoneVerification:
    """Send a code to the kiosk voter's number, which the officer typed. The per-number limits
    apply; the per-address one does not (one office's address serves every voter of the day,
    and the officer, signed in with a second factor, is answerable for the requests)."""
    if not is_officer_at(user=officer, office=office):
        raise PermissionDenied
    return request_phone_code(raw_number=raw_number, ip="")


def identify_kiosk_voter_by_phone(
    *, officer: User, office: Office, verification_id: int, code: str
) -> str:
    """The person key of the kiosk voter who typed the code sent to their number (the code's
    tries, lifetime and limits as for any phone verification)."""
    if not is_officer_at(user=officer, office=office):
        raise PermissionDenied
    verification = check_phone_code(verification_id=verification_id, code=code)
    return phone_person_key(verification.phone_number)
