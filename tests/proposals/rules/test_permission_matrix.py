"""Who may submit, edit, withdraw, comment and endorse, before, during and after the phase.

Roles: anonymous, unverified resident, resident (not the author), author, council member,
council member who is the author, staff. Phases: before (preparation), during (proposals),
after (council review; comments stay open there), and voting. The cycle requires verification
here, so "unverified" is refused; ``test_unverified_may_take_part_when_not_required`` covers
the default.
"""

import pytest
import rules

from budgeting.phases import Phase
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
    "proposals.change_proposal": _allowed(AUTHORS, {Phase.PROPOSALS}),
    "proposals.withdraw_proposal": _allowed(AUTHORS, {Phase.PROPOSALS}),
    "proposals.comment_on_proposal": _allowed(RESIDENTS, {Phase.PROPOSALS, Phase.REVIEW}),
    # Not your own proposal; council members answer endorsed proposals, so they do not endorse.
    "proposals.endorse_proposal": _allowed({"resident", "staff_user"}, {Phase.PROPOSALS}),
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
    obj = target.cycle if perm == "proposals.add_proposal" else target
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
