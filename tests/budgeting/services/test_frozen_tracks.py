"""A pot's own rules (level, track, age bounds, ballot limit) and the cycle's minimum support
freeze once voting opens, like the other rules."""

import pytest

from budgeting.exceptions import RulesFrozenError
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.services.cycles import check_scope_change_allowed
from budgeting.services.cycles import clone_cycle
from budgeting.services.cycles import update_cycle
from tests.budgeting.factories import BallotScopeFactory
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def youth_track(cycle):
    return BallotScopeFactory(
        cycle=cycle,
        district=None,
        track_slug="youth",
        track_name_en="Youth",
        minimum_age=19,
        maximum_age=39,
        max_choices=2,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("minimum_age", 14), ("maximum_age", 45), ("max_choices", 5), ("track_slug", "young")],
)
def test_a_tracks_rules_cannot_change_once_voting_opens(youth_track, field, value):
    cycle_in_phase(youth_track.cycle, Phase.VOTING)
    with pytest.raises(RulesFrozenError) as refused:
        check_scope_change_allowed(scope=youth_track, new_values={field: value})
    assert "can no longer change" in str(refused.value.message) or "투표" in str(
        refused.value.message
    )
    # unchanged values pass (the admin hands over every field of a changed form)
    check_scope_change_allowed(
        scope=youth_track,
        new_values={field: getattr(youth_track, field), "budget_won": youth_track.budget_won},
    )


def test_a_tracks_rules_may_change_before_voting(youth_track):
    cycle_in_phase(youth_track.cycle, Phase.REVIEW)
    check_scope_change_allowed(scope=youth_track, new_values={"max_choices": 5})
    BallotScope.objects.filter(pk=youth_track.pk).update(max_choices=5)


@pytest.mark.parametrize(
    ("field", "value"), [("minimum_support_votes", 10), ("minimum_support_percent", 5)]
)
def test_the_minimum_support_cannot_change_once_voting_opens(cycle, field, value):
    cycle_in_phase(cycle, Phase.VOTING)
    with pytest.raises(RulesFrozenError):
        update_cycle(cycle=cycle, **{field: value})
    assert getattr(BudgetCycle.objects.get(pk=cycle.pk), field) != value


def test_a_cloned_cycle_keeps_its_tracks(youth_track, citywide_scope, staff_user):
    source = youth_track.cycle
    clone = clone_cycle(source=source, name="2028", slug="cycle-2028", actor=staff_user)
    track = clone.scopes.get(track_slug="youth")
    assert (track.track_name_en, track.minimum_age, track.maximum_age, track.max_choices) == (
        "Youth",
        19,
        39,
        2,
    )
    assert clone.scopes.filter(district=None, track_slug="").count() == 1  # the free pot
