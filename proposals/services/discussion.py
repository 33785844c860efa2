"""Deliberation: comments (one level of replies, briefly editable), endorsements, reports."""

from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.phases import Feature
from budgeting.selectors import is_council_member
from proposals.models import Comment
from proposals.models import Endorsement
from proposals.models import Proposal
from proposals.models import Report
from proposals.selectors import COMMENT_EDIT_WINDOW
from proposals.selectors import get_participation_ineligibility
from proposals.selectors import has_reached_threshold_event
from proposals.services import ProposalError


def _check_open_for_discussion(proposal: Proposal) -> None:
    if (
        proposal.status in (Proposal.Status.DRAFT, Proposal.Status.WITHDRAWN)
        or proposal.hidden_at is not None
    ):
        raise ProposalError(_("This proposal is not open for discussion."), code="closed")


def _check_participant(user: User, proposal: Proposal) -> None:
    if get_participation_ineligibility(user=user, cycle=proposal.cycle) is not None:
        raise ProposalError(
            _("Only residents who may take part in this cycle can do this."), code="ineligible"
        )


@transaction.atomic
def post_comment(
    *, proposal: Proposal, author: User, body: str, parent: Comment | None = None
) -> Comment:
    """Post a comment, or a reply. A reply to a reply joins its thread (one level deep)."""
    if not proposal.cycle.allows(Feature.COMMENT):
        raise ProposalError(_("Comments are closed in this phase."), code="phase_closed")
    _check_open_for_discussion(proposal)
    _check_participant(author, proposal)
    body = body.strip()
    if not body:
        raise ProposalError(_("Write something first."), code="empty", field="body")
    if parent is not None:
        if parent.proposal_id != proposal.pk:
            raise ProposalError(_("You can only reply to comments on this proposal."))
        if parent.parent_id is not None:
            parent = parent.parent
    comment = Comment(proposal=proposal, author=author, parent=parent, body=body)
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def edit_comment(*, comment: Comment, actor: User, body: str) -> Comment:
    """The author corrects their comment within 15 minutes of posting it."""
    locked = (
        Comment.objects.select_for_update().select_related("proposal__cycle").get(pk=comment.pk)
    )
    if locked.author_id != actor.pk:
        raise ProposalError(_("Only the author can edit this comment."), code="not_author")
    if locked.hidden_at is not None:
        raise ProposalError(_("This comment was hidden by moderation."), code="hidden")
    if not locked.proposal.cycle.allows(Feature.COMMENT):
        raise ProposalError(_("Comments are closed in this phase."), code="phase_closed")
    if timezone.now() >= locked.created_at + COMMENT_EDIT_WINDOW:
        raise ProposalError(
            _("Comments can be edited for %(minutes)s minutes after posting; that time is over.")
            % {"minutes": int(COMMENT_EDIT_WINDOW.total_seconds() // 60)},
            code="edit_window",
        )
    body = body.strip()
    if not body:
        raise ProposalError(_("Write something first."), code="empty", field="body")
    if body != locked.body:
        locked.body = body
        locked.edited_at = timezone.now()
        locked.full_clean()
        locked.save(update_fields=["body", "edited_at"])
    return locked


@transaction.atomic
def endorse_proposal(*, proposal: Proposal, user: User) -> Endorsement:
    """Endorse a proposal (once). Reaching the cycle's threshold is a public audit event."""
    locked = Proposal.objects.select_for_update().select_related("cycle").get(pk=proposal.pk)
    cycle = locked.cycle
    if not cycle.allows(Feature.ENDORSE):
        raise ProposalError(_("Endorsements are closed in this phase."), code="phase_closed")
    if locked.status != Proposal.Status.SUBMITTED or locked.hidden_at is not None:
        raise ProposalError(_("This proposal cannot be endorsed."), code="closed")
    if locked.author_id == user.pk:
        raise ProposalError(_("You cannot endorse your own proposal."), code="own")
    if is_council_member(user=user, cycle=cycle):
        raise ProposalError(
            _("Council members do not endorse proposals in the cycle they review."),
            code="council",
        )
    _check_participant(user, locked)
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(proposal=locked, user=user)
    except IntegrityError as exc:
        raise ProposalError(_("You have already endorsed this proposal."), code="twice") from exc
    count = Endorsement.objects.filter(proposal=locked).count()
    threshold = cycle.endorsement_threshold
    if threshold and count >= threshold and not has_reached_threshold_event(proposal=locked):
        record_audit_event(
            event_type=AuditEvent.Type.ENDORSEMENT_THRESHOLD_REACHED,
            is_public=True,
            cycle=cycle,
            subject=locked,
            threshold=threshold,
            endorsements=count,
        )
    return endorsement


@transaction.atomic
def withdraw_endorsement(*, proposal: Proposal, user: User) -> bool:
    """Take an endorsement back while endorsing is open. Returns whether there was one.

    A threshold once reached stays reached: the council's duty to answer does not go away.
    """
    locked = Proposal.objects.select_for_update().select_related("cycle").get(pk=proposal.pk)
    if not locked.cycle.allows(Feature.ENDORSE):
        raise ProposalError(_("Endorsements are closed in this phase."), code="phase_closed")
    deleted, _details = Endorsement.objects.filter(proposal=locked, user=user).delete()
    return deleted > 0


@transaction.atomic
def report_content(
    *, reporter: User, proposal: Proposal, reason: str, comment: Comment | None = None
) -> Report:
    """Report a proposal or one of its comments to the moderators (once per person and item)."""
    if not hasattr(reporter, "resident_profile"):
        raise ProposalError(_("Complete your resident profile first."), code="no_profile")
    if comment is not None and comment.proposal_id != proposal.pk:
        raise ProposalError(_("This comment is not on this proposal."))
    reason = reason.strip()
    if not reason:
        raise ProposalError(_("Please say what is wrong."), code="empty", field="reason")
    already = _("You have already reported this. The moderators will look at it.")
    # The unique constraint is the guard on PostgreSQL; SQLite (the demo) cannot enforce it with
    # a NULL comment, so look first as well.
    if Report.objects.filter(reporter=reporter, proposal=proposal, comment=comment).exists():
        raise ProposalError(already, code="twice")
    report = Report(proposal=proposal, comment=comment, reporter=reporter, reason=reason)
    report.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise ProposalError(already, code="twice") from exc
    return report
