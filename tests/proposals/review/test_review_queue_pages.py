"""The review queue at city scale: pages, filters a council member works through, bad input."""

import re
from html import unescape
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.review.services import record_council_decision
from proposals.review.services import record_feasibility_review
from proposals.views import PAGE_SIZE as PUBLIC_PAGE_SIZE
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import CouncilMembershipFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.proposals.factories import ProposalFactory
from tests.proposals.review.review_factories import EndorsementFactory
from tests.proposals.review.review_factories import FeasibilityReviewFactory

pytestmark = pytest.mark.django_db

PAGE_SIZE = 25


@pytest.fixture
def queue(cycle):
    return reverse("proposals:review-queue", kwargs={"slug": cycle.slug})


@pytest.fixture
def member_client(client, council_member):
    client.force_login(council_member)
    return client


@pytest.fixture
def welfare(cycle, area):
    welfare = PolicyAreaFactory(slug="welfare", name_ko="복지", name_en="Welfare")
    cycle.policy_areas.add(area, welfare)
    return welfare


@pytest.fixture
def welfare_client(client, cycle, welfare):
    """A council member of the welfare subcommittee, logged in."""
    member = ResidentProfileFactory().user
    CouncilMembershipFactory(cycle=cycle, user=member, policy_area=welfare)
    activate_totp(member)
    client.force_login(member)
    return client


def get_ok(client, path, params):
    response = client.get(path, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response


def titles(response) -> list[str]:
    return [p.title for p in response.context["proposals"]]


def page_links(response) -> list[dict[str, list[str]]]:
    """The query of each link in the page navigation, parsed."""
    body = response.content.decode()
    nav = body.split('<ul class="pagination', 1)[1].split("</ul>", 1)[0]
    return [
        parse_qs(urlsplit(unescape(href)).query, keep_blank_values=True)
        for href in re.findall(r'href="([^"]+)"', nav)
    ]


def test_a_long_queue_is_paged_and_every_proposal_is_on_exactly_one_page(
    member_client, in_review, queue, district_scope, area
):
    created = ProposalFactory.create_batch(PAGE_SIZE + 5, scope=district_scope, policy_area=area)
    first = member_client.get(queue, HTTP_ACCEPT_LANGUAGE="en")
    second = member_client.get(queue, {"page": 2}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(first.context["proposals"]) == PAGE_SIZE
    assert len(second.context["proposals"]) == 5
    assert sorted(titles(first) + titles(second)) == sorted(p.title for p in created)
    body = first.content.decode()
    assert "Page 1 of 2" in body
    assert "30 proposals match." in body
    assert [link["page"] for link in page_links(first)] == [["2"]]
    assert [link["page"] for link in page_links(second)] == [["1"]]


def test_page_links_keep_the_filters_sort_and_an_explicit_all_areas(
    welfare_client, in_review, queue, district_scope, welfare, area
):
    """A welfare-subcommittee member who chose "all policy areas" stays on all areas on page 2."""
    ProposalFactory.create_batch(
        PAGE_SIZE, scope=district_scope, policy_area=area, title="버스 쉼터"
    )
    ProposalFactory.create_batch(5, scope=district_scope, policy_area=welfare, title="버스 복지")
    ProposalFactory.create_batch(3, scope=district_scope, policy_area=welfare, title="도서관")
    params = {
        "area": "",
        "q": "버스",
        "ballot": str(district_scope.pk),
        "review": "waiting",
        "decision": "undecided",
        "sort": "newest",
    }
    first = get_ok(welfare_client, queue, params)
    assert len(first.context["proposals"]) == PAGE_SIZE
    [link] = page_links(first)
    assert {name: value for name, value in link.items() if name != "page"} == {
        name: [value] for name, value in params.items()
    }
    second = welfare_client.get(queue, {name: values[0] for name, values in link.items()})
    assert len(second.context["proposals"]) == 5  # 30 "버스" proposals in both areas
    assert second.context["page_obj"].number == 2


def test_subcommittee_default_is_written_into_the_page_links(
    welfare_client, in_review, queue, district_scope, welfare, area
):
    ProposalFactory.create_batch(PAGE_SIZE + 1, scope=district_scope, policy_area=welfare)
    ProposalFactory.create_batch(3, scope=district_scope, policy_area=area)
    first = get_ok(welfare_client, queue, {})
    [link] = page_links(first)
    assert link["area"] == [str(welfare.pk)]
    second = welfare_client.get(queue, {name: values[0] for name, values in link.items()})
    assert [p.policy_area_id for p in second.context["proposals"]] == [welfare.pk]


@pytest.fixture
def worked_queue(in_review, cycle, district_scope, citywide_scope, area, welfare, staff_user):
    """Four proposals, one per step of the council's work, on two ballots and two areas."""
    waiting = ProposalFactory(scope=district_scope, policy_area=area, title="가로등 교체")
    reviewed = ProposalFactory(scope=citywide_scope, policy_area=welfare, title="경로당 냉방")
    decided = ProposalFactory(scope=district_scope, policy_area=welfare, title="놀이터 그늘막")
    decided_unreviewed = ProposalFactory(scope=citywide_scope, policy_area=area, title="자전거길")
    for proposal in (reviewed, decided):
        record_feasibility_review(
            proposal=proposal, reviewer=staff_user, verdict="feasible", reviewed_cost_won=1_000
        )
    record_council_decision(
        proposal=decided, decided_by=staff_user, decision="on_ballot", public_reason="필요"
    )
    record_council_decision(
        proposal=decided_unreviewed,
        decided_by=staff_user,
        decision="rejected",
        public_reason="중복",
    )
    return {
        "waiting": waiting,
        "reviewed": reviewed,
        "decided": decided,
        "decided_unreviewed": decided_unreviewed,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"waiting", "reviewed", "decided", "decided_unreviewed"}),
        ({"review": "waiting"}, {"waiting", "decided_unreviewed"}),
        ({"review": "reviewed"}, {"reviewed", "decided"}),
        ({"decision": "undecided"}, {"waiting", "reviewed"}),
        ({"decision": "decided"}, {"decided", "decided_unreviewed"}),
        ({"review": "reviewed", "decision": "undecided"}, {"reviewed"}),
        ({"status": "on_ballot"}, {"decided"}),
        ({"status": "rejected"}, {"decided_unreviewed"}),
        ({"ballot": "citywide"}, {"reviewed", "decided_unreviewed"}),
        ({"area": "welfare"}, {"reviewed", "decided"}),
        ({"area": "welfare", "ballot": "district"}, {"decided"}),
        ({"q": "그늘"}, {"decided"}),
        ({"q": "  냉방 "}, {"reviewed"}),
        ({"q": "#waiting"}, {"waiting"}),  # a proposal number, as shown on its page
        ({"q": "없는 제목"}, set()),
    ],
)
def test_queue_filters(
    params, expected, member_client, queue, worked_queue, district_scope, citywide_scope, welfare
):
    params = dict(params)
    if params.get("ballot"):
        params["ballot"] = {"citywide": citywide_scope, "district": district_scope}[
            params["ballot"]
        ].pk
    if params.get("area") == "welfare":
        params["area"] = welfare.pk
    if params.get("q", "").startswith("#"):
        params["q"] = f"#{worked_queue[params['q'][1:]].pk}"
    response = get_ok(member_client, queue, params)
    shown = {p.pk for p in response.context["proposals"]}
    names = {name for name, p in worked_queue.items() if p.pk in shown}
    assert names == expected
    if not expected:
        assert "No proposals match." in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("urgent", ["popular", "quiet", "old_decided"]),  # undecided first, must-answer first
        ("endorsed", ["popular", "old_decided", "quiet"]),
        ("newest", ["popular", "quiet", "old_decided"]),
        ("oldest", ["old_decided", "quiet", "popular"]),
    ],
)
def test_queue_sorts(
    sort, expected, member_client, in_review, cycle, queue, district_scope, area, staff_user
):
    cycle.endorsement_threshold = 2
    cycle.save()
    old_decided = ProposalFactory(scope=district_scope, policy_area=area)
    quiet = ProposalFactory(scope=district_scope, policy_area=area)
    popular = ProposalFactory(scope=district_scope, policy_area=area)
    EndorsementFactory.create_batch(3, proposal=popular)
    EndorsementFactory.create_batch(1, proposal=old_decided)
    record_council_decision(
        proposal=old_decided, decided_by=staff_user, decision="rejected", public_reason="중복"
    )
    by_name = {"old_decided": old_decided.pk, "quiet": quiet.pk, "popular": popular.pk}
    response = get_ok(member_client, queue, {"sort": sort})
    assert [p.pk for p in response.context["proposals"]] == [by_name[n] for n in expected]


def test_queue_counts_endorsements_and_reviews_separately(
    member_client, in_review, queue, proposal, council_member, staff_user
):
    EndorsementFactory.create_batch(3, proposal=proposal)
    FeasibilityReviewFactory(proposal=proposal, reviewer=staff_user)
    FeasibilityReviewFactory(proposal=proposal, reviewer=council_member)
    [row] = get_ok(member_client, queue, {"area": ""}).context["proposals"]
    assert (row.endorsement_count, row.review_count, row.has_my_review) == (3, 2, True)


@pytest.mark.parametrize("page", ["abc", "", "0", "-1", "1.5", "999", "9" * 30])
def test_a_bad_page_number_shows_a_page_as_the_public_list_does(
    page, member_client, client, in_review, cycle, queue, district_scope, area
):
    ProposalFactory.create_batch(
        max(PAGE_SIZE, PUBLIC_PAGE_SIZE) + 1, scope=district_scope, policy_area=area
    )
    response = get_ok(member_client, queue, {"page": page})
    public = client.get(
        reverse("proposals:proposal-list", kwargs={"slug": cycle.slug}), {"page": page}
    )
    assert public.status_code == 200
    # Not a number: page 1; a number out of range: the last page (Paginator.get_page).
    assert response.context["page_obj"].number == public.context["page_obj"].number
    assert response.context["page_obj"].number in (1, 2)
    assert len(response.context["proposals"]) > 0


@pytest.mark.parametrize(
    "params",
    [
        {"area": "abc"},
        {"area": "999999"},
        {"area": "other-cycle"},
        {"ballot": "other-cycle"},
        {"ballot": "x"},
        {"status": "draft"},
        {"status": "withdrawn"},
        {"review": "maybe"},
        {"decision": "[]"},
        {"sort": "-pk"},
        {"q": "가" * 101},
    ],
)
def test_a_bad_filter_is_ignored_and_left_out_of_the_page_links(
    params, member_client, in_review, queue, district_scope, area
):
    other_scope = BallotScopeFactory()
    params = {
        name: (
            (other_scope.pk if name == "ballot" else PolicyAreaFactory().pk)
            if value == "other-cycle"
            else value
        )
        for name, value in params.items()
    }
    ProposalFactory.create_batch(PAGE_SIZE + 1, scope=district_scope, policy_area=area)
    response = get_ok(member_client, queue, {"area": "", **params})
    assert response.context["page_obj"].paginator.count == PAGE_SIZE + 1
    [link] = page_links(response)
    assert link == {"area": [""], "page": ["2"]}
    assert "is-invalid" not in response.content.decode()


def test_a_nul_byte_in_the_search_is_refused_by_the_site_wide_guard(member_client, queue):
    """Control characters never reach a filter: core.middleware answers 400 with its page."""
    response = member_client.get(queue, {"q": "\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "control characters" in response.content.decode()


def test_queue_queries_stay_flat_on_every_page_and_with_filters(
    member_client, in_review, cycle, queue, district_scope, area, staff_user
):
    def count(params):
        with CaptureQueriesContext(connection) as captured:
            get_ok(member_client, queue, params)
        return len(captured)

    def add(n):
        for proposal in ProposalFactory.create_batch(n, scope=district_scope, policy_area=area):
            EndorsementFactory.create_batch(2, proposal=proposal)
            FeasibilityReviewFactory(proposal=proposal, reviewer=staff_user)

    cases = [
        {},
        {"page": "2"},
        {"page": "last"},
        {"q": "쉼터", "review": "reviewed", "decision": "undecided", "sort": "endorsed"},
    ]
    add(PAGE_SIZE + 2)
    few = [count(params) for params in cases]
    add(3 * PAGE_SIZE)
    assert [count(params) for params in cases] == few


def test_the_filters_read_in_korean(member_client, in_review, queue, proposal):
    body = member_client.get(queue, {"area": ""}, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    for label in ("제목 또는 번호", "검토 대기", "결정 필요", "결정 완료", "긴급순", "제안 1건이"):
        assert label in body
