"""The set-up wizard: a cycle from scratch step by step, checks in plain words, public holidays
shown, pots against the total, frozen rules shown but not changed, a copy of last year's; and
who may open the console's pages at all."""

import pytest
from django.urls import reverse

from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db

DATES = {
    "proposals_start_at": "2027-03-02T09:00",
    "proposals_end_at": "2027-04-01T18:00",
    "voting_start_at": "2027-06-01T09:00",
    "voting_end_at": "2027-06-15T18:00",
    "results_expected_at": "2027-06-22T10:00",
}


def _step(slug, step):
    return reverse("console:wizard-step", kwargs={"slug": slug, "step": step})


def test_a_cycle_from_scratch_through_every_step(client, staff_user, district):
    area = PolicyAreaFactory(slug="welfare", name_ko="복지", name_en="Welfare")
    client.force_login(staff_user)
    assert client.get(reverse("console:wizard-new")).status_code == 200

    created = client.post(
        reverse("console:wizard-new"),
        {
            "action": "create",
            "new-name_ko": "2028년 주민참여예산",
            "new-name_en": "Participatory budget 2028",
            "new-slug": "pb-2028",
            "new-year": "2028",
        },
    )
    assert created.status_code == 302
    cycle = BudgetCycle.objects.get(slug="pb-2028")
    assert (cycle.phase, cycle.name_ko) == (Phase.DRAFT, "2028년 주민참여예산")
    add_pot = reverse("console:wizard-pot-add", kwargs={"slug": cycle.slug})
    for pot in (
        {"level": "city", "budget_won": "1000000000"},
        {
            "level": "gu",
            "gu": str(district.pk),
            "budget_won": "500000000",
            "per_project_cap_won": "100000000",
        },
    ):
        assert client.post(add_pot, pot).status_code == 302
    posts = [
        ("dates", DATES),
        ("pots", {"total_budget_won": "1500000000"}),
        ("areas", {"areas": [str(area.pk)]}),
        (
            "ballot",
            {
                "ballot_rule": "knapsack",
                "approval_min_choices": "1",
                "approval_max_choices": "5",
                "cumulative_points": "10",
                "cumulative_max_per_project": "5",
                "ranked_max_ranks": "3",
            },
        ),
        (
            "count",
            {
                "tally_rule": "mes",
                "council_weight_percent": "0",
                "weight_online_percent": "100",
                "weight_committee_percent": "0",
                "weight_assembly_percent": "0",
                "weight_budget_school_percent": "0",
                "weight_survey_percent": "0",
                "minimum_support_votes": "1",
                "minimum_support_percent": "0",
            },
        ),
        (
            "eligibility",
            {"minimum_age": "16", "residents_may_vote": "on", "workers_may_vote": "on"},
        ),
        ("thresholds", {"proposal_limit_per_resident": "2", "endorsement_threshold": "100"}),
    ]
    for step, data in posts:
        assert client.get(_step(cycle.slug, step)).status_code == 200
        response = client.post(_step(cycle.slug, step), data)
        assert response.status_code == 302, (step, response.content.decode()[:4000])
    cycle.refresh_from_db()
    assert (cycle.ballot_rule, cycle.tally_rule, cycle.minimum_age) == ("knapsack", "mes", 16)
    assert (cycle.students_may_vote, cycle.endorsement_threshold) == (False, 100)
    assert cycle.total_budget_won == 1_500_000_000
    assert sorted(cycle.scopes.values_list("budget_won", "per_project_cap_won")) == [
        (500_000_000, 100_000_000),
        (1_000_000_000, None),
    ]
    assert list(cycle.policy_areas.all()) == [area]
    summary = client.get(reverse("console:wizard-summary", kwargs={"slug": cycle.slug}))
    assert "모든 단계를 채웠습니다" in summary.content.decode()
    assert AuditEvent.objects.filter(cycle=cycle, event_type="cycle_created").exists()


def test_dates_out_of_order_are_refused_in_plain_words_and_nothing_is_saved(client, staff_user):
    cycle = cycle_in_phase(BudgetCycleFactory(), Phase.DRAFT)
    before = cycle.voting_start_at
    client.force_login(staff_user)

    response = client.post(
        _step(cycle.slug, "dates"), {**DATES, "voting_start_at": "2027-03-20T09:00"}
    )

    assert response.status_code == 400
    assert "검토" in response.content.decode()  # "...the review needs the time in between"
    cycle.refresh_from_db()
    assert cycle.voting_start_at == before


def test_a_public_holiday_is_shown_but_accepted(client, staff_user):
    cycle = cycle_in_phase(BudgetCycleFactory(), Phase.DRAFT)
    client.force_login(staff_user)
    dates = {
        **DATES,
        "voting_start_at": "2027-09-10T09:00",
        "voting_end_at": "2027-09-20T18:00",
        "results_expected_at": "2027-09-27T10:00",
    }

    saved = client.post(_step(cycle.slug, "dates"), {**dates, "stay": "1"})

    assert saved.status_code == 302
    page = client.get(_step(cycle.slug, "dates")).content.decode()
    assert "추석" in page  # Chuseok falls during voting


def test_a_total_below_the_pots_is_refused(client, staff_user, district):
    cycle = cycle_in_phase(BudgetCycleFactory(total_budget_won=None), Phase.DRAFT)
    BallotScopeFactory(cycle=cycle, district=None, budget_won=90)
    BallotScopeFactory(cycle=cycle, district=district, budget_won=20)
    client.force_login(staff_user)
    response = client.post(_step(cycle.slug, "pots"), {"total_budget_won": "100"})
    assert response.status_code == 400
    assert "110" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.total_budget_won is None


def test_frozen_rules_are_shown_with_the_reason_and_not_changed(client, staff_user):
    cycle = cycle_in_phase(BudgetCycleFactory(ballot_rule="approval"), Phase.VOTING)
    client.force_login(staff_user)
    page = client.get(_step(cycle.slug, "ballot")).content.decode()
    assert "투표가 시작되어" in page  # "Voting has opened, so the rules ... are frozen"
    assert 'name="ballot_rule" value="knapsack"' in page
    assert "disabled" in page

    client.post(
        _step(cycle.slug, "ballot"),
        {
            "ballot_rule": "knapsack",
            "approval_min_choices": "1",
            "approval_max_choices": "9",
            "cumulative_points": "10",
            "cumulative_max_per_project": "5",
            "ranked_max_ranks": "3",
        },
    )

    cycle.refresh_from_db()
    assert (cycle.ballot_rule, cycle.approval_max_choices) == ("approval", 5)


def test_copy_from_last_year(client, staff_user, district):
    source = BudgetCycleFactory(slug="pb-2027", year=2027, tally_rule="mes", minimum_age=16)
    BallotScopeFactory(cycle=source, district=district, budget_won=700_000_000)
    client.force_login(staff_user)
    response = client.post(
        reverse("console:wizard-new"),
        {
            "action": "clone",
            "clone-source": str(source.pk),
            "clone-name_ko": "2028년 예산",
            "clone-slug": "pb-2028",
        },
    )
    assert response.status_code == 302
    copy = BudgetCycle.objects.get(slug="pb-2028")
    assert (copy.year, copy.phase, copy.tally_rule, copy.minimum_age) == (2028, "draft", "mes", 16)
    assert list(copy.scopes.values_list("budget_won", flat=True)) == [700_000_000]


CONSOLE_ROUTES = [
    ("console:cycles", {}),
    ("console:wizard-new", {}),
    ("console:wizard-summary", {"slug": "x"}),
    ("console:wizard-step", {"slug": "x", "step": "dates"}),
    ("console:control", {"slug": "x"}),
    ("console:control-action", {"slug": "x", "action": "next"}),
]


@pytest.mark.parametrize(("name", "kwargs"), CONSOLE_ROUTES)
def test_only_the_budget_office_with_its_second_factor_opens_the_console(
    client, name, kwargs, resident, staff_without_mfa, staff_user
):
    cycle_in_phase(BudgetCycleFactory(slug="x"), Phase.PROPOSALS)
    url = reverse(name, kwargs=kwargs)
    assert client.get(url).status_code == 302  # to the login
    client.force_login(resident)
    assert client.get(url).status_code == 403
    client.force_login(staff_without_mfa)
    assert client.get(url).status_code in (302, 403)  # sent to set up a second factor
    client.force_login(staff_user)
    assert client.get(url).status_code == 200


def test_the_admin_is_for_superusers_other_staff_are_sent_to_the_console(client, staff_user):
    staff_user.is_superuser = False
    staff_user.save(update_fields=["is_superuser"])
    client.force_login(staff_user)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("console:cycles")
    assert response.status_code == 200
    assert client.get("/admin/budgeting/budgetcycle/", follow=True).redirect_chain[-1][0] == (
        reverse("console:cycles")
    )
