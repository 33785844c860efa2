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


def _admin_change_data(cycle, **overrides):
    data = {
        "name_ko": cycle.name_ko,
        "name_en": cycle.name_en,
        "slug": cycle.slug,
        "year": cycle.year,
        "description_ko": "",
        "description_en": "",
        "proposals_start_at_0": cycle.proposals_start_at.astimezone().strftime("%Y-%m-%d"),
        "proposals_start_at_1": cycle.proposals_start_at.astimezone().strftime("%H:%M:%S"),
        "proposals_end_at_0": cycle.proposals_end_at.astimezone().strftime("%Y-%m-%d"),
        "proposals_end_at_1": cycle.proposals_end_at.astimezone().strftime("%H:%M:%S"),
        "voting_start_at_0": cycle.voting_start_at.astimezone().strftime("%Y-%m-%d"),
        "voting_start_at_1": cycle.voting_start_at.astimezone().strftime("%H:%M:%S"),
        "voting_end_at_0": cycle.voting_end_at.astimezone().strftime("%Y-%m-%d"),
        "voting_end_at_1": cycle.voting_end_at.astimezone().strftime("%H:%M:%S"),
        "proposal_limit_per_resident": cycle.proposal_limit_per_resident,
        "endorsement_threshold": cycle.endorsement_threshold,
        "ballot_rule": cycle.ballot_rule,
        "approval_min_choices": cycle.approval_min_choices,
        "approval_max_choices": cycle.approval_max_choices,
        "cumulative_points": cycle.cumulative_points,
        "cumulative_max_per_project": cycle.cumulative_max_per_project,
        "ranked_max_ranks": cycle.ranked_max_ranks,
        "tally_rule": cycle.tally_rule,
        "council_weight_percent": cycle.council_weight_percent,
        **{field: getattr(cycle, field) for field in BudgetCycle.WEIGHT_FIELDS.values()},
        "tie_break_seed": cycle.tie_break_seed,
        "minimum_age": cycle.minimum_age,
        "residents_may_vote": "on",
        "workers_may_vote": "on",
        "students_may_vote": "on",
        "scopes-TOTAL_FORMS": "0",
        "scopes-INITIAL_FORMS": "0",
        "council_memberships-TOTAL_FORMS": "0",
        "council_memberships-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_form_refuses_a_frozen_rule_change_with_a_message(client, staff_user, cycle):
    cycle_in_phase(cycle, Phase.VOTING)
    client.force_login(staff_user)
    url = reverse("admin:budgeting_budgetcycle_change", args=[cycle.pk])
    response = client.post(url, _admin_change_data(cycle, ballot_rule="cumulative"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors
    assert BudgetCycle.objects.get(pk=cycle.pk).ballot_rule == "approval"


def test_admin_form_refuses_a_new_number_of_ranks_once_voting_opens(client, staff_user, cycle):
    BudgetCycle.objects.filter(pk=cycle.pk).update(ballot_rule="ranked", ranked_max_ranks=3)
    cycle_in_phase(cycle, Phase.VOTING)
    cycle.refresh_from_db()
    client.force_login(staff_user)
    url = reverse("admin:budgeting_budgetcycle_change", args=[cycle.pk])
    response = client.post(url, _admin_change_data(cycle, ranked_max_ranks=5))
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "순위를 매길 수 있는 사업 수" in errors  # the admin speaks Korean
    assert BudgetCycle.objects.get(pk=cycle.pk).ranked_max_ranks == 3


def test_admin_form_accepts_a_rule_change_before_voting(client, staff_user, cycle):
    client.force_login(staff_user)
    url = reverse("admin:budgeting_budgetcycle_change", args=[cycle.pk])
    response = client.post(url, _admin_change_data(cycle, ballot_rule="cumulative"))
    assert response.status_code == 302, response.context["adminform"].form.errors
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
