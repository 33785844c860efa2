"""Reads for proposals and their discussion: one intent-named function per question."""

import re
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import cast

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField
from django.db.models import Count
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Value
from django.db.models.functions import MD5
from django.db.models.functions import Cast
from django.db.models.functions import Concat

from budgeting.eligibility import Ineligibility
from budgeting.eligibility import check_eligibility
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.selectors import get_eligibility_rule
from budgeting.selectors import get_resident_facts
from budgeting.selectors import list_ballot_scopes_for_resident
from budgeting.selectors import list_scopes_for_cycle
from core.predicates import is_staff_member
from proposals.models import CoAuthorInvitation
from proposals.models import Comment
from proposals.models import Endorsement
from proposals.models import Proposal
from proposals.models import Report

# A comment can be corrected by its author for this long after it was posted.
COMMENT_EDIT_WINDOW = timedelta(minutes=15)

# Statuses that count against the per-resident limit (a withdrawn proposal frees its place).
COUNTED_STATUSES = (
    Proposal.Status.SUBMITTED,
    Proposal.Status.MERGED,
    Proposal.Status.INFEASIBLE,
    Proposal.Status.REJECTED,
    Proposal.Status.ON_BALLOT,
)
# Statuses in which the author may still edit or withdraw (during the proposal phase).
OPEN_STATUSES = (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED)


class Sort:
    NEWEST = "newest"
    MOST_ENDORSED = "endorsed"
    RANDOM = "random"
    CHOICES = (NEWEST, MOST_ENDORSED, RANDOM)


# --- who may take part ----------------------------------------------------------------------------
def get_participation_ineligibility(*, user, cycle: BudgetCycle) -> Ineligibility | None:
    """Why ``user`` may not propose, comment or endorse in ``cycle`` (None: they may).

    The cycle's own rule (age, relation to the city, verification if the cycle requires it),
    checked against the city-wide pot so any district's resident qualifies.
    """
    if not user.is_authenticated:
        return Ineligibility.NO_PROFILE
    rule = replace(get_eligibility_rule(cycle=cycle), requires_phone=False)  # voting only
    return check_eligibility(get_resident_facts(user=user), rule, scope_district_id=None)


def list_scopes_open_to_resident(*, user, cycle: BudgetCycle) -> QuerySet[BallotScope]:
    """Where a resident may propose: the pots they may vote in (city-wide, their gu's and
    dong's, and the themed tracks whose age bounds they meet)."""
    allowed = [scope.pk for scope in list_ballot_scopes_for_resident(user=user, cycle=cycle)]
    if not allowed:
        # no profile yet (or not eligible): the city-wide free pot, so the form still shows one
        return cycle.scopes.filter(district__isnull=True, track_slug="").select_related("district")
    return list_scopes_for_cycle(cycle=cycle).filter(pk__in=allowed)


def list_policy_areas_for_cycle(*, cycle: BudgetCycle):
    return cycle.policy_areas.order_by("order", "pk")


def count_counted_proposals(*, author, cycle: BudgetCycle, exclude_pk: int | None = None) -> int:
    """How many of the author's proposals count against the cycle's per-resident limit."""
    qs = Proposal.objects.filter(author=author, cycle=cycle, status__in=COUNTED_STATUSES)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.count()


# --- browsing ----------------------------------------------------------------------------------
def _with_counts(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return qs.select_related("cycle", "scope__district", "policy_area").annotate(
        endorsement_count=Count("endorsements", distinct=True),
        comment_count=Count("comments", filter=Q(comments__hidden_at__isnull=True), distinct=True),
    )


def list_public_proposals(
    *,
    cycle: BudgetCycle,
    scope_id: int | None = None,
    district_id: int | None = None,
    citywide: bool = False,
    policy_area_id: int | None = None,
    status: str = "",
    query: str = "",
    sort: str = Sort.NEWEST,
    seed: str = "",
) -> QuerySet[Proposal]:
    """The public list of a cycle's proposals with filters, search and a sort order.

    ``random`` is stable for one ``seed`` (one visitor's session), so paging through it never
    shows a proposal twice or skips one.
    """
    qs = _with_counts(Proposal.objects.public().filter(cycle=cycle))
    if scope_id:
        qs = qs.filter(scope_id=scope_id)
    if citywide:
        qs = qs.filter(scope__district__isnull=True)
    elif district_id:
        qs = qs.filter(scope__district_id=district_id)
    if policy_area_id:
        qs = qs.filter(policy_area_id=policy_area_id)
    # Withdrawn proposals stay public (with their history) but are listed only when asked for.
    qs = qs.filter(status=status) if status else qs.exclude(status=Proposal.Status.WITHDRAWN)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(title__icontains=query)
            | Q(summary__icontains=query)
            | Q(description__icontains=query)
            | Q(address__icontains=query)
        )
    if sort == Sort.MOST_ENDORSED:
        return qs.order_by("-endorsement_count", "-submitted_at", "-pk")
    if sort == Sort.RANDOM:
        return qs.annotate(
            shuffle=MD5(Concat(Value(seed), Cast("pk", output_field=CharField())))
        ).order_by("shuffle", "pk")
    return qs.order_by("-submitted_at", "-pk")


def list_proposals_with_place(*, proposals: QuerySet[Proposal]) -> list[dict]:
    """Map markers (JSON-ready) for the proposals that have a place."""
    return [
        {
            "id": p.pk,
            "title": p.title,
            "summary": p.summary,
            "lat": float(cast("Decimal", p.latitude)),  # only proposals with a place
            "lng": float(cast("Decimal", p.longitude)),
            "url": p.get_absolute_url(),
            "status": p.get_status_display(),
        }
        for p in proposals.filter(latitude__isnull=False, longitude__isnull=False)
    ]


def _title_words(title: str) -> list[str]:
    words = {w.lower() for w in re.findall(r"\w+", title) if len(w) >= 2}
    return sorted(words, key=len, reverse=True)[:8]


def find_similar_proposals(
    *, cycle: BudgetCycle, title: str, exclude_pk: int | None = None, limit: int = 5
) -> list[Proposal]:
    """Public proposals of the cycle whose titles share words with ``title``, best first."""
    words = _title_words(title)
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word)
    qs = (
        Proposal.objects.public()
        .filter(cycle=cycle)
        .exclude(status=Proposal.Status.WITHDRAWN)
        .filter(condition)
        .select_related("scope__district", "policy_area")
        .annotate(endorsement_count=Count("endorsements"))
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    candidates = list(qs[:50])

    def score(proposal: Proposal) -> tuple[int, int]:
        lowered = proposal.title.lower()
        endorsements = proposal.endorsement_count  # type: ignore[attr-defined]  # annotate()d
        return (sum(len(w) for w in words if w in lowered), endorsements)

    candidates.sort(key=score, reverse=True)
    return candidates[:limit]


def list_proposals_of_author(*, author) -> QuerySet[Proposal]:
    return _with_counts(Proposal.objects.filter(author=author)).order_by("-created_at", "-pk")


def list_proposals_with_answers(*, author) -> QuerySet[Proposal]:
    """The author's proposals, newest first, with what they were answered: the council's
    decision (``council_decision``, public) and how many feasibility reviews were recorded
    (``review_count``; the reviewers' notes are on the proposal's page once published)."""
    return (
        _with_counts(Proposal.objects.filter(author=author))
        .select_related("council_decision", "merged_into")
        .annotate(review_count=Count("feasibility_reviews", distinct=True))
        .order_by("-created_at", "-pk")
    )


def list_endorsed_proposals(*, user) -> QuerySet[Proposal]:
    """The proposals ``user`` endorsed, most recent endorsement first (visible ones only)."""
    return (
        Proposal.objects.filter(endorsements__user=user, hidden_at__isnull=True)
        .select_related("cycle")
        .order_by("-endorsements__created_at", "-pk")
    )


# --- one proposal --------------------------------------------------------------------------------
def get_proposal_for_viewer(*, pk: int, user) -> Proposal | None:
    """A proposal the viewer may open: public ones (hidden ones too, for their notice) and their
    own drafts. Drafts are private, also from staff; so is every proposal of a cycle in
    preparation, except to its author and staff (with their second factor). None: not found for
    this viewer."""
    proposal = (
        _with_counts(Proposal.objects.filter(pk=pk))
        .select_related("author__resident_profile", "merged_into")
        .first()
    )
    if proposal is None:
        return None
    is_author = user.is_authenticated and proposal.author_id == user.pk
    # A cycle in preparation is not public, nor are its proposals (issue #16, finding 8).
    if proposal.cycle.phase == Phase.DRAFT and not (is_author or is_staff_member(user)):
        return None
    if proposal.status != Proposal.Status.DRAFT:
        return proposal
    if is_author:
        return proposal
    return None


def list_proposal_history(*, proposal: Proposal) -> QuerySet[AuditEvent]:
    """The proposal's public record, oldest first: submitted, edited, decided, funded..."""
    return (
        AuditEvent.objects.public()
        .filter(
            subject_type=ContentType.objects.get_for_model(Proposal), subject_id=str(proposal.pk)
        )
        .select_related("actor__resident_profile")
        .order_by("created_at", "pk")
    )


def has_reached_threshold_event(*, proposal: Proposal) -> bool:
    return (
        list_proposal_history(proposal=proposal)
        .filter(event_type=AuditEvent.Type.ENDORSEMENT_THRESHOLD_REACHED)
        .exists()
    )


def list_comments_for_proposal(*, proposal: Proposal) -> QuerySet[Comment]:
    """Top-level comments with their replies (hidden ones stay, shown as hidden with a reason)."""
    replies = Comment.objects.select_related("author__resident_profile").order_by(
        "created_at", "pk"
    )
    return (
        proposal.comments.filter(parent__isnull=True)
        .select_related("author__resident_profile")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    )


def has_endorsed(*, proposal: Proposal, user) -> bool:
    return (
        user.is_authenticated and Endorsement.objects.filter(proposal=proposal, user=user).exists()
    )


# --- moderation ----------------------------------------------------------------------------------
def list_open_reports() -> QuerySet[Report]:
    """Unresolved reports, oldest first, with what they are about."""
    return (
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("proposal", "comment__author__resident_profile", "reporter")
        .order_by("created_at", "pk")
    )


def list_recently_resolved_reports(*, limit: int = 20) -> QuerySet[Report]:
    return (
        Report.objects.filter(resolved_at__isnull=False)
        .select_related("proposal", "comment", "resolved_by")
        .order_by("-resolved_at")[:limit]
    )


# --- co-authors ----------------------------------------------------------------------------------
def list_co_author_invitations(*, proposal: Proposal) -> QuerySet[CoAuthorInvitation]:
    return CoAuthorInvitation.objects.filter(proposal=proposal).select_related(
        "invitee__resident_profile"
    )


def list_invitations_for(*, user) -> QuerySet[CoAuthorInvitation]:
    return CoAuthorInvitation.objects.filter(invitee=user).select_related(
        "proposal", "proposal__author__resident_profile"
    )
