"""submit_ballot and withdraw_ballot: what is stored, what is refused (storing nothing)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import Participation
from notifications.models import OutboxMessage
from notifications.services import send_pending_messages
from tests.accounts.factories import ResidentProfileFactory
from voting.services.ballots import submit_ballot
from voting.services.ballots import withdraw_ballot
from voting.services.paper import enter_paper_ballot
from voting.shared import BallotRefusedError
from voting.shared import voter_key

pytestmark = pytest.mark.django_db


def _stored(scope) -> dict[int, int]:
    return dict(
        BallotChoice.objects.filter(ballot__scope=scope).values_list("proposal_id", "points")
    )


def test_first_ballot_is_stored_under_the_voter_key_with_a_receipt_mail(
    voting_cycle, resident, district_scope, district_projects
):
    first, second = district_projects[0], district_projects[2]
    ballot = submit_ballot(
        voter=resident, scope=district_scope, choices={first.pk: 1, second.pk: 1}
    )
    assert ballot.voter_key == voter_key(user_id=resident.pk, scope_id=district_scope.pk)
    assert _stored(district_scope) == {first.pk: 1, second.pk: 1}
    participation = Participation.objects.get(user=resident, scope=district_scope)
    assert participation.voted_at is not None
    assert participation.channel == "online"
    assert participation.receipt == ballot.receipt  # kept with who voted, not with the ballot
    assert "receipt" not in {field.name for field in Ballot._meta.concrete_fields}
    message = OutboxMessage.objects.get()
    assert message.dedupe_key == f"receipt:{ballot.receipt}"
    assert message.is_secret is True
    assert send_pending_messages() == 1
    assert ballot.receipt in mail.outbox[0].body
    assert OutboxMessage.objects.count() == 0  # secret: deleted once sent


def test_changing_replaces_choices_and_receipt_and_keeps_nothing_of_the_first(
    voting_cycle, resident, district_scope, district_projects
):
    a, b, c, _ = district_projects
    first = submit_ballot(voter=resident, scope=district_scope, choices={a.pk: 1, b.pk: 1})
    old_receipt = first.receipt
    second = submit_ballot(voter=resident, scope=district_scope, choices={c.pk: 1})
    assert Ballot.objects.count() == 1
    assert second.pk == first.pk
    assert second.receipt != old_receipt
    assert _stored(district_scope) == {c.pk: 1}
    participation = Participation.objects.get(user=resident, scope=district_scope)
    assert participation.receipt == second.receipt  # the old code is kept nowhere
    assert not Participation.objects.filter(receipt=old_receipt).exists()
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.BALLOT_CHANGED)
    assert event.actor is None
    assert event.parameters == {}
    assert event.subject_id == str(district_scope.pk)


def test_withdrawing_deletes_the_ballot_and_clears_voted_at(
    voting_cycle, resident, district_scope, district_projects
):
    submit_ballot(voter=resident, scope=district_scope, choices={district_projects[0].pk: 1})
    withdraw_ballot(voter=resident, scope=district_scope)
    assert Ballot.objects.count() == 0
    assert BallotChoice.objects.count() == 0
    participation = Participation.objects.get(user=resident, scope=district_scope)
    assert participation.voted_at is None
    assert participation.receipt is None  # a withdrawn ballot's code is listed nowhere
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.BALLOT_WITHDRAWN).count() == 1
    with pytest.raises(BallotRefusedError) as error:
        withdraw_ballot(voter=resident, scope=district_scope)
    assert error.value.code == "no_ballot"


@pytest.mark.parametrize(
    ("_case", "profile", "code"),
    [
        ("unverified", {"verified_at": None}, "ineligible_unverified"),
        ("under age", {"birth_year": 2020}, "ineligible_too_young"),
        ("wrong relation", {"relation": "works"}, "ineligible_relation"),
    ],
)
def test_ineligible_residents_are_refused_and_nothing_is_stored(
    _case, profile, code, cycle, district, district_scope, district_projects
):
    from tests.voting.factories import open_voting

    open_voting(cycle, rule="approval", requires_verification=True, workers_may_vote=False)
    voter = ResidentProfileFactory(district=district, **profile).user
    with pytest.raises(BallotRefusedError) as error:
        submit_ballot(voter=voter, scope=district_scope, choices={district_projects[0].pk: 1})
    assert error.value.code == code
    assert (Ballot.objects.count(), Participation.objects.count()) == (0, 0)


def test_other_district_resident_is_refused(
    voting_cycle, other_district_resident, district_scope, district_projects
):
    with pytest.raises(BallotRefusedError) as error:
        submit_ballot(
            voter=other_district_resident,
            scope=district_scope,
            choices={district_projects[0].pk: 1},
        )
    assert error.value.code == "ineligible_district"
    assert (Ballot.objects.count(), Participation.objects.count()) == (0, 0)


def test_council_member_votes_like_any_resident(
    voting_cycle, council_member, district_scope, district_projects
):
    submit_ballot(voter=council_member, scope=district_scope, choices={district_projects[1].pk: 1})
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(
    ("_case", "offset", "stored"),
    [("1 s before the deadline", -1, 1), ("at the deadline", 0, 0), ("1 s after", 1, 0)],
)
def test_deadline_is_enforced_in_the_service(
    _case, offset, stored, voting_cycle, resident, district_scope, district_projects
):
    moment = voting_cycle.voting_end_at + timedelta(seconds=offset)
    with time_machine.travel(moment, tick=False):
        if stored:
            submit_ballot(
                voter=resident, scope=district_scope, choices={district_projects[0].pk: 1}
            )
        else:
            with pytest.raises(BallotRefusedError) as error:
                submit_ballot(
                    voter=resident, scope=district_scope, choices={district_projects[0].pk: 1}
                )
            assert error.value.code == "voting_closed"
    assert Ballot.objects.count() == stored
    assert Participation.objects.filter(voted_at__isnull=False).count() == stored


def test_invalid_ballot_is_refused_with_a_clear_message(
    voting_cycle, resident, district_scope, district_projects
):
    with pytest.raises(BallotRefusedError) as error:
        submit_ballot(
            voter=resident,
            scope=district_scope,
            choices={proposal.pk: 1 for proposal in district_projects[:3]},
        )
    assert error.value.code == "too_many"
    assert "at most 2" in error.value.message
    assert Ballot.objects.count() == 0


def test_knapsack_over_budget_is_refused(
    knapsack_cycle, resident, district_scope, district_projects
):
    # 120 + 90 + 80 + 50 = 340 million > 300 million
    with pytest.raises(BallotRefusedError) as error:
        submit_ballot(
            voter=resident, scope=district_scope, choices={p.pk: 1 for p in district_projects}
        )
    assert error.value.code == "over_budget"
    submit_ballot(
        voter=resident, scope=district_scope, choices={p.pk: 1 for p in district_projects[:3]}
    )
    assert Ballot.objects.count() == 1


def test_cumulative_points_are_stored(
    cumulative_cycle, resident, district_scope, district_projects
):
    a, b, *_ = district_projects
    submit_ballot(voter=resident, scope=district_scope, choices={a.pk: 3, b.pk: 2})
    assert _stored(district_scope) == {a.pk: 3, b.pk: 2}


def test_proposal_from_another_ballot_is_refused(
    voting_cycle, resident, district_scope, citywide_projects
):
    with pytest.raises(BallotRefusedError) as error:
        submit_ballot(voter=resident, scope=district_scope, choices={citywide_projects[0].pk: 1})
    assert error.value.code == "not_on_ballot"


@pytest.mark.parametrize(
    ("_case", "first", "second"),
    [("online then paper", "online", "paper"), ("paper then online", "paper", "online")],
)
def test_one_ballot_per_person_across_channels(
    _case, first, second, voting_cycle, resident, staff_user, district_scope, district_projects
):
    def cast(channel, proposal):
        if channel == "paper":
            return enter_paper_ballot(
                staff=staff_user, voter=resident, scope=district_scope, choices={proposal.pk: 1}
            )
        return submit_ballot(voter=resident, scope=district_scope, choices={proposal.pk: 1})

    cast(first, district_projects[0])
    with pytest.raises(BallotRefusedError) as error:
        cast(second, district_projects[1])
    assert error.value.code == "already_voted"
    assert _stored(district_scope) == {district_projects[0].pk: 1}
    assert Participation.objects.get(user=resident).channel == first
    conflict = AuditEvent.objects.get(event_type=AuditEvent.Type.BALLOT_CHANNEL_CONFLICT)
    assert conflict.parameters == {"counted_channel": first, "refused_channel": second}
    assert conflict.is_public is False


def test_paper_ballot_twice_is_refused(
    voting_cycle, resident, staff_user, district_scope, district_projects
):
    enter_paper_ballot(
        staff=staff_user, voter=resident, scope=district_scope, choices={district_projects[0].pk: 1}
    )
    with pytest.raises(BallotRefusedError):
        enter_paper_ballot(
            staff=staff_user,
            voter=resident,
            scope=district_scope,
            choices={district_projects[1].pk: 1},
        )
    assert _stored(district_scope) == {district_projects[0].pk: 1}
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.PAPER_BALLOT_ENTERED).count() == 1


def test_a_paper_ballot_cannot_be_withdrawn_online(
    voting_cycle, resident, staff_user, district_scope, district_projects
):
    enter_paper_ballot(
        staff=staff_user, voter=resident, scope=district_scope, choices={district_projects[0].pk: 1}
    )
    with pytest.raises(BallotRefusedError) as error:
        withdraw_ballot(voter=resident, scope=district_scope)
    assert error.value.code == "paper_ballot"
    assert Ballot.objects.count() == 1


def test_no_withdrawal_after_the_deadline(
    voting_cycle, resident, district_scope, district_projects
):
    submit_ballot(voter=resident, scope=district_scope, choices={district_projects[0].pk: 1})
    after = voting_cycle.voting_end_at + timedelta(seconds=1)
    with (
        time_machine.travel(after, tick=False),
        pytest.raises(BallotRefusedError) as error,
    ):
        withdraw_ballot(voter=resident, scope=district_scope)
    assert error.value.code == "voting_closed"
    assert Ballot.objects.count() == 1
