"""Co-authors: the author invites a resident by e-mail; they become a co-author by accepting."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import list_users_by_email
from core.links import absolute_url
from notifications.services import enqueue_email
from notifications.services import language_of
from proposals.models import CoAuthorInvitation
from proposals.models import Proposal
from proposals.services import ProposalError

MAX_CO_AUTHORS = 10
INVITATION_EMAIL = "proposals/emails/co_author_invitation"


@transaction.atomic
def invite_co_author(*, proposal: Proposal, author: User, email: str) -> CoAuthorInvitation:
    """The author invites the resident with ``email`` (once per proposal; again after they
    declined). The invitee is e-mailed once per invitation (and once per renewal)."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.author_id != author.pk:
        raise ProposalError(_("Only the author invites co-authors."), code="not_author")
    if proposal.status in (Proposal.Status.WITHDRAWN, Proposal.Status.MERGED):
        raise ProposalError(_("This proposal no longer takes co-authors."))
    invitee = list_users_by_email(emails={email.strip().lower()}).first()
    if invitee is None or not hasattr(invitee, "resident_profile"):
        raise ProposalError(_("No resident has this e-mail address."), field="email")
    if invitee.pk == author.pk:
        raise ProposalError(_("You are already the author."), field="email")
    if proposal.co_authors.count() >= MAX_CO_AUTHORS:
        raise ProposalError(_("A proposal has at most 10 co-authors."), field="email")
    invitation, created = CoAuthorInvitation.objects.get_or_create(
        proposal=proposal, invitee=invitee
    )
    key = f"coauthor-invitation:{invitation.pk}"
    if not created and invitation.status == CoAuthorInvitation.Status.DECLINED:
        key = f"{key}:{invitation.answered_at:%Y%m%d%H%M%S%f}"  # a renewed invitation
        invitation.status = CoAuthorInvitation.Status.PENDING
        invitation.answered_at = None
        invitation.save(update_fields=["status", "answered_at"])
    if invitation.status == CoAuthorInvitation.Status.PENDING:
        _email_invitation(proposal=proposal, author=author, invitee=invitee, key=key)
    return invitation


def _email_invitation(*, proposal: Proposal, author: User, invitee: User, key: str) -> None:
    language = language_of(invitee)
    with translation.override(language):
        context = {
            "proposal_title": proposal.title,
            "author_name": str(author.public_name),
            "url": absolute_url(reverse("proposals:invitations")),
            "proposal_url": absolute_url(proposal.get_absolute_url()),
        }
    enqueue_email(
        template=INVITATION_EMAIL,
        context=context,
        recipient=invitee,
        language=language,
        dedupe_key=key,
    )


@transaction.atomic
def answer_invitation(
    *, invitation: CoAuthorInvitation, user: User, accept: bool
) -> CoAuthorInvitation:
    invitation = CoAuthorInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.invitee_id != user.pk:
        raise ProposalError(_("This invitation is for someone else."), code="not_invitee")
    if invitation.status != CoAuthorInvitation.Status.PENDING:
        raise ProposalError(_("You already answered this invitation."))
    invitation.status = (
        CoAuthorInvitation.Status.ACCEPTED if accept else CoAuthorInvitation.Status.DECLINED
    )
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    if accept:
        invitation.proposal.co_authors.add(user)
    return invitation
