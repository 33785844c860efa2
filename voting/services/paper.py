"""Paper ballots cast at district offices, entered by staff for a resident who has not voted."""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import is_office_staff
from accounts.selectors import officer_district_ids
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BallotScope
from budgeting.models import Participation
from voting.services.ballots import submit_ballot
from voting.shared import BallotRefusedError


def find_paper_voter(*, email: str) -> User:
    voter = (
        User.objects.filter(email__iexact=email.strip()).select_related("resident_profile").first()
    )
    if voter is None:
        raise BallotRefusedError(
            _("No resident is registered with this e-mail address."), code="unknown_voter"
        )
    return voter


def enter_paper_ballot(
    *, staff: User, voter: User, scope: BallotScope, choices: Mapping[int, int]
) -> Ballot:
    """Store a paper ballot for ``voter``. Whichever of paper and online comes first counts."""
    if not (staff.is_authenticated and staff.is_staff):
        raise PermissionDenied
    if not is_office_staff(user=staff) and scope.district_id not in officer_district_ids(
        user=staff
    ):
        raise PermissionDenied  # a district officer enters the paper ballots of their 구 only
    refusal = None
    with transaction.atomic():
        try:
            ballot = submit_ballot(
                voter=voter,
                scope=scope,
                choices=choices,
                channel=Participation.Channel.PAPER,
                actor=staff,
            )
        except BallotRefusedError as error:
            refusal = error  # raised below, so the audit event of a conflict is kept
        else:
            record_audit_event(
                cycle=scope.cycle,
                event_type=AuditEvent.Type.PAPER_BALLOT_ENTERED,
                subject=scope,
                actor=staff,
                is_public=False,
            )
    if refusal is not None:
        raise refusal
    return ballot
