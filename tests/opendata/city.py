"""A small city run through a whole budget cycle by the real services, for the open-data API.

Every person has a distinctive e-mail address, display name and user id, so a test can search
every API answer and download for them. ``build_city`` returns what the tests need to find.
"""

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import ExportFile
from budgeting.models import PolicyArea
from budgeting.phases import Phase
from budgeting.services.cycles import advance_phase
from budgeting.services.cycles import appoint_council_member
from implementation.services import follow_project
from implementation.services import post_implementation_update
from implementation.services import record_budget_cut
from proposals.models import Proposal
from proposals.models import RubricCriterion
from proposals.review.services import merge_proposals
from proposals.review.services import record_council_decision
from proposals.review.services import record_feasibility_review
from proposals.review.services import score_proposal
from proposals.services.discussion import endorse_proposal
from proposals.services.discussion import post_comment
from proposals.services.moderation import hide_proposal
from proposals.services.submission import create_proposal
from proposals.services.submission import withdraw_proposal
from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.publication import publish_results
from results.services.tallying import close_voting
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import UserFactory
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import DistrictFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.helpers import dates_for_phase
from voting.services.ballots import submit_ballot

# User ids far from any sequence, so finding one in a response is no accident.
FIRST_USER_ID = 73_910_457


@dataclass
class City:
    published: BudgetCycle
    voting: BudgetCycle
    draft: BudgetCycle
    district_scope: BallotScope
    citywide_scope: BallotScope
    voting_scope: BallotScope
    areas: list[PolicyArea]
    people: list[User]
    on_ballot: list[Proposal]
    rejected: Proposal
    infeasible: Proposal
    merged: Proposal
    hidden: Proposal
    withdrawn: Proposal
    draft_proposal: Proposal
    voting_proposals: list[Proposal]


class _People:
    def __init__(self, districts):
        self.districts = districts
        self.made: list[User] = []

    def make(self, role: str, district, *, staff: bool = False) -> User:
        n = len(self.made) + 1
        user = UserFactory(
            id=FIRST_USER_ID + n * 101, email=f"leak.{role}.{n}@privacy-probe.example"
        )
        ResidentProfileFactory(
            user=user, district=district, display_name=f"비밀이름{n} Secretname{role}{n}"
        )
        if staff:
            user.is_staff = True
            user.is_superuser = True
            user.save()
        self.made.append(user)
        return user


def _move(cycle: BudgetCycle, phase: Phase, actor) -> BudgetCycle:
    """Dates that agree with ``phase``, then the audited phase change."""
    BudgetCycle.objects.filter(pk=cycle.pk).update(**dates_for_phase(phase))
    cycle.refresh_from_db()
    assert advance_phase(cycle=cycle, to=phase, actor=actor)
    cycle.refresh_from_db()
    return cycle


def _propose(author, cycle, scope, area, n: int, cost: int, *, submit: bool = True) -> Proposal:
    return create_proposal(
        author=author,
        cycle=cycle,
        scope=scope,
        policy_area=area,
        title=f"공개 사업 {n} Public project {n}",
        summary=f"요약 {n}",
        description=f"설명 **{n}**",
        problem="그늘이 없습니다.",
        beneficiaries="어르신",
        cost_estimate_won=cost,
        address=f"부평대로 {n}",
        submit=submit,
    )


def _close_and_publish(cycle: BudgetCycle, staff) -> None:
    BudgetCycle.objects.filter(pk=cycle.pk).update(
        voting_end_at=timezone.now() - timezone.timedelta(minutes=1)
    )
    close_voting(cycle_id=cycle.pk)
    for scope in cycle.scopes.all():
        tally_scope(scope_id=scope.pk)
    assert publish_results(cycle_id=cycle.pk, actor=staff)
    for export in ExportFile.objects.filter(tally_run__scope__cycle=cycle):
        built = build_export_file(export_file_id=export.pk)
        assert built.status == ExportFile.Status.SUCCEEDED, built.error


def _png() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (40, 120, 60)).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="progress.png")


def _track_implementation(cycle: BudgetCycle, staff, followers) -> None:
    """Progress on two funded projects and a reduction of a third, through the services."""
    funded = list(
        Proposal.objects.filter(
            allocations__is_funded=True, allocations__tally_run__is_official=True
        )
        .filter(cycle=cycle)
        .distinct()
        .order_by("pk")
    )
    assert len(funded) >= 3, funded
    for proposal, status, percent in ((funded[0], "in_progress", 40), (funded[1], "done", 100)):
        post_implementation_update(
            proposal=proposal,
            actor=staff,
            status=status,
            percent_done=percent,
            spent_won=proposal.ballot_cost_won * percent // 100,
            note=f"공사 {percent}% 진행",
            photos=[(_png(), "현장 사진")],
        )
    record_budget_cut(
        proposal=funded[2], actor=staff, amount_won=10_000_000, reason="시의회 예산 심의에서 감액"
    )
    for follower in followers:
        follow_project(user=follower, proposal=funded[0])


def build_city() -> City:
    bupyeong = DistrictFactory(slug="bupyeong-gu", name_ko="부평구", name_en="Bupyeong-gu")
    yeonsu = DistrictFactory(slug="yeonsu-gu", name_ko="연수구", name_en="Yeonsu-gu")
    areas = [
        PolicyAreaFactory(slug="welfare", name_ko="복지", name_en="Welfare", order=1),
        PolicyAreaFactory(slug="transport", name_ko="교통", name_en="Transport", order=2),
    ]
    people = _People((bupyeong, yeonsu))
    staff = people.make("staff", bupyeong, staff=True)
    council = people.make("council", yeonsu)
    authors = [people.make("author", bupyeong) for _ in range(4)]
    voters = [people.make("voter", bupyeong) for _ in range(6)] + [
        people.make("voter", yeonsu) for _ in range(3)
    ]

    # --- the published cycle: proposals, review, vote, count, publication ------------------------
    cycle = BudgetCycleFactory(
        slug="incheon-2026",
        name_ko="2026년 인천 주민참여예산",
        name_en="Incheon participatory budget 2026",
        year=2026,
        tally_rule=BudgetCycle.TallyRule.EQUAL_SHARES,
        approval_max_choices=3,
        endorsement_threshold=2,
    )
    BudgetCycle.objects.filter(pk=cycle.pk).update(**dates_for_phase(Phase.DRAFT))
    cycle.refresh_from_db()
    cycle.policy_areas.set(areas)
    district_scope = BallotScopeFactory(cycle=cycle, district=bupyeong, budget_won=100_000_000)
    citywide_scope = BallotScopeFactory(cycle=cycle, district=None, budget_won=150_000_000)
    cycle = _move(cycle, Phase.PROPOSALS, staff)
    appoint_council_member(cycle=cycle, user=council, actor=staff)

    costs = [40_000_000, 30_000_000, 50_000_000, 20_000_000]
    on_ballot = [
        _propose(authors[n % 4], cycle, district_scope, areas[n % 2], n, cost)
        for n, cost in enumerate(costs, start=1)
    ]
    on_ballot += [
        _propose(authors[n % 4], cycle, citywide_scope, areas[n % 2], n, 60_000_000) for n in (5, 6)
    ]
    rejected = _propose(authors[0], cycle, citywide_scope, areas[0], 7, 90_000_000)
    infeasible = _propose(authors[1], cycle, district_scope, areas[1], 8, 10_000_000)
    merged = _propose(authors[2], cycle, district_scope, areas[0], 9, 35_000_000)
    hidden = _propose(authors[3], cycle, district_scope, areas[0], 10, 5_000_000)
    withdrawn = _propose(authors[0], cycle, district_scope, areas[1], 11, 5_000_000)
    draft_proposal = _propose(authors[1], cycle, citywide_scope, areas[1], 12, 5_000, submit=False)
    withdraw_proposal(proposal=withdrawn, actor=authors[0], reason="중복입니다")
    for voter in voters[:3]:  # reaches the threshold: a public event
        endorse_proposal(proposal=on_ballot[0], user=voter)
    post_comment(proposal=on_ballot[0], author=voters[0], body="좋은 생각입니다")
    hide_proposal(proposal=hidden, actor=staff, reason="광고성 글")

    cycle = _move(cycle, Phase.REVIEW, staff)
    criterion = RubricCriterion.objects.create(
        cycle=cycle, name_ko="시급성", name_en="Urgency", max_points=5
    )
    for proposal in on_ballot:
        record_feasibility_review(
            proposal=proposal,
            reviewer=council,
            verdict="feasible",
            technical_notes="설치 가능",
            reviewed_cost_won=proposal.cost_estimate_won,
        )
        score_proposal(proposal=proposal, member=council, points={criterion.pk: 4})
        record_council_decision(
            proposal=proposal,
            decided_by=council,
            decision="on_ballot",
            public_reason="주민 수요가 큽니다",
        )
    record_feasibility_review(
        proposal=infeasible,
        reviewer=council,
        verdict="infeasible",
        reason_codes=["legal"],
        legal_notes="사유지입니다",
    )
    record_council_decision(
        proposal=rejected, decided_by=council, decision="rejected", public_reason="예산 초과"
    )
    merge_proposals(
        survivor=on_ballot[2], duplicates=[merged], merged_by=council, public_reason="같은 목적"
    )

    cycle = _move(cycle, Phase.VOTING, staff)
    district_ids = [p.pk for p in on_ballot[:4]]
    city_ids = [p.pk for p in on_ballot[4:]]
    for n, voter in enumerate(voters):
        if voter.resident_profile.district_id == bupyeong.pk:
            chosen = [district_ids[n % 4], district_ids[(n + 1) % 4]]
            submit_ballot(voter=voter, scope=district_scope, choices=dict.fromkeys(chosen, 1))
        submit_ballot(voter=voter, scope=citywide_scope, choices={city_ids[n % 2]: 1})
    _close_and_publish(cycle, staff)
    cycle.refresh_from_db()
    _track_implementation(cycle, staff, followers=voters[:2])

    # --- a cycle in its voting phase: ballots exist, counts must not show ----------------------
    voting = BudgetCycleFactory(slug="incheon-2027", year=2027, endorsement_threshold=100)
    voting.policy_areas.set(areas)
    voting_scope = BallotScopeFactory(cycle=voting, district=None, budget_won=80_000_000)
    voting = _move(voting, Phase.PROPOSALS, staff)
    voting_proposals = [
        _propose(authors[n % 4], voting, voting_scope, areas[0], 20 + n, 20_000_000)
        for n in range(3)
    ]
    voting = _move(voting, Phase.REVIEW, staff)
    for proposal in voting_proposals:
        record_feasibility_review(
            proposal=proposal, reviewer=staff, verdict="feasible", reviewed_cost_won=20_000_000
        )
        record_council_decision(
            proposal=proposal, decided_by=staff, decision="on_ballot", public_reason="적합"
        )
    voting = _move(voting, Phase.VOTING, staff)
    for n, voter in enumerate(voters):
        submit_ballot(voter=voter, scope=voting_scope, choices={voting_proposals[n % 3].pk: 1})

    # --- a cycle still in preparation: nothing of it is public ---------------------------------
    draft = BudgetCycleFactory(slug="secret-draft-2028", year=2028)
    BudgetCycle.objects.filter(pk=draft.pk).update(**dates_for_phase(Phase.DRAFT))
    draft.refresh_from_db()
    draft_scope = BallotScopeFactory(cycle=draft, district=yeonsu, budget_won=10_000_000)
    Proposal.objects.create(
        cycle=draft,
        scope=draft_scope,
        policy_area=areas[0],
        author=authors[0],
        title="준비 중 사업",
        summary="비공개",
        description="비공개",
        cost_estimate_won=1_000,
        status=Proposal.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )

    for proposal in (*on_ballot, rejected, infeasible, merged, hidden, withdrawn, draft_proposal):
        proposal.refresh_from_db()
    city = City(
        published=cycle,
        voting=voting,
        draft=draft,
        district_scope=district_scope,
        citywide_scope=citywide_scope,
        voting_scope=voting_scope,
        areas=areas,
        people=people.made,
        on_ballot=on_ballot,
        rejected=rejected,
        infeasible=infeasible,
        merged=merged,
        hidden=hidden,
        withdrawn=withdrawn,
        draft_proposal=draft_proposal,
        voting_proposals=voting_proposals,
    )
    return city
