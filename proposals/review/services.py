"""The council's review: feasibility reviews, rubric scores, merging duplicates, decisions.

Decisions made here (the issue is silent on them; a real city works this way):

- Who acts: any council member of the proposal's cycle, and budget-office staff, but never the
  proposal's author or a co-author (checked by user). Rubric scores are the council's own votes,
  so only council members score. A council member records the outcome the council agreed on.
- When: only while the cycle is in its review phase (``Feature.REVIEW``). Decisions can be
  changed during the review and never after; every change is audited and e-mailed.
- The latest feasibility review's reviewed cost becomes ``Proposal.reviewed_cost_won``.
- A proposal's status follows from its review: ``on_ballot`` when decided so; else
  ``infeasible`` when the latest review says so; else ``rejected`` when decided so; else
  ``submitted``. So every proposal sits in exactly one step of the public funnel.
- ``on_ballot`` needs a reviewed cost and a latest review that is feasible (with or without
  changes); an infeasible review is refused while the decision is ``on_ballot``.
- The decision and its public reason are public at once (audit event ``is_public=True``); the
  per-member review notes and rubric scores become public when the review phase ends.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.selectors import get_subcommittee_seat_for_area
from budgeting.selectors import is_council_member
from core.links import absolute_url
from notifications.services import enqueue_email
from proposals.models import CouncilDecision
from proposals.models import CouncilScore
from proposals.models import Endorsement
from proposals.models import FeasibilityReview
from proposals.models import Proposal
from proposals.models import Recusal
from proposals.models import RubricCriterion
from proposals.models import SubcommitteeRecommendation
from proposals.review.gates import get_recommendation_refusal
from proposals.review.predicates import Action
from proposals.review.predicates import get_phase_or_status_refusal
from proposals.review.predicates import get_review_refusal
from proposals.review.selectors import count_decision_revisions
from proposals.services import ProposalError

DECISION_EMAIL = "proposals/emails/council_decision"
MERGE_EMAIL = "proposals/emails/proposals_merged"
FEASIBILITY_EMAIL = "proposals/emails/feasibility_changed"


# --- checks (defence in depth: the views ask the same rule first) ------------------------------
def _check_may_act(
    *, user: User, proposal: Proposal, council_only: bool = False, action: str = Action.REVIEW
) -> None:
    refusal = get_review_refusal(
        user=user, proposal=proposal, council_only=council_only, action=action
    )
    if refusal is not None:
        raise ProposalError(refusal.message, code=refusal.code)


def _lock(proposal: Proposal) -> Proposal:
    """Lock the proposal row for the rest of the transaction and return it fresh."""
    locked: Proposal = (
        Proposal.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=proposal.pk)
    )
    return locked


def _latest_review(proposal: Proposal) -> FeasibilityReview | None:
    return proposal.feasibility_reviews.order_by("-updated_at", "-pk").first()


def _derived_status(proposal: Proposal) -> str:
    decision = CouncilDecision.objects.filter(proposal=proposal).first()
    latest = _latest_review(proposal)
    if decision and decision.decision == CouncilDecision.Decision.ON_BALLOT:
        return Proposal.Status.ON_BALLOT
    if latest and latest.verdict == FeasibilityReview.Verdict.INFEASIBLE:
        return Proposal.Status.INFEASIBLE
    if decision:
        return Proposal.Status.REJECTED
    return Proposal.Status.SUBMITTED


def _save_status(proposal: Proposal) -> None:
    proposal.status = _derived_status(proposal)
    proposal.save(update_fields=["status", "reviewed_cost_won", "updated_at"])


def _recipients(proposals: Iterable[Proposal]) -> list[User]:
    """Authors and co-authors of ``proposals``, each once, in a stable order."""
    people: dict[int, User] = {}
    for proposal in proposals:
        for person in [proposal.author, *proposal.co_authors.all()]:
            people.setdefault(person.pk, person)
    return [people[pk] for pk in sorted(people)]


def _notify_authors(
    proposals: Iterable[Proposal], template: str, context: dict[str, Any], *, key: str
) -> None:
    """Queue one e-mail per author and co-author (sent after commit, once per ``key``), to
    those who have not turned review e-mails off in their profile."""
    for person in _recipients(proposals):
        profile = getattr(person, "resident_profile", None)
        if profile is not None and not profile.email_proposal_review:
            continue
        enqueue_email(
            template=template, context=context, recipient=person, dedupe_key=f"{key}:{person.pk}"
        )


# --- feasibility review ------------------------------------------------------------------------
@transaction.atomic
def record_feasibility_review(
    *,
    proposal: Proposal,
    reviewer: User,
    verdict: str,
    reason_codes: list[str] | tuple[str, ...] = (),
    legal_notes: str = "",
    technical_notes: str = "",
    reviewed_cost_won: int | None = None,
) -> FeasibilityReview:
    """Create or update ``reviewer``'s feasibility review of ``proposal``.

    The reviewed cost becomes the proposal's; an infeasible verdict makes it ``infeasible``.
    """
    proposal = _lock(proposal)
    _check_may_act(user=reviewer, proposal=proposal)
    return _write_feasibility_review(
        proposal=proposal,
        reviewer=reviewer,
        verdict=verdict,
        reason_codes=reason_codes,
        legal_notes=legal_notes,
        technical_notes=technical_notes,
        reviewed_cost_won=reviewed_cost_won,
    )


@transaction.atomic
def record_department_verdict(
    *,
    proposal: Proposal,
    official: User,
    verdict: str,
    reason_codes: list[str] | tuple[str, ...] = (),
    legal_notes: str = "",
    technical_notes: str = "",
    reviewed_cost_won: int | None = None,
) -> FeasibilityReview:
    """Record a city department's verdict as the proposal's feasibility review.

    The departments app decides who may (an official of a department the proposal is routed
    to) and calls this; here only the phase and the proposal's state are checked again.
    """
    proposal = _lock(proposal)
    refusal = get_phase_or_status_refusal(proposal=proposal)
    if refusal is not None:
        raise ProposalError(refusal.message, code=refusal.code)
    return _write_feasibility_review(
        proposal=proposal,
        reviewer=official,
        verdict=verdict,
        reason_codes=reason_codes,
        legal_notes=legal_notes,
        technical_notes=technical_notes,
        reviewed_cost_won=reviewed_cost_won,
    )


def _write_feasibility_review(
    *,
    proposal: Proposal,
    reviewer: User,
    verdict: str,
    reason_codes: list[str] | tuple[str, ...],
    legal_notes: str,
    technical_notes: str,
    reviewed_cost_won: int | None,
) -> FeasibilityReview:
    verdict = str(verdict)
    if verdict not in FeasibilityReview.Verdict.values:
        raise ProposalError(_("Choose a verdict."), field="verdict")
    codes = sorted({str(code) for code in reason_codes})
    unknown = [code for code in codes if code not in FeasibilityReview.ReasonCode.values]
    if unknown:
        raise ProposalError(_("Choose reasons from the list."), field="reason_codes")
    is_infeasible = verdict == FeasibilityReview.Verdict.INFEASIBLE
    if is_infeasible and not codes:
        raise ProposalError(
            _("Say why the proposal is not feasible: choose at least one reason."),
            field="reason_codes",
        )
    if reviewed_cost_won is not None and (
        isinstance(reviewed_cost_won, bool) or int(reviewed_cost_won) < 1
    ):
        raise ProposalError(
            _("The reviewed cost is a whole number of won, at least 1."), field="reviewed_cost_won"
        )
    if not is_infeasible and reviewed_cost_won is None:
        raise ProposalError(
            _("A feasible proposal needs a reviewed cost."), field="reviewed_cost_won"
        )
    cap = proposal.scope.project_cost_cap_won
    if not is_infeasible and reviewed_cost_won is not None and int(reviewed_cost_won) > cap:
        # Said at review time, not only later at the decision (issues #11 and #14).
        raise ProposalError(
            _(
                "The reviewed cost (%(cost)s won) is above this ballot's limit per project "
                "(%(cap)s won). Record it as not feasible (cost), or review a smaller project."
            )
            % {"cost": f"{int(reviewed_cost_won):,}", "cap": f"{cap:,}"},
            field="reviewed_cost_won",
        )
    decision = CouncilDecision.objects.filter(proposal=proposal).first()
    if is_infeasible and decision and decision.decision == CouncilDecision.Decision.ON_BALLOT:
        raise ProposalError(
            _(
                "The council has put this proposal on the ballot. Change that decision "
                "before recording it as not feasible."
            ),
            code="conflict",
            field="verdict",
        )

    review = FeasibilityReview.objects.filter(proposal=proposal, reviewer=reviewer).first()
    review = review or FeasibilityReview(proposal=proposal, reviewer=reviewer)
    review.verdict = verdict
    review.reason_codes = codes
    review.legal_notes = legal_notes.strip()
    review.technical_notes = technical_notes.strip()
    review.reviewed_cost_won = int(reviewed_cost_won) if reviewed_cost_won is not None else None
    try:
        review.full_clean(exclude=["proposal", "reviewer"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ProposalError(" ".join(messages), field=field) from exc
    review.save()

    if review.reviewed_cost_won is not None:
        proposal.reviewed_cost_won = review.reviewed_cost_won
    previous_status = proposal.status
    _save_status(proposal)
    event = record_audit_event(
        cycle=proposal.cycle,
        event_type=AuditEvent.Type.FEASIBILITY_REVIEWED,
        subject=proposal,
        actor=reviewer,
        is_public=False,  # per-member notes are public only after the review phase
        verdict=verdict,
        reason_codes=codes,
        reviewed_cost_won=review.reviewed_cost_won,
        status=proposal.status,
    )
    infeasible = Proposal.Status.INFEASIBLE
    if infeasible in (previous_status, proposal.status) and previous_status != proposal.status:
        # Found infeasible (or feasible again): the authors hear it at once, with the reasons;
        # the reviewers' notes stay with the council until the review phase ends.
        context = {
            "proposal_title": proposal.title,
            "is_infeasible": proposal.status == infeasible,
            "reason_codes": codes if proposal.status == infeasible else [],
            "url": absolute_url(proposal.get_absolute_url()),
        }
        _notify_authors([proposal], FEASIBILITY_EMAIL, context, key=f"feasibility:{event.pk}")
    return review


# --- rubric ------------------------------------------------------------------------------------
@transaction.atomic
def score_proposal(
    *, proposal: Proposal, member: User, points: dict[int, int]
) -> list[CouncilScore]:
    """Record ``member``'s rubric scores for ``proposal``: ``points`` maps criterion id → points.

    A first score or a change is audited. The event is never public: scoring happens only in
    the review phase, when scores are the council's own; they become public on the proposal
    page when the phase ends (``get_review_summary``), not through the audit log. The points
    are kept in the event for staff. Sending the same scores again records nothing.
    """
    proposal = _lock(proposal)
    _check_may_act(user=member, proposal=proposal, council_only=True)
    criteria = {c.pk: c for c in RubricCriterion.objects.filter(cycle=proposal.cycle)}
    if not criteria:
        raise ProposalError(_("This cycle has no published rubric yet."))
    if set(points) - set(criteria):
        raise ProposalError(_("Score only the criteria of this cycle's rubric."))
    previous = dict(
        CouncilScore.objects.filter(proposal=proposal, member=member).values_list(
            "criterion_id", "points"
        )
    )
    scores, changes = [], {}
    for criterion_id, value in sorted(points.items()):
        criterion = criteria[criterion_id]
        if isinstance(value, bool) or not 0 <= int(value) <= criterion.max_points:
            raise ProposalError(
                _("“%(criterion)s” takes 0 to %(max)s points.")
                % {"criterion": criterion.name, "max": criterion.max_points},
                field=f"criterion_{criterion_id}",
            )
        score, _created = CouncilScore.objects.update_or_create(
            proposal=proposal, member=member, criterion=criterion, defaults={"points": int(value)}
        )
        scores.append(score)
        if previous.get(criterion_id) != score.points:
            # JSON keys are strings: criterion id → [points before (None: first), points now]
            changes[str(criterion_id)] = [previous.get(criterion_id), score.points]
    if changes:
        record_audit_event(
            cycle=proposal.cycle,
            event_type=AuditEvent.Type.RUBRIC_SCORED,
            subject=proposal,
            actor=member,
            is_public=False,  # scores are the council's until the review phase ends
            first_time=not previous,
            changes=changes,
        )
    return scores


# --- decision ----------------------------------------------------------------------------------
@transaction.atomic
def record_council_decision(
    *,
    proposal: Proposal,
    decided_by: User,
    decision: str,
    public_reason: str,
    expected_revision: int | None = None,
) -> CouncilDecision:
    """Record (or change) the council's decision, with a required public reason.

    ``expected_revision`` is how many decisions the person saw when they opened the form; if
    someone decided in the meantime the call is refused, so nobody overwrites a decision unseen.
    Each recorded decision is a public audit event and is e-mailed to the authors once.
    """
    proposal = _lock(proposal)
    _check_may_act(user=decided_by, proposal=proposal, action=Action.DECIDE)
    decision = str(decision)
    if decision not in CouncilDecision.Decision.values:
        raise ProposalError(_("Choose a decision."), field="decision")
    public_reason = (public_reason or "").strip()
    if not public_reason:
        raise ProposalError(_("Give the public reason for the decision."), field="public_reason")
    revision = count_decision_revisions(proposal=proposal)
    if expected_revision is not None and expected_revision != revision:
        raise ProposalError(
            _(
                "Someone recorded a decision on this proposal after you opened this page. "
                "Read the current decision, then decide again."
            ),
            code="stale",
        )
    if decision == CouncilDecision.Decision.ON_BALLOT:
        latest = _latest_review(proposal)
        if latest is None or latest.verdict == FeasibilityReview.Verdict.INFEASIBLE:
            raise ProposalError(
                _("Only a proposal its latest review finds feasible can go on the ballot."),
                field="decision",
            )
        if not proposal.reviewed_cost_won:
            raise ProposalError(
                _("Record a reviewed cost before putting the proposal on the ballot."),
                field="decision",
            )
        cap = proposal.scope.project_cost_cap_won
        if proposal.reviewed_cost_won > cap:
            raise ProposalError(
                _("The reviewed cost is above this ballot's limit per project (%(cap)s won).")
                % {"cap": f"{cap:,}"},
                field="decision",
            )

    record = CouncilDecision.objects.filter(proposal=proposal).first()
    record = record or CouncilDecision(proposal=proposal)
    previous = record.decision if record.pk else ""
    record.decision = decision
    record.public_reason = public_reason
    record.decided_by = decided_by
    try:
        record.full_clean(exclude=["proposal", "decided_by"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ProposalError(" ".join(messages), field=field) from exc
    record.save()
    _save_status(proposal)
    revision += 1
    record_audit_event(
        cycle=proposal.cycle,
        event_type=AuditEvent.Type.COUNCIL_DECISION_RECORDED,
        subject=proposal,
        actor=decided_by,
        is_public=True,
        reason=public_reason,
        decision=decision,
        previous_decision=previous,
        revision=revision,
        proposal_title=proposal.title,
    )
    context = {
        "proposal_title": proposal.title,
        "decision": decision,
        "public_reason": public_reason,
        "reviewed_cost_won": proposal.reviewed_cost_won,
        "revision": revision,
        "url": absolute_url(proposal.get_absolute_url()),
    }
    _notify_authors(
        [proposal], DECISION_EMAIL, context, key=f"decision:{proposal.pk}:{record.pk}:{revision}"
    )
    return record


# --- merging duplicates ------------------------------------------------------------------------
@transaction.atomic
def merge_proposals(
    *, survivor: Proposal, duplicates: list[Proposal], merged_by: User, public_reason: str
) -> Proposal:
    """Merge ``duplicates`` into ``survivor``: they become ``merged`` and point to it.

    Their endorsements move to the survivor (one per resident; the survivor's own authors'
    are dropped), proposals merged into them earlier now point to the survivor, and the authors
    of every proposal involved are e-mailed once.
    """
    public_reason = (public_reason or "").strip()
    if not public_reason:
        raise ProposalError(_("Give the public reason for the merge."), field="public_reason")
    ids = sorted({p.pk for p in duplicates} - {survivor.pk})
    if not ids:
        raise ProposalError(_("Choose at least one other proposal to merge."), field="duplicates")
    locked = {
        p.pk: p
        for p in Proposal.objects.select_for_update(of=("self",))
        .select_related("cycle")
        .filter(pk__in=[survivor.pk, *ids])
        .order_by("pk")
    }
    survivor = locked[survivor.pk]
    duplicates = [locked[pk] for pk in ids if pk in locked]
    if len(duplicates) != len(ids):
        raise ProposalError(_("Some of the chosen proposals no longer exist."), field="duplicates")
    for proposal in [survivor, *duplicates]:
        _check_may_act(user=merged_by, proposal=proposal, action=Action.MERGE)
        if proposal.scope_id != survivor.scope_id:
            raise ProposalError(
                _("Only proposals on the same ballot can be merged."), field="duplicates"
            )
    for duplicate in duplicates:
        decision = CouncilDecision.objects.filter(proposal=duplicate).first()
        if decision and decision.decision == CouncilDecision.Decision.ON_BALLOT:
            raise ProposalError(
                _("“%(title)s” is on the ballot: change that decision before merging it.")
                % {"title": duplicate.title},
                field="duplicates",
            )

    survivor_authors = {survivor.author_id, *survivor.co_authors.values_list("pk", flat=True)}
    already = set(survivor.endorsements.values_list("user_id", flat=True)) | survivor_authors
    moving = Endorsement.objects.filter(proposal_id__in=ids).order_by("created_at", "pk")
    moved = 0
    for endorsement in moving:
        if endorsement.user_id in already:
            endorsement.delete()
            continue
        already.add(endorsement.user_id)
        endorsement.proposal = survivor
        endorsement.save(update_fields=["proposal"])
        moved += 1
    Proposal.objects.filter(merged_into_id__in=ids).update(merged_into=survivor)
    Proposal.objects.filter(pk__in=ids).update(status=Proposal.Status.MERGED, merged_into=survivor)

    event = record_audit_event(
        cycle=survivor.cycle,
        event_type=AuditEvent.Type.PROPOSALS_MERGED,
        subject=survivor,
        actor=merged_by,
        is_public=True,
        reason=public_reason,
        survivor_id=survivor.pk,
        survivor_title=survivor.title,
        merged_ids=ids,
        merged_titles=[d.title for d in duplicates],
        endorsements_moved=moved,
    )
    for duplicate in duplicates:  # so each merged proposal's own history shows where it went
        record_audit_event(
            cycle=survivor.cycle,
            event_type=AuditEvent.Type.PROPOSALS_MERGED,
            subject=duplicate,
            actor=merged_by,
            is_public=True,
            reason=public_reason,
            survivor_id=survivor.pk,
            survivor_title=survivor.title,
            merged_ids=[duplicate.pk],
        )
    context = {
        "survivor_title": survivor.title,
        "survivor_url": absolute_url(survivor.get_absolute_url()),
        "merged_titles": [d.title for d in duplicates],
        "public_reason": public_reason,
    }
    _notify_authors([survivor, *duplicates], MERGE_EMAIL, context, key=f"merge:{event.pk}")
    survivor.refresh_from_db()
    return survivor


# --- 분과: step aside, recommendation ------------------------------------------------------------
@transaction.atomic
def step_aside(*, proposal: Proposal, member: User, reason: str) -> Recusal:
    """``member`` steps aside from ``proposal`` for ``reason`` (public with the decision).

    From then on they may not review, score, decide or recommend it. Stepping aside twice
    keeps the first reason.
    """
    proposal = _lock(proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ProposalError(_("Say why you step aside."), field="reason")
    existing = Recusal.objects.filter(proposal=proposal, member=member).first()
    if existing is not None:
        return existing
    _check_may_act(user=member, proposal=proposal, action=Action.STEP_ASIDE)
    if member.is_staff and not is_council_member(user=member, cycle=proposal.cycle):
        raise ProposalError(_("Only committee members step aside."))
    recusal = Recusal.objects.create(proposal=proposal, member=member, reason=reason[:300])
    record_audit_event(
        cycle=proposal.cycle,
        event_type=AuditEvent.Type.COMMITTEE_STEPPED_ASIDE,
        subject=proposal,
        actor=member,
        # Public with the decision (the proposal page shows it then, labelled as on the
        # committee page); an event's visibility cannot change later, so this one stays
        # with the log's non-public part.
        is_public=False,
        reason=recusal.reason,
    )
    return recusal


@transaction.atomic
def record_recommendation(
    *, proposal: Proposal, chair: User, recommendation: str, reason: str
) -> SubcommitteeRecommendation:
    """The chair records (or changes) the 분과's recommendation to the plenary, with a reason."""
    proposal = _lock(proposal)
    _check_may_act(user=chair, proposal=proposal, action=Action.RECOMMEND)
    if recommendation not in SubcommitteeRecommendation.Recommendation.values:
        raise ProposalError(_("Choose a recommendation."), field="recommendation")
    reason = (reason or "").strip()
    if not reason:
        raise ProposalError(_("Give the public reason for the recommendation."), field="reason")
    waiting = get_recommendation_refusal(proposal)
    if waiting:
        raise ProposalError(waiting)
    seat = get_subcommittee_seat_for_area(
        user=chair, cycle=proposal.cycle, policy_area_id=proposal.policy_area_id
    )
    if seat is None:  # _check_may_act guarantees a chair seat; keeps the types honest
        raise ProposalError(
            _("Only the chair of the proposal's subcommittee records its recommendation.")
        )
    saved, created = SubcommitteeRecommendation.objects.update_or_create(
        proposal=proposal,
        defaults={
            "subcommittee": seat.subcommittee,
            "recommendation": recommendation,
            "reason": reason,
            "recorded_by": chair,
        },
    )
    record_audit_event(
        cycle=proposal.cycle,
        event_type=AuditEvent.Type.SUBCOMMITTEE_RECOMMENDATION_RECORDED,
        subject=proposal,
        actor=chair,
        is_public=False,  # public with the decision, on the proposal page (as step-asides)
        reason=reason,
        subcommittee=seat.subcommittee.name,
        recommendation=recommendation,
        changed=not created,
    )
    return saved
