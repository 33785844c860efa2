"""Staff moderation: hide a comment or a proposal with a public reason; work the reports queue.

Hiding never deletes: the item stays in the database and its page says that it was hidden
and why, so moderation itself is accountable.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import has_staff_role
from accounts.selectors import is_office_staff
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from proposals.models import Comment
from proposals.models import Proposal
from proposals.models import Report
from proposals.services import ProposalError


def _check_staff(actor: User) -> None:
    if not (
        is_office_staff(user=actor)
        or (
            actor.is_authenticated
            and actor.is_staff
            and has_staff_role(user=actor, role="moderator")
        )
    ):
        raise ProposalError(_("Only staff can moderate."), code="not_staff")


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ProposalError(
            _("Give the public reason for hiding it."), code="reason_required", field="reason"
        )
    return reason


def _resolve_reports(reports: QuerySet[Report], *, actor: User, resolution: str) -> int:
    return reports.filter(resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor, resolution=resolution[:200]
    )


@transaction.atomic
def hide_comment(*, comment: Comment, actor: User, reason: str) -> Comment:
    _check_staff(actor)
    reason = _clean_reason(reason)
    locked = (
        Comment.objects.select_for_update().select_related("proposal__cycle").get(pk=comment.pk)
    )
    if locked.hidden_at is None:
        locked.hidden_at = timezone.now()
        locked.hidden_reason = reason
        locked.hidden_by = actor
        locked.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
        record_audit_event(
            event_type=AuditEvent.Type.COMMENT_HIDDEN,
            is_public=True,
            cycle=locked.proposal.cycle,
            subject=locked.proposal,
            actor=actor,
            reason=reason,
            comment_id=locked.pk,
        )
    _resolve_reports(locked.reports.all(), actor=actor, resolution=_("Comment hidden"))
    return locked


@transaction.atomic
def hide_proposal(*, proposal: Proposal, actor: User, reason: str) -> Proposal:
    _check_staff(actor)
    reason = _clean_reason(reason)
    locked: Proposal = (
        Proposal.objects.select_for_update().select_related("cycle").get(pk=proposal.pk)
    )
    if locked.hidden_at is None:
        locked.hidden_at = timezone.now()
        locked.hidden_reason = reason
        locked.version += 1
        locked.save(update_fields=["hidden_at", "hidden_reason", "version", "updated_at"])
        record_audit_event(
            event_type=AuditEvent.Type.PROPOSAL_HIDDEN,
            is_public=True,
            cycle=locked.cycle,
            subject=locked,
            actor=actor,
            reason=reason,
        )
    _resolve_reports(
        locked.reports.filter(comment__isnull=True), actor=actor, resolution=_("Proposal hidden")
    )
    return locked


@transaction.atomic
def dismiss_report(*, report: Report, actor: User, resolution: str = "") -> Report:
    """Close a report without hiding anything (the content is fine)."""
    _check_staff(actor)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.resolved_at is None:
        locked.resolved_at = timezone.now()
        locked.resolved_by = actor
        locked.resolution = (resolution.strip() or _("No action needed"))[:200]
        locked.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return locked
