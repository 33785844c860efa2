"""One ballot path: the PostgreSQL function and the ORM's steps leave identical rows.

``submit_ballot`` writes with ``budgeting_cast_ballot()`` (voting.ballot_sql) on PostgreSQL and
with the ORM on SQLite (the demo). Every case below runs through both on the same PostgreSQL
test database (``use_sql_function=False`` forces the ORM), and, for residents' own steps,
through the ballot pages as a browser posts them (the direct path of voting.middleware, or the
full stack when it hands on). Each run is rolled back before the next. The runs must leave the
same ballots, choices, participations, audit events and outbox rows, once ids, timestamps and
receipts are replaced by tokens that keep what refers to what; the two service paths must also
give the same outcome (stored, changed, or a refusal's code and message).
"""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from budgeting.audit import RECORD_AUDIT_EVENT_FUNCTION
from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BudgetCycle
from budgeting.models import Participation
from budgeting.phases import Phase
from notifications.models import OutboxMessage
from notifications.services import ENQUEUE_EMAIL_FUNCTION
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import UserFactory
from tests.voting.factories import ballot_form_data
from tests.voting.factories import open_voting
from tests.voting.factories import put_on_ballot
from tests.voting.factories import ranked
from voting.ballot_sql import CAST_BALLOT_FUNCTION
from voting.selectors import forget_scope_for_submission
from voting.services.ballots import start_ballot
from voting.services.ballots import submit_ballot
from voting.services.ballots import withdraw_ballot
from voting.shared import BallotRefusedError

SQL, ORM, PAGE = "sql function", "orm", "ballot page"
ONLINE, PAPER = Participation.Channel.ONLINE, Participation.Channel.PAPER

pytestmark = pytest.mark.django_db


# --- the rows, normalised -----------------------------------------------------------------------
# Audit events are append-only (a trigger refuses DELETE): a scenario run after another compares
# only the events written after this id.
_EVENTS_BEFORE = [0]


@pytest.fixture(autouse=True)
def _compare_events_from_here():
    _EVENTS_BEFORE.append(0)
    yield
    _EVENTS_BEFORE.pop()


class _Tokens:
    """Replaces values that differ between runs (ids, receipts) by ``<kind><n>``, numbered in
    order of first appearance, so that equal structure gives equal tokens."""

    def __init__(self):
        self.seen: dict[tuple[str, object], str] = {}

    def __call__(self, kind: str, value) -> str | None:
        if value is None:
            return None
        key = (kind, value)
        if key not in self.seen:
            self.seen[key] = f"<{kind}{sum(1 for k, _ in self.seen if k == kind) + 1}>"
        return self.seen[key]


def _when(value) -> str | None:
    return None if value is None else "<time>"


def _rows() -> dict[str, list[dict]]:
    """Every row of the tables a ballot write touches, normalised (all columns)."""
    token = _Tokens()
    ballots = sorted(Ballot.objects.values(), key=lambda row: (row["scope_id"], row["voter_key"]))
    for row in ballots:
        row["id"] = token("ballot", row["id"])
    choices = list(BallotChoice.objects.values())
    for row in choices:
        row["id"] = "<uuid>"
        row["ballot_id"] = token("ballot", row["ballot_id"])
    choices.sort(key=lambda row: (row["ballot_id"], row["proposal_id"]))
    participations = sorted(
        Participation.objects.values(), key=lambda row: (row["scope_id"], row["user_id"])
    )
    for row in participations:
        row["id"] = token("participation", row["id"])
        row["receipt"] = token("receipt", row["receipt"])
        for field in ("started_at", "voted_at", "withdrawn_at", "reminder_sent_at"):
            row[field] = _when(row[field])
    events = list(AuditEvent.objects.filter(pk__gt=_EVENTS_BEFORE[-1]).order_by("pk").values())
    for row in events:
        row["id"] = token("event", row["id"])
        row["created_at"] = _when(row["created_at"])
        row["position"] = token("position", row["position"])
        # the chain hashes cover the time, which differs between runs; their links must not
        for field in ("content_sha256", "previous_hash", "chain_hash"):
            row[field] = token("hash", row[field])
    messages = list(OutboxMessage.objects.order_by("pk").values())
    for row in messages:
        row["id"] = token("message", row["id"])
        row["created_at"] = _when(row["created_at"])
        row["sent_at"] = _when(row["sent_at"])
        if (row["dedupe_key"] or "").startswith("receipt:"):
            row["dedupe_key"] = "receipt:" + token("receipt", row["dedupe_key"][8:])
        if "receipt" in row["context"]:
            row["context"] = {
                **row["context"],
                "receipt": token("receipt", row["context"]["receipt"]),
            }
    return {
        "ballots": ballots,
        "choices": choices,
        "participations": participations,
        "audit events": events,
        "outbox": messages,
    }


# --- one scenario through one path ------------------------------------------------------------
class Ballots:
    """A scenario's steps through one path. Online steps by residents go through the ballot
    pages on PAGE (its outcomes are then the pages' status codes); paper ballots (staff) always
    through the service."""

    def __init__(self, path: str, scope, staff):
        self.path = path
        self.scope = scope
        self.staff = staff
        self.outcomes: list[str] = []
        self.messages: list[str] = []
        self.clients: dict[int, Client] = {}

    def online(self, voter, proposals, *, points=None):
        choices = {p.pk: (points or {}).get(p.pk, 1) for p in proposals}
        if self.path == PAGE:
            self._post(voter, "ballot-submit", self._form(choices))
        else:
            self._cast(voter, choices, channel=ONLINE, actor=None)

    def paper(self, voter, proposals):
        self._cast(voter, {p.pk: 1 for p in proposals}, channel=PAPER, actor=self.staff)

    def withdraw(self, voter):
        if self.path == PAGE:
            self._post(voter, "ballot-withdraw", {})
            return
        try:
            withdraw_ballot(voter=voter, scope=self.scope)
        except BallotRefusedError as error:
            self._refused(error)
        else:
            self.outcomes.append("withdrawn")

    def _cast(self, voter, choices, *, channel, actor):
        try:
            ballot = submit_ballot(
                voter=voter,
                scope=self.scope,
                choices=choices,
                channel=channel,
                actor=actor,
                use_sql_function=self.path != ORM,
            )
        except BallotRefusedError as error:
            self._refused(error)
        else:
            self.outcomes.append("changed" if ballot.is_change else "stored")

    def _refused(self, error: BallotRefusedError):
        self.outcomes.append(error.code)
        self.messages.append(str(error.message))

    def _form(self, choices) -> dict:
        return ballot_form_data(self.scope.cycle.ballot_rule, choices)

    def _post(self, voter, name, data):
        client = self.clients.get(voter.pk)
        if client is None:
            client = self.clients[voter.pk] = Client()
            client.force_login(voter)
        url = reverse(
            f"voting:{name}", kwargs={"slug": self.scope.cycle.slug, "scope_pk": self.scope.pk}
        )
        self.outcomes.append(client.post(url, data).status_code)


def _through_every_path(scenario, scope, staff) -> dict[str, tuple[list, list, dict]]:
    """(outcomes, refusal messages, rows) of ``scenario`` through each path, each rolled back."""
    results = {}
    for path in (SQL, ORM, PAGE):
        forget_scope_for_submission(slug=scope.cycle.slug, scope_pk=scope.pk)
        scope.cycle.refresh_from_db()
        with transaction.atomic():
            ballots = Ballots(path, scope, staff)
            scenario(ballots)
            results[path] = (ballots.outcomes, ballots.messages, _rows())
            transaction.set_rollback(True)
    return results


def _assert_parity(results, *, outcomes: list[str], pages: list[int | str]):
    sql_outcomes, sql_messages, sql_rows = results[SQL]
    orm_outcomes, orm_messages, orm_rows = results[ORM]
    page_outcomes, _page_messages, page_rows = results[PAGE]
    assert sql_outcomes == outcomes
    assert orm_outcomes == outcomes
    assert orm_messages == sql_messages
    assert page_outcomes == pages
    for table in sql_rows:
        assert orm_rows[table] == sql_rows[table], f"{table}: the ORM differs from the function"
        assert page_rows[table] == sql_rows[table], f"{table}: the pages differ from the service"


# --- the cases ---------------------------------------------------------------------------------
def _play(ballots: Ballots, voter, projects, steps):
    """Steps: ("online", project indexes), ("withdraw",), ("open",) the ballot page (the
    reminder's start), ("late", indexes) an online ballot a second after the deadline,
    ("close",) voting now (the scope was read before), ("count",) the phase moved on to the
    count, ("not yet",) voting opens in an hour."""
    cycle = ballots.scope.cycle
    for step, *args in steps:
        chosen = [projects[index] for index in args[0]] if args else []
        if step == "online":
            ballots.online(voter, chosen)
        elif step == "withdraw":
            ballots.withdraw(voter)
        elif step == "open":
            start_ballot(voter=voter, scope=ballots.scope)
        elif step == "late":
            with time_machine.travel(cycle.voting_end_at + timedelta(seconds=1), tick=False):
                ballots.online(voter, chosen)
        elif step == "close":
            _update_cycle(cycle, voting_end_at=timezone.now() - timedelta(seconds=1))
        elif step == "count":
            _update_cycle(cycle, phase=Phase.TALLYING)
        elif step == "not yet":
            _update_cycle(cycle, voting_start_at=timezone.now() + timedelta(hours=1))


def _update_cycle(cycle, **values):
    BudgetCycle.objects.filter(pk=cycle.pk).update(**values)


STORED = 302  # a ballot page's answer: to the receipt (or, after a withdrawal, the cycle page)
ROW_CASES = {
    # name: (steps, the services' outcomes, the pages' answers)
    "store": ([("online", [0, 2])], ["stored"], [STORED]),
    "change": ([("online", [0, 1]), ("online", [2])], ["stored", "changed"], [STORED] * 2),
    "the same ballot twice": (
        [("online", [3]), ("online", [3])],
        ["stored", "changed"],
        [STORED] * 2,
    ),
    "three changes": (
        [("online", [0]), ("online", [1]), ("online", [2, 3])],
        ["stored", "changed", "changed"],
        [STORED] * 3,
    ),
    "withdraw, then vote again": (
        [("online", [0]), ("withdraw",), ("online", [1])],
        ["stored", "withdrawn", "stored"],
        [STORED] * 3,
    ),
    "withdraw with no ballot": ([("withdraw",)], ["no_ballot"], [302]),
    "opened the ballot, then voted": ([("open",), ("online", [1])], ["stored"], [STORED]),
    # refused by the rule: nothing stored, an earlier ballot kept
    "too many projects": ([("online", [0, 1, 2])], ["too_many"], [400]),
    "nothing chosen": ([("online", [])], ["empty"], [400]),
    "too many after a stored ballot": (
        [("online", [0]), ("online", [0, 1, 2])],
        ["stored", "too_many"],
        [STORED, 400],
    ),
    # the deadline and the phase, read by the write itself
    "after the deadline": ([("late", [0])], ["voting_closed"], [403]),
    "opened the ballot, voted after the deadline": (
        [("open",), ("late", [0])],
        ["voting_closed"],
        [403],
    ),
    "a change after the deadline": (
        [("online", [0]), ("late", [1])],
        ["stored", "voting_closed"],
        [STORED, 403],
    ),
    "voting closed after the scope was read": (
        [("online", [0]), ("close",), ("online", [1])],
        ["stored", "voting_closed"],
        [STORED, 403],
    ),
    "the phase moved on to the count": ([("count",), ("online", [0])], ["voting_closed"], [403]),
    "before voting opens": ([("not yet",), ("online", [0])], ["voting_closed"], [403]),
}


@pytest.mark.parametrize("case", list(ROW_CASES))
def test_store_change_withdraw_and_refusals_leave_the_same_rows_on_every_path(
    case, voting_cycle, resident, staff_user, district_scope, district_projects
):
    steps, outcomes, pages = ROW_CASES[case]
    results = _through_every_path(
        lambda b: _play(b, resident, district_projects, steps), district_scope, staff_user
    )
    _assert_parity(results, outcomes=outcomes, pages=pages)


@pytest.mark.parametrize(
    ("case", "first", "second", "counted"),
    [
        ("online, then paper", ONLINE, PAPER, ONLINE),
        ("paper, then online", PAPER, ONLINE, PAPER),
        ("paper twice", PAPER, PAPER, PAPER),
    ],
)
def test_a_second_ballot_by_another_channel_is_refused_alike_with_one_audit_event(
    case,
    first,
    second,
    counted,
    voting_cycle,
    resident,
    staff_user,
    district_scope,
    district_projects,
):
    a, b_, _c, _d = district_projects

    def cast(ballots, channel, proposals):
        if channel == PAPER:
            ballots.paper(resident, proposals)
        else:
            ballots.online(resident, proposals)

    results = _through_every_path(
        lambda b: (cast(b, first, [a]), cast(b, second, [b_])), district_scope, staff_user
    )
    # On the pages, the resident's online ballot is answered by the page; staff enter paper.
    pages = [302 if first == ONLINE else "stored", 400 if second == ONLINE else "already_voted"]
    _assert_parity(results, outcomes=["stored", "already_voted"], pages=pages)
    rows = results[SQL][2]
    conflicts = [e for e in rows["audit events"] if e["event_type"] == "ballot_channel_conflict"]
    assert len(conflicts) == 1
    assert conflicts[0]["parameters"] == {"counted_channel": counted, "refused_channel": second}
    assert conflicts[0]["actor_id"] == (staff_user.pk if second == PAPER else resident.pk)


def test_withdrawing_a_paper_ballot_is_refused_alike(
    voting_cycle, resident, staff_user, district_scope, district_projects
):
    results = _through_every_path(
        lambda b: (b.paper(resident, [district_projects[0]]), b.withdraw(resident)),
        district_scope,
        staff_user,
    )
    _assert_parity(results, outcomes=["stored", "paper_ballot"], pages=["stored", 302])


@pytest.mark.parametrize(
    ("case", "profile", "code", "page"),
    [
        ("another district", {"other_district": True}, "ineligible_district", 403),
        ("unverified", {"verified_at": None}, "ineligible_unverified", 403),
        ("under age", {"birth_year": 2020}, "ineligible_too_young", 403),
        ("wrong relation", {"relation": "works"}, "ineligible_relation", 403),
        ("no resident profile", None, "ineligible_no_profile", 302),
    ],
)
def test_ineligible_voters_are_refused_alike(
    case,
    profile,
    code,
    page,
    cycle,
    district,
    other_district,
    staff_user,
    district_scope,
    district_projects,
):
    open_voting(cycle, rule="approval", requires_verification=True, workers_may_vote=False)
    if profile is None:
        voter = UserFactory()
    else:
        home = other_district if profile.pop("other_district", False) else district
        voter = ResidentProfileFactory(district=home, **profile).user
    results = _through_every_path(
        lambda b: b.online(voter, [district_projects[0]]), district_scope, staff_user
    )
    _assert_parity(results, outcomes=[code], pages=[page])


def test_over_the_budget_is_refused_alike_on_a_knapsack_ballot(
    knapsack_cycle, resident, staff_user, district_scope, district_projects
):
    # 120 + 90 million fit the 300 million budget; all four (340 million) do not
    results = _through_every_path(
        lambda b: (
            b.online(resident, district_projects[:2]),
            b.online(resident, district_projects),
        ),
        district_scope,
        staff_user,
    )
    _assert_parity(results, outcomes=["stored", "over_budget"], pages=[302, 400])


def test_points_are_stored_and_refused_alike_on_a_cumulative_ballot(
    cumulative_cycle, resident, staff_user, district_scope, district_projects
):
    a, b_, c, _d = district_projects
    results = _through_every_path(
        lambda b: (
            b.online(resident, [a, b_], points={a.pk: 3, b_.pk: 2}),
            b.online(resident, [c], points={c.pk: 4}),  # at most 3 on one project
            b.online(resident, [b_, c], points={b_.pk: 1, c.pk: 3}),
        ),
        district_scope,
        staff_user,
    )
    _assert_parity(
        results, outcomes=["stored", "too_many_points_on_one", "changed"], pages=[302, 400, 302]
    )
    assert {(c_["proposal_id"], c_["points"]) for c_ in results[SQL][2]["choices"]} == {
        (b_.pk, 1),
        (c.pk, 3),
    }


def test_ranks_are_stored_and_refused_alike_on_a_ranked_ballot(
    ranked_cycle, resident, staff_user, district_scope, district_projects
):
    a, b_, c, d = district_projects
    results = _through_every_path(
        lambda b: (
            b.online(resident, [a, b_], points={a.pk: 1, b_.pk: 2}),
            b.online(resident, [a, b_, c, d], points=ranked([a.pk, b_.pk, c.pk, d.pk])),
            b.online(resident, [c, d], points={c.pk: 1, d.pk: 1}),  # rank 1 twice
            b.online(resident, [c, d], points={c.pk: 1, d.pk: 3}),  # rank 2 missing
            b.online(resident, [d, c, a], points=ranked([d.pk, c.pk, a.pk])),
        ),
        district_scope,
        staff_user,
    )
    _assert_parity(
        results,
        outcomes=["stored", "rank_out_of_range", "rank_repeated", "rank_missing", "changed"],
        pages=[302, 400, 400, 400, 302],
    )
    assert {(c_["proposal_id"], c_["points"]) for c_ in results[SQL][2]["choices"]} == {
        (d.pk, 1),
        (c.pk, 2),
        (a.pk, 3),
    }


def test_a_ballot_on_the_other_scope_is_a_ballot_of_its_own(
    voting_cycle, resident, staff_user, district_scope, citywide_scope, district_projects
):
    city_a, _city_b = put_on_ballot(citywide_scope, [400_000_000, 300_000_000])

    def scenario(b):
        b.online(resident, [district_projects[0]])
        b.scope, scope = citywide_scope, b.scope
        b.online(resident, [city_a])
        b.scope = scope

    results = _through_every_path(scenario, district_scope, staff_user)
    _assert_parity(results, outcomes=["stored", "stored"], pages=[302, 302])
    assert len(results[SQL][2]["ballots"]) == 2


# --- concurrent submissions by one person ------------------------------------------------------
def _blocked_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def _race(*, first, second, resident, staff, scope, choices) -> tuple[list[str], dict]:
    """``first`` (path, channel) writes and holds its transaction open; ``second`` starts while
    it does and waits for the person's lock; then ``first`` commits. (outcomes, rows)"""
    held, release = threading.Event(), threading.Event()
    second_pid: list[int] = []
    outcomes: dict[str, str] = {}

    def cast(name, path, channel, proposal):
        try:
            ballot = submit_ballot(
                voter=resident,
                scope=scope,
                choices={proposal.pk: 1},
                channel=channel,
                actor=staff if channel == PAPER else None,
                use_sql_function=path == SQL,
            )
        except BallotRefusedError as error:
            outcomes[name] = error.code
        else:
            outcomes[name] = "changed" if ballot.is_change else "stored"

    def run_first():
        try:
            with transaction.atomic():
                cast("first", *first, choices[0])
                held.set()
                release.wait(timeout=30)
        finally:
            held.set()
            connection.close()

    def run_second():
        try:
            held.wait(timeout=30)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            cast("second", *second, choices[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    held.wait(timeout=30)
    for _ in range(300):
        if second_pid and _blocked_on_a_lock(second_pid[0]):
            break
        threading.Event().wait(0.02)
    blocked = bool(second_pid) and _blocked_on_a_lock(second_pid[0])
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert blocked, "the second submission did not wait for the person's lock"
    return [outcomes.get("first"), outcomes.get("second")], _rows()


def _forget_the_race(*, messages_before: int):
    BallotChoice.objects.all().delete()
    Ballot.objects.all().delete()
    Participation.objects.all().delete()
    # the race's audit events stay (append-only); the next race is compared from here
    _EVENTS_BEFORE[-1] = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    OutboxMessage.objects.filter(pk__gt=messages_before).delete()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("case", "channels", "outcomes"),
    [
        ("online twice at once", (ONLINE, ONLINE), ["stored", "changed"]),
        ("online and paper at once", (ONLINE, PAPER), ["stored", "already_voted"]),
        ("paper and online at once", (PAPER, ONLINE), ["stored", "already_voted"]),
    ],
)
def test_concurrent_submissions_wait_for_each_other_alike_on_both_paths(
    case,
    channels,
    outcomes,
    voting_cycle,
    resident,
    staff_user,
    district_scope,
    district_projects,
):
    """Every pairing of the two paths, one of them holding the person's lock: the same rows."""
    _EVENTS_BEFORE[-1] = (
        AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    )
    messages_before = (
        OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    )
    results = {}
    for paths in ((SQL, SQL), (ORM, ORM), (SQL, ORM), (ORM, SQL)):
        results[paths] = _race(
            first=(paths[0], channels[0]),
            second=(paths[1], channels[1]),
            resident=resident,
            staff=staff_user,
            scope=district_scope,
            choices=district_projects[:2],
        )
        _forget_the_race(messages_before=messages_before)
    reference = results[SQL, SQL]
    assert reference[0] == outcomes
    assert len(reference[1]["ballots"]) == 1
    for paths, result in results.items():
        assert result == reference, f"{paths} differs from (sql, sql)"


# --- the SQL twins write the columns their Python writers write -------------------------------
def _inserted_columns(sql: str, table: str) -> set[str]:
    head = sql.split(f"INSERT INTO {table}", 1)[1].split(")", 1)[0]
    return {column.strip() for column in head.strip().lstrip("(").split(",")}


@pytest.mark.parametrize(
    ("sql", "model"),
    [(RECORD_AUDIT_EVENT_FUNCTION, AuditEvent), (ENQUEUE_EMAIL_FUNCTION, OutboxMessage)],
)
def test_the_sql_twins_write_every_column_of_their_row(sql, model):
    # the audit chain's columns are the database trigger's, whichever writer inserts
    chain = {"position", "content_sha256", "previous_hash", "chain_hash"}
    columns = {field.column for field in model._meta.concrete_fields} - {"id"} - chain
    assert _inserted_columns(sql, model._meta.db_table) == columns


@pytest.mark.parametrize(
    ("function", "sql"),
    [
        ("budgeting_cast_ballot", CAST_BALLOT_FUNCTION),
        ("budgeting_record_audit_event", RECORD_AUDIT_EVENT_FUNCTION),
        ("notifications_enqueue_email", ENQUEUE_EMAIL_FUNCTION),
    ],
)
def test_the_database_runs_the_sql_of_the_modules(function, sql):
    """The migrations installed the text the modules hold (the last one to install wins)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [function])
        installed = [row[0] for row in cursor.fetchall()]
    assert installed == [sql.split("$fn$")[1]]
