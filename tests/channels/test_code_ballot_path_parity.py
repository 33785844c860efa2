"""One code-ballot path: the PostgreSQL function and the ORM's steps leave identical rows.

``vote_with_code`` spends a voting code and stores its ballot with ``channels_cast_code_ballot()``
(channels.code_ballot_sql, which calls ``budgeting_cast_ballot()``) on PostgreSQL, and with the
ORM on SQLite (the demo). Every case below runs through both on the same PostgreSQL test
database (``use_sql_function=False`` forces the ORM), and through the code ballot page as a
browser posts it, twice: with the direct path of channels.middleware (which must store every
valid ballot itself) and with the full middleware stack only (without that middleware). Each run
is rolled back before the next. The runs must leave the same ballots, choices, participations,
audit events, outbox rows and spent codes, once ids, timestamps and receipts are replaced by
tokens that keep what refers to what; the two service paths must give the same outcome (stored,
or a refusal's code and message), the pages the same answer (a redirect to the receipt, which
shows the stored receipt, or the refusal's message on the ballot page).
"""

import html
import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.db import transaction
from django.test import Client
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BudgetCycle
from budgeting.models import Participation
from budgeting.phases import Phase
from channels import views as channel_views
from channels.models import VotingCode
from channels.models import VotingCodeBatch
from channels.models import VotingCodeUse
from channels.selectors import code_person_key
from channels.selectors import forget_scope_for_code_ballot
from channels.services import ChannelError
from channels.services import create_code_batch
from channels.services import find_voting_code
from channels.services import generate_code_batch
from channels.services import take_printable_codes
from channels.services import vote_with_code
from channels.views import CODE_SESSION
from channels.views import PHONE_SESSION
from tests.budgeting.factories import BallotScopeFactory
from tests.voting.factories import ballot_form_data
from tests.voting.factories import open_voting
from tests.voting.factories import put_on_ballot
from tests.voting.factories import ranked
from tests.voting.test_ballot_path_parity import _rows
from voting.services.ballots import submit_ballot
from voting.shared import BallotRefusedError

SQL, ORM, DIRECT, FULL = "sql function", "orm", "page, direct path", "page, full stack"
PAGES = (DIRECT, FULL)
PHONE = "+821012345678"
LEAN_MIDDLEWARE = "channels.middleware.CodeBallotMiddleware"

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes(voting_cycle, district_scope, citywide_scope, staff_user) -> list[int]:
    """Three codes for both ballots (ids), made and printed as staff do."""
    batch = create_code_batch(
        cycle=voting_cycle, scopes=[district_scope, citywide_scope], size=3, created_by=staff_user
    )
    generate_code_batch(batch_id=batch.pk)
    return [find_voting_code(raw=text).pk for text in take_printable_codes(batch=batch)]


@pytest.fixture
def citywide_projects(citywide_scope):
    return put_on_ballot(citywide_scope, [400_000_000, 300_000_000])


def _code_rows() -> dict[str, list]:
    rows = _rows()
    rows["spent codes"] = sorted(VotingCodeUse.objects.values_list("code_id", "scope_id"))
    return rows


class CodeBallots:
    """A scenario's code ballots through one path: the service (SQL or ORM) or the ballot page
    (a client whose session holds the typed code, as ``CodeStartView`` leaves it)."""

    def __init__(self, path: str):
        self.path = path
        self.outcomes: list[str | int] = []
        self.messages: list[str] = []
        self.clients: dict[tuple[int, str | None], Client] = {}
        self.views_entered = 0

    def vote(self, code_id, scope, choices: dict[int, int], *, phone=None):
        if self.path in PAGES:
            self._post(code_id, scope, choices, phone)
            return
        try:
            vote_with_code(
                code_id=code_id,
                scope=scope,
                choices=choices,
                verified_phone=phone,
                use_sql_function=self.path == SQL,
            )
        except (ChannelError, BallotRefusedError) as error:
            self.outcomes.append(error.code)
            self.messages.append(str(error.message))
        else:
            self.outcomes.append("stored")

    def _client(self, code_id, phone) -> Client:
        client = self.clients.get((code_id, phone))
        if client is None:
            client = self.clients[code_id, phone] = Client()
            session = client.session
            session[CODE_SESSION] = code_id
            if phone:
                session[PHONE_SESSION] = phone
            session.save()
        return client

    def _post(self, code_id, scope, choices, phone):
        client = self._client(code_id, phone)
        url = reverse("channels:code-ballot", kwargs={"scope_pk": scope.pk})
        data = ballot_form_data(scope.cycle.ballot_rule, choices)
        response = client.post(url, data)
        self.outcomes.append(response.status_code)
        if response.status_code == 302:
            # the receipt page shows the receipt the participation holds
            assert response["Location"] == reverse(
                "channels:code-receipt", kwargs={"scope_pk": scope.pk}
            )
            person = code_person_key(code_id=code_id, verified_phone=phone)
            receipt = Participation.objects.get(scope=scope, person_key=person).receipt
            page = client.get(response["Location"])
            assert page.status_code == 200
            assert f"data-receipt>{receipt}<" in page.content.decode()
        elif response.status_code == 400:
            self.messages.append(html.unescape(response.content.decode()))


def _through_every_path(scenario, scopes) -> dict[str, CodeBallots]:
    """Each path's run of ``scenario`` (its outcomes, messages and rows), each rolled back."""
    results = {}
    entered = [0]
    real_post = channel_views.CodeBallotView.post

    def spy(view, request, *args, **kwargs):
        entered[0] += 1
        return real_post(view, request, *args, **kwargs)

    full_stack = [m for m in settings.MIDDLEWARE if m != LEAN_MIDDLEWARE]
    assert len(full_stack) == len(settings.MIDDLEWARE) - 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(channel_views.CodeBallotView, "post", spy)
        for path in (SQL, ORM, DIRECT, FULL):
            for scope in scopes:
                forget_scope_for_code_ballot(scope_pk=scope.pk)
                scope.cycle.refresh_from_db()
            entered[0] = 0
            with transaction.atomic():
                ballots = CodeBallots(path)
                if path == FULL:
                    with override_settings(MIDDLEWARE=full_stack):
                        scenario(ballots)
                else:
                    scenario(ballots)
                ballots.rows = _code_rows()
                ballots.views_entered = entered[0]
                transaction.set_rollback(True)
            results[path] = ballots
    return results


def _assert_parity(results, *, outcomes: list[str], pages: list[int]):
    sql, orm = results[SQL], results[ORM]
    assert sql.outcomes == outcomes
    assert orm.outcomes == outcomes
    assert orm.messages == sql.messages
    for path in PAGES:
        page = results[path]
        assert page.outcomes == pages, path
        # each refusal on the page says what the service says (the rows are compared below)
        assert len(page.messages) == pages.count(400)
        for message, text in zip(sql.messages, page.messages, strict=True):
            assert message in text, path
    # the direct path stores every ballot itself; only what it does not store reaches the view
    assert results[DIRECT].views_entered == sum(1 for o in pages if o != 302)
    assert results[FULL].views_entered == len(pages)
    for table in sql.rows:
        for path in (ORM, *PAGES):
            assert results[path].rows[table] == sql.rows[table], f"{table}: {path} differs"


def _one(projects, *indexes) -> dict[int, int]:
    return {projects[i].pk: 1 for i in indexes}


def _update_cycle(cycle, **values):
    BudgetCycle.objects.filter(pk=cycle.pk).update(**values)


# --- the cases ---------------------------------------------------------------------------------
def test_a_code_ballot_is_stored_alike(codes, district_scope, district_projects):
    results = _through_every_path(
        lambda b: b.vote(codes[0], district_scope, _one(district_projects, 0, 1)),
        [district_scope],
    )
    _assert_parity(results, outcomes=["stored"], pages=[302])
    rows = results[SQL].rows
    assert len(rows["ballots"]) == 1
    assert rows["spent codes"] == [(codes[0], district_scope.pk)]
    (participation,) = rows["participations"]
    assert participation["channel"] == "code"
    assert participation["user_id"] is None


def test_a_code_votes_once_on_each_of_its_ballots_alike(
    codes, district_scope, citywide_scope, district_projects, citywide_projects
):
    def scenario(b):
        b.vote(codes[0], district_scope, _one(district_projects, 0))
        b.vote(codes[0], citywide_scope, _one(citywide_projects, 1))
        b.vote(codes[0], district_scope, _one(district_projects, 1))
        b.vote(codes[1], district_scope, _one(district_projects, 1))

    results = _through_every_path(scenario, [district_scope, citywide_scope])
    _assert_parity(
        results,
        outcomes=["stored", "stored", "code_already_used", "stored"],
        pages=[302, 302, 400, 302],
    )
    assert len(results[SQL].rows["spent codes"]) == 3


@pytest.mark.parametrize(
    ("case", "indexes", "code"),
    [("too many projects", (0, 1, 2), "too_many"), ("nothing chosen", (), "empty")],
)
def test_a_ballot_that_breaks_the_rule_spends_nothing_alike(
    case, indexes, code, codes, district_scope, district_projects
):
    projects = [*district_projects, *put_on_ballot(district_scope, [10_000_000])]

    def scenario(b):
        b.vote(codes[0], district_scope, _one(projects, *indexes))
        b.vote(codes[0], district_scope, _one(projects, 2))

    results = _through_every_path(scenario, [district_scope])
    _assert_parity(results, outcomes=[code, "stored"], pages=[400, 302])


def test_ranks_are_stored_and_refused_alike(codes, cycle, district_scope, district_projects):
    open_voting(cycle, rule="ranked", ranked_max_ranks=2)
    a, b_ = district_projects

    def scenario(b):
        b.vote(codes[0], district_scope, {a.pk: 1, b_.pk: 1})  # rank 1 twice
        b.vote(codes[0], district_scope, ranked([b_.pk, a.pk]))

    results = _through_every_path(scenario, [district_scope])
    _assert_parity(results, outcomes=["rank_repeated", "stored"], pages=[400, 302])
    assert {(c["proposal_id"], c["points"]) for c in results[SQL].rows["choices"]} == {
        (b_.pk, 1),
        (a.pk, 2),
    }


def test_a_revoked_batch_and_a_ballot_the_batch_is_not_for_are_refused_alike(
    codes, voting_cycle, district_scope, district_projects, staff_user, other_district
):
    other_scope = BallotScopeFactory(cycle=voting_cycle, district=other_district)
    other_projects = put_on_ballot(other_scope, [10_000_000])

    def scenario(b):
        b.vote(codes[0], other_scope, _one(other_projects, 0))
        VotingCodeBatch.objects.update(revoked_at=timezone.now())
        b.vote(codes[1], district_scope, _one(district_projects, 0))

    results = _through_every_path(scenario, [district_scope, other_scope])
    _assert_parity(results, outcomes=["invalid_code", "invalid_code"], pages=[400, 400])
    assert not results[SQL].rows["ballots"]


def test_a_revoked_code_is_refused_alike(codes, district_scope, district_projects):
    def scenario(b):
        VotingCode.objects.filter(pk=codes[0]).update(revoked_at=timezone.now())
        b.vote(codes[0], district_scope, _one(district_projects, 0))

    results = _through_every_path(scenario, [district_scope])
    # the pages do not know a revoked code at all (404), as before
    sql = results[SQL]
    assert sql.outcomes == results[ORM].outcomes == ["invalid_code"]
    assert results[ORM].messages == sql.messages
    assert results[DIRECT].outcomes == results[FULL].outcomes == [404]
    assert results[DIRECT].views_entered == results[FULL].views_entered == 1
    for table in sql.rows:
        for path in (ORM, *PAGES):
            assert results[path].rows[table] == sql.rows[table], f"{table}: {path} differs"
    assert not sql.rows["ballots"]


def test_a_cycle_asking_for_a_phone_is_served_alike(
    codes, voting_cycle, district_scope, citywide_scope, district_projects, citywide_projects
):
    _update_cycle(voting_cycle, requires_phone=True)

    def scenario(b):
        b.vote(codes[0], district_scope, _one(district_projects, 0))  # no number
        b.vote(codes[0], district_scope, _one(district_projects, 0), phone=PHONE)
        # another code, the same number: the same person, who has voted here
        b.vote(codes[1], district_scope, _one(district_projects, 1), phone=PHONE)
        b.vote(codes[1], citywide_scope, _one(citywide_projects, 0), phone=PHONE)

    results = _through_every_path(scenario, [district_scope, citywide_scope])
    _assert_parity(
        results,
        outcomes=["phone_required", "stored", "already_voted", "stored"],
        pages=[400, 302, 400, 302],
    )
    rows = results[SQL].rows
    conflicts = [e for e in rows["audit events"] if e["event_type"] == "ballot_channel_conflict"]
    assert len(conflicts) == 1
    assert conflicts[0]["parameters"] == {"counted_channel": "code", "refused_channel": "code"}
    assert conflicts[0]["actor_id"] is None
    assert rows["spent codes"] == sorted(
        [(codes[0], district_scope.pk), (codes[1], citywide_scope.pk)]
    )


def test_a_number_that_voted_online_cannot_vote_again_by_code_alike(
    codes, resident, district_scope, district_projects
):
    profile = resident.resident_profile
    profile.phone_number, profile.phone_verified_at = PHONE, timezone.now()
    profile.save()

    def scenario(b):
        submit_ballot(voter=resident, scope=district_scope, choices=_one(district_projects, 0))
        b.vote(codes[0], district_scope, _one(district_projects, 1), phone=PHONE)

    results = _through_every_path(scenario, [district_scope])
    _assert_parity(results, outcomes=["already_voted"], pages=[400])
    rows = results[SQL].rows
    conflicts = [e for e in rows["audit events"] if e["event_type"] == "ballot_channel_conflict"]
    assert [c["parameters"] for c in conflicts] == [
        {"counted_channel": "online", "refused_channel": "code"}
    ]
    assert rows["spent codes"] == []
    assert [p["channel"] for p in rows["participations"]] == ["online"]


@pytest.mark.parametrize("case", ["after the deadline", "closed after the scope was read"])
def test_a_code_ballot_when_voting_has_closed_is_refused_alike(
    case, codes, voting_cycle, district_scope, district_projects
):
    def scenario(b):
        b.vote(codes[0], district_scope, _one(district_projects, 0))
        if case == "after the deadline":
            with time_machine.travel(voting_cycle.voting_end_at + timedelta(seconds=1)):
                b.vote(codes[1], district_scope, _one(district_projects, 1))
        else:
            _update_cycle(voting_cycle, phase=Phase.TALLYING)
            b.vote(codes[1], district_scope, _one(district_projects, 1))

    results = _through_every_path(scenario, [district_scope])
    _assert_parity(results, outcomes=["stored", "voting_closed"], pages=[302, 400])
    assert results[SQL].rows["spent codes"] == [(codes[0], district_scope.pk)]


# --- a code typed twice at the same moment -----------------------------------------------------
def _blocked_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def _race(*, paths, code_id, scope, projects) -> list[str | None]:
    """The first path spends the code and holds its transaction open; the second starts while
    it does and must wait for the code's lock; then the first commits. Outcomes."""
    held, release = threading.Event(), threading.Event()
    second_pid: list[int] = []
    outcomes: dict[str, str] = {}

    def vote(name, path, project):
        try:
            vote_with_code(
                code_id=code_id,
                scope=scope,
                choices={project.pk: 1},
                use_sql_function=path == SQL,
            )
        except (ChannelError, BallotRefusedError) as error:
            outcomes[name] = error.code
        else:
            outcomes[name] = "stored"

    def run_first():
        try:
            with transaction.atomic():
                vote("first", paths[0], projects[0])
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
            vote("second", paths[1], projects[1])
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
    assert blocked, "the second code ballot did not wait for the code's lock"
    return [outcomes.get("first"), outcomes.get("second")]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("paths", [(SQL, SQL), (ORM, ORM), (SQL, ORM), (ORM, SQL)], ids=str)
def test_a_code_typed_twice_at_once_waits_and_is_spent_once_on_both_paths(
    paths, codes, district_scope, district_projects
):
    outcomes = _race(
        paths=paths, code_id=codes[0], scope=district_scope, projects=district_projects
    )
    assert outcomes == ["stored", "code_already_used"]
    assert Ballot.objects.filter(scope=district_scope).count() == 1
    assert VotingCodeUse.objects.filter(code_id=codes[0]).count() == 1
    chosen = BallotChoice.objects.filter(ballot__scope=district_scope)
    assert list(chosen.values_list("proposal_id", flat=True)) == [district_projects[0].pk]
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.BALLOT_CHANNEL_CONFLICT)
