"""Permission matrix for results (role x phase): who sees published results, who counts again,
who publishes. Checked with ``rules.has_perm`` (Django's ``has_perm`` lets superusers through)."""

import pytest
import rules

from budgeting.phases import Phase
from tests.helpers import CYCLE_ROLES
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db

ROLES = CYCLE_ROLES
PHASES = (Phase.VOTING, Phase.TALLYING, Phase.PUBLISHED, Phase.IMPLEMENTATION)
PUBLISHED = {Phase.PUBLISHED, Phase.IMPLEMENTATION}
EXPECTED = {
    # published results are everyone's; before publication nobody's, staff included
    "results.view_results": lambda role, phase: phase in PUBLISHED,
    # counting again: staff, while counting (published results are frozen)
    "results.run_tally": lambda role, phase: role == "staff_user" and phase == Phase.TALLYING,
    # the count page and publication: staff (the service refuses outside counting)
    "results.publish_results": lambda role, phase: role == "staff_user",
}


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("perm", sorted(EXPECTED))
def test_results_permission_matrix(perm, role, phase, request, cycle):
    user = request.getfixturevalue(role)
    cycle_in_phase(cycle, phase)
    assert rules.has_perm(perm, user, cycle) is EXPECTED[perm](role, phase)
