"""Voting without an e-mail account: SMS phone verification, one-time voting codes, and ballots
cast at an office with an officer (kiosk, walk-in paper).

Every ballot goes through ``voting.services.ballots.submit_person_ballot`` (or ``submit_ballot``
for an account; a code ballot on PostgreSQL through ``submit_person_ballot_in_sql`` and the SQL
function ``channels_cast_code_ballot()``, which spends the code in the ballot's statement), which
takes the per-person lock on the person key: whatever the channel, one person has one ballot per
scope, and a second attempt is refused with an audit event.
"""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db import connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import ResidentProfile
from accounts.models import User
from accounts.selectors import officer_district_ids
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import Participation
from budgeting.phases import Feature
from channels.code_ballot_sql import CAST_CODE_BALLOT_CALL
from channels.models import CODE_ALPHABET
from channels.models import CODE_LOOKUP_LENGTH
from channels.models import Office
from channels.models import OfficeOfficer
from channels.models import OfficeParticipation
from channels.models import PhoneVerification
from channels.models import VotingCode
from channels.models import VotingCodeBatch
from channels.models import VotingCodeUse
from channels.models import new_code_lookup
from channels.selectors import code_person_key
from channels.sms import SmsError
from channels.sms import send_sms
from channels.sms import sms_available
from core import broker
from core.exceptions import ApplicationError
from voting.ballot_rules import BallotRuleError
from voting.ballot_rules import check_ballot
from voting.selectors import get_ballot_limits
from voting.selectors import map_ballot_costs
from voting.services.ballots import submit_person_ballot
from voting.services.ballots import submit_person_ballot_in_sql
from voting.shared import PERSON_CENSUS
from voting.shared import PERSON_PHONE
from voting.shared import BallotRefusedError
from voting.shared import describe_rule_error
from voting.shared import person_key

Channel = Participation.Channel
logger = logging.getLogger(__name__)


class ChannelError(ApplicationError):
    """A channel step was refused; ``message`` says why to the person at the screen."""


def _salted_hash(*, salt: str, secret: str) -> str:
    """HMAC-SHA256(CHAMYEO_VOTER_KEY_SECRET, "salt:secret"): a per-row salt and a key that is
    not in the database, so a copied table alone cannot be searched for codes."""
    key = settings.CHAMYEO_VOTER_KEY_SECRET.encode()
    return hmac.new(key, f"channels:{salt}:{secret}".encode(), hashlib.sha256).hexdigest()


def _ip_key(ip: str) -> str:
    return _salted_hash(salt="ip", secret=ip) if ip else ""


# --- phone verification --------------------------------------------------------------------


def parse_phone_number(raw: str) -> PhoneNumber:
    """A valid mobile number of an allowed region (Korea by default), or ChannelError."""
    number = PhoneNumber.from_string(raw.strip(), region=settings.PHONENUMBER_DEFAULT_REGION)
    if not number.is_valid():
        raise ChannelError(_("Enter a valid mobile phone number."), code="invalid_number")
    region = phonenumbers.region_code_for_number(number)
    if region not in settings.CHAMYEO_SMS_ALLOWED_REGIONS:
        raise ChannelError(
            _("Only Korean mobile phone numbers can be verified."), code="region_not_allowed"
        )
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ChannelError(_("Enter a mobile phone number."), code="not_mobile")
    return number


def request_phone_code(*, raw_number: str, ip: str, user: User | None = None) -> PhoneVerification:
    """Send a one-time code by SMS to the number; refuse beyond the hourly limits per number
    and per requesting address (SMS pumping), or for a number outside the allowed regions."""
    if not sms_available():
        raise ChannelError(
            _("Phone verification is not offered here. Please ask the district office."),
            code="sms_unavailable",
        )
    number = parse_phone_number(raw_number)
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    recent = PhoneVerification.objects.filter(created_at__gte=hour_ago)
    if recent.filter(phone_number=number).count() >= settings.CHAMYEO_SMS_PER_NUMBER_PER_HOUR:
        raise ChannelError(
            _("Too many codes were sent to this number. Please try again in an hour."),
            code="rate_limited_number",
        )
    ip_key = _ip_key(ip)
    if ip_key and recent.filter(ip_key=ip_key).count() >= settings.CHAMYEO_SMS_PER_IP_PER_HOUR:
        raise ChannelError(
            _("Too many codes were requested from here. Please try again in an hour."),
            code="rate_limited_ip",
        )
    code = "".join(secrets.choice("0123456789") for _i in range(settings.CHAMYEO_SMS_CODE_LENGTH))
    text = _("[Chamyeo] Your verification code is %(code)s. Do not share it.") % {"code": code}
    # Sent before anything is stored: when the provider refuses, the resident is told so on the
    # form (and may try again) rather than waiting for a code that never comes.
    try:
        send_sms(to=number.as_e164, text=text)
    except SmsError as error:
        logger.warning("sms_not_sent", extra={"reason": str(error)})
        raise ChannelError(
            _("The text message could not be sent. Please try again in a few minutes."),
            code="sms_failed",
        ) from error
    salt = secrets.token_hex(16)
    verification = PhoneVerification.objects.create(
        phone_number=number,
        code_hash=_salted_hash(salt=salt, secret=code),
        salt=salt,
        ip_key=ip_key,
        user=user if user is not None and user.is_authenticated else None,
        expires_at=now + timedelta(seconds=settings.CHAMYEO_SMS_CODE_LIFETIME_SECONDS),
    )
    return verification


def check_phone_code(*, verification_id: int, code: str) -> PhoneVerification:
    """Mark the verification done when ``code`` matches; at most CHAMYEO_SMS_CODE_MAX_TRIES
    tries per code, and none after it expires. Every try counts, right or wrong."""
    with transaction.atomic():
        verification = PhoneVerification.objects.select_for_update().get(pk=verification_id)
        if verification.verified_at is not None:
            return verification
        if verification.expires_at <= timezone.now():
            refusal = ChannelError(
                _("This code has expired. Please ask for a new one."), code="expired"
            )
        elif verification.tries >= settings.CHAMYEO_SMS_CODE_MAX_TRIES:
            refusal = ChannelError(
                _("Too many wrong codes. Please ask for a new one."), code="too_many_tries"
            )
        else:
            verification.tries += 1
            expected = verification.code_hash
            given = _salted_hash(salt=verification.salt, secret="".join(code.split()))
            if hmac.compare_digest(expected, given):
                verification.verified_at = timezone.now()
                verification.save(update_fields=["tries", "verified_at"])
                return verification
            verification.save(update_fields=["tries"])
            refusal = ChannelError(_("This code is not right."), code="wrong_code")
    raise refusal


def phone_person_key(number: PhoneNumber | str) -> str:
    e164 = number.as_e164 if isinstance(number, PhoneNumber) else str(number)
    return person_key(kind=PERSON_PHONE, value=e164)


def verify_account_phone(*, user: User, verification: PhoneVerification) -> ResidentProfile:
    """Record a verified number on ``user``'s profile; one verified number per account."""
    if verification.verified_at is None or verification.user_id != user.pk:
        raise ChannelError(_("This number is not verified yet."), code="not_verified")
    profile = user.resident_profile
    taken = (
        ResidentProfile.objects.filter(
            phone_number=verification.phone_number, phone_verified_at__isnull=False
        )
        .exclude(pk=profile.pk)
        .exists()
    )
    if taken:
        raise ChannelError(
            _("This number is already verified on another account."), code="number_taken"
        )
    profile.phone_number = verification.phone_number
    profile.phone_verified_at = verification.verified_at
    try:
        with transaction.atomic():
            profile.save(update_fields=["phone_number", "phone_verified_at", "updated_at"])
    except IntegrityError as error:  # another account verified it at the same moment
        raise ChannelError(
            _("This number is already verified on another account."), code="number_taken"
        ) from error
    return profile


def remove_account_phone(*, user: User) -> None:
    profile = user.resident_profile
    profile.phone_number = ""
    profile.phone_verified_at = None
    profile.save(update_fields=["phone_number", "phone_verified_at", "updated_at"])


# --- one-time voting codes -----------------------------------------------------------------

CODE_SECRET_LENGTH = 12
MAX_BATCH_SIZE = 10_000


def format_code(lookup: str, secret: str) -> str:
    text = lookup + secret
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalize_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch in CODE_ALPHABET)


def create_code_batch(
    *,
    cycle: BudgetCycle,
    scopes: Iterable[BallotScope],
    size: int,
    created_by: User,
    label: str = "",
) -> VotingCodeBatch:
    """A batch of ``size`` codes for ``scopes`` of ``cycle``, generated by a task after commit."""
    scopes = list(scopes)
    if not 1 <= size <= MAX_BATCH_SIZE:
        raise ChannelError(
            _("A batch holds 1 to %(most)d codes.") % {"most": MAX_BATCH_SIZE}, code="size"
        )
    if not scopes or any(scope.cycle_id != cycle.pk for scope in scopes):
        raise ChannelError(_("Choose the ballots of this cycle."), code="scopes")
    batch = VotingCodeBatch.objects.create(
        cycle=cycle, size=size, created_by=created_by, label=label
    )
    batch.scopes.set(scopes)
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.VOTING_CODES_CREATED,
        subject=batch,
        actor=created_by,
        is_public=False,
        size=size,
    )
    transaction.on_commit(partial(broker.enqueue, "channels.generate_code_batch", (batch.pk,)))
    return batch


def generate_code_batch(*, batch_id: int) -> VotingCodeBatch:
    """Make the batch's codes (idempotent: a ready batch is returned as it is). Each code is a
    4-symbol lookup and a 12-symbol secret (about 59 bits); only the salted hash is stored."""
    with transaction.atomic():
        batch = VotingCodeBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == VotingCodeBatch.Status.READY:
            return batch
        lookups: set[str] = set()
        while len(lookups) < batch.size:
            lookups.add(new_code_lookup())
        codes, printable = [], []
        for lookup in sorted(lookups):
            secret = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_SECRET_LENGTH))
            salt = secrets.token_hex(16)
            codes.append(
                VotingCode(
                    batch=batch,
                    lookup=lookup,
                    salt=salt,
                    code_hash=_salted_hash(salt=salt, secret=secret),
                )
            )
            printable.append(format_code(lookup, secret))
        VotingCode.objects.bulk_create(codes, batch_size=2000)
        batch.printable_codes = printable
        batch.status = VotingCodeBatch.Status.READY
        batch.save(update_fields=["printable_codes", "status"])
    return batch


def take_printable_codes(*, batch: VotingCodeBatch) -> list[str]:
    """The codes in the clear, once: the sheet is printed, then the database forgets them."""
    with transaction.atomic():
        batch = VotingCodeBatch.objects.select_for_update().get(pk=batch.pk)
        codes = list(batch.printable_codes)
        batch.printable_codes = []
        if codes:
            batch.printed_at = timezone.now()
        batch.save(update_fields=["printable_codes", "printed_at"])
    return codes


def revoke_code_batch(*, batch: VotingCodeBatch, actor: User) -> None:
    with transaction.atomic():
        VotingCodeBatch.objects.filter(pk=batch.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), printable_codes=[]
        )
        record_audit_event(
            cycle=batch.cycle,
            event_type=AuditEvent.Type.VOTING_CODES_REVOKED,
            subject=batch,
            actor=actor,
            is_public=False,
        )


def _code_refused() -> ChannelError:
    return ChannelError(
        _("This code is not valid. Check it and type it again."), code="invalid_code"
    )


def find_voting_code(*, raw: str) -> VotingCode:
    """The live code ``raw`` stands for (its batch ready, not revoked, its cycle voting)."""
    text = normalize_code(raw)
    if len(text) != CODE_LOOKUP_LENGTH + CODE_SECRET_LENGTH:
        raise _code_refused()
    lookup, secret = text[:CODE_LOOKUP_LENGTH], text[CODE_LOOKUP_LENGTH:]
    candidates = VotingCode.objects.filter(
        lookup=lookup, revoked_at__isnull=True, batch__revoked_at__isnull=True
    ).select_related("batch__cycle")
    for code in candidates:
        if hmac.compare_digest(code.code_hash, _salted_hash(salt=code.salt, secret=secret)):
            if not code.batch.cycle.allows(Feature.VOTE):
                raise ChannelError(
                    _("Voting with this code is not open (or has closed)."), code="not_open"
                )
            return code
    raise _code_refused()


def list_code_scopes(*, code: VotingCode) -> list[tuple[BallotScope, bool]]:
    """The ballots of the code's batch, each with whether the code was already spent on it."""
    spent = set(VotingCodeUse.objects.filter(code=code).values_list("scope_id", flat=True))
    scopes = code.batch.scopes.select_related("cycle", "district").order_by("pk")
    return [(scope, scope.pk in spent) for scope in scopes]


def _phone_required() -> ChannelError:
    return ChannelError(_("Please verify your mobile phone number first."), code="phone_required")


def _code_already_used() -> ChannelError:
    return ChannelError(_("This code was already used on this ballot."), code="code_already_used")


# The refusals of channels_cast_code_ballot() (channels.code_ballot_sql) of its own.
_CODE_REFUSALS: dict[str, Callable[[], Exception]] = {
    "invalid_code": _code_refused,
    "phone_required": _phone_required,
    "code_already_used": _code_already_used,
}


def vote_with_code(
    *,
    code_id: int,
    scope: BallotScope,
    choices: Mapping[int, int],
    verified_phone: str | None = None,
    costs: Mapping[int, int] | None = None,
    use_sql_function: bool | None = None,
) -> Ballot:
    """Spend the code on ``scope`` and store the ballot, in one transaction: the code row is
    locked first, so a code typed twice at the same moment yields one ballot.

    The person is the verified phone number when the cycle asks for one (so the same number
    cannot also vote online, by kiosk or on paper), else the code itself. The ballot's rule is
    checked first (as the ballot form does); then a revoked code, a ballot its batch is not for,
    a missing phone number and a code already spent here are refused (``ChannelError``, nothing
    stored), and the rest as ``submit_person_ballot`` refuses it (``BallotRefusedError``; a
    second ballot of a person keeps its audit event). ``costs`` (proposal id -> cost) may be
    passed by a caller that has just read them.

    On PostgreSQL all of it after the rule is one statement, ``channels_cast_code_ballot()``
    (``channels.code_ballot_sql``), the twin of ``budgeting_cast_ballot()`` that calls it; on
    SQLite (the demo), or with ``use_sql_function=False``, the same steps through the ORM.
    tests/channels/test_code_ballot_path_parity.py requires both to leave identical rows."""
    choices = {int(proposal_id): int(points) for proposal_id, points in choices.items()}
    if costs is None:
        costs = map_ballot_costs(scope=scope)
    person = code_person_key(code_id=code_id, verified_phone=verified_phone)
    if use_sql_function is None:
        use_sql_function = connection.vendor == "postgresql"
    if use_sql_function:  # checks the rule first, then one statement
        return submit_person_ballot_in_sql(
            person=person,
            scope=scope,
            choices=choices,
            channel=Channel.CODE,
            statement=CAST_CODE_BALLOT_CALL,
            leading_params=[code_id, bool(verified_phone)],
            refusals=_CODE_REFUSALS,
            costs=costs,
        )
    try:
        check_ballot(get_ballot_limits(scope=scope, costs=costs), choices)
    except BallotRuleError as error:
        raise BallotRefusedError(describe_rule_error(error), code=error.code) from error
    return _vote_with_code_with_the_orm(
        code_id=code_id,
        scope=scope,
        choices=choices,
        person=person,
        phone_given=bool(verified_phone),
        costs=costs,
    )


def _vote_with_code_with_the_orm(
    *,
    code_id: int,
    scope: BallotScope,
    choices: dict[int, int],
    person: str,
    phone_given: bool,
    costs: Mapping[int, int],
) -> Ballot:
    """The same steps as channels_cast_code_ballot, statement by statement (SQLite, the demo)."""
    refusal: Exception | None = None
    with transaction.atomic():
        code = (
            # of=self: only the code row (a lock on the cycle's row would block every other
            # ballot's foreign-key check on it until this one commits)
            VotingCode.objects.select_for_update(of=("self",))
            .select_related("batch__cycle")
            .filter(pk=code_id, revoked_at__isnull=True, batch__revoked_at__isnull=True)
            .first()
        )
        if code is None or not code.batch.scopes.filter(pk=scope.pk).exists():
            raise _code_refused()
        if code.batch.cycle.requires_phone and not phone_given:
            raise _phone_required()
        if VotingCodeUse.objects.filter(code=code, scope=scope).exists():
            raise _code_already_used()
        try:
            ballot = submit_person_ballot(
                person=person,
                scope=scope,
                choices=choices,
                channel=Channel.CODE,
                costs=costs,
                use_sql_function=False,
            )
        except BallotRefusedError as error:
            refusal = error  # raised below: the audit event of a second ballot is kept
        else:
            VotingCodeUse.objects.create(code=code, scope=scope)
    if refusal is not None:
        raise refusal
    return ballot


# --- offices: kiosk and walk-in paper ------------------------------------------------------


def is_officer_at(*, user: User, office: Office) -> bool:
    """Posted at ``office`` (``OfficeOfficer``), or a district officer (``accounts.StaffRole``)
    of the office's 구."""
    if not (user.is_authenticated and user.is_staff and office.is_active):
        return False
    return OfficeOfficer.objects.filter(user=user, office=office).exists() or (
        office.district_id is not None and office.district_id in officer_district_ids(user=user)
    )


def census_person_key(census_ref: str) -> str:
    ref = "".join(census_ref.split())
    if len(ref) < 4:
        raise ChannelError(_("Enter the census or ID reference."), code="census_ref")
    return person_key(kind=PERSON_CENSUS, value=ref)


def list_office_scopes(*, office: Office, cycle: BudgetCycle) -> list[BallotScope]:
    """The ballots an office serves: the city-wide one and its district's (every district's
    for an office without one)."""
    scopes = cycle.scopes.select_related("cycle", "district").order_by("pk")
    if office.district_id is None:
        return list(scopes)
    return [s for s in scopes if s.district_id in (None, office.district_id)]


@dataclass(frozen=True, slots=True)
class OfficeBallot:
    ballot: Ballot
    receipt: str


def cast_office_ballot(
    *,
    officer: User,
    office: Office,
    person: str,
    scope: BallotScope,
    choices: Mapping[int, int],
    channel: str,
) -> OfficeBallot:
    """Store a kiosk or walk-in paper ballot of a person the officer identified (``person`` is
    their person key). The participation records the office and the officer, never the choice."""
    if channel not in (Channel.KIOSK, Channel.PAPER):
        raise ValueError(channel)
    if not is_officer_at(user=officer, office=office):
        raise PermissionDenied
    if scope not in list_office_scopes(office=office, cycle=scope.cycle):
        raise ChannelError(_("This office does not serve this ballot."), code="wrong_office")
    refusal: Exception | None = None
    with transaction.atomic():
        try:
            ballot = submit_person_ballot(
                person=person, scope=scope, choices=choices, channel=channel, actor=officer
            )
        except BallotRefusedError as error:
            refusal = error  # the audit event of a second ballot is kept
        else:
            participation = Participation.objects.get(person_key=person, scope=scope)
            OfficeParticipation.objects.create(
                participation=participation, office=office, officer=officer
            )
            if channel == Channel.PAPER:
                record_audit_event(
                    cycle=scope.cycle,
                    event_type=AuditEvent.Type.PAPER_BALLOT_ENTERED,
                    subject=scope,
                    actor=officer,
                    is_public=False,
                    office=office.pk,
                )
    if refusal is not None:
        raise refusal
    return OfficeBallot(ballot=ballot, receipt=ballot.receipt)
