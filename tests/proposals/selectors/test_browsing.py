"""The public list: filters, search, sorts (random is stable per visitor), pagination, map."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.selectors import find_similar_proposals
from proposals.selectors import list_public_proposals
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.proposals.factories import EndorsementFactory
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(cycle, district_scope, citywide_scope, policy_area):
    """Four public proposals, a draft and a hidden one."""
    green = PolicyAreaFactory(slug="green", name_ko="환경", name_en="Environment")
    cycle.policy_areas.add(green)
    now = timezone.now()
    made = {
        "shade": ProposalFactory(
            scope=district_scope,
            policy_area=policy_area,
            title="정류장 그늘막",
            submitted_at=now - timedelta(days=3),
        ),
        "trees": ProposalFactory(
            scope=district_scope,
            policy_area=green,
            title="가로수 심기",
            description="느티나무 200그루",
            submitted_at=now - timedelta(days=2),
        ),
        "solar": ProposalFactory(
            scope=citywide_scope,
            policy_area=green,
            title="학교 태양광",
            submitted_at=now - timedelta(days=1),
        ),
        "bus": ProposalFactory(
            scope=citywide_scope,
            policy_area=policy_area,
            title="심야 버스",
            status="on_ballot",
            submitted_at=now,
        ),
    }
    ProposalFactory(scope=district_scope, policy_area=green, title="초안", status="draft")
    ProposalFactory(scope=district_scope, policy_area=green, title="숨김", hidden_at=now)
    for _ in range(3):
        EndorsementFactory(proposal=made["trees"])
    EndorsementFactory(proposal=made["solar"])
    return made


def _titles(qs):
    return [p.title for p in qs]


@pytest.mark.parametrize(
    ("_case", "filters", "expected"),
    [
        ("newest first", {}, ["심야 버스", "학교 태양광", "가로수 심기", "정류장 그늘막"]),
        (
            "most endorsed",
            {"sort": "endorsed"},
            ["가로수 심기", "학교 태양광", "심야 버스", "정류장 그늘막"],
        ),
        ("city-wide", {"citywide": True}, ["심야 버스", "학교 태양광"]),
        ("status", {"status": "on_ballot"}, ["심야 버스"]),
        ("search in description", {"query": "느티나무"}, ["가로수 심기"]),
        ("search in title", {"query": "태양광"}, ["학교 태양광"]),
    ],
)
def test_filters_and_sorts(_case, filters, expected, cycle, catalogue):
    assert _titles(list_public_proposals(cycle=cycle, **filters)) == expected


def test_withdrawn_only_when_asked_for(cycle, catalogue):
    catalogue["shade"].status = "withdrawn"
    catalogue["shade"].save()
    assert "정류장 그늘막" not in _titles(list_public_proposals(cycle=cycle))
    assert _titles(list_public_proposals(cycle=cycle, status="withdrawn")) == ["정류장 그늘막"]


def test_filter_by_district_and_area(cycle, catalogue, district_scope):
    trees = catalogue["trees"]
    qs = list_public_proposals(
        cycle=cycle, district_id=district_scope.district_id, policy_area_id=trees.policy_area_id
    )
    assert _titles(qs) == ["가로수 심기"]


def test_random_order_is_stable_per_seed(cycle, catalogue):
    first = _titles(list_public_proposals(cycle=cycle, sort="random", seed="visitor-a"))
    again = _titles(list_public_proposals(cycle=cycle, sort="random", seed="visitor-a"))
    assert first == again
    assert sorted(first) == sorted(_titles(list_public_proposals(cycle=cycle)))
    orders = {
        tuple(_titles(list_public_proposals(cycle=cycle, sort="random", seed=f"s{n}")))
        for n in range(12)
    }
    assert len(orders) > 1


def test_random_seed_is_kept_in_the_session(client, cycle, catalogue):
    url = reverse("proposals:proposal-list", args=[cycle.slug])
    first = client.get(url, {"sort": "random"})
    second = client.get(url, {"sort": "random"})
    assert [p.pk for p in first.context["page_obj"]] == [p.pk for p in second.context["page_obj"]]


def test_pagination_and_bad_filter_values(client, cycle, district_scope, policy_area):
    ProposalFactory.create_batch(23, scope=district_scope, policy_area=policy_area)
    url = reverse("proposals:proposal-list", args=[cycle.slug])
    page2 = client.get(url, {"page": 2, "sort": "nonsense", "scope": "x", "policy_area": "'"})
    assert page2.status_code == 200
    assert len(page2.context["page_obj"].object_list) == 3
    assert client.get(url, {"page": "999"}).status_code == 200


def test_similar_titles(cycle, catalogue):
    similar = find_similar_proposals(cycle=cycle, title="버스 정류장 그늘막 더 만들기")
    assert [p.title for p in similar] == ["정류장 그늘막", "심야 버스"]


def test_draft_cycle_is_not_public(client, db):
    from budgeting.phases import Phase
    from tests.helpers import cycle_in_phase

    scope = BallotScopeFactory()
    cycle_in_phase(scope.cycle, Phase.DRAFT)
    assert (
        client.get(reverse("proposals:proposal-list", args=[scope.cycle.slug])).status_code == 404
    )


def test_similar_box_endpoint(client, cycle, catalogue):
    url = reverse("proposals:proposal-similar", args=[cycle.slug])
    response = client.get(url, {"title": "그늘막 <script>"})
    assert response.status_code == 200
    assert "정류장 그늘막" in response.text
    assert "<script>" not in response.text
    excluded = client.get(url, {"title": "그늘막", "exclude": catalogue["shade"].pk})
    assert "정류장 그늘막" not in excluded.text
