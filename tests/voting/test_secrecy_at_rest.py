"""Secret at rest: after voting closes, nothing left in the table files pairs a person with a
ballot, read as an attacker with the database files would (PostgreSQL's ``pageinspect``).

The attack of the security review: a participation row (who voted) and its ballot row were
written by one transaction, so both carry its id (``t_xmin``), in live rows and in the earlier
row versions that stay in the pages after an UPDATE or DELETE. Before close the attack links
voters to ballots (shown here, so the test can fail); after ``close_voting`` (the reshuffle,
then ``seal_ballot_storage``: participations rewritten apart, VACUUM FULL) it links none, no
earlier row version is left in any page, and the codes of changed or withdrawn ballots and the
key of a withdrawn ballot are nowhere in the raw pages.
"""

import time
import uuid

import pytest
from django.db import connection

from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BudgetCycle
from budgeting.models import CountedReceipt
from budgeting.models import Participation
from budgeting.phases import Phase
from results.services.tallying import close_due_voting
from results.services.tallying import close_voting
from tests.helpers import dates_for_phase
from tests.voting.factories import make_residents
from voting.services.ballots import SEALED_TABLES
from voting.services.ballots import submit_ballot
from voting.services.ballots import withdraw_ballot
from voting.services.paper import enter_paper_ballot
from voting.shared import voter_key

PAGE_SIZE = 8192
BALLOT, CHOICE, PARTICIPATION = (
    Ballot._meta.db_table,
    BallotChoice._meta.db_table,
    Participation._meta.db_table,
)


@pytest.fixture
def pageinspect(transactional_db):
    """PostgreSQL's contrib extension for reading raw table pages (the tests run as superuser)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")


def _tuples(table: str) -> list[dict]:
    """Every line pointer of every page of ``table``, dead or alive, as pageinspect reads it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s)", [table])
        pages = cursor.fetchone()[0] // PAGE_SIZE
        rows = []
        for page in range(pages):
            cursor.execute(
                "SELECT lp, lp_flags, t_xmin::text, t_infomask & 2048 <> 0, t_data "
                "FROM heap_page_items(get_raw_page(%s, %s))",
                [table, page],
            )
            rows.extend(
                {
                    "page": page,
                    "lp": lp,
                    "flags": flags,
                    "xmin": xmin,
                    "xmax_invalid": xmax_invalid,
                    "data": bytes(data or b""),
                }
                for lp, flags, xmin, xmax_invalid, data in cursor.fetchall()
            )
    return rows


def _raw_pages(table: str) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s)", [table])
        pages = cursor.fetchone()[0] // PAGE_SIZE
        chunks = []
        for page in range(pages):
            cursor.execute("SELECT get_raw_page(%s, %s)", [table, page])
            chunks.append(bytes(cursor.fetchone()[0]))
    return b"".join(chunks)


def _links_by_transaction_id() -> int:
    """The attack: participation row versions and ballot row versions written by one transaction."""
    participations = {t["xmin"] for t in _tuples(PARTICIPATION) if t["data"]}
    return sum(1 for t in _tuples(BALLOT) if t["data"] and t["xmin"] in participations)


def _live(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our table names)
        return cursor.fetchone()[0]


def _voters_in_physical_order(table: str, key_of_row) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY ctid")  # noqa: S608
        columns = [column.name for column in cursor.description]
        return [key_of_row(dict(zip(columns, row, strict=True))) for row in cursor.fetchall()]


def _deadline_passed(cycle: BudgetCycle) -> None:
    """The voting window is over; the cycle is still in the voting phase until close_voting."""
    dates = dates_for_phase(Phase.TALLYING)
    BudgetCycle.objects.filter(pk=cycle.pk).update(
        voting_start_at=dates["voting_start_at"], voting_end_at=dates["voting_end_at"]
    )


def _close_until_sealed(cycle: BudgetCycle, *, seconds: float = 120) -> None:
    """close_voting, again as beat would (each minute; here every 0.2 s) until the ballot
    storage is sealed. Transactions of other databases on this shared server that were running
    when the seal began hold PostgreSQL's removal horizon back until they end."""
    deadline = time.monotonic() + seconds
    sealed = AuditEvent.objects.filter(cycle=cycle, event_type=AuditEvent.Type.BALLOTS_SEALED)
    close_voting(cycle_id=cycle.pk)
    while not sealed.exists():
        assert time.monotonic() < deadline, "the ballot storage was never sealed"
        time.sleep(0.2)
        close_voting(cycle_id=cycle.pk)


def test_after_close_no_row_version_pairs_a_voter_with_a_ballot(
    pageinspect, voting_cycle, district, staff_user, district_scope, district_projects
):
    voters = make_residents(district, 12)
    old_receipts, old_choice_ids = [], []
    for index, voter in enumerate(voters[:10]):
        first = submit_ballot(
            voter=voter, scope=district_scope, choices={district_projects[index % 4].pk: 1}
        )
        if index % 3 == 0:  # some change their vote: new receipt, new choices
            old_receipts.append(first.receipt)
            old_choice_ids += list(
                BallotChoice.objects.filter(ballot_id=first.pk).values_list("pk", flat=True)
            )
            submit_ballot(
                voter=voter,
                scope=district_scope,
                choices={district_projects[(index + 1) % 4].pk: 1},
            )
    withdrawn = voters[10]
    withdrawn_receipt = submit_ballot(
        voter=withdrawn, scope=district_scope, choices={district_projects[0].pk: 1}
    ).receipt
    withdraw_ballot(voter=withdrawn, scope=district_scope)
    enter_paper_ballot(
        staff=staff_user,
        voter=voters[11],
        scope=district_scope,
        choices={district_projects[2].pk: 1},
    )
    key_to_voter = {
        voter_key(user_id=voter.pk, scope_id=district_scope.pk): voter.pk for voter in voters
    }
    vote_transactions = {t["xmin"] for t in _tuples(PARTICIPATION) if t["data"]}
    # During voting the attack works: each voter's participation and ballot share a stamp.
    assert _links_by_transaction_id() >= 10
    raw_ballots = _raw_pages(BALLOT)
    withdrawn_key = voter_key(user_id=withdrawn.pk, scope_id=district_scope.pk).encode()
    assert withdrawn_key in raw_ballots  # the deleted ballot's bytes are still in the page
    assert old_receipts[0].encode() in _raw_pages(PARTICIPATION)

    # The deadline passes; the close task runs (outside a transaction, as the worker runs it).
    _deadline_passed(voting_cycle)
    _close_until_sealed(voting_cycle)
    voting_cycle.refresh_from_db()
    assert voting_cycle.phase == Phase.TALLYING
    assert AuditEvent.objects.filter(
        cycle=voting_cycle, event_type=AuditEvent.Type.BALLOTS_SEALED
    ).exists()

    # 1. No earlier row version survives in any page: every line pointer is a live tuple.
    for table in SEALED_TABLES:
        tuples = _tuples(table)
        assert all(t["flags"] == 1 and t["data"] for t in tuples), table  # LP_NORMAL only
        assert all(t["xmax_invalid"] for t in tuples), table  # nothing deleted or updated
        assert len(tuples) == _live(table), table
    assert _live(BALLOT) == 11  # 10 online (one withdrawn of 11) and 1 paper

    # 2. No pairing by transaction id: ballots and participations share no stamp, and no
    #    stamp of a vote's transaction is left anywhere.
    assert _links_by_transaction_id() == 0
    ballot_stamps = {t["xmin"] for t in _tuples(BALLOT)} | {t["xmin"] for t in _tuples(CHOICE)}
    participation_stamps = {t["xmin"] for t in _tuples(PARTICIPATION)}
    assert len(ballot_stamps) == 1
    assert not ballot_stamps & participation_stamps
    for table in SEALED_TABLES:
        assert not {t["xmin"] for t in _tuples(table)} & vote_transactions, table

    # 3. No pairing by position: the ballots' physical order is not the participations'.
    in_ballot_order = _voters_in_physical_order(BALLOT, lambda row: key_to_voter[row["voter_key"]])
    in_participation_order = [
        user
        for user in _voters_in_physical_order(PARTICIPATION, lambda row: row["user_id"])
        if user in in_ballot_order
    ]
    assert sorted(in_ballot_order) == sorted(in_participation_order)
    assert in_ballot_order != in_participation_order  # 1 in 39,916,800 to fail by chance
    # ... nor by id: ballot ids are random UUIDs, participation ids integers
    assert all(isinstance(pk, uuid.UUID) for pk in Ballot.objects.values_list("pk", flat=True))

    # 4. The raw bytes: no code of a changed or withdrawn ballot, no withdrawn ballot's key,
    #    no replaced choice row.
    raw_participations = _raw_pages(PARTICIPATION) + _raw_pages(CountedReceipt._meta.db_table)
    for code in [*old_receipts, withdrawn_receipt]:
        assert code.encode() not in raw_participations
    assert withdrawn_key not in _raw_pages(BALLOT)
    raw_choices = _raw_pages(CHOICE)
    assert not [pk for pk in old_choice_ids if pk.bytes in raw_choices]

    # 5. The published list: one code per counted ballot, only current codes.
    counted = set(CountedReceipt.objects.values_list("code", flat=True))
    current = set(
        Participation.objects.filter(voted_at__isnull=False).values_list("receipt", flat=True)
    )
    assert counted == current
    assert len(counted) == Ballot.objects.count() == 11
    assert not counted & {*old_receipts, withdrawn_receipt}


def test_sealing_twice_changes_nothing_and_a_second_close_does_not_vacuum_again(
    pageinspect, voting_cycle, district, district_scope, district_projects
):
    for voter in make_residents(district, 3):
        submit_ballot(voter=voter, scope=district_scope, choices={district_projects[0].pk: 1})
    _deadline_passed(voting_cycle)
    _close_until_sealed(voting_cycle)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s)", [BALLOT])
        file_after_first = cursor.fetchone()[0]
    close_voting(cycle_id=voting_cycle.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s)", [BALLOT])
        assert cursor.fetchone()[0] == file_after_first  # not rewritten again
    assert (
        AuditEvent.objects.filter(
            cycle=voting_cycle, event_type=AuditEvent.Type.BALLOTS_SEALED
        ).count()
        == 1
    )
    assert CountedReceipt.objects.filter(scope=district_scope).count() == 3


def test_a_session_that_may_still_see_the_old_rows_postpones_the_vacuum(
    pageinspect, voting_cycle, district, district_scope, district_projects
):
    """VACUUM must keep row versions an open transaction may still read: while one that began
    before voting closed is open, sealing waits (beat tries again each minute)."""
    import psycopg

    for voter in make_residents(district, 2):
        submit_ballot(voter=voter, scope=district_scope, choices={district_projects[0].pk: 1})
    settings = connection.settings_dict
    reader = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
    )
    reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # one snapshot, kept
    try:
        reader.execute("SELECT count(*) FROM budgeting_district")  # holds a snapshot, idle
        _deadline_passed(voting_cycle)
        close_voting(cycle_id=voting_cycle.pk)
        sealed = AuditEvent.objects.filter(
            cycle=voting_cycle, event_type=AuditEvent.Type.BALLOTS_SEALED
        )
        assert not sealed.exists()
        assert not all(t["xmax_invalid"] for t in _tuples(BALLOT))  # old versions still there
        # staff publish meanwhile: beat still seals the published cycle once it can
        BudgetCycle.objects.filter(pk=voting_cycle.pk).update(phase=Phase.PUBLISHED)
    finally:
        reader.close()
    deadline = time.monotonic() + 120
    while not sealed.exists():  # beat's close_due_voting, every minute (here every 0.2 s)
        assert time.monotonic() < deadline, "the published cycle was never sealed"
        close_due_voting()
        time.sleep(0.2)
    assert all(t["xmax_invalid"] for t in _tuples(BALLOT))
