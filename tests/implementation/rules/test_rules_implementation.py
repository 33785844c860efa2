"""Permission matrix for implementation (role x phase x project): the accountability page is
public once results are published; staff track funded projects; those who took part in a funded
project (voted on its ballot, endorsed it, wrote it) may follow it.

Fixtures (tests/implementation/conftest.py): ``result`` publishes a count that funds ``park`` and
not ``pool``; ``voter`` voted on the ballot, ``endorser`` endorsed ``park``.
"""

import pytest
import rules

from budgeting.phases import Phase
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous_user",
    "user_without_profile",
    "resident",
    "voter",
    "endorser",
    "project_author",
    "other_district_resident",
    "council_member",
    "staff_user",
)
PHASES = (Phase.TALLYING, Phase.PUBLISHED, Phase.IMPLEMENTATION)
OUT = {Phase.PUBLISHED, Phase.IMPLEMENTATION}
TOOK_PART = {"voter", "endorser", "project_author"}


@pytest.fixture
def project_author(result):
    return result["park"].author


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("role", ROLES)
def test_cycle_permissions(role, phase, request, result, cycle):
    user = request.getfixturevalue(role)
    cycle_in_phase(cycle, phase)
    assert rules.has_perm("implementation.view_accountability", user, cycle) is (phase in OUT)
    assert rules.has_perm("implementation.track_implementation", user, cycle) is (
        role == "staff_user" and phase in OUT
    )


@pytest.mark.parametrize("funded", [True, False], ids=["funded", "not funded"])
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("role", ROLES)
def test_project_permissions(role, phase, funded, request, result, cycle):
    user = request.getfixturevalue(role)
    cycle_in_phase(cycle, phase)
    project = result["park"] if funded else result["pool"]
    staff_may = role == "staff_user" and phase in OUT and funded
    for perm in ("implementation.post_implementation_update", "implementation.record_budget_cut"):
        assert rules.has_perm(perm, user, project) is staff_may, perm
    follows = phase in OUT and funded and role in TOOK_PART
    assert rules.has_perm("implementation.follow_project", user, project) is follows
