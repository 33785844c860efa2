"""Fixtures for the council review: a proposal, the people around it, cycles in each phase."""

import pytest

from budgeting.phases import Phase
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import CouncilMembershipFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory

PHASES = {"before": Phase.PROPOSALS, "during": Phase.REVIEW, "after": Phase.VOTING}


@pytest.fixture
def area(db):
    return PolicyAreaFactory(slug="transport", name_ko="교통", name_en="Transport")


@pytest.fixture
def author(district):
    return ResidentProfileFactory(district=district, display_name="박작성").user


@pytest.fixture
def council_author(cycle, district):
    """A council member of the cycle who co-wrote the proposal."""
    user = ResidentProfileFactory(district=district, display_name="최공저").user
    CouncilMembershipFactory(cycle=cycle, user=user)
    activate_totp(user)
    return user


@pytest.fixture
def proposal(district_scope, area, author, council_author):
    proposal = ProposalFactory(
        scope=district_scope, policy_area=area, author=author, title="부평 버스 쉼터"
    )
    proposal.co_authors.add(council_author)
    return proposal


@pytest.fixture
def duplicate(district_scope, area, other_district_resident):
    return ProposalFactory(
        scope=district_scope,
        policy_area=area,
        author=other_district_resident,
        title="버스 정류장 그늘막",
    )


@pytest.fixture
def in_review(cycle):
    return cycle_in_phase(cycle, Phase.REVIEW)


@pytest.fixture
def set_phase(cycle):
    def _set(when: str):
        return cycle_in_phase(cycle, PHASES[when])

    return _set


@pytest.fixture
def actor(request):
    """Resolve a role name to a user (``anonymous_user`` for anonymous)."""

    def _actor(role: str):
        return request.getfixturevalue(role)

    return _actor
