"""Issue #16 item 4 (finding 6, and finding 8's proposal of a cycle in preparation): what only
staff or the council may see is shown only to a session that passed the second factor, whatever
the URL. Without it staff (and council members) see the public version.

Every staff-only object is opened at every public URL that could show it, by every role.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from budgeting.phases import Phase
from proposals.models import Proposal
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory
from tests.proposals.review.review_factories import FeasibilityReviewFactory

pytestmark = pytest.mark.django_db

SECRET_CYCLE = "준비중인 비밀 주기 2099"
SECRET_PROPOSAL = "준비중 주기의 제안 본문 ZX-PREP"
HIDDEN_TEXT = "숨김 처리된 제안 본문 ZX-HIDDEN"
REVIEW_NOTE = "검토 메모: 부지 소유권 확인 필요 ZX-NOTE"

# who sees what: staff with TOTP see everything; council members with TOTP see the notes of
# their cycle's reviews; nobody else (staff and council without TOTP included) sees any of it.
ROLES = {
    "staff_user": {"prep", "hidden", "note"},
    "staff_without_mfa": set(),
    "council_member": {"note"},
    "council_member_without_mfa": set(),
    "resident": set(),
    "anonymous_user": set(),
}


@pytest.fixture
def staff_only(cycle, district, district_scope, policy_area, author):
    """A cycle in preparation with a proposal; a hidden proposal; a reviewer's note in review."""
    prep = BudgetCycleFactory(name_ko=SECRET_CYCLE, name_en=SECRET_CYCLE)
    prep_scope = BallotScopeFactory(cycle=prep, district=district, budget_won=100_000_000)
    prep_proposal = ProposalFactory(
        cycle=prep,
        scope=prep_scope,
        policy_area=policy_area,
        author=author,
        title=SECRET_PROPOSAL,
        description=SECRET_PROPOSAL,
        status=Proposal.Status.SUBMITTED,
    )
    hidden = ProposalFactory(
        scope=district_scope,
        policy_area=policy_area,
        author=author,
        title=HIDDEN_TEXT,
        description=HIDDEN_TEXT,
        status=Proposal.Status.SUBMITTED,
        hidden_at=timezone.now(),
        hidden_reason="개인정보 포함",
    )
    reviewed = ProposalFactory(
        scope=district_scope,
        policy_area=policy_area,
        author=author,
        title="공원 벤치 교체",
        status=Proposal.Status.SUBMITTED,
    )
    cycle_in_phase(cycle, Phase.REVIEW)
    FeasibilityReviewFactory(proposal=reviewed, reviewer=author, technical_notes=REVIEW_NOTE)
    assert prep.phase == Phase.DRAFT
    return {
        "prep": (
            SECRET_CYCLE,
            [
                reverse("budgeting:cycle-detail", args=[prep.slug]),
                reverse("proposals:proposal-list", args=[prep.slug]),
                reverse("proposals:proposal-map", args=[prep.slug]),
                reverse("proposals:proposal-detail", args=[prep_proposal.pk]),
            ],
        ),
        "hidden": (HIDDEN_TEXT, [reverse("proposals:proposal-detail", args=[hidden.pk])]),
        "note": (REVIEW_NOTE, [reverse("proposals:proposal-detail", args=[reviewed.pk])]),
    }


@pytest.mark.parametrize("role", list(ROLES))
def test_staff_only_content_needs_the_second_factor(client, request, staff_only, role):
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    seen = {}
    for kind, (marker, urls) in staff_only.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (role, url)
            seen[(kind, url)] = response.status_code == 200 and marker in response.text
    expected = {(kind, url): kind in ROLES[role] for (kind, url) in seen}
    assert seen == expected


def test_a_proposal_of_a_cycle_in_preparation_is_not_found_by_id(client, staff_only):
    _marker, urls = staff_only["prep"]
    assert client.get(urls[-1]).status_code == 404
