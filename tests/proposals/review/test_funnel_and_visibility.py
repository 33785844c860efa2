"""The public funnel on the cycle page, what the public sees of a review, and escaping."""

import pytest
from django.urls import reverse
from django.utils import translation

from budgeting.phases import Phase
from proposals.models import Proposal
from proposals.review.selectors import get_proposal_funnel
from proposals.review.services import merge_proposals
from proposals.review.services import record_council_decision
from proposals.review.services import record_feasibility_review
from proposals.review.services import score_proposal
from tests.budgeting.factories import PolicyAreaFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory
from tests.proposals.review.review_factories import RubricCriterionFactory

pytestmark = pytest.mark.django_db

S = Proposal.Status


@pytest.fixture
def funnel_cycle(in_review, district_scope, citywide_scope, area, council_member):
    """Proposals in every step: district ballot in ``area``, city-wide ballot in ``welfare``."""
    welfare = PolicyAreaFactory(slug="welfare", name_ko="복지", name_en="Welfare", order=9)
    in_review.policy_areas.add(area, welfare)

    def make(scope, policy_area, status=S.SUBMITTED, **kwargs):
        return ProposalFactory(scope=scope, policy_area=policy_area, status=status, **kwargs)

    make(district_scope, area, S.DRAFT, submitted_at=None)  # never counted
    make(district_scope, area, S.WITHDRAWN)
    survivor = make(district_scope, area)
    duplicate = make(district_scope, area)
    merge_proposals(
        survivor=survivor, duplicates=[duplicate], merged_by=council_member, public_reason="같음"
    )
    for codes in (["legal"], ["legal", "site"]):
        infeasible = make(district_scope, area)
        record_feasibility_review(
            proposal=infeasible, reviewer=council_member, verdict="infeasible", reason_codes=codes
        )
    on_ballot = make(citywide_scope, welfare)
    record_feasibility_review(
        proposal=on_ballot, reviewer=council_member, verdict="feasible", reviewed_cost_won=9_000
    )
    record_council_decision(
        proposal=on_ballot, decided_by=council_member, decision="on_ballot", public_reason="좋음"
    )
    rejected = make(citywide_scope, welfare)
    record_council_decision(
        proposal=rejected, decided_by=council_member, decision="rejected", public_reason="중복"
    )
    make(citywide_scope, area)  # still under review
    return in_review


STEPS = ("submitted", "withdrawn", "merged", "infeasible", "rejected", "on_ballot", "in_review")


def counts(row):
    return [row.counts[step] for step in STEPS]


def test_funnel_counts_per_ballot_and_policy_area_in_two_queries(
    funnel_cycle, django_assert_num_queries
):
    with translation.override("en"), django_assert_num_queries(2):
        funnel = get_proposal_funnel(cycle=funnel_cycle)
    with translation.override("en"):
        by_scope = [(row.label, counts(row)) for row in funnel.by_scope]
        reasons = [(str(label), n) for label, n in funnel.total.reasons]
    assert by_scope == [
        ("Bupyeong-gu", [5, 1, 1, 2, 0, 0, 1]),
        ("City-wide", [3, 0, 0, 0, 1, 1, 1]),
    ]
    assert [(row.label, counts(row)) for row in funnel.by_area] == [
        ("Transport", [6, 1, 1, 2, 0, 0, 2]),
        ("Welfare", [2, 0, 0, 0, 1, 1, 0]),
    ]
    assert counts(funnel.total) == [8, 1, 1, 2, 1, 1, 2]
    assert reasons == [("Legal obstacles", 2), ("Site not available", 1)]
    assert funnel.by_scope[0].percent("infeasible") == 40  # 2 of 5, in 5 % steps


def test_cycle_page_shows_the_funnel_table(client, funnel_cycle):
    response = client.get(funnel_cycle.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<caption>Proposals per ballot</caption>" in body
    assert "<caption>Proposals per policy area</caption>" in body
    assert "Legal obstacles: 2" in body
    assert 'class="bar-' in body  # the CSS bars (no inline styles: CSP)
    assert "style=" not in body.split('id="funnel-heading"')[1].split("</section>")[0]


# --- what the public sees ---------------------------------------------------------------------
@pytest.fixture
def decided(in_review, cycle, proposal, council_member):
    record_feasibility_review(
        proposal=proposal,
        reviewer=council_member,
        verdict="needs_changes",
        reviewed_cost_won=31_000_000,
        technical_notes="그늘막 규격 변경 필요",
    )
    criterion = RubricCriterionFactory(cycle=cycle, name_en="Public benefit", max_points=5)
    score_proposal(proposal=proposal, member=council_member, points={criterion.pk: 4})
    record_council_decision(
        proposal=proposal,
        decided_by=council_member,
        decision="on_ballot",
        public_reason="이용자가 많은 정류장입니다.",
    )
    return proposal


def test_decision_and_reason_are_public_at_once_notes_and_scores_only_to_the_council(
    client, decided, council_member
):
    page = decided.get_absolute_url()
    body = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Put on the ballot" in body
    assert "이용자가 많은 정류장입니다." in body
    assert "Feasible with changes: 1" in body
    assert "그늘막 규격 변경 필요" not in body
    assert "Public benefit" not in body
    client.force_login(council_member)
    body = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "그늘막 규격 변경 필요" in body
    assert "Public benefit" in body


def test_a_council_member_does_not_see_the_notes_on_their_own_proposal_during_review(
    client, decided, council_author
):
    client.force_login(council_author)
    body = client.get(decided.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "이용자가 많은 정류장입니다." in body  # the public decision, like everyone
    assert "그늘막 규격 변경 필요" not in body
    assert "Public benefit" not in body


def test_notes_and_scores_are_public_once_the_review_phase_ends(client, cycle, decided):
    cycle_in_phase(cycle, Phase.VOTING)
    body = client.get(decided.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "그늘막 규격 변경 필요" in body
    assert "Public benefit" in body
    assert "4.0" in body


def test_merged_proposal_points_to_the_survivor(client, in_review, proposal, duplicate, staff_user):
    merge_proposals(
        survivor=proposal, duplicates=[duplicate], merged_by=staff_user, public_reason="같은 곳"
    )
    body = client.get(duplicate.get_absolute_url()).content.decode()
    assert f'href="{proposal.get_absolute_url()}"' in body
    body = client.get(proposal.get_absolute_url()).content.decode()
    assert f'href="{duplicate.get_absolute_url()}"' in body


# --- escaping ---------------------------------------------------------------------------------
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def test_every_review_text_is_rendered_escaped(
    client, in_review, cycle, proposal, duplicate, council_member, staff_user
):
    Proposal.objects.filter(pk=proposal.pk).update(title=XSS, summary=XSS)
    proposal.refresh_from_db()
    record_feasibility_review(
        proposal=proposal,
        reviewer=council_member,
        verdict="feasible",
        reviewed_cost_won=1_000,
        legal_notes=XSS,
        technical_notes=XSS,
    )
    RubricCriterionFactory(cycle=cycle, name_ko=XSS, name_en=XSS)
    record_council_decision(
        proposal=proposal, decided_by=council_member, decision="rejected", public_reason=XSS
    )
    merge_proposals(
        survivor=proposal, duplicates=[duplicate], merged_by=staff_user, public_reason=XSS
    )
    client.force_login(council_member)
    pages = [
        proposal.get_absolute_url(),
        duplicate.get_absolute_url(),
        cycle.get_absolute_url(),
        reverse("proposals:review-queue", kwargs={"slug": cycle.slug}),
        reverse("proposals:review-proposal", kwargs={"pk": proposal.pk}),
        reverse("proposals:review-decide", kwargs={"pk": proposal.pk}),
        reverse("proposals:review-feasibility", kwargs={"pk": proposal.pk}),
        reverse("proposals:review-score", kwargs={"pk": proposal.pk}),
    ]
    for page in pages:
        body = client.get(page).content.decode()
        assert "<script>alert" not in body, page
        assert "<img src=x" not in body, page
    desk = client.get(pages[4]).content.decode()
    assert desk.count(ESCAPED) >= 4  # title, summary, both notes, reason
