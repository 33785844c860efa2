"""Services of the council review: feasibility, decision, merge, rubric scores."""

import pytest
from django.core import mail

from budgeting.models import AuditEvent
from notifications.models import OutboxMessage
from notifications.services import send_pending_messages
from proposals.models import CouncilDecision
from proposals.models import CouncilScore
from proposals.models import Endorsement
from proposals.models import FeasibilityReview
from proposals.models import Proposal
from proposals.review.services import merge_proposals
from proposals.review.services import record_council_decision
from proposals.review.services import record_feasibility_review
from proposals.review.services import score_proposal
from proposals.services import ProposalError
from tests.accounts.factories import ResidentProfileFactory
from tests.proposals.factories import ProposalFactory
from tests.proposals.review.review_factories import EndorsementFactory
from tests.proposals.review.review_factories import RubricCriterionFactory

pytestmark = pytest.mark.django_db


def review(proposal, reviewer, **kwargs):
    values = {"verdict": "feasible", "reviewed_cost_won": 28_000_000} | kwargs
    return record_feasibility_review(proposal=proposal, reviewer=reviewer, **values)


# --- feasibility -------------------------------------------------------------------------------
def test_feasible_review_sets_the_reviewed_cost(in_review, proposal, council_member):
    review(proposal, council_member, reviewed_cost_won=28_000_000, technical_notes=" 확인함 ")
    proposal.refresh_from_db()
    assert (proposal.reviewed_cost_won, proposal.status) == (28_000_000, "submitted")
    assert FeasibilityReview.objects.get().technical_notes == "확인함"


def test_latest_review_cost_wins_and_a_second_review_by_the_same_member_updates_it(
    in_review, proposal, council_member, staff_user
):
    review(proposal, council_member, reviewed_cost_won=28_000_000)
    review(proposal, staff_user, reviewed_cost_won=31_000_000)
    review(proposal, council_member, verdict="needs_changes", reviewed_cost_won=29_500_000)
    proposal.refresh_from_db()
    assert proposal.reviewed_cost_won == 29_500_000
    assert FeasibilityReview.objects.filter(proposal=proposal).count() == 2


def test_infeasible_review_marks_the_proposal_infeasible(in_review, proposal, council_member):
    review(
        proposal,
        council_member,
        verdict="infeasible",
        reason_codes=["legal", "site"],
        reviewed_cost_won=None,
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.INFEASIBLE
    assert FeasibilityReview.objects.get().reason_codes == ["legal", "site"]
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.FEASIBILITY_REVIEWED)
    assert (event.is_public, event.parameters["verdict"]) == (False, "infeasible")


def test_authors_hear_when_their_proposal_is_found_infeasible_and_when_that_changes(
    in_review, proposal, council_member, staff_user, author, council_author
):
    review(proposal, council_member, verdict="infeasible", reason_codes=["legal"])
    review(proposal, staff_user, verdict="infeasible", reason_codes=["site"])  # still infeasible
    review(proposal, council_member, verdict="needs_changes", reviewed_cost_won=9_000)
    messages = OutboxMessage.objects.order_by("pk")
    assert [
        (m.recipient, m.context["is_infeasible"], m.context["reason_codes"]) for m in messages
    ] == [
        (author, True, ["legal"]),
        (council_author, True, ["legal"]),
        (author, False, []),
        (council_author, False, []),
    ]
    assert "legal_notes" not in messages[0].context
    assert send_pending_messages() == 4
    assert all(proposal.title in m.subject for m in mail.outbox)
    assert all(proposal.get_absolute_url() in m.body for m in mail.outbox)


def test_decision_and_merge_emails_render(in_review, proposal, duplicate, council_member):
    Proposal.objects.filter(pk=proposal.pk).update(title='쉼터 & "그늘막" <2곳>')
    proposal.refresh_from_db()
    record_council_decision(
        proposal=proposal, decided_by=council_member, decision="rejected", public_reason="중복 사업"
    )
    merge_proposals(
        survivor=proposal, duplicates=[duplicate], merged_by=council_member, public_reason="같음"
    )
    assert send_pending_messages() == 2 + 3
    decision_mails, merge_mails = mail.outbox[:2], mail.outbox[2:]
    assert all("중복 사업" in m.body and proposal.title in m.subject for m in decision_mails)
    assert all(duplicate.title in m.body and "같음" in m.body for m in merge_mails)
    # plain text: the title arrives as typed, not HTML-escaped
    assert all('쉼터 & "그늘막" <2곳>' in m.subject for m in decision_mails)


@pytest.mark.parametrize(
    ("_case", "values", "field"),
    [
        ("no reason", {"verdict": "infeasible", "reviewed_cost_won": None}, "reason_codes"),
        ("feasible without a cost", {"reviewed_cost_won": None}, "reviewed_cost_won"),
        ("negative cost", {"reviewed_cost_won": -5}, "reviewed_cost_won"),
        ("zero cost", {"reviewed_cost_won": 0}, "reviewed_cost_won"),
        ("unknown verdict", {"verdict": "maybe"}, "verdict"),
        ("unknown reason", {"verdict": "infeasible", "reason_codes": ["whim"]}, "reason_codes"),
    ],
)
def test_bad_review_is_refused_and_changes_nothing(
    _case, values, field, in_review, proposal, council_member
):
    with pytest.raises(ProposalError) as exc:
        review(proposal, council_member, **values)
    assert exc.value.field == field
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reviewed_cost_won) == ("submitted", None)
    assert FeasibilityReview.objects.exists() is False


@pytest.mark.parametrize(
    ("_case", "who", "phase"),
    [
        ("author", "author", "during"),
        ("council member who co-wrote it", "council_author", "during"),
        ("resident", "resident", "during"),
        ("council member before review", "council_member", "before"),
        ("council member after review", "council_member", "after"),
    ],
)
def test_service_rechecks_who_and_when(_case, who, phase, actor, set_phase, proposal):
    set_phase(phase)
    proposal.refresh_from_db()
    with pytest.raises(ProposalError):
        review(proposal, actor(who))
    with pytest.raises(ProposalError):
        record_council_decision(
            proposal=proposal, decided_by=actor(who), decision="rejected", public_reason="x"
        )
    assert FeasibilityReview.objects.exists() is False
    assert CouncilDecision.objects.exists() is False


# --- decision ----------------------------------------------------------------------------------
def test_on_ballot_decision_is_public_and_mailed_to_every_author(
    in_review, proposal, council_member, author, council_author
):
    review(proposal, council_member)
    decision = record_council_decision(
        proposal=proposal,
        decided_by=council_member,
        decision="on_ballot",
        public_reason="주민 이용이 많습니다.",
        expected_revision=0,
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ON_BALLOT
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.COUNCIL_DECISION_RECORDED)
    assert (event.is_public, event.reason, event.parameters["revision"]) == (
        True,
        "주민 이용이 많습니다.",
        1,
    )
    messages = OutboxMessage.objects.order_by("recipient_id")
    assert [m.recipient for m in messages] == sorted([author, council_author], key=lambda u: u.pk)
    assert {m.dedupe_key for m in messages} == {
        f"decision:{proposal.pk}:{decision.pk}:1:{author.pk}",
        f"decision:{proposal.pk}:{decision.pk}:1:{council_author.pk}",
    }


def test_changing_a_decision_is_audited_and_mailed_again(in_review, proposal, council_member):
    review(proposal, council_member)
    record_council_decision(
        proposal=proposal, decided_by=council_member, decision="on_ballot", public_reason="A"
    )
    record_council_decision(
        proposal=proposal,
        decided_by=council_member,
        decision="rejected",
        public_reason="예산 중복",
        expected_revision=1,
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REJECTED
    assert CouncilDecision.objects.get().public_reason == "예산 중복"
    assert AuditEvent.objects.filter(event_type="council_decision_recorded").count() == 2
    assert OutboxMessage.objects.count() == 4  # two authors × two decisions


@pytest.mark.parametrize(
    ("_case", "values", "field"),
    [
        ("no reason", {"public_reason": ""}, "public_reason"),
        ("blank reason", {"public_reason": "   \n "}, "public_reason"),
        ("unknown decision", {"decision": "maybe"}, "decision"),
        ("on ballot without review", {"decision": "on_ballot"}, "decision"),
    ],
)
def test_bad_decision_is_refused_and_changes_nothing(
    _case, values, field, in_review, proposal, council_member
):
    values = {"decision": "rejected", "public_reason": "이유"} | values
    with pytest.raises(ProposalError) as exc:
        record_council_decision(proposal=proposal, decided_by=council_member, **values)
    assert exc.value.field == field
    assert CouncilDecision.objects.exists() is False
    assert OutboxMessage.objects.exists() is False
    assert AuditEvent.objects.filter(event_type="council_decision_recorded").exists() is False


def test_on_ballot_needs_a_feasible_latest_review(in_review, proposal, council_member):
    review(proposal, council_member, verdict="infeasible", reason_codes=["cost"])
    with pytest.raises(ProposalError):
        record_council_decision(
            proposal=proposal, decided_by=council_member, decision="on_ballot", public_reason="x"
        )
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.INFEASIBLE


def test_on_ballot_refused_when_the_reviewed_cost_is_above_the_ballots_cap(
    in_review, proposal, council_member, district_scope
):
    district_scope.per_project_cap_won = 30_000_000
    district_scope.save()
    # said at review time already (issues #11, #14): the review is refused, with the cap
    with pytest.raises(ProposalError) as at_review:
        review(proposal, council_member, reviewed_cost_won=30_000_001)
    assert "30,000,000" in at_review.value.message
    assert at_review.value.field == "reviewed_cost_won"
    # a cap lowered after the review is still caught at the decision
    district_scope.per_project_cap_won = 40_000_000
    district_scope.save()
    review(proposal, council_member, reviewed_cost_won=30_000_001)
    district_scope.per_project_cap_won = 30_000_000
    district_scope.save()
    with pytest.raises(ProposalError) as exc:
        record_council_decision(
            proposal=proposal, decided_by=council_member, decision="on_ballot", public_reason="x"
        )
    assert "30,000,000" in exc.value.message
    review(proposal, council_member, reviewed_cost_won=30_000_000)
    record_council_decision(
        proposal=proposal, decided_by=council_member, decision="on_ballot", public_reason="x"
    )
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.ON_BALLOT


def test_stale_decision_is_refused(in_review, proposal, council_member, staff_user):
    record_council_decision(
        proposal=proposal,
        decided_by=staff_user,
        decision="rejected",
        public_reason="먼저",
        expected_revision=0,
    )
    with pytest.raises(ProposalError) as exc:
        record_council_decision(
            proposal=proposal,
            decided_by=council_member,
            decision="rejected",
            public_reason="나중",
            expected_revision=0,
        )
    assert exc.value.code == "stale"
    assert CouncilDecision.objects.get().public_reason == "먼저"


def test_infeasible_review_is_refused_while_on_the_ballot(in_review, proposal, council_member):
    review(proposal, council_member)
    record_council_decision(
        proposal=proposal, decided_by=council_member, decision="on_ballot", public_reason="좋음"
    )
    with pytest.raises(ProposalError) as exc:
        review(proposal, council_member, verdict="infeasible", reason_codes=["legal"])
    assert exc.value.code == "conflict"
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.ON_BALLOT


# --- merge -------------------------------------------------------------------------------------
def test_merge_points_duplicates_to_the_survivor_and_moves_endorsements(
    in_review, proposal, duplicate, council_member, district_scope, area
):
    both = EndorsementFactory(proposal=proposal).user
    EndorsementFactory(proposal=duplicate, user=both)
    only_duplicate = EndorsementFactory(proposal=duplicate).user
    EndorsementFactory(proposal=duplicate, user=proposal.author)  # the survivor's own author
    earlier = ProposalFactory(
        scope=district_scope,
        policy_area=area,
        status=Proposal.Status.MERGED,
        merged_into=duplicate,
    )
    merge_proposals(
        survivor=proposal,
        duplicates=[duplicate],
        merged_by=council_member,
        public_reason="같은 정류장",
    )
    duplicate.refresh_from_db()
    earlier.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Proposal.Status.MERGED, proposal)
    assert earlier.merged_into == proposal
    assert set(Endorsement.objects.filter(proposal=proposal).values_list("user", flat=True)) == {
        both.pk,
        only_duplicate.pk,
    }
    assert Endorsement.objects.filter(proposal=duplicate).exists() is False
    events = AuditEvent.objects.filter(event_type=AuditEvent.Type.PROPOSALS_MERGED).order_by("pk")
    assert [(e.subject, e.is_public, e.reason, e.parameters["merged_ids"]) for e in events] == [
        (proposal, True, "같은 정류장", [duplicate.pk]),
        (duplicate, True, "같은 정류장", [duplicate.pk]),
    ]
    # authors of both proposals (the survivor's co-author included), once each
    recipients = sorted(OutboxMessage.objects.values_list("recipient_id", flat=True))
    assert recipients == sorted(
        [proposal.author_id, duplicate.author_id, *proposal.co_authors.values_list("pk", flat=True)]
    )


@pytest.mark.parametrize(
    ("_case", "change", "reason"),
    [
        ("no reason", None, ""),
        ("other ballot", "other_scope", "같음"),
        ("duplicate already on the ballot", "on_ballot", "같음"),
        ("only itself", "itself", "같음"),
    ],
)
def test_bad_merge_is_refused_and_changes_nothing(
    _case, change, reason, in_review, proposal, duplicate, council_member, citywide_scope
):
    duplicates = [duplicate]
    if change == "other_scope":
        Proposal.objects.filter(pk=duplicate.pk).update(scope=citywide_scope)
    if change == "on_ballot":
        review(duplicate, council_member)
        record_council_decision(
            proposal=duplicate, decided_by=council_member, decision="on_ballot", public_reason="x"
        )
    if change == "itself":
        duplicates = [proposal]
    before = OutboxMessage.objects.count()
    with pytest.raises(ProposalError):
        merge_proposals(
            survivor=proposal, duplicates=duplicates, merged_by=council_member, public_reason=reason
        )
    assert Proposal.objects.filter(status=Proposal.Status.MERGED).exists() is False
    assert OutboxMessage.objects.count() == before


# --- rubric ------------------------------------------------------------------------------------
def test_council_member_scores_within_the_rubric(in_review, cycle, proposal, council_member):
    impact = RubricCriterionFactory(cycle=cycle, max_points=5)
    need = RubricCriterionFactory(cycle=cycle, max_points=10)
    score_proposal(proposal=proposal, member=council_member, points={impact.pk: 4, need.pk: 10})
    score_proposal(proposal=proposal, member=council_member, points={impact.pk: 5})
    assert dict(CouncilScore.objects.values_list("criterion_id", "points")) == {
        impact.pk: 5,
        need.pk: 10,
    }


@pytest.mark.parametrize(
    ("_case", "who", "points"),
    [
        ("above the maximum", "council_member", 6),
        ("negative", "council_member", -1),
        ("staff is not the council", "staff_user", 3),
        ("co-author", "council_author", 3),
    ],
)
def test_bad_score_is_refused(_case, who, points, actor, in_review, cycle, proposal):
    criterion = RubricCriterionFactory(cycle=cycle, max_points=5)
    with pytest.raises(ProposalError):
        score_proposal(proposal=proposal, member=actor(who), points={criterion.pk: points})
    assert CouncilScore.objects.exists() is False


def test_score_on_another_cycles_criterion_is_refused(in_review, proposal, council_member):
    foreign = RubricCriterionFactory(cycle=ProposalFactory().cycle)
    RubricCriterionFactory(cycle=proposal.cycle)
    with pytest.raises(ProposalError):
        score_proposal(proposal=proposal, member=council_member, points={foreign.pk: 1})


def test_residents_of_another_cycle_council_may_not_review(in_review, proposal):
    from tests.budgeting.factories import CouncilMembershipFactory

    outsider = ResidentProfileFactory().user
    CouncilMembershipFactory(user=outsider)  # a council of some other cycle
    with pytest.raises(ProposalError):
        review(proposal, outsider)
