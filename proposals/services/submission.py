"""A resident's proposal: create, edit (optimistic locking), submit and withdraw.

Every function re-checks what the permission in rules.py implies (phase, eligibility,
authorship), because the admin, the shell and tasks do not go through the views.
"""

from decimal import Decimal
from typing import Any
from typing import NotRequired
from typing import TypedDict
from typing import Unpack

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from budgeting.audit import record_audit_event
from budgeting.eligibility import Ineligibility
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import PolicyArea
from budgeting.phases import Feature
from proposals.models import Proposal
from proposals.selectors import OPEN_STATUSES
from proposals.selectors import count_counted_proposals
from proposals.selectors import get_participation_ineligibility
from proposals.selectors import list_scopes_open_to_resident
from proposals.services import ProposalError

# The fields a resident writes; the version and status are managed here.
CONTENT_FIELDS = (
    "title",
    "summary",
    "description",
    "problem",
    "beneficiaries",
    "cost_estimate_won",
    "address",
    "latitude",
    "longitude",
)


class ProposalContent(TypedDict):
    """What a resident writes: the keyword arguments ``create_proposal`` and ``update_proposal``
    share (their defaults are in ``_clean_content``)."""

    title: str
    summary: str
    description: str
    cost_estimate_won: int
    problem: NotRequired[str]
    beneficiaries: NotRequired[str]
    address: NotRequired[str]
    latitude: NotRequired[Decimal | None]
    longitude: NotRequired[Decimal | None]


def _clean_content(
    *,
    title: str,
    summary: str,
    description: str,
    cost_estimate_won: int,
    problem: str = "",
    beneficiaries: str = "",
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> dict[str, Any]:
    """The content fields as they are stored (text stripped), in ``CONTENT_FIELDS`` order."""
    return {
        "title": title.strip(),
        "summary": summary.strip(),
        "description": description.strip(),
        "problem": problem.strip(),
        "beneficiaries": beneficiaries.strip(),
        "cost_estimate_won": cost_estimate_won,
        "address": address.strip(),
        "latitude": latitude,
        "longitude": longitude,
    }


def _check_phase_open(cycle: BudgetCycle) -> None:
    if not cycle.allows(Feature.PROPOSE):
        raise ProposalError(
            _(
                "The proposal phase of this cycle is closed, so nothing was saved. "
                "Your text is still below if you want to keep a copy."
            ),
            code="phase_closed",
        )


INELIGIBILITY_MESSAGES = {
    Ineligibility.NO_PROFILE: gettext_lazy("Please complete your resident profile first."),
    Ineligibility.UNVERIFIED: gettext_lazy(
        "This cycle is open to verified residents only; your residence is not verified yet."
    ),
    Ineligibility.TOO_YOUNG: gettext_lazy("You are below this cycle's minimum age."),
    Ineligibility.RELATION: gettext_lazy(
        "This cycle is not open to people with your relation to the city."
    ),
    Ineligibility.DISTRICT: gettext_lazy("This budget belongs to another district."),
    Ineligibility.TRACK_AGE: gettext_lazy("This track is open to another age group."),
}


def _check_eligible(user: User, cycle: BudgetCycle) -> None:
    reason = get_participation_ineligibility(user=user, cycle=cycle)
    if reason is not None:
        raise ProposalError(INELIGIBILITY_MESSAGES[reason], code="ineligible")


def _check_scope_and_area(
    *, author: User, cycle: BudgetCycle, scope: BallotScope, policy_area: PolicyArea, cost: int
) -> None:
    if (
        scope.cycle_id != cycle.pk
        or not list_scopes_open_to_resident(user=author, cycle=cycle).filter(pk=scope.pk).exists()
    ):
        raise ProposalError(
            _("You can propose for the whole city, your own district and the tracks open to you."),
            code="wrong_scope",
            field="scope",
        )
    if cycle.policy_areas.exists() and not cycle.policy_areas.filter(pk=policy_area.pk).exists():
        raise ProposalError(
            _("This policy area is not part of this cycle."), code="wrong_area", field="policy_area"
        )
    if cost is None or cost < 1:
        raise ProposalError(
            _("The estimated cost must be a whole number of won above zero."),
            code="cost",
            field="cost_estimate_won",
        )
    cap = scope.project_cost_cap_won
    if cost > cap:
        raise ProposalError(
            _("In %(scope)s one project may cost at most %(cap)s won.")
            % {"scope": scope.name, "cap": f"{cap:,}"},
            code="cost_cap",
            field="cost_estimate_won",
        )


def _check_limit(*, author: User, cycle: BudgetCycle, exclude_pk: int | None = None) -> None:
    used = count_counted_proposals(author=author, cycle=cycle, exclude_pk=exclude_pk)
    if used >= cycle.proposal_limit_per_resident:
        raise ProposalError(
            _(
                "You have already submitted %(count)s proposals, the most this cycle allows. "
                "Your proposal is kept as a draft; withdraw another one to submit it."
            )
            % {"count": used},
            code="limit",
        )


def _check_place(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ProposalError(
            _("Give both latitude and longitude, or neither."), code="place", field="latitude"
        )


def _check_content(
    *,
    author: User,
    cycle: BudgetCycle,
    scope: BallotScope,
    policy_area: PolicyArea,
    values: dict[str, Any],
) -> None:
    """The checks of what the author wrote (``_clean_content``), for a new proposal and an edit."""
    _check_eligible(author, cycle)
    _check_scope_and_area(
        author=author,
        cycle=cycle,
        scope=scope,
        policy_area=policy_area,
        cost=values["cost_estimate_won"],
    )
    _check_place(values["latitude"], values["longitude"])


def _record_submitted(proposal: Proposal, actor: User) -> None:
    record_audit_event(
        event_type=AuditEvent.Type.PROPOSAL_SUBMITTED,
        is_public=True,
        cycle=proposal.cycle,
        subject=proposal,
        actor=actor,
        title=proposal.title,
        cost_estimate_won=proposal.cost_estimate_won,
        scope=proposal.scope.name,
    )


@transaction.atomic
def create_proposal(
    *,
    author: User,
    cycle: BudgetCycle,
    scope: BallotScope,
    policy_area: PolicyArea,
    image: "File[bytes] | None" = None,
    submit: bool = False,
    **content: Unpack[ProposalContent],
) -> Proposal:
    """Save a new proposal as a draft, or submit it at once (``submit=True``)."""
    values = _clean_content(**content)  # a missing or unknown field is a TypeError, as before
    _check_phase_open(cycle)
    _check_content(author=author, cycle=cycle, scope=scope, policy_area=policy_area, values=values)
    if submit:
        _check_limit(author=author, cycle=cycle)
    proposal = Proposal(
        cycle=cycle,
        scope=scope,
        policy_area=policy_area,
        author=author,
        **values,
        status=Proposal.Status.SUBMITTED if submit else Proposal.Status.DRAFT,
        submitted_at=timezone.now() if submit else None,
    )
    if image is not None:
        proposal.image.save(image.name, image, save=False)
    proposal.full_clean()
    proposal.save()
    if submit:
        _record_submitted(proposal, author)
    return proposal


def _lock_for_author(*, proposal: Proposal, actor: User, version: int | None) -> Proposal:
    locked: Proposal = (
        Proposal.objects.select_for_update().select_related("cycle", "scope").get(pk=proposal.pk)
    )
    if locked.author_id != actor.pk:
        raise ProposalError(_("Only the author can change this proposal."), code="not_author")
    _check_phase_open(locked.cycle)
    if locked.hidden_at is not None:
        raise ProposalError(
            _("This proposal was hidden by moderation and can no longer be changed."),
            code="hidden",
        )
    if locked.status not in OPEN_STATUSES:
        raise ProposalError(
            _("This proposal is %(status)s and can no longer be changed.")
            % {"status": locked.get_status_display()},
            code="closed",
        )
    if version is not None and version != locked.version:
        raise ProposalError(
            _(
                "This proposal was changed elsewhere (in another tab or by another device) "
                "after you opened it, so your changes were not saved. Your text is still below: "
                "copy what you need, reload the page and apply it again."
            ),
            code="stale",
        )
    return locked


@transaction.atomic
def update_proposal(
    *,
    proposal: Proposal,
    actor: User,
    version: int | None,
    scope: BallotScope,
    policy_area: PolicyArea,
    image: "File[bytes] | None" = None,
    remove_image: bool = False,
    submit: bool = False,
    **content: Unpack[ProposalContent],
) -> Proposal:
    """Edit the author's proposal; refuses an edit based on an older ``version``.

    ``submit=True`` also submits a draft. Edits to a submitted proposal are public (history).
    """
    values = _clean_content(**content)
    if version is None:  # an edit must say which version it was based on
        raise ProposalError(_("This form is out of date. Please reload the page."), code="stale")
    locked = _lock_for_author(proposal=proposal, actor=actor, version=version)
    cycle = locked.cycle
    _check_content(author=actor, cycle=cycle, scope=scope, policy_area=policy_area, values=values)
    was_draft = locked.status == Proposal.Status.DRAFT
    if was_draft and submit:
        _check_limit(author=actor, cycle=cycle, exclude_pk=locked.pk)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if scope.pk != locked.scope_id:
        changed.append("scope")
    if policy_area.pk != locked.policy_area_id:
        changed.append("policy_area")
    for name, value in values.items():
        setattr(locked, name, value)
    locked.scope = scope
    locked.policy_area = policy_area
    if image is not None:
        if locked.image:
            locked.image.delete(save=False)
        locked.image.save(image.name, image, save=False)
        changed.append("image")
    elif remove_image and locked.image:
        locked.image.delete(save=False)
        changed.append("image")
    if was_draft and submit:
        locked.status = Proposal.Status.SUBMITTED
        locked.submitted_at = timezone.now()
    locked.version += 1
    locked.full_clean()
    locked.save()
    if was_draft and submit:
        _record_submitted(locked, actor)
    elif not was_draft and changed:
        record_audit_event(
            event_type=AuditEvent.Type.PROPOSAL_EDITED,
            is_public=True,
            cycle=cycle,
            subject=locked,
            actor=actor,
            fields=sorted(changed),
            version=locked.version,
        )
    return locked


@transaction.atomic
def withdraw_proposal(*, proposal: Proposal, actor: User, reason: str = "") -> Proposal | None:
    """The author takes their proposal back (until the proposal phase ends).

    A submitted proposal stays public as withdrawn, with its history, and no longer counts
    against the limit. A draft was never public: it is deleted (returns None).
    """
    locked = _lock_for_author(proposal=proposal, actor=actor, version=None)
    if locked.status == Proposal.Status.DRAFT:
        if locked.image:
            locked.image.delete(save=False)
        locked.delete()
        return None
    locked.status = Proposal.Status.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["status", "withdrawn_at", "version", "updated_at"])
    record_audit_event(
        event_type=AuditEvent.Type.PROPOSAL_WITHDRAWN,
        is_public=True,
        cycle=locked.cycle,
        subject=locked,
        actor=actor,
        reason=reason.strip(),
    )
    return locked
