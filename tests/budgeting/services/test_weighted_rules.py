"""The weighted rule's weights: shown before voting opens, summing to 100 %, frozen then."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgeting.exceptions import RulesFrozenError
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.services.cycles import update_cycle
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db

SEOCHO = {
    "tally_rule": BudgetCycle.TallyRule.WEIGHTED,
    "weight_online_percent": 70,
    "weight_assembly_percent": 30,
}


def test_the_weights_are_on_the_cycle_page_before_voting_opens(cycle, client):
    cycle_in_phase(cycle, Phase.REVIEW)
    BudgetCycle.objects.filter(pk=cycle.pk).update(**SEOCHO)
    html = client.get(
        reverse("budgeting:cycle-detail", kwargs={"slug": cycle.slug}),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Public vote (online and paper): 70 %" in html
    assert "General assembly vote: 30 %" in html
    assert "Committee scores" not in html  # a source with no weight is not counted


def test_weights_that_do_not_sum_to_one_hundred_are_refused(cycle):
    for field, value in {**SEOCHO, "weight_assembly_percent": 20}.items():
        setattr(cycle, field, value)
    with pytest.raises(ValidationError) as refused:
        cycle.full_clean()
    assert "100" in str(refused.value)
    for field, value in SEOCHO.items():
        setattr(cycle, field, value)
    cycle.full_clean()  # 70 + 30


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.TALLYING, Phase.PUBLISHED])
def test_the_weights_are_frozen_once_voting_opens(cycle, phase):
    BudgetCycle.objects.filter(pk=cycle.pk).update(**SEOCHO)
    cycle_in_phase(cycle, phase)
    with pytest.raises(RulesFrozenError):
        update_cycle(cycle=cycle, weight_online_percent=50, weight_assembly_percent=50)
    stored = BudgetCycle.objects.get(pk=cycle.pk)
    assert (stored.weight_online_percent, stored.weight_assembly_percent) == (70, 30)
