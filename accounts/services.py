"""Residents: their profile and its verification."""

import csv
import io
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.consents import OPTIONAL_TERMS
from accounts.consents import POLICY_VERSION
from accounts.exceptions import ProfileError
from accounts.models import Consent
from accounts.models import ResidentProfile
from accounts.models import User
from accounts.selectors import get_current_consents
from accounts.selectors import list_users_by_email
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.phases import Phase

MAX_CSV_BYTES = 2 * 1024 * 1024


@transaction.atomic
def update_resident_profile(
    *,
    user: User,
    display_name: str,
    district: District,
    birth_year: int,
    relation: str,
    preferred_language: str = "ko",
    voting_reminders: bool = True,
    email_phase_opened: bool = False,
    email_proposal_review: bool = True,
    email_followed_projects: bool = True,
) -> ResidentProfile:
    """Create or update the resident's profile.

    The district decides which ballot a resident votes on, so it cannot change while any
    cycle is voting. A change of district or year of birth clears a verification, which was
    made against the old facts.
    """
    profile = ResidentProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        profile = ResidentProfile(user=user)
    elif profile.district_id != district.pk and (
        BudgetCycle.objects.filter(phase=Phase.VOTING).exists()
    ):
        raise ProfileError(
            _("Your district cannot change while voting is open. Please try again after voting.")
        )
    facts_changed = profile.pk is not None and (
        profile.district_id != district.pk or profile.birth_year != birth_year
    )
    profile.display_name = display_name.strip()
    profile.district = district
    profile.birth_year = birth_year
    profile.relation = relation
    profile.voting_reminders = voting_reminders
    profile.email_phase_opened = email_phase_opened
    profile.email_proposal_review = email_proposal_review
    profile.email_followed_projects = email_followed_projects
    profile.preferred_language = preferred_language
    if facts_changed:
        profile.verified_at = None
        profile.verified_by = None
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def verify_resident(*, profile: ResidentProfile, actor: User) -> bool:
    """Mark one resident verified (e.g. after a census check). False if they already were."""
    updated = ResidentProfile.objects.filter(pk=profile.pk, verified_at__isnull=True).update(
        verified_at=timezone.now(), verified_by=actor
    )
    if updated:
        record_audit_event(
            event_type=AuditEvent.Type.RESIDENT_VERIFIED,
            subject=profile,
            actor=actor,
            is_public=False,
        )
    profile.refresh_from_db()
    return bool(updated)


@dataclass
class CsvVerificationReport:
    verified: int = 0
    already_verified: int = 0
    without_profile: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    invalid_lines: list[int] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return self.verified + self.already_verified


def _read_emails(raw: bytes) -> tuple[list[str], list[int]]:
    if len(raw) > MAX_CSV_BYTES:
        raise ProfileError(_("The file is larger than 2 MB. Please split it."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp949")  # Excel in Korea saves CSV as CP949 by default
        except UnicodeDecodeError as exc:
            raise ProfileError(_("The file is not UTF-8 or CP949 text.")) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    emails, invalid = [], []
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        cells = [cell.strip() for cell in row if cell.strip()]
        if not cells:
            continue
        candidate = next((cell for cell in cells if "@" in cell), cells[0])
        if number == 1 and "@" not in candidate:
            continue  # a header row such as "email"
        try:
            validate_email(candidate)
        except ValidationError:
            invalid.append(number)
            continue
        emails.append(candidate.lower())
    return emails, invalid


@transaction.atomic
def verify_residents_from_csv(*, raw: bytes, actor: User) -> CsvVerificationReport:
    """Verify every resident whose e-mail address is in the CSV (a census match)."""
    emails, invalid = _read_emails(raw)
    report = CsvVerificationReport(invalid_lines=invalid)
    wanted = set(emails)
    users = {user.email.lower(): user for user in list_users_by_email(emails=wanted)}
    now = timezone.now()
    to_verify = []
    for email in sorted(wanted):
        user = users.get(email)
        if user is None:
            report.unknown.append(email)
            continue
        profile = getattr(user, "resident_profile", None)
        if profile is None:
            report.without_profile.append(email)
        elif profile.verified_at:
            report.already_verified += 1
        else:
            to_verify.append(profile.pk)
    report.verified = ResidentProfile.objects.filter(
        pk__in=to_verify, verified_at__isnull=True
    ).update(verified_at=now, verified_by=actor)
    record_audit_event(
        event_type=AuditEvent.Type.RESIDENTS_VERIFIED_FROM_CSV,
        actor=actor,
        is_public=False,
        verified=report.verified,
        already_verified=report.already_verified,
        unknown=len(report.unknown),
        without_profile=len(report.without_profile),
        invalid_lines=len(report.invalid_lines),
    )
    return report


# --- consents (개인정보 보호법) ------------------------------------------------------------------
@transaction.atomic
def record_consents(*, user: User, answers: dict[str, bool]) -> list[Consent]:
    """Store the person's answers (purpose -> yes/no) with the current policy version.

    The required consent must be "yes": an account is never created without it."""
    if not answers.get(Consent.Purpose.ACCOUNT):
        raise ProfileError(_("Without consent to the required items an account cannot be made."))
    unknown = set(answers) - set(Consent.Purpose.values)
    if unknown:
        raise ProfileError(_("Unknown consent: %(names)s") % {"names": ", ".join(sorted(unknown))})
    return Consent.objects.bulk_create(
        [
            Consent(user=user, purpose=purpose, granted=granted, policy_version=POLICY_VERSION)
            for purpose, granted in answers.items()
        ]
    )


@transaction.atomic
def change_optional_consent(*, user: User, purpose: str, granted: bool) -> bool:
    """Give or withdraw an optional consent; False when the answer was already that."""
    if purpose not in {terms.purpose for terms in OPTIONAL_TERMS}:
        raise ProfileError(
            _("Only optional consents can be changed here; delete your account to withdraw all.")
        )
    User.objects.select_for_update().filter(pk=user.pk).first()  # one change at a time
    if get_current_consents(user=user).get(purpose, False) == granted:
        return False
    Consent.objects.create(
        user=user, purpose=purpose, granted=granted, policy_version=POLICY_VERSION
    )
    return True


# --- retention (core.retention; registered in apps.py) ------------------------------------------
UNCONFIRMED_SIGNUP_RETENTION_DAYS = 7


def purge_unconfirmed_signups(before: datetime) -> int:
    """Delete accounts made by sign-up whose address was never confirmed, made before
    ``before``: such an account cannot log in (verification is mandatory), so it only holds an
    address and a password hash. Accounts made by staff or scripts (no e-mail record) stay."""
    abandoned = User.objects.filter(
        date_joined__lt=before,
        last_login__isnull=True,
        is_staff=False,
        deleted_at__isnull=True,
        resident_profile__isnull=True,
        emailaddress__isnull=False,
    ).exclude(emailaddress__verified=True)
    _total, by_model = User.objects.filter(
        pk__in=list(abandoned.values_list("pk", flat=True))
    ).delete()
    return by_model.get(User._meta.label, 0)
