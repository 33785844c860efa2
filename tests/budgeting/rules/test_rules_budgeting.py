"""Permission matrix for cycles (role x phase): a cycle is public once it leaves preparation;
staff see it while they prepare it."""

import pytest
import rules

from budgeting.phases import Phase
from tests.helpers import CYCLE_ROLES
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db

ROLES = CYCLE_ROLES


@pytest.mark.parametrize(
    "phase", [Phase.DRAFT, Phase.PROPOSALS, Phase.VOTING, Phase.PUBLISHED, Phase.IMPLEMENTATION]
)
@pytest.mark.parametrize("role", ROLES)
def test_view_cycle(role, phase, request, cycle):
    user = request.getfixturevalue(role)
    cycle_in_phase(cycle, phase)
    expected = phase != Phase.DRAFT or role == "staff_user"
    assert rules.has_perm("budgeting.view_cycle", user, cycle) is expected
