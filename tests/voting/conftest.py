"""Fixtures for voting: a cycle whose voting is open now, with projects on two ballots."""

import pytest
from django.utils import translation

from tests.voting.factories import open_voting
from tests.voting.factories import put_on_ballot

# Reviewed costs of the four district projects; the district budget is 300,000,000 won.
DISTRICT_COSTS = [120_000_000, 90_000_000, 80_000_000, 50_000_000]


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English messages; Korean is the site's default language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def voting_cycle(cycle):
    return open_voting(cycle, rule="approval", approval_min_choices=1, approval_max_choices=2)


@pytest.fixture
def knapsack_cycle(cycle):
    return open_voting(cycle, rule="knapsack")


@pytest.fixture
def cumulative_cycle(cycle):
    return open_voting(cycle, rule="cumulative", cumulative_points=5, cumulative_max_per_project=3)


@pytest.fixture
def ranked_cycle(cycle):
    return open_voting(cycle, rule="ranked", ranked_max_ranks=3)


@pytest.fixture
def district_projects(district_scope):
    return put_on_ballot(district_scope, DISTRICT_COSTS)


@pytest.fixture
def citywide_projects(citywide_scope):
    return put_on_ballot(citywide_scope, [400_000_000, 300_000_000])
