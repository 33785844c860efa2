"""A person's rights over their data: delete the account; and the retention rules' enforcement.

Deleting an account erases the personal data and keeps what the public record needs without it:
the user row stays as an empty shell (no address, no password, no profile) so that proposals
and comments keep an author shown as "Former resident" (탈퇴한 주민), and the turnout keeps its
participations. Ballots are untouched: they never linked to a person and stay counted.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Consent
from accounts.models import ResidentProfile
from accounts.models import User
from budgeting.models import ProjectFollow
from core.exceptions import ApplicationError
from core.retention import enforce_retention_rules
from notifications.models import OutboxMessage
from privacy.selectors import get_open_vote_participation

DELETED_EMAIL_DOMAIN = "deleted.invalid"


class PrivacyError(ApplicationError):
    pass


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Erase ``user``'s personal data; refuse (nothing changed) while that would do harm."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.deleted_at is not None:
        return
    if locked.is_staff or locked.is_superuser:
        raise PrivacyError(
            _(
                "Staff accounts are closed by the budget office, not here, so that nobody "
                "is left without access to the platform. Ask an administrator."
            )
        )
    open_vote = get_open_vote_participation(user=locked)
    if open_vote is not None:
        raise PrivacyError(
            _(
                "You have a ballot in a vote that is still open (%(cycle)s). Withdraw your "
                "ballot first, or delete your account after voting closes: otherwise a new "
                "account could vote a second time."
            )
            % {"cycle": open_vote.scope.cycle.name}
        )
    ResidentProfile.objects.filter(user=locked).delete()
    EmailAddress.objects.filter(user=locked).delete()
    Authenticator.objects.filter(user=locked).delete()
    Consent.objects.filter(user=locked).delete()
    ProjectFollow.objects.filter(user=locked).delete()
    OutboxMessage.objects.filter(recipient=locked).delete()
    locked.email = f"former-{locked.pk}-{secrets.token_hex(8)}@{DELETED_EMAIL_DOMAIN}"
    # a new password hash also ends every session of the account (Django checks it per request)
    locked.set_unusable_password()
    locked.is_active = False
    locked.last_login = None
    locked.deleted_at = timezone.now()
    locked.save()
    locked.groups.clear()
    locked.user_permissions.clear()


def purge_expired_sessions(before: datetime) -> int:
    """Delete login sessions that expired before ``before`` (Django's ``clearsessions``)."""
    deleted, _by_model = Session.objects.filter(expire_date__lt=before).delete()
    return deleted


def enforce_retention(*, now: datetime | None = None) -> dict[str, int]:
    """Run every registered retention rule (``core.retention``); what each deleted."""
    return enforce_retention_rules(now=now)
