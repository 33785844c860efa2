"""Implementation tracking: staff progress updates, council budget cuts, residents following.

Every update and cut is public and written to the audit log; followers hear about it by e-mail
(an announcement fanned out by a task after commit, once per follower and change).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import BudgetCut
from budgeting.models import ImplementationPhoto
from budgeting.models import ImplementationStatus
from budgeting.models import ImplementationUpdate
from budgeting.models import ProjectFollow
from budgeting.phases import Feature
from core.exceptions import ApplicationError
from implementation.announcements import announce_project_changed
from implementation.selectors import ProjectState
from implementation.selectors import get_funded_project_state
from implementation.selectors import took_part_in_project
from proposals.models import Proposal

MAX_PHOTOS_PER_UPDATE = 6


class ImplementationError(ApplicationError):
    """An implementation update, cut or follow that the rules refuse."""


def _lock_funded_project(proposal: Proposal) -> tuple[Proposal, ProjectState]:
    """Lock the proposal row (updates and cuts of one project are serialised) and return its
    money, refusing a project no published result funded."""
    proposal = Proposal.objects.select_for_update().select_related("cycle").get(pk=proposal.pk)
    if not proposal.cycle.allows(Feature.VIEW_RESULTS):
        raise ImplementationError(_("Projects are tracked once the results are published."))
    state = get_funded_project_state(proposal=proposal)
    if state is None:
        raise ImplementationError(_("Only projects funded in the published results are tracked."))
    return proposal, state


@transaction.atomic
def post_implementation_update(
    *,
    proposal: Proposal,
    actor: User,
    status: str,
    percent_done: int,
    spent_won: int,
    note: str,
    photos: Sequence[tuple[ContentFile[bytes], str]] = (),
) -> ImplementationUpdate:
    """Publish a progress update on a funded project. ``photos`` are (re-encoded file, caption).

    Refused: a cancelled (cut) project, "done" below 100 %, more money spent than the project
    has after cuts, an empty note.
    """
    proposal, state = _lock_funded_project(proposal)
    status = ImplementationStatus(status)
    note = note.strip()
    if not note:
        raise ImplementationError(_("Write a note: what happened since the last update."))
    if not 0 <= percent_done <= 100:
        raise ImplementationError(_("Percent done is between 0 and 100."))
    if status == ImplementationStatus.DONE and percent_done != 100:
        raise ImplementationError(_("A project that is done must be at 100 percent."))
    if state.cuts and state.funded_won == 0 and status != ImplementationStatus.CANCELLED:
        raise ImplementationError(
            _("The city council cut this project entirely; it can only be marked cancelled.")
        )
    if spent_won < 0 or spent_won > state.funded_won:
        raise ImplementationError(
            _("Money spent cannot be more than the project's funding (%(funded)s won).")
            % {"funded": f"{state.funded_won:,}"}
        )
    if len(photos) > MAX_PHOTOS_PER_UPDATE:
        raise ImplementationError(
            _("At most %(n)s photos per update.") % {"n": MAX_PHOTOS_PER_UPDATE}
        )
    update = ImplementationUpdate.objects.create(
        proposal=proposal,
        status=status,
        percent_done=percent_done,
        spent_won=spent_won,
        note=note,
        posted_by=actor,
    )
    for order, (image, caption) in enumerate(photos):
        photo = ImplementationPhoto(update=update, caption=caption.strip()[:200], order=order)
        photo.image.save(image.name, image, save=False)
        photo.save()
    record_audit_event(
        cycle=proposal.cycle,
        event_type=AuditEvent.Type.IMPLEMENTATION_UPDATED,
        subject=update,
        actor=actor,
        is_public=True,
        proposal=proposal.pk,
        title=proposal.title,
        status=status.value,
        percent_done=percent_done,
        spent_won=spent_won,
        photos=len(photos),
    )
    announce_project_changed(proposal=proposal, change="update", change_id=update.pk)
    return update


@transaction.atomic
def record_budget_cut(
    *,
    proposal: Proposal,
    actor: User,
    amount_won: int,
    reason: str,
    decided_on: date | None = None,
) -> BudgetCut:
    """Record that the city council cut or reduced a funded project, with a public reason.

    The amount cannot exceed what is left unspent; cutting all that is left is a cut, anything
    less a reduction.
    """
    proposal, state = _lock_funded_project(proposal)
    reason = reason.strip()
    if not reason:
        raise ImplementationError(_("A cut needs a public reason."))
    if amount_won <= 0:
        raise ImplementationError(_("The amount cut must be more than 0 won."))
    if state.funded_won == 0:
        raise ImplementationError(_("This project has no money left to cut."))
    can_cut = state.funded_won - state.spent_won
    if amount_won > can_cut:
        raise ImplementationError(
            _(
                "At most %(left)s won can be cut: the project has %(funded)s won and "
                "%(spent)s won is spent already."
            )
            % {
                "left": f"{can_cut:,}",
                "funded": f"{state.funded_won:,}",
                "spent": f"{state.spent_won:,}",
            }
        )
    kind = BudgetCut.Kind.CUT if amount_won == state.funded_won else BudgetCut.Kind.REDUCED
    cut = BudgetCut.objects.create(
        proposal=proposal,
        kind=kind,
        amount_won=amount_won,
        reason=reason,
        decided_on=decided_on,
        recorded_by=actor,
    )
    record_audit_event(
        cycle=proposal.cycle,
        event_type=AuditEvent.Type.PROJECT_CUT,
        subject=cut,
        actor=actor,
        is_public=True,
        reason=reason,
        proposal=proposal.pk,
        title=proposal.title,
        kind=kind.value,
        amount_won=amount_won,
        funded_before_won=state.funded_won,
        funded_after_won=state.funded_won - amount_won,
    )
    announce_project_changed(proposal=proposal, change="cut", change_id=cut.pk)
    return cut


def follow_project(*, user: User, proposal: Proposal) -> ProjectFollow:
    """Follow a funded project. Only for residents who voted on its ballot, endorsed or wrote it.

    Whether they voted for this project is never read (a ballot is not linked to a person).
    """
    if get_funded_project_state(proposal=proposal) is None:
        raise ImplementationError(_("Only funded projects can be followed."))
    if not took_part_in_project(user=user, proposal=proposal):
        raise ImplementationError(
            _("Residents who voted on this ballot or endorsed the project can follow it.")
        )
    try:
        with transaction.atomic():
            follow, _created = ProjectFollow.objects.get_or_create(user=user, proposal=proposal)
    except IntegrityError:  # followed at the same moment in another request
        follow = ProjectFollow.objects.get(user=user, proposal=proposal)
    return follow


def unfollow_project(*, user: User, proposal: Proposal) -> bool:
    """Stop following. Returns False if the resident was not following."""
    deleted, _details = ProjectFollow.objects.filter(user=user, proposal=proposal).delete()
    return bool(deleted)
