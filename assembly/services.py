"""Writes of the assembly app: schedule, attendance, the vote under the per-person lock, minutes.

Secrecy as for online ballots (see assembly/models.py): the person is recorded in
``AssemblyVoter`` and the choices in ``AssemblyBallot``, with nothing joining the two; closing
the vote re-writes the ballots in random order.

Every step is an audit event (``budgeting.audit``): scheduled or changed, attendance (public,
counts by role only, never a name), vote opened and closed, minutes (public, with the SHA-256 of
the text), and each vote (not public: the pot and the channel, never the attendee nor what was
chosen). A refused action writes nothing; an action that changes nothing writes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
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
from assembly.models import SurveyCount
from assembly.selectors import count_attendance_by_role
from assembly.selectors import cycle_has_survey_source
from assembly.selectors import get_survey_freeze_reason
from assembly.selectors import list_shortlist
from budgeting.audit import record_audit_event
from budgeting.audit import sha256_hex
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.phases import phase_index
from budgeting.selectors import get_ineligibility
from budgeting.selectors import is_council_member
from core.exceptions import ApplicationError
from proposals.models import Proposal


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
    assembly = Assembly.objects.create(
        cycle=cycle, title=title, starts_at=starts_at, place=place, online_url=online_url
    )
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.ASSEMBLY_SCHEDULED,
        subject=assembly,
        actor=actor,
        is_public=True,
        title=title,
        starts_at=starts_at.isoformat(),
        place=place,
        online=bool(online_url),
    )
    return assembly


@transaction.atomic
def change_assembly(
    *,
    assembly: Assembly,
    title: str,
    starts_at: datetime,
    place: str,
    online_url: str = "",
    actor: User | AnonymousUser | None,
) -> Assembly:
    """Change an assembly's title, date, place or online link (not once it is closed)."""
    _check_staff(actor)
    locked = Assembly.objects.select_for_update().select_related("cycle").get(pk=assembly.pk)
    if locked.status == Assembly.Status.CLOSED:
        raise AssemblyError(_("This assembly is closed."), code="closed")
    new = {"title": title, "starts_at": starts_at, "place": place, "online_url": online_url}
    changed = [field for field, value in new.items() if getattr(locked, field) != value]
    if not changed:
        return locked
    for field in changed:
        setattr(locked, field, new[field])
    locked.save(update_fields=changed)
    record_audit_event(
        cycle=locked.cycle,
        event_type=AuditEvent.Type.ASSEMBLY_CHANGED,
        subject=locked,
        actor=actor,
        is_public=True,
        changed=sorted(changed),
        title=locked.title,
        starts_at=locked.starts_at.isoformat(),
        place=locked.place,
        online=bool(locked.online_url),
    )
    return locked


@transaction.atomic
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
    attendance, created = Attendance.objects.get_or_create(
        assembly=assembly,
        user=user,
        defaults={"role": role, "recorded_by": actor if isinstance(actor, User) else None},
    )
    if created:  # public: how many attend in each role, never who
        counts = count_attendance_by_role(assembly=assembly)
        record_audit_event(
            cycle=assembly.cycle,
            event_type=AuditEvent.Type.ASSEMBLY_ATTENDANCE_RECORDED,
            subject=assembly,
            actor=actor,
            is_public=True,
            committee=counts[Attendance.Role.COMMITTEE],
            resident=counts[Attendance.Role.RESIDENT],
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
    if status == locked.status:
        return locked
    if status == Assembly.Status.CLOSED:
        _erase_write_order(assembly=locked)
    locked.status = status
    locked.save(update_fields=["status"])
    if status == Assembly.Status.VOTING:
        record_audit_event(
            cycle=locked.cycle,
            event_type=AuditEvent.Type.ASSEMBLY_VOTE_OPENED,
            subject=locked,
            actor=actor,
            is_public=True,
        )
    else:
        record_audit_event(
            cycle=locked.cycle,
            event_type=AuditEvent.Type.ASSEMBLY_VOTE_CLOSED,
            subject=locked,
            actor=actor,
            is_public=True,
            ballots=AssemblyBallot.objects.filter(assembly=locked).count(),
        )
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


@transaction.atomic
def save_minutes(
    *, assembly: Assembly, minutes: str, actor: User | AnonymousUser | None
) -> Assembly:
    """Save (and so publish) the minutes; a public event carries the SHA-256 of the text, so a
    later silent edit would show. Saving the same text again writes nothing."""
    _check_staff(actor)
    locked = Assembly.objects.select_for_update().select_related("cycle").get(pk=assembly.pk)
    if minutes == locked.minutes:
        return locked
    revised = bool(locked.minutes)
    locked.minutes = minutes
    locked.save(update_fields=["minutes"])
    record_audit_event(
        cycle=locked.cycle,
        event_type=AuditEvent.Type.ASSEMBLY_MINUTES_SAVED,
        subject=locked,
        actor=actor,
        is_public=True,
        revised=revised,
        minutes_sha256=sha256_hex(minutes),
    )
    return locked


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
    record_assembly_vote_event(assembly=assembly, scope=scope, channel=channel, actor=actor)
    return ballot


def record_assembly_vote_event(
    *,
    assembly: Assembly,
    scope: BallotScope,
    channel: str,
    actor: User | AnonymousUser | None,
) -> AuditEvent:
    """The audit event of one assembly vote: not public, and it names neither the attendee nor
    the ballot (whose key would join the two tables) nor anything chosen: the pot and how the
    vote was cast. (Also written by the demo, which stores its past assembly's votes directly.)"""
    return record_audit_event(
        cycle=assembly.cycle,
        event_type=AuditEvent.Type.ASSEMBLY_VOTE_RECORDED,
        subject=assembly,
        actor=actor,
        is_public=False,
        scope=scope.pk,
        channel=channel,
    )


# --- the survey source of the weighted rule ---------------------------------------------------
@transaction.atomic
def save_survey_counts(
    *, cycle: BudgetCycle, counts: Mapping[int, int], actor: User | AnonymousUser | None
) -> int:
    """Enter the survey count of projects on ``cycle``'s ballots (proposal id -> a whole number,
    0 or more); returns how many changed. Refused, with nothing changed, for a cycle whose rule
    has no survey source, once counting has begun, for a project not on a ballot of the cycle
    and for a negative or non-integer count. A save that changes something writes a (not public)
    audit event with each change; the counts are published with the results.

    The cycle's pots are locked first, as ``tally_scope`` locks its pot before it reads the
    sources and creates its run: a count that starts meanwhile either sees these numbers or
    is seen here and refuses the change."""
    _check_staff(actor)
    locked = BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
    scopes = BallotScope.objects.select_for_update(of=("self",)).filter(cycle=locked)
    list(scopes.order_by("pk").values_list("pk", flat=True))
    if not cycle_has_survey_source(cycle=locked):
        raise AssemblyError(_("This cycle's rule has no survey source."), code="no_survey")
    reason = get_survey_freeze_reason(cycle=locked)
    if reason:
        raise AssemblyError(reason, code="frozen")
    on_ballot = dict(
        Proposal.objects.filter(scope__cycle=locked, status=Proposal.Status.ON_BALLOT).values_list(
            "pk", "scope_id"
        )
    )
    if not set(counts) <= set(on_ballot):
        raise AssemblyError(
            _("Only projects on this cycle's ballots have a survey count."), code="not_on_ballot"
        )
    if any(type(value) is not int or value < 0 for value in counts.values()):
        raise AssemblyError(_("A survey count is a whole number, 0 or more."), code="invalid")
    existing = dict(
        SurveyCount.objects.filter(proposal_id__in=list(counts)).values_list("proposal_id", "count")
    )
    changes: dict[str, list[int]] = {}
    for pk, value in sorted(counts.items()):
        before = existing.get(pk)
        if value == (before or 0):
            continue
        SurveyCount.objects.update_or_create(
            proposal_id=pk,
            defaults={"count": value, "entered_by": actor if isinstance(actor, User) else None},
        )
        changes[str(pk)] = [before or 0, value]
    if changes:
        record_audit_event(
            cycle=locked,
            event_type=AuditEvent.Type.SURVEY_COUNTS_SAVED,
            subject=locked,
            actor=actor,
            is_public=False,  # published with the results, as the committee's scores are
            pots=sorted({on_ballot[int(pk)] for pk in changes}),
            changes=changes,
        )
    return len(changes)
