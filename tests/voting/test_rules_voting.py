"""Permission matrix for the voting rules (role x phase).

Checked with ``rules.has_perm``: Django's ``User.has_perm`` lets superusers through everything,
so code that shows vote counts must ask ``rules.has_perm("voting.view_vote_counts", ...)``.
"""

import pytest
import rules

from budgeting.phases import Phase
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db

PHASES = [Phase.REVIEW, Phase.VOTING, Phase.TALLYING, Phase.PUBLISHED]


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize(
    ("_case", "who", "allowed_in"),
    [
        ("resident", "resident", {Phase.VOTING}),
        ("council member votes like anyone", "council_member", {Phase.VOTING}),
        ("other district", "other_district_resident", set()),
        ("no profile", "user_without_profile", set()),
        ("anonymous", "anonymous_user", set()),
    ],
)
def test_submit_ballot(_case, who, allowed_in, phase, request, cycle, district_scope):
    user = request.getfixturevalue(who)
    cycle_in_phase(cycle, phase)
    assert rules.has_perm("voting.submit_ballot", user, district_scope) is (phase in allowed_in)


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize(
    ("_case", "who", "allowed_in"),
    [
        ("staff", "staff_user", {Phase.VOTING}),
        ("resident", "resident", set()),
        ("council member", "council_member", set()),
    ],
)
def test_enter_paper_ballot(_case, who, allowed_in, phase, request, cycle, district_scope):
    user = request.getfixturevalue(who)
    cycle_in_phase(cycle, phase)
    assert rules.has_perm("voting.enter_paper_ballot", user, district_scope) is (
        phase in allowed_in
    )


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("who", ["staff_user", "resident", "council_member", "anonymous_user"])
def test_view_vote_counts_only_after_voting_closes_for_everyone(who, phase, request, cycle):
    user = request.getfixturevalue(who)
    cycle_in_phase(cycle, phase)
    expected = phase in (Phase.TALLYING, Phase.PUBLISHED)
    assert rules.has_perm("voting.view_vote_counts", user, cycle) is expected
