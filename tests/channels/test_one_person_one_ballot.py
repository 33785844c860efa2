"""Real threads on PostgreSQL: one person voting at the same moment by app, code, kiosk, paper
and phone alone gets exactly one ballot per scope; the others are refused with an audit event."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BudgetCycle
from budgeting.models import Participation
from channels.models import OfficeParticipation
from channels.models import PhoneVerification
from channels.models import VotingCodeUse
from channels.phone import PhoneDeclaration
from channels.phone import vote_by_phone
from channels.services import ChannelError
from channels.services import cast_office_ballot
from channels.services import create_code_batch
from channels.services import find_voting_code
from channels.services import generate_code_batch
from channels.services import phone_person_key
from channels.services import take_printable_codes
from channels.services import vote_with_code
from voting.services.ballots import submit_ballot
from voting.shared import BallotRefusedError

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PHONE = "+821012345678"


def _at_once(calls):
    """Run every call on its own thread and connection, all released together; return each
    call's outcome: "stored" or the refusal's code."""
    go = threading.Event()

    def run(call):
        go.wait(timeout=30)
        try:
            call()
        except (BallotRefusedError, ChannelError) as refusal:
            return refusal.code
        finally:
            connection.close()
        return "stored"

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        go.set()
        return [future.result(timeout=60) for future in futures]


def _code(cycle, scopes, staff) -> str:
    batch = create_code_batch(cycle=cycle, scopes=scopes, size=2, created_by=staff)
    generate_code_batch(batch_id=batch.pk)
    return take_printable_codes(batch=batch)[0]


def test_same_phone_by_app_code_kiosk_paper_and_phone_alone_at_once_stores_one_ballot(
    resident, voting_cycle, district, district_scope, district_projects, office, officer
):
    profile = resident.resident_profile
    profile.phone_number, profile.phone_verified_at = PHONE, timezone.now()
    profile.save()
    BudgetCycle.objects.filter(pk=voting_cycle.pk).update(allow_phone_voting=True)
    voting_cycle.refresh_from_db()
    now = timezone.now()
    sms_check = PhoneVerification.objects.create(  # the number verified by SMS a moment ago
        phone_number=PHONE,
        code_hash="-",
        salt="-",
        expires_at=now + timedelta(minutes=5),
        verified_at=now,
    )
    statement = PhoneDeclaration(birth_year=1980, relation="lives", district_id=district.pk)
    code = find_voting_code(raw=_code(voting_cycle, [district_scope], officer))
    person = phone_person_key(PHONE)
    choice = {district_projects[0].pk: 1}
    calls = [
        lambda: submit_ballot(voter=resident, scope=district_scope, choices=choice),
        lambda: vote_with_code(
            code_id=code.pk, scope=district_scope, choices=choice, verified_phone=PHONE
        ),
        lambda: cast_office_ballot(
            officer=officer,
            office=office,
            person=person,
            scope=district_scope,
            choices=choice,
            channel=Participation.Channel.KIOSK,
        ),
        lambda: cast_office_ballot(
            officer=officer,
            office=office,
            person=person,
            scope=district_scope,
            choices=choice,
            channel=Participation.Channel.PAPER,
        ),
        lambda: vote_by_phone(
            verification_id=sms_check.pk,
            scope=district_scope,
            choices=choice,
            declaration=statement,
        ),
    ]
    outcomes = _at_once(calls)
    assert sorted(outcomes).count("stored") == 1
    assert set(outcomes) - {"stored"} == {"already_voted"}
    assert Ballot.objects.filter(scope=district_scope).count() == 1
    assert Participation.objects.filter(scope=district_scope, voted_at__isnull=False).count() == 1
    conflicts = AuditEvent.objects.filter(event_type=AuditEvent.Type.BALLOT_CHANNEL_CONFLICT)
    assert conflicts.count() == 4
    # the winner's side effects only: a code spent only if the code won, an office only if a
    # kiosk or paper ballot won
    winner = Participation.objects.get(scope=district_scope).channel
    assert VotingCodeUse.objects.count() == (1 if winner == "code" else 0)
    assert OfficeParticipation.objects.count() == (1 if winner in ("kiosk", "paper") else 0)


def test_a_code_typed_twice_at_once_gives_one_ballot(
    voting_cycle, district_scope, district_projects, officer
):
    code = find_voting_code(raw=_code(voting_cycle, [district_scope], officer))
    choice = {district_projects[1].pk: 1}
    outcomes = _at_once(
        [
            lambda: vote_with_code(code_id=code.pk, scope=district_scope, choices=choice)
            for _i in range(2)
        ]
    )
    assert sorted(outcomes) == ["code_already_used", "stored"]
    assert Ballot.objects.filter(scope=district_scope).count() == 1
    assert VotingCodeUse.objects.filter(code=code).count() == 1
