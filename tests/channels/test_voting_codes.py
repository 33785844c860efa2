"""One-time voting codes: generated in batches, stored as salted hashes, spent once per scope."""

import hashlib

import pytest

from budgeting.models import Ballot
from budgeting.models import Participation
from channels.models import VotingCode
from channels.services import ChannelError
from channels.services import create_code_batch
from channels.services import find_voting_code
from channels.services import generate_code_batch
from channels.services import normalize_code
from channels.services import revoke_code_batch
from channels.services import take_printable_codes
from channels.services import vote_with_code
from channels.tasks import generate_code_batch_task
from tests.voting.factories import put_on_ballot
from voting.shared import BallotRefusedError

pytestmark = pytest.mark.django_db


@pytest.fixture
def printed(voting_cycle, district_scope, citywide_scope, staff_user):
    batch = create_code_batch(
        cycle=voting_cycle, scopes=[district_scope, citywide_scope], size=5, created_by=staff_user
    )
    generate_code_batch(batch_id=batch.pk)
    return batch, take_printable_codes(batch=batch)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_generates_a_batch_once(
    voting_cycle, district_scope, staff_user, live_worker, django_capture_on_commit_callbacks
):
    batch = create_code_batch(
        cycle=voting_cycle, scopes=[district_scope], size=3, created_by=staff_user
    )  # enqueued after commit, by name
    generate_code_batch_task.delay(batch.pk).get(timeout=30)
    generate_code_batch_task.delay(batch.pk).get(timeout=30)  # idempotent
    batch.refresh_from_db()
    assert batch.status == "ready"
    assert VotingCode.objects.filter(batch=batch).count() == 3
    assert len(take_printable_codes(batch=batch)) == 3


def test_batch_codes_are_stored_only_as_salted_hashes(printed):
    batch, codes = printed
    assert len(codes) == 5 == VotingCode.objects.filter(batch=batch).count()
    assert take_printable_codes(batch=batch) == []  # the clear codes are forgotten once printed
    stored = " ".join(str(row) for row in VotingCode.objects.values_list())
    for code in codes:
        secret = normalize_code(code)[4:]
        assert secret not in stored
        # not a plain hash of the code either: each row has its own salt and a server-side key
        assert hashlib.sha256(secret.encode()).hexdigest() not in stored
        assert hashlib.sha256(normalize_code(code).encode()).hexdigest() not in stored
    assert len(set(VotingCode.objects.values_list("salt", flat=True))) == 5


def test_a_code_votes_once_on_each_of_its_ballots(
    printed, district_scope, citywide_scope, district_projects
):
    _batch, codes = printed
    citywide = put_on_ballot(citywide_scope, [400_000_000])
    code = find_voting_code(raw=codes[0].lower().replace("-", " "))
    vote_with_code(code_id=code.pk, scope=district_scope, choices={district_projects[0].pk: 1})
    vote_with_code(code_id=code.pk, scope=citywide_scope, choices={citywide[0].pk: 1})
    with pytest.raises(ChannelError) as refused:
        vote_with_code(code_id=code.pk, scope=district_scope, choices={district_projects[1].pk: 1})
    assert refused.value.code == "code_already_used"
    assert Participation.objects.filter(channel="code", user__isnull=True).count() == 2
    assert Ballot.objects.count() == 2


def test_revoked_wrong_and_rule_breaking_codes_store_nothing(
    printed, staff_user, district_scope, district_projects
):
    batch, codes = printed
    with pytest.raises(ChannelError):
        find_voting_code(raw="2345-6789-ABCD-EFGH")
    code = find_voting_code(raw=codes[1])
    with pytest.raises(BallotRefusedError) as refused:  # a project not on this ballot
        vote_with_code(
            code_id=code.pk,
            scope=district_scope,
            choices={p.pk: 1 for p in district_projects} | {999_999: 1},
        )
    assert refused.value.code == "not_on_ballot"
    revoke_code_batch(batch=batch, actor=staff_user)
    with pytest.raises(ChannelError):
        find_voting_code(raw=codes[1])
    with pytest.raises(ChannelError):
        vote_with_code(code_id=code.pk, scope=district_scope, choices={district_projects[0].pk: 1})
    assert not Ballot.objects.exists()


def test_a_cycle_that_asks_for_a_phone_refuses_a_code_alone(
    printed, voting_cycle, district_scope, district_projects
):
    voting_cycle.requires_phone = True
    voting_cycle.save(update_fields=["requires_phone"])
    code = find_voting_code(raw=printed[1][2])
    with pytest.raises(ChannelError) as refused:
        vote_with_code(code_id=code.pk, scope=district_scope, choices={district_projects[0].pk: 1})
    assert refused.value.code == "phone_required"
