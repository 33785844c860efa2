"""Who may submit, edit, withdraw, comment and endorse, before, during and after the phase.

Roles: anonymous, unverified resident, resident (not the author), author, council member,
council member who is the author, staff. Phases: before (preparation), during (proposals),
after (council review; comments stay open there), and voting. The cycle requires verification
here, so "unverified" is refused; ``test_unverified_may_take_part_when_not_required`` covers
the default.
"""

from datetime import timedelta

import pytest
import rules
from django.utils import timezone

from budgeting.phases import Phase
from proposals.models import Comment
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db

ACTORS = (
    "anonymous_user",
    "unverified_resident",
    "resident",
    "author",
    "council_member",
    "council_author",
    "staff_user",
)
PHASES = (Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING)


def _allowed(actors: set[str], phases: set[Phase]) -> dict:
    return {(a, p): a in actors and p in phases for a in ACTORS for p in PHASES}


RESIDENTS = {"resident", "author", "council_member", "council_author", "staff_user"}
AUTHORS = {"author", "council_author"}
EXPECTED = {
    # Council members and staff are residents too and may propose (p2: no review of their own).
    "proposals.add_proposal": _allowed(RESIDENTS, {Phase.PROPOSALS}),
    # The views' gate: the role alone, so a late post gets the service's message, text kept.
    "proposals.add_proposal_role": _allowed(RESIDENTS, set(PHASES)),
    "proposals.change_proposal_role": _allowed(AUTHORS, set(PHASES)),
    "proposals.change_proposal": _allowed(AUTHORS, {Phase.PROPOSALS}),
    "proposals.withdraw_proposal": _allowed(AUTHORS, {Phase.PROPOSALS}),
    "proposals.comment_on_proposal": _allowed(RESIDENTS, {Phase.PROPOSALS, Phase.REVIEW}),
    # Not your own proposal; council members answer endorsed proposals, so they do not endorse.
    "proposals.endorse_proposal": _allowed({"resident", "staff_user"}, {Phase.PROPOSALS}),
    # Anyone with a profile may report a public proposal, in any phase (moderation never stops).
    "proposals.report_content": _allowed(set(ACTORS) - {"anonymous_user"}, set(PHASES)),
}

CASES = [
    pytest.param(perm, actor, phase, EXPECTED[perm][(actor, phase)], id=f"{perm}-{actor}-{phase}")
    for perm in EXPECTED
    for actor in ACTORS
    for phase in PHASES
]


@pytest.fixture
def strict_cycle(cycle):
    cycle.requires_verification = True
    cycle.save(update_fields=["requires_verification"])
    return cycle


@pytest.mark.parametrize(("perm", "actor", "phase", "allowed"), CASES)
def test_permission_matrix(
    perm, actor, phase, allowed, request, strict_cycle, proposal, council_proposal
):
    user = request.getfixturevalue(actor)
    cycle_in_phase(strict_cycle, phase)
    target = council_proposal if actor == "council_author" else proposal
    target.refresh_from_db()
    on_cycle = perm in ("proposals.add_proposal", "proposals.add_proposal_role")
    obj = target.cycle if on_cycle else target
    assert rules.has_perm(perm, user, obj) is allowed


@pytest.mark.parametrize(
    ("_case", "perm", "on"),
    [
        ("submit", "proposals.add_proposal", "cycle"),
        ("comment", "proposals.comment_on_proposal", "proposal"),
        ("endorse", "proposals.endorse_proposal", "proposal"),
    ],
)
def test_unverified_may_take_part_when_not_required(_case, perm, on, unverified_resident, proposal):
    assert proposal.cycle.requires_verification is False
    obj = proposal.cycle if on == "cycle" else proposal
    assert rules.has_perm(perm, unverified_resident, obj) is True


@pytest.mark.parametrize(
    ("_case", "status", "hidden", "editable", "endorsable", "commentable"),
    [
        ("draft", "draft", False, True, False, False),
        ("submitted", "submitted", False, True, True, True),
        ("withdrawn", "withdrawn", False, False, False, False),
        ("hidden by moderation", "submitted", True, False, False, False),
        ("on the ballot", "on_ballot", False, False, False, True),
    ],
)
def test_proposal_status_limits_actions(
    _case, status, hidden, editable, endorsable, commentable, author, resident, proposal
):
    from django.utils import timezone

    proposal.status = status
    proposal.hidden_at = timezone.now() if hidden else None
    proposal.save()
    assert rules.has_perm("proposals.change_proposal", author, proposal) is editable
    assert rules.has_perm("proposals.endorse_proposal", resident, proposal) is endorsable
    assert rules.has_perm("proposals.comment_on_proposal", resident, proposal) is commentable


@pytest.mark.parametrize(
    ("_case", "perm"),
    [
        ("submit", "proposals.add_proposal"),
        ("edit", "proposals.change_proposal"),
        ("withdraw", "proposals.withdraw_proposal"),
        ("comment", "proposals.comment_on_proposal"),
        ("edit comment", "proposals.change_comment"),
        ("endorse", "proposals.endorse_proposal"),
        ("report", "proposals.report_content"),
        ("moderate", "proposals.moderate"),
    ],
)
def test_perm_exists(_case, perm):
    assert rules.perm_exists(perm)


def test_only_staff_moderate(staff_user, resident, council_member, anonymous_user):
    assert rules.has_perm("proposals.moderate", staff_user) is True
    assert rules.has_perm("proposals.moderate", resident) is False
    assert rules.has_perm("proposals.moderate", council_member) is False
    assert rules.has_perm("proposals.moderate", anonymous_user) is False


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("actor", ACTORS)
def test_change_comment_matrix(actor, phase, request, proposal, resident):
    """Only the comment's author, within 15 minutes, while comments are open."""
    comment = Comment.objects.create(proposal=proposal, author=resident, body="그늘막 좋아요")
    cycle_in_phase(proposal.cycle, phase)
    comment.refresh_from_db()
    expected = actor == "resident" and phase in (Phase.PROPOSALS, Phase.REVIEW)
    assert rules.has_perm("proposals.change_comment", request.getfixturevalue(actor), comment) is (
        expected
    )


def test_change_comment_closes_after_the_edit_window(resident, proposal):
    comment = Comment.objects.create(proposal=proposal, author=resident, body="그늘막 좋아요")
    cycle_in_phase(proposal.cycle, Phase.PROPOSALS)
    assert rules.has_perm("proposals.change_comment", resident, comment) is True
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    comment.refresh_from_db()
    assert rules.has_perm("proposals.change_comment", resident, comment) is False
