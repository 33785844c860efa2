"""Writes of the assembly app: schedule, attendance, the vote under the per-person lock, minutes.

Secrecy as for online ballots (see assembly/models.py): the person is recorded in
``AssemblyVoter`` and the choices in ``AssemblyBallot``, with nothing joining the two; closing
the vote re-writes the ballots in random order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from assembly.models import Assembly
from assembly.models import AssemblyBallot
from assembly.models import AssemblyChoice
from assembly.models import AssemblyVoter
from assembly.models import Attendance
from assembly.selectors import list_shortlist
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.phases import phase_index
from budgeting.selectors import get_ineligibility
from budgeting.selectors import is_council_member
from core.exceptions import ApplicationError


class AssemblyError(ApplicationError):
    """An assembly action was refused; ``message`` says why."""


def _check_staff(actor: User | AnonymousUser | None) -> None:
    if actor is None or not (actor.is_authenticated and actor.is_staff):
        raise AssemblyError(_("Only the budget office may do this."), code="forbidden")


def schedule_assembly(
    *,
    cycle: BudgetCycle,
    title: str,
    starts_at: datetime,
    place: str,
    online_url: str = "",
    actor: User | AnonymousUser | None,
) -> Assembly:
    _check_staff(actor)
    if phase_index(cycle.phase) >= phase_index(Phase.TALLYING):
        raise AssemblyError(
            _("Voting has closed: an assembly can no longer be scheduled for this cycle."),
            code="closed",
        )
    return Assembly.objects.create(
        cycle=cycle, title=title, starts_at=starts_at, place=place, online_url=online_url
    )


def record_attendance(
    *, assembly: Assembly, user: User, actor: User | AnonymousUser | None
) -> Attendance:
    """Record ``user`` as present: a committee member, or a registered resident. Idempotent."""
    _check_staff(actor)
    if assembly.status == Assembly.Status.CLOSED:
        raise AssemblyError(_("This assembly is closed."), code="closed")
    if is_council_member(user=user, cycle=assembly.cycle):
        role = Attendance.Role.COMMITTEE
    elif getattr(user, "resident_profile", None) is not None:
        role = Attendance.Role.RESIDENT
    else:
        raise AssemblyError(
            _("Only committee members and registered residents can attend and vote."),
            code="not_registered",
        )
    attendance, _created = Attendance.objects.get_or_create(
        assembly=assembly,
        user=user,
        defaults={"role": role, "recorded_by": actor if isinstance(actor, User) else None},
    )
    return attendance


@transaction.atomic
def set_assembly_status(
    *, assembly: Assembly, status: str, actor: User | AnonymousUser | None
) -> Assembly:
    """Open or close the assembly's vote. Closing shuffles the ballots' storage order."""
    _check_staff(actor)
    locked = Assembly.objects.select_for_update().get(pk=assembly.pk)
    order = list(Assembly.Status.values)
    if order.index(status) < order.index(locked.status):
        raise AssemblyError(_("A closed vote cannot be opened again."), code="closed")
    if status == Assembly.Status.VOTING and not locked.cycle.allows_assembly_vote:
        raise AssemblyError(
            _("The assembly votes while the cycle's vote is open."), code="voting_closed"
        )
    if status == Assembly.Status.CLOSED and locked.status != Assembly.Status.CLOSED:
        _erase_write_order(assembly=locked)
    locked.status = status
    locked.save(update_fields=["status"])
    return locked


def _erase_write_order(*, assembly: Assembly) -> None:
    """Re-write the assembly's ballots in random order with new keys (as erase_write_order does
    for online ballots): neither row order nor key follows the order people voted in."""
    ballots = list(AssemblyBallot.objects.filter(assembly=assembly).prefetch_related("choices"))
    rows = [(b.scope_id, [c.proposal_id for c in b.choices.all()]) for b in ballots]
    random.SystemRandom().shuffle(rows)
    AssemblyChoice.objects.filter(ballot__assembly=assembly).delete()
    AssemblyBallot.objects.filter(assembly=assembly).delete()
    new = [AssemblyBallot(assembly=assembly, scope_id=scope_id) for scope_id, _c in rows]
    AssemblyBallot.objects.bulk_create(new)
    AssemblyChoice.objects.bulk_create(
        AssemblyChoice(ballot=ballot, proposal_id=pk)
        for ballot, (_s, pks) in zip(new, rows, strict=True)
        for pk in pks
    )


def save_minutes(
    *, assembly: Assembly, minutes: str, actor: User | AnonymousUser | None
) -> Assembly:
    _check_staff(actor)
    assembly.minutes = minutes
    assembly.save(update_fields=["minutes"])
    return assembly


@transaction.atomic
def cast_assembly_vote(
    *,
    attendance: Attendance,
    scope: BallotScope,
    proposal_ids: Sequence[int],
    channel: str,
    actor: User | AnonymousUser | None,
) -> AssemblyBallot:
    """Store one attendee's approvals on ``scope``: once per person and scope in this source.

    The lock: the person's attendance rows of every assembly of the cycle are locked first, so
    two officers entering the same person (kiosk and paper, or two assemblies) are serialised
    and the second is refused. Online ballots are another source: they neither block nor are
    blocked by this one.
    """
    _check_staff(actor)
    assembly = Assembly.objects.select_for_update().get(pk=attendance.assembly_id)
    if assembly.status != Assembly.Status.VOTING or not assembly.cycle.allows_assembly_vote:
        raise AssemblyError(_("The assembly's vote is not open."), code="not_open")
    if scope.cycle_id != assembly.cycle_id:
        raise AssemblyError(_("This ballot is not part of the assembly's cycle."), code="scope")
    if channel not in AssemblyVoter.Channel.values:
        raise AssemblyError(_("Choose how the vote was cast."), code="channel")
    user = attendance.user
    list(
        Attendance.objects.select_for_update()
        .filter(user=user, assembly__cycle_id=assembly.cycle_id)
        .values_list("pk", flat=True)
    )
    if attendance.role == Attendance.Role.RESIDENT and get_ineligibility(user=user, scope=scope):
        raise AssemblyError(
            _("This resident may not vote on this ballot (another district or not eligible)."),
            code="ineligible",
        )
    if AssemblyVoter.objects.filter(
        attendance__user=user, attendance__assembly__cycle_id=assembly.cycle_id, scope=scope
    ).exists():
        raise AssemblyError(
            _("This person has already voted on this ballot at the general assembly."),
            code="already_voted",
        )
    shortlist = set(list_shortlist(scope=scope).values_list("pk", flat=True))
    chosen = set(proposal_ids)
    if not chosen or not chosen <= shortlist:
        raise AssemblyError(_("Choose at least one project from the shortlist."), code="choices")
    limit = assembly.cycle.approval_max_choices
    if len(chosen) > limit:
        raise AssemblyError(
            _("Choose at most %(limit)d projects.") % {"limit": limit}, code="too_many"
        )
    AssemblyVoter.objects.create(
        attendance=attendance,
        scope=scope,
        channel=channel,
        entered_by=actor if isinstance(actor, User) else None,
    )
    ballot = AssemblyBallot.objects.create(assembly=assembly, scope=scope)
    AssemblyChoice.objects.bulk_create(
        AssemblyChoice(ballot=ballot, proposal_id=pk) for pk in sorted(chosen)
    )
    return ballot
