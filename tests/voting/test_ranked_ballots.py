"""Ranked ballots: rank up to k projects with a select box per project (no JavaScript needed)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from budgeting.models import Ballot
from budgeting.models import BallotChoice
from voting.ballot_rules import RANKED
from voting.ballot_rules import BallotLimits
from voting.ballot_rules import BallotRuleError
from voting.ballot_rules import check_ballot
from voting.ballot_rules import measure_ballot
from voting.ballot_rules import rank_points
from voting.services.ballots import submit_ballot
from voting.services.paper import enter_paper_ballot
from voting.shared import BallotRefusedError

pytestmark = pytest.mark.django_db

LIMITS = BallotLimits(rule=RANKED, costs={1: 10, 2: 20, 3: 30, 4: 40}, max_ranks=3)


def _url(name, scope):
    return reverse(f"voting:{name}", kwargs={"slug": scope.cycle.slug, "scope_pk": scope.pk})


@pytest.mark.parametrize(
    ("choices", "code"),
    [
        ({1: 1}, None),
        ({3: 1, 1: 2, 2: 3}, None),
        ({}, "empty"),
        ({9: 1}, "not_on_ballot"),
        ({1: 1, 2: 2, 3: 3, 4: 4}, "rank_out_of_range"),
        ({1: 0}, "rank_out_of_range"),
        ({1: 1, 2: 1}, "rank_repeated"),
        ({1: 2}, "rank_missing"),
        ({1: 1, 2: 3}, "rank_missing"),
    ],
)
def test_a_ranked_ballot_numbers_its_choices_1_2_3_without_gaps(choices, code) -> None:
    if code is None:
        check_ballot(LIMITS, choices)
        assert measure_ballot(LIMITS, choices).used == len(choices)
        return
    with pytest.raises(BallotRuleError) as error:
        check_ballot(LIMITS, choices)
    assert error.value.code == code


def test_rank_points_are_krakows_3_2_1() -> None:
    assert [rank_points(rank, 3) for rank in (1, 2, 3)] == [3, 2, 1]
    assert [rank_points(rank, 5) for rank in (1, 2)] == [5, 4]


def test_the_page_offers_a_select_box_per_project_and_the_confirmation_lists_them_in_order(
    client, ranked_cycle, resident, district_scope, district_projects
):
    a, b, c, d = district_projects
    client.force_login(resident)
    page = client.get(_url("ballot-form", district_scope)).content.decode()
    for project in district_projects:
        assert f'<label for="rank-{project.pk}">{project.title}</label>' in page
        select = re.search(rf'<select[^>]*name="rank_{project.pk}".*?</select>', page, re.S)
        assert select is not None
        assert re.findall(r'<option value="(\d*)"', select.group(0)) == ["", "1", "2", "3"]
    assert "Rank up to 3 projects" in page
    assert 'type="checkbox"' not in page

    confirm = client.post(
        _url("ballot-form", district_scope),
        {f"rank_{c.pk}": "1", f"rank_{a.pk}": "2", f"rank_{d.pk}": "", f"rank_{b.pk}": "3"},
    )
    assert confirm.status_code == 200
    content = confirm.content.decode()
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td[^>]*>Choice (\d)', content)
    assert rows == [(c.title, "1"), (a.title, "2"), (b.title, "3")]

    hidden = dict(re.findall(r'name="(rank_\d+)" value="(\d+)"', content))
    submitted = client.post(_url("ballot-submit", district_scope), hidden)
    assert submitted.status_code == 302
    stored = dict(BallotChoice.objects.values_list("proposal_id", "points"))
    assert stored == {c.pk: 1, a.pk: 2, b.pk: 3}  # the rank is stored, never who ranked it

    again = client.get(_url("ballot-form", district_scope)).content.decode()
    assert re.search(rf'name="rank_{a.pk}".*?<option value="2" selected>', again, re.S)


@pytest.mark.parametrize(
    ("_case", "ranks", "message"),
    [
        ("a rank twice", {0: "1", 1: "1"}, "You gave rank 1 to more than one project"),
        ("a gap", {0: "1", 1: "3"}, "Rank 2 is missing"),
        ("past k", {0: "4"}, "Select a valid choice"),
        ("nothing ranked", {}, "Choose at least one project."),
    ],
)
def test_a_wrong_ranking_is_refused_with_the_reason_and_keeps_the_ranks(
    _case, ranks, message, client, ranked_cycle, resident, district_scope, district_projects
):
    client.force_login(resident)
    data = {f"rank_{district_projects[i].pk}": rank for i, rank in ranks.items()}
    response = client.post(_url("ballot-form", district_scope), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    if ranks and message != "Select a valid choice":
        first = district_projects[0].pk
        assert re.search(rf'name="rank_{first}".*?<option value="1" selected>', content, re.S)
    submitted = client.post(_url("ballot-submit", district_scope), data)
    assert submitted.status_code == 400
    assert "Your ballot was not stored" in submitted.content.decode()
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize("value", ["-1", "abc", "²", "9" * 40, "1.5"])
def test_garbage_ranks_are_refused_without_a_server_error(
    value, client, ranked_cycle, resident, district_scope, district_projects
):
    client.force_login(resident)
    response = client.post(
        _url("ballot-submit", district_scope), {f"rank_{district_projects[0].pk}": value}
    )
    assert response.status_code == 400
    assert Ballot.objects.count() == 0


def test_the_service_refuses_a_gap_and_stores_nothing(
    ranked_cycle, resident, district_scope, district_projects
):
    a, b, *_ = district_projects
    with pytest.raises(BallotRefusedError) as error:
        submit_ballot(voter=resident, scope=district_scope, choices={a.pk: 1, b.pk: 3})
    assert error.value.code == "rank_missing"
    assert Ballot.objects.count() == 0


def test_staff_enter_a_ranked_paper_ballot_with_the_same_select_boxes(
    client, ranked_cycle, staff_user, resident, district_scope, district_projects
):
    a, b, *_ = district_projects
    client.force_login(staff_user)
    url = _url("staff-paper-ballot", district_scope)
    page = client.get(url).content.decode()
    assert f'name="rank_{a.pk}"' in page
    response = client.post(url, {"email": resident.email, f"rank_{b.pk}": "1", f"rank_{a.pk}": "2"})
    assert response.status_code == 302
    assert dict(BallotChoice.objects.values_list("proposal_id", "points")) == {b.pk: 1, a.pk: 2}
    with pytest.raises(BallotRefusedError):
        enter_paper_ballot(
            staff=staff_user, voter=resident, scope=district_scope, choices={a.pk: 1}
        )


def test_the_rule_is_explained_in_korean(client, ranked_cycle, resident, district_scope):
    client.force_login(resident)
    with translation.override("ko"):
        page = client.get(
            _url("ballot-form", district_scope), HTTP_ACCEPT_LANGUAGE="ko"
        ).content.decode()
    assert "최대 3개 사업에 순위를" in page
    assert "1순위" in page
