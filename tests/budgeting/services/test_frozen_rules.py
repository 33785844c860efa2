import pytest
from django.urls import reverse

from budgeting.exceptions import RulesFrozenError
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.services.cycles import check_scope_change_allowed
from budgeting.services.cycles import clone_cycle
from budgeting.services.cycles import update_cycle
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ballot_rule", BudgetCycle.BallotRule.KNAPSACK),
        ("approval_max_choices", 9),
        ("tally_rule", BudgetCycle.TallyRule.EQUAL_SHARES),
        ("minimum_age", 19),
        ("requires_verification", True),
        ("workers_may_vote", False),
    ],
)
@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.TALLYING, Phase.PUBLISHED])
def test_rules_cannot_change_once_voting_opens(cycle, phase, field, value):
    cycle_in_phase(cycle, phase)
    before = getattr(BudgetCycle.objects.get(pk=cycle.pk), field)
    with pytest.raises(RulesFrozenError) as excinfo:
        update_cycle(cycle=cycle, **{field: value})
    assert "Voting has opened" in str(excinfo.value.message) or "투표" in str(excinfo.value.message)
    assert getattr(BudgetCycle.objects.get(pk=cycle.pk), field) == before


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW])
def test_rules_can_change_before_voting(cycle, phase, staff_user):
    cycle_in_phase(cycle, phase)
    update_cycle(cycle=cycle, actor=staff_user, ballot_rule=BudgetCycle.BallotRule.KNAPSACK)
    assert BudgetCycle.objects.get(pk=cycle.pk).ballot_rule == "knapsack"
    assert (
        AuditEvent.objects.get(event_type=AuditEvent.Type.CYCLE_RULES_CHANGED).actor == staff_user
    )


def test_voting_end_date_may_still_be_extended(cycle):
    cycle_in_phase(cycle, Phase.VOTING)
    later = cycle.voting_end_at.replace(microsecond=0) + (
        cycle.voting_end_at - cycle.voting_start_at
    )
    update_cycle(cycle=cycle, voting_end_at=later)
    assert BudgetCycle.objects.get(pk=cycle.pk).voting_end_at == later


def test_scope_budget_cannot_change_once_voting_opens(district_scope):
    cycle_in_phase(district_scope.cycle, Phase.VOTING)
    with pytest.raises(RulesFrozenError):
        check_scope_change_allowed(scope=district_scope, new_budget_won=1)
    with pytest.raises(RulesFrozenError):
        check_scope_change_allowed(scope=district_scope, deleting=True)
    with pytest.raises(RulesFrozenError):
        check_scope_change_allowed(scope=BallotScope(cycle=district_scope.cycle, budget_won=5))


def _ballot_step_data(cycle, **overrides):
    data = {name: getattr(cycle, name) for name in BudgetCycle.BALLOT_RULE_FIELDS}
    data.update(overrides)
    return data


def _ballot_step(cycle):
    return reverse("console:wizard-step", kwargs={"slug": cycle.slug, "step": "ballot"})


def test_the_admin_shows_a_cycle_read_only_and_refuses_a_change(client, staff_user, cycle):
    client.force_login(staff_user)  # a superuser
    url = reverse("admin:budgeting_budgetcycle_change", args=[cycle.pk])
    assert client.get(url).status_code == 200  # to read
    response = client.post(url, {"name_ko": "바뀐 이름", "ballot_rule": "cumulative"})
    assert response.status_code == 403
    cycle.refresh_from_db()
    assert (cycle.ballot_rule, cycle.name_ko) == ("approval", cycle.name_ko)


def test_the_console_refuses_a_new_number_of_ranks_once_voting_opens(client, staff_user, cycle):
    BudgetCycle.objects.filter(pk=cycle.pk).update(ballot_rule="ranked", ranked_max_ranks=3)
    cycle_in_phase(cycle, Phase.VOTING)
    cycle.refresh_from_db()
    client.force_login(staff_user)
    response = client.post(_ballot_step(cycle), _ballot_step_data(cycle, ranked_max_ranks=5))
    assert response.status_code == 302  # the frozen fields are shown disabled: nothing to save
    assert BudgetCycle.objects.get(pk=cycle.pk).ranked_max_ranks == 3
    page = client.get(_ballot_step(cycle)).content.decode()
    assert "순위를 매길 수 있는 사업 수" in page  # the console speaks Korean
    assert "투표가 시작되어" in page  # and says why the rule cannot change


def test_the_console_accepts_a_rule_change_before_voting(client, staff_user, cycle):
    client.force_login(staff_user)
    response = client.post(_ballot_step(cycle), _ballot_step_data(cycle, ballot_rule="cumulative"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert BudgetCycle.objects.get(pk=cycle.pk).ballot_rule == "cumulative"
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.CYCLE_RULES_CHANGED)
    assert (event.actor, event.parameters["fields"]) == (staff_user, ["ballot_rule"])


def test_clone_copies_rules_scopes_and_areas_as_a_new_draft(
    district_scope, citywide_scope, staff_user
):
    source = district_scope.cycle
    rules = {
        "ballot_rule": BudgetCycle.BallotRule.CUMULATIVE,
        "approval_min_choices": 2,
        "approval_max_choices": 4,
        "cumulative_points": 12,
        "cumulative_max_per_project": 5,
        "ranked_max_ranks": 4,
        "tally_rule": BudgetCycle.TallyRule.COUNCIL_WEIGHTED,
        "council_weight_percent": 30,
        "minimum_support_votes": 3,
        "minimum_support_percent": 5,
        "weight_online_percent": 40,
        "weight_committee_percent": 30,
        "weight_assembly_percent": 20,
        "weight_budget_school_percent": 5,
        "weight_survey_percent": 5,
        "minimum_age": 19,
        "residents_may_vote": False,
        "workers_may_vote": True,
        "students_may_vote": False,
        "requires_verification": True,
        "requires_phone": True,
        "allow_phone_voting": True,
    }
    BudgetCycle.objects.filter(pk=source.pk).update(**rules)
    source.refresh_from_db()
    source.policy_areas.create(slug="transport", name_ko="교통", name_en="Transport")
    cycle_in_phase(source, Phase.IMPLEMENTATION)
    clone = clone_cycle(source=source, name="2028", slug="cycle-2028", actor=staff_user)
    assert clone.phase == Phase.DRAFT
    assert clone.year == source.year + 1
    assert clone.tie_break_seed != source.tie_break_seed
    # every frozen rule but the seed and the age date (shifted) carries over
    assert set(rules) == set(BudgetCycle.FROZEN_FIELDS) - {"tie_break_seed", "age_reference_date"}
    assert {field: getattr(clone, field) for field in rules} == rules
    assert clone.proposals_start_at.year == source.proposals_start_at.year + 1
    assert set(clone.scopes.values_list("district_id", "budget_won")) == {
        (district_scope.district_id, district_scope.budget_won),
        (None, citywide_scope.budget_won),
    }
    assert list(clone.policy_areas.values_list("slug", flat=True)) == ["transport"]
    assert AuditEvent.objects.get(event_type=AuditEvent.Type.CYCLE_CLONED).cycle == clone
