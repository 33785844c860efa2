"""Comments (one level of replies, 15 minutes to edit), endorsements (once, withdrawable, the
threshold is a public audit event once), reports (once per person and item)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from budgeting.models import AuditEvent
from budgeting.phases import Phase
from proposals.models import Endorsement
from proposals.services import ProposalError
from proposals.services.discussion import edit_comment
from proposals.services.discussion import endorse_proposal
from proposals.services.discussion import post_comment
from proposals.services.discussion import report_content
from proposals.services.discussion import withdraw_endorsement
from tests.accounts.factories import ResidentProfileFactory
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db


def test_reply_to_a_reply_joins_the_thread(proposal, resident, author):
    top = post_comment(proposal=proposal, author=resident, body="질문이 있어요")
    reply = post_comment(proposal=proposal, author=author, body="답변입니다", parent=top)
    reply_to_reply = post_comment(proposal=proposal, author=resident, body="감사", parent=reply)
    assert reply.parent_id == top.pk
    assert reply_to_reply.parent_id == top.pk


def test_comments_stay_open_in_review_and_close_in_voting(proposal, resident):
    cycle_in_phase(proposal.cycle, Phase.REVIEW)
    assert post_comment(proposal=proposal, author=resident, body="심사 중 의견").pk
    cycle_in_phase(proposal.cycle, Phase.VOTING)
    with pytest.raises(ProposalError) as error:
        post_comment(proposal=proposal, author=resident, body="투표 중 의견")
    assert error.value.code == "phase_closed"


@pytest.mark.parametrize(
    ("_case", "minutes_later", "allowed"),
    [("after 14 minutes", 14, True), ("after 15 minutes", 15, False)],
)
def test_comment_edit_window(_case, minutes_later, allowed, proposal, resident):
    comment = post_comment(proposal=proposal, author=resident, body="오타가 있는 댓글")
    with time_machine.travel(comment.created_at + timedelta(minutes=minutes_later), tick=False):
        if allowed:
            edited = edit_comment(comment=comment, actor=resident, body="고친 댓글")
            assert edited.body == "고친 댓글"
            assert edited.edited_at == timezone.now()
        else:
            with pytest.raises(ProposalError) as error:
                edit_comment(comment=comment, actor=resident, body="고친 댓글")
            assert error.value.code == "edit_window"
    comment.refresh_from_db()
    assert comment.body == ("고친 댓글" if allowed else "오타가 있는 댓글")


def test_only_the_author_edits_a_comment(proposal, resident, author):
    comment = post_comment(proposal=proposal, author=resident, body="내 댓글")
    with pytest.raises(ProposalError):
        edit_comment(comment=comment, actor=author, body="남의 댓글")


def test_endorse_once_and_withdraw(proposal, resident):
    endorse_proposal(proposal=proposal, user=resident)
    with pytest.raises(ProposalError) as error:
        endorse_proposal(proposal=proposal, user=resident)
    assert error.value.code == "twice"
    assert Endorsement.objects.filter(proposal=proposal).count() == 1
    assert withdraw_endorsement(proposal=proposal, user=resident) is True
    assert withdraw_endorsement(proposal=proposal, user=resident) is False
    assert Endorsement.objects.filter(proposal=proposal).exists() is False


@pytest.mark.parametrize(
    ("_case", "actor", "code"),
    [
        ("own proposal", "author", "own"),
        ("council member", "council_member", "council"),
    ],
)
def test_endorsement_refused(_case, actor, code, request, proposal):
    with pytest.raises(ProposalError) as error:
        endorse_proposal(proposal=proposal, user=request.getfixturevalue(actor))
    assert error.value.code == code
    assert Endorsement.objects.exists() is False


def test_endorsement_closes_with_the_proposal_phase(proposal, resident):
    cycle_in_phase(proposal.cycle, Phase.REVIEW)
    with pytest.raises(ProposalError):
        endorse_proposal(proposal=proposal, user=resident)


def test_reaching_the_threshold_is_recorded_once(proposal, district):
    cycle = proposal.cycle
    cycle.endorsement_threshold = 3
    cycle.save(update_fields=["endorsement_threshold"])
    people = [ResidentProfileFactory(district=district).user for _ in range(4)]
    for person in people[:2]:
        endorse_proposal(proposal=proposal, user=person)
    assert AuditEvent.objects.filter(event_type="endorsement_threshold_reached").exists() is False

    endorse_proposal(proposal=proposal, user=people[2])
    withdraw_endorsement(proposal=proposal, user=people[2])
    endorse_proposal(proposal=proposal, user=people[2])
    endorse_proposal(proposal=proposal, user=people[3])

    event = AuditEvent.objects.get(event_type="endorsement_threshold_reached")
    assert event.is_public is True
    assert event.subject_id == str(proposal.pk)
    assert event.parameters == {"threshold": 3, "endorsements": 3}


def test_report_once_per_person_and_item(proposal, resident):
    comment = post_comment(proposal=proposal, author=proposal.author, body="광고")
    report_content(reporter=resident, proposal=proposal, comment=comment, reason="광고입니다")
    report_content(reporter=resident, proposal=proposal, reason="제안 자체도 문제")
    with pytest.raises(ProposalError) as error:
        report_content(reporter=resident, proposal=proposal, comment=comment, reason="또")
    assert error.value.code == "twice"
    with pytest.raises(ProposalError):
        report_content(reporter=resident, proposal=proposal, reason="또")
    assert proposal.reports.count() == 2


def test_ineligible_proposer_gets_the_reason(
    cycle, district_scope, policy_area, unverified_resident
):
    from django.utils import translation

    from proposals.services.submission import create_proposal

    cycle.requires_verification = True
    cycle.save(update_fields=["requires_verification"])
    with translation.override("en"):
        with pytest.raises(ProposalError) as error:
            create_proposal(
                author=unverified_resident,
                cycle=cycle,
                scope=district_scope,
                policy_area=policy_area,
                title="제목",
                summary="요약",
                description="설명",
                cost_estimate_won=1_000_000,
            )
        message = str(error.value.message)
    assert message == (
        "This cycle is open to verified residents only; your residence is not verified yet."
    )
