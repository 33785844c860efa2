"""The audit trail is append-only and hash-chained: the database refuses changes, every event
carries the hash of the one before in its cycle, whichever writer wrote it, and a changed or
removed event is found by ``verify_audit_chain`` (database or downloaded file)."""

import itertools
import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.db import connection
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from budgeting.audit import GENESIS
from budgeting.audit import chain_hash
from budgeting.audit import list_chain
from budgeting.audit import record_audit_event
from budgeting.audit import sha256_hex
from budgeting.audit import verify_chain
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from tests.accounts.factories import UserFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db


def _events(cycle, count: int, **parameters) -> list[AuditEvent]:
    return [
        record_audit_event(
            cycle=cycle,
            event_type=AuditEvent.Type.PHASE_ADVANCED,
            is_public=n % 2 == 0,
            subject=cycle,
            reason=f"step {n}",
            n=n,
            **parameters,
        )
        for n in range(count)
    ]


def _tamper(sql: str, params: list) -> None:
    """As the database superuser would: with triggers off for the session, for one statement."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = origin")


def test_every_event_follows_the_previous_one_of_its_cycle(cycle):
    other = BudgetCycleFactory()
    events = _events(cycle, 4)
    _events(other, 2)
    chain = list_chain(cycle=cycle)
    assert [e.position for e in chain][-4:] == [e.position for e in events]
    assert verify_chain(chain) == []
    assert chain[0].previous_hash == GENESIS
    for before, after in itertools.pairwise(chain):
        assert after.previous_hash == before.chain_hash
        assert after.position == before.position + 1
    for entry in chain:  # the hashes are those the rule says, computed in SQL by the trigger
        assert entry.content_sha256 == sha256_hex(entry.content)
        assert entry.chain_hash == chain_hash(entry.previous_hash, entry.content_sha256)
    # the writer returns the event as chained
    assert events[-1].chain_hash == chain[-1].chain_hash
    assert verify_chain(list_chain(cycle=other)) == []
    assert list_chain(cycle=other)[0].previous_hash == GENESIS


def test_the_database_refuses_to_change_or_delete_an_event(cycle):
    event = _events(cycle, 1)[0]
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor=UserFactory())
    event.refresh_from_db()
    assert event.reason == "step 0"
    assert verify_chain(list_chain(cycle=cycle)) == []


@pytest.mark.django_db(transaction=True)  # the events committed, as in production
@pytest.mark.parametrize(
    "statement",
    ["TRUNCATE budgeting_auditevent", "TRUNCATE budgeting_budgetcycle CASCADE"],
)
def test_the_database_refuses_to_truncate_the_log(cycle, statement):
    """Outside the test suite's own connections (which may empty every table between tests)
    TRUNCATE is refused too, also when it comes by CASCADE from the cycles."""
    _events(cycle, 2)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL chamyeo.allow_audit_truncate = off")
        with pytest.raises(IntegrityError, match="TRUNCATE refused"), transaction.atomic():
            cursor.execute(statement)
    assert AuditEvent.objects.filter(cycle=cycle).count() == 2
    assert verify_chain(list_chain(cycle=cycle)) == []


def test_erasing_an_account_clears_the_actor_and_keeps_the_chain(cycle):
    person = UserFactory()
    record_audit_event(
        cycle=cycle, event_type=AuditEvent.Type.PROPOSAL_SUBMITTED, is_public=True, actor=person
    )
    person.delete()  # the one change allowed: SET NULL on the actor
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.PROPOSAL_SUBMITTED)
    assert event.actor is None
    assert verify_chain(list_chain(cycle=cycle)) == []


def test_a_cycle_with_a_history_cannot_be_deleted(cycle, client, staff_user):
    _events(cycle, 1)
    with pytest.raises(ProtectedError), transaction.atomic():
        cycle.delete()
    client.force_login(staff_user)
    url = reverse("admin:budgeting_budgetcycle_delete", args=[cycle.pk])
    # the admin shows cycles read-only (the console owns them): no delete page, no server error
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert BudgetCycle.objects.filter(pk=cycle.pk).exists()


@pytest.mark.parametrize("what", ["reason", "delete", "rehash"])
def test_tampering_as_superuser_is_found_by_verification(cycle, what):
    events = _events(cycle, 5)
    target = events[2]
    if what == "reason":
        _tamper(
            "UPDATE budgeting_auditevent SET reason = 'nothing happened' WHERE id = %s", [target.pk]
        )
        expected = (target.position, "content does not match its hash")
    elif what == "delete":
        _tamper("DELETE FROM budgeting_auditevent WHERE id = %s", [target.pk])
        expected = (events[3].position, "does not follow the previous event")
    else:  # rewrite the content and recompute this event's own hashes: the next one breaks
        _tamper(
            "UPDATE budgeting_auditevent SET reason = 'nothing happened' WHERE id = %s", [target.pk]
        )
        entry = next(e for e in list_chain(cycle=cycle) if e.event_id == target.pk)
        content_hash = sha256_hex(entry.content)
        _tamper(
            "UPDATE budgeting_auditevent SET content_sha256 = %s, chain_hash = %s WHERE id = %s",
            [content_hash, chain_hash(entry.previous_hash, content_hash), target.pk],
        )
        expected = (events[3].position, "does not follow the previous event")
    problems = verify_chain(list_chain(cycle=cycle))
    assert expected in [(p.position, p.what) for p in problems]
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain", cycle=cycle.slug)


def test_the_command_says_the_chain_is_intact(cycle, capsys):
    _events(cycle, 3)
    call_command("verify_audit_chain", cycle=cycle.slug)
    out = capsys.readouterr().out
    head = list_chain(cycle=cycle)[-1].chain_hash
    assert f"{cycle.slug}: " in out
    assert f"chain intact, head {head}" in out


def test_the_public_download_verifies_and_shows_only_public_content(cycle, client, tmp_path):
    cycle = cycle_in_phase(cycle, Phase.PROPOSALS)
    _events(cycle, 4)
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.RESIDENT_VERIFIED,
        is_public=False,
        reason="census record 12-34",
    )
    response = client.get(reverse("budgeting:audit-trail", kwargs={"slug": cycle.slug}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "census record 12-34" not in body  # a non-public event shows only its hashes
    document = json.loads(body)
    chain = list_chain(cycle=cycle)
    assert len(document["events"]) == len(chain)
    assert document["head"]["chain_hash"] == chain[-1].chain_hash
    assert "content" not in document["events"][-1]
    assert "step 0" in document["events"][-5]["content"]
    saved = tmp_path / "trail.json"
    saved.write_text(body, encoding="utf-8")
    call_command("verify_audit_chain", file=str(saved), head=chain[2].chain_hash)

    # a changed public event in the file is found, and so is a head that is not in the chain
    document["events"][-5]["content"] = document["events"][-5]["content"].replace("step 0", "x")
    saved.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain", file=str(saved))
    saved.write_text(body, encoding="utf-8")
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain", file=str(saved), head="0" * 63 + "1")


def test_the_trail_of_a_cycle_in_preparation_is_not_public(client):
    draft = BudgetCycleFactory(phase=Phase.DRAFT)
    response = client.get(reverse("budgeting:audit-trail", kwargs={"slug": draft.slug}))
    assert response.status_code in {302, 403, 404}


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    """Eight threads writing twenty events each to one cycle: one chain, positions 1..160."""
    cycle = BudgetCycleFactory()
    start = threading.Barrier(8)
    errors = []

    def write():
        try:
            start.wait()
            for n in range(20):
                record_audit_event(
                    cycle=cycle, event_type=AuditEvent.Type.PHASE_ADVANCED, is_public=True, n=n
                )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    chain = list_chain(cycle=cycle)
    assert [entry.position for entry in chain] == list(range(1, len(chain) + 1))
    assert len(chain) >= 160
    assert verify_chain(chain) == []
