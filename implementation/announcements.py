"""E-mails to a funded project's followers when it is updated or cut.

Registered with notifications at ``ImplementationConfig.ready()``; the implementation services
call ``announce_project_changed`` inside their transaction.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from budgeting.models import BudgetCut
from budgeting.models import ImplementationUpdate
from core.links import absolute_url
from notifications.announcements import announce
from notifications.announcements import register_announcement_kind
from notifications.announcements import with_verified_address
from notifications.models import Announcement
from notifications.services import language_of
from proposals.models import Proposal

PROJECT_CHANGED_EMAIL = "notifications/emails/project_changed"


def announce_project_changed(*, proposal, change: str, change_id: int) -> Announcement:
    """Tell the followers of ``proposal`` about an update or a cut (``change``: "update"/"cut")."""
    return announce(
        key=f"project:{change}:{change_id}",
        kind=Announcement.Kind.PROJECT_CHANGED,
        parameters={"proposal_id": proposal.pk, "change": change, "change_id": change_id},
    )


def list_follower_recipients(*, proposal_id: int, changed_at) -> QuerySet:
    """Residents who followed the project before it changed and want these e-mails."""
    return with_verified_address(
        get_user_model().objects.filter(
            project_follows__proposal_id=proposal_id,
            project_follows__created_at__lte=changed_at,
            resident_profile__email_followed_projects=True,
        )
    )


def _follower_recipients(announcement: Announcement) -> QuerySet:
    return list_follower_recipients(
        proposal_id=announcement.parameters["proposal_id"],
        changed_at=announcement.created_at,
    )


def _project_changed_messages(announcement: Announcement, users: list):
    params = announcement.parameters
    proposal = Proposal.objects.get(pk=params["proposal_id"])
    context = {
        "proposal_title": proposal.title,
        "change": params["change"],
        "url": absolute_url(proposal.get_absolute_url()),
    }
    if params["change"] == "update":
        update = ImplementationUpdate.objects.get(pk=params["change_id"])
        context.update(
            status=update.status,
            percent_done=update.percent_done,
            spent_won=update.spent_won,
            note=update.note,
        )
    else:
        cut = BudgetCut.objects.get(pk=params["change_id"])
        context.update(kind=cut.kind, amount_won=cut.amount_won, reason=cut.reason)
    for user in users:
        yield user, language_of(user), PROJECT_CHANGED_EMAIL, context


def register() -> None:
    register_announcement_kind(
        Announcement.Kind.PROJECT_CHANGED,
        recipients=_follower_recipients,
        messages=_project_changed_messages,
    )
