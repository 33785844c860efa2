"""Casting, changing and withdrawing ballots: one ballot per person per scope, by construction.

``submit_ballot`` is the one way a ballot is written (the ballot pages, the direct submission
path and paper ballots all call it). It checks eligibility and the rule in Python, then writes
with the PostgreSQL function ``budgeting_cast_ballot()`` (its SQL in ``voting.ballot_sql``) on
PostgreSQL, or with the same steps through the ORM on SQLite (the demo);
tests/voting/test_ballot_path_parity.py requires both to leave identical rows.

Every write of a ballot runs in one transaction that first locks the person's ``Participation``
row (INSERT ... ON CONFLICT DO UPDATE, which locks an existing row like SELECT ... FOR UPDATE).
Concurrent submissions by one person, and an online and a paper ballot for the same person, are
therefore serialised; the unique constraints on ``Participation(user, scope)`` and
``Ballot(voter_key, scope)`` are the last line. The deadline is checked after the lock, with the
clock read inside the transaction.
"""

import random
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import cast
from uuid import UUID

import psycopg
from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError
from django.db import connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from accounts.models import User
from budgeting.audit import record_audit_event
from budgeting.eligibility import Ineligibility
from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import CountedReceipt
from budgeting.models import Participation
from budgeting.models.ballots import new_receipt
from budgeting.phases import Feature
from budgeting.phases import Phase
from budgeting.selectors import get_ineligibility
from committee.selectors import has_completed_school
from core.metrics import count_stored_ballot
from notifications.services import enqueue_email
from notifications.services import kick_outbox_relay_soon
from notifications.services import language_of
from notifications.services import prepare_email
from voting.ballot_rules import BallotRuleError
from voting.ballot_rules import check_ballot
from voting.ballot_sql import CAST_BALLOT_CALL
from voting.selectors import get_ballot_limits
from voting.selectors import map_ballot_costs
from voting.shared import BallotRefusedError
from voting.shared import describe_rule_error
from voting.shared import person_ballot_key
from voting.shared import person_key_of
from voting.shared import voter_key

Channel = Participation.Channel


def describe_ineligibility(reason: Ineligibility) -> str:
    return {
        Ineligibility.NO_PROFILE: _("Please complete your resident profile to vote."),
        Ineligibility.UNVERIFIED: _("Only verified residents may vote in this cycle."),
        Ineligibility.TOO_YOUNG: _("You are below this cycle's minimum voting age."),
        Ineligibility.RELATION: _("Your relation to the city does not give a vote in this cycle."),
        Ineligibility.DISTRICT: _("This ballot is for residents of another district."),
        Ineligibility.TRACK_AGE: _("This track's ballot is for residents of another age group."),
        Ineligibility.PHONE: _("Please verify your mobile phone number to vote in this cycle."),
    }[reason]


def _check_may_vote(*, voter: User, scope: BallotScope) -> None:
    reason = get_ineligibility(user=voter, scope=scope)
    if reason is not None:
        raise BallotRefusedError(describe_ineligibility(reason), code=f"ineligible_{reason.value}")


def _check_voting_open(*, scope: BallotScope) -> None:
    if not scope.cycle.allows(Feature.VOTE):
        raise _voting_closed()


def _lock_participation(
    *, voter: User | None, person: str, scope: BallotScope, channel: str
) -> Participation:
    """The per-person lock across channels: create the row if missing and lock it, in one
    statement (INSERT ... ON CONFLICT DO UPDATE locks the existing row like FOR UPDATE), on the
    person key. An account's row written under another key takes the current key first."""
    table = Participation._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # as in budgeting_cast_ballot (voting/ballot_sql.py)
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{scope.pk}:{person}"]
            )
        if voter is not None:
            cursor.execute(
                f"""UPDATE {table} SET person_key = %s
                WHERE user_id = %s AND scope_id = %s
                AND (person_key IS NULL OR person_key <> %s)
                AND NOT EXISTS (SELECT 1 FROM {table} q
                                WHERE q.person_key = %s AND q.scope_id = %s)""",  # noqa: S608
                [person, voter.pk, scope.pk, person, person, scope.pk],
            )
        cursor.execute(
            f"""INSERT INTO {table} (user_id, scope_id, channel, person_key)
            VALUES (%s, %s, %s, %s)
            ON CONFLICT (person_key, scope_id) WHERE person_key IS NOT NULL
            DO UPDATE SET person_key = EXCLUDED.person_key
            RETURNING id, user_id, channel, started_at, voted_at, reminder_sent_at""",  # noqa: S608
            [voter.pk if voter else None, scope.pk, str(channel), person],
        )
        pk, user_id, stored_channel, started_at, voted_at, reminder_sent_at = cursor.fetchone()
    return Participation(
        pk=pk,
        user_id=user_id,
        person_key=person,
        scope=scope,
        channel=stored_channel,
        started_at=started_at,
        voted_at=voted_at,
        reminder_sent_at=reminder_sent_at,
    )


def _refresh_voting_window(scope: BallotScope) -> BallotScope:
    """Re-read the cycle's phase and voting dates inside the transaction (an admin or the beat
    may have moved them). The rules and budgets cannot change once voting has opened."""
    phase, start, end = BudgetCycle.objects.values_list(
        "phase", "voting_start_at", "voting_end_at"
    ).get(pk=scope.cycle_id)
    cycle = scope.cycle
    cycle.phase, cycle.voting_start_at, cycle.voting_end_at = phase, start, end
    return scope


def submit_ballot(
    *,
    voter: User,
    scope: BallotScope,
    choices: Mapping[int, int],
    channel: str = Channel.ONLINE,
    actor: User | None = None,
    costs: Mapping[int, int] | None = None,
    use_sql_function: bool | None = None,
) -> Ballot:
    """Store ``voter``'s ballot on ``scope`` (proposal id -> points), replacing their earlier one.

    Refuses (``BallotRefusedError``, nothing stored) an ineligible voter, a ballot that breaks
    the rule, a ballot after the deadline, and a second ballot by another channel (or a second
    paper ballot): the first one counts, and the refused attempt is an audit event.
    ``costs`` (proposal id -> cost on the ballot) may be passed by a caller that has just read
    them; otherwise they are read here. The voter's profile should be loaded with the voter.
    ``use_sql_function`` chooses the writer: by default the SQL function on PostgreSQL and the
    ORM elsewhere; False runs the ORM's steps on PostgreSQL too (the parity test compares them).
    """
    choices = {int(proposal_id): int(points) for proposal_id, points in choices.items()}
    _check_may_vote(voter=voter, scope=scope)
    if costs is None:
        costs = map_ballot_costs(scope=scope)
    try:
        check_ballot(get_ballot_limits(scope=scope, costs=costs), choices)
    except BallotRuleError as error:
        raise BallotRefusedError(describe_rule_error(error), code=error.code) from error
    if use_sql_function is None:
        use_sql_function = connection.vendor == "postgresql"
    write = _cast_in_one_statement if use_sql_function else _cast_with_the_orm
    ballot = write(
        voter=voter,
        person=person_key_of(voter),
        scope=scope,
        choices=choices,
        channel=channel,
        actor=actor or voter,
    )
    if scope.cycle.weight_budget_school_percent and has_completed_school(
        user=voter, cycle=scope.cycle
    ):
        # The weighted rule's budget-school source: a tag on the ballot, never the person.
        Ballot.objects.filter(pk=ballot.pk).update(from_school_graduate=True)
    count_stored_ballot(str(channel))  # Prometheus, once the transaction commits
    return ballot


def submit_person_ballot(
    *,
    person: str,
    scope: BallotScope,
    choices: Mapping[int, int],
    channel: str,
    actor: User | None = None,
    costs: Mapping[int, int] | None = None,
    use_sql_function: bool | None = None,
) -> Ballot:
    """Store the ballot of a person who votes without an account: ``person`` is their person key
    (``voting.shared.person_key``), made by the channel that identified them (a spent voting
    code, a verified phone number, an officer's census/ID check). The channel has checked that
    they may vote; here the rule, the window and the one-ballot-per-person lock are enforced as
    for ``submit_ballot``: a person who already voted by any channel is refused (audited). The
    ballot is keyed by HMAC(person key, scope); nothing in it names the person."""
    choices = {int(proposal_id): int(points) for proposal_id, points in choices.items()}
    if channel == Channel.ONLINE:
        raise ValueError("An online ballot belongs to an account: use submit_ballot.")
    if costs is None:
        costs = map_ballot_costs(scope=scope)
    try:
        check_ballot(get_ballot_limits(scope=scope, costs=costs), choices)
    except BallotRuleError as error:
        raise BallotRefusedError(describe_rule_error(error), code=error.code) from error
    if use_sql_function is None:
        use_sql_function = connection.vendor == "postgresql"
    write = _cast_in_one_statement if use_sql_function else _cast_with_the_orm
    ballot = write(
        voter=None, person=person, scope=scope, choices=choices, channel=channel, actor=actor
    )
    count_stored_ballot(str(channel))
    return ballot


def submit_person_ballot_in_sql(
    *,
    person: str,
    scope: BallotScope,
    choices: Mapping[int, int],
    channel: str,
    statement: str,
    leading_params: Sequence[object],
    refusals: Mapping[str, Callable[[], Exception]],
    costs: Mapping[int, int] | None = None,
) -> Ballot:
    """``submit_person_ballot`` on PostgreSQL through a channel's twin of
    ``budgeting_cast_ballot()``, so that the channel's own step (spending a voting code) and the
    ballot are one statement and one transaction.

    ``statement`` calls a function that takes ``leading_params`` and then the parameters of
    ``budgeting_cast_ballot()`` in their order (``voting.ballot_sql``), checks and locks what the
    channel needs, calls ``budgeting_cast_ballot()`` and returns its row; an outcome of its own
    (the channel's refusal, nothing written) is raised as ``refusals[outcome]()``. The rule is
    checked here first, and every refusal of ``budgeting_cast_ballot()`` is raised as
    ``submit_person_ballot`` raises it."""
    choices = {int(proposal_id): int(points) for proposal_id, points in choices.items()}
    if channel == Channel.ONLINE:
        raise ValueError("An online ballot belongs to an account: use submit_ballot.")
    if costs is None:
        costs = map_ballot_costs(scope=scope)
    try:
        check_ballot(get_ballot_limits(scope=scope, costs=costs), choices)
    except BallotRuleError as error:
        raise BallotRefusedError(describe_rule_error(error), code=error.code) from error
    ballot = _cast_in_one_statement(
        voter=None,
        person=person,
        scope=scope,
        choices=choices,
        channel=channel,
        actor=None,
        statement=statement,
        leading_params=leading_params,
        refusals=refusals,
    )
    count_stored_ballot(str(channel))
    return ballot


def replace_person_ballot(
    *,
    person: str,
    scope: BallotScope,
    choices: Mapping[int, int],
    channel: str,
    check: Callable[[Participation], None] | None = None,
) -> Ballot:
    """Replace, in place, the stored ballot of a person without an account that was cast by
    ``channel`` (an officer correcting a paper ballot entered wrongly).

    The same steps as a resident changing their vote before the deadline: the rule is checked,
    the person's lock is taken, the voting window is re-read after it, the ballot's choices are
    replaced (nothing about the earlier ones is kept), the receipt changes and a BALLOT_CHANGED
    event says that it changed. Only a ballot of that channel and without an account can be
    replaced this way; ``check`` may refuse (raise) once the participation is locked. Refused
    (``BallotRefusedError``, nothing changed) when there is no such ballot or voting is closed.
    """
    choices = {int(proposal_id): int(points) for proposal_id, points in choices.items()}
    if channel == Channel.ONLINE:
        raise ValueError("An online ballot is changed by its voter: use submit_ballot.")
    try:
        check_ballot(get_ballot_limits(scope=scope, costs=map_ballot_costs(scope=scope)), choices)
    except BallotRuleError as error:
        raise BallotRefusedError(describe_rule_error(error), code=error.code) from error
    with transaction.atomic():
        participation = _lock_participation(voter=None, person=person, scope=scope, channel=channel)
        scope = _refresh_voting_window(scope)
        _check_voting_open(scope=scope)  # after the lock: the clock is read now
        if (
            participation.voted_at is None
            or participation.user_id is not None
            or participation.channel != channel
        ):
            raise BallotRefusedError(
                _("No such ballot was entered for this person on this ballot; nothing changed."),
                code="no_ballot",
            )
        if check is not None:
            check(participation)
        ballot = _write_ballot(
            voter=None,
            person=person,
            scope=scope,
            choices=choices,
            participation=participation,
            channel=channel,
        )
    return ballot


def _ballot_key(*, voter: User | None, person: str, scope: BallotScope) -> str:
    if voter is not None:
        return voter_key(user_id=voter.pk, scope_id=scope.pk)
    return person_ballot_key(person_key=person, scope_id=scope.pk)


def _receipt_email(
    *, voter: User, scope: BallotScope, receipt: str, channel: str
) -> dict[str, Any]:
    """The outbox row of the receipt e-mail (``is_change`` is added by whoever writes it).

    The names in it are those of the resident's e-mail language, whatever the page's language
    (the e-mail's text is rendered in that language too)."""
    language = language_of(voter)
    with translation.override(language):
        context = {
            "receipt": receipt,
            "cycle_name": str(scope.cycle.name),
            "cycle_slug": scope.cycle.slug,
            "scope_name": str(scope.name),
            "is_paper": channel == Channel.PAPER,
            "voting_end_at": f"{timezone.localtime(scope.cycle.voting_end_at):%Y-%m-%d %H:%M}",
        }
    return prepare_email(
        template="budgeting/emails/ballot_receipt",
        context=context,
        recipient=voter,
        language=language,
        dedupe_key=f"receipt:{receipt}",
        is_secret=True,
    )


def _cast_in_one_statement(
    *,
    voter: User | None,
    person: str,
    scope: BallotScope,
    choices: dict[int, int],
    channel: str,
    actor: User | None,
    statement: str = CAST_BALLOT_CALL,
    leading_params: Sequence[object] = (),
    refusals: Mapping[str, Callable[[], Exception]] | None = None,
) -> Ballot:
    """Lock, re-check the window, write ballot, choices, participation, audit event and receipt
    e-mail in one statement: one round trip, and its own transaction unless the caller has one.

    Parameters are bound by the server (a psycopg cursor, not Django's client-side binding), so
    the statement text PostgreSQL may log on an error never holds a person's choices.
    ``statement``, ``leading_params`` and ``refusals``: see ``submit_person_ballot_in_sql``."""
    ballot = Ballot(voter_key=_ballot_key(voter=voter, person=person, scope=scope), scope=scope)
    ballot.receipt = new_receipt()
    email = None
    if voter is not None:
        email = _receipt_email(voter=voter, scope=scope, receipt=ballot.receipt, channel=channel)
        email["recipient_id"] = email.pop("recipient").pk
    audit = {
        "conflict_event": AuditEvent.Type.BALLOT_CHANNEL_CONFLICT.value,
        "changed_event": AuditEvent.Type.BALLOT_CHANGED.value,
        "subject_type_id": ContentType.objects.get_for_model(BallotScope).pk,
        "actor_id": actor.pk if actor is not None and actor.is_authenticated else None,
    }
    params = [
        voter.pk if voter is not None else None,
        scope.pk,
        str(channel),
        timezone.now(),
        Phase.VOTING.value,
        ballot.voter_key,
        ballot.pk,
        ballot.receipt,
        list(choices),
        list(choices.values()),
        Jsonb(audit),
        Jsonb(email) if email is not None else None,
        person,
    ]
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(statement, [*leading_params, *params])
        # one row on every path, stored or refused (ballot_id is NULL on a refusal)
        outcome, ballot_id, is_change, counted_channel = cast(
            "tuple[str, UUID | None, bool, str]", cursor.fetchone()
        )
    if refusals is not None and outcome in refusals:
        raise refusals[outcome]()
    if outcome == "voting_closed":
        raise _voting_closed()
    if outcome == "already_voted":
        raise _second_ballot_refused(counted_channel=counted_channel)
    if email is not None:
        transaction.on_commit(kick_outbox_relay_soon)
    ballot.pk = ballot_id
    ballot.is_change = is_change
    return ballot


def _voting_closed() -> BallotRefusedError:
    return BallotRefusedError(
        _("Voting on this ballot is closed; no ballot was stored."), code="voting_closed"
    )


def _second_ballot_refused(*, counted_channel: str) -> BallotRefusedError:
    if counted_channel == Channel.PAPER:
        message = _(
            "A paper ballot was already cast for this person on this ballot; it is the one "
            "that counts, so this ballot was not stored."
        )
    elif counted_channel != Channel.ONLINE:
        message = _(
            "This person already voted on this ballot (%(channel)s); that ballot counts, so "
            "this ballot was not stored."
        ) % {"channel": Channel(counted_channel).label}
    else:
        message = _(
            "This person already voted online on this ballot; that ballot counts, so this "
            "ballot was not stored."
        )
    return BallotRefusedError(message, code="already_voted")


def _cast_with_the_orm(
    *,
    voter: User | None,
    person: str,
    scope: BallotScope,
    choices: dict[int, int],
    channel: str,
    actor: User | None,
) -> Ballot:
    """The same steps as budgeting_cast_ballot, statement by statement (SQLite, the demo), with
    the Python writers the function's SQL twins mirror (record_audit_event, enqueue_email)."""
    refusal = None
    with transaction.atomic():
        participation = _lock_participation(
            voter=voter, person=person, scope=scope, channel=channel
        )
        scope = _refresh_voting_window(scope)
        _check_voting_open(scope=scope)  # after the lock: the clock is read now
        if participation.voted_at is not None and (
            channel != Channel.ONLINE or participation.channel != Channel.ONLINE
        ):
            record_audit_event(
                cycle=scope.cycle,
                event_type=AuditEvent.Type.BALLOT_CHANNEL_CONFLICT,
                subject=scope,
                actor=actor,
                is_public=False,
                counted_channel=participation.channel,
                refused_channel=str(channel),
            )
            refusal = _second_ballot_refused(counted_channel=participation.channel)
        else:
            ballot = _write_ballot(
                voter=voter,
                person=person,
                scope=scope,
                choices=choices,
                participation=participation,
                channel=channel,
            )
    if refusal is not None:
        raise refusal  # outside the block, so the audit event of the conflict is kept
    return ballot


def _write_ballot(
    *,
    voter: User | None,
    person: str,
    scope: BallotScope,
    choices: dict[int, int],
    participation: Participation,
    channel: str,
) -> Ballot:
    key = _ballot_key(voter=voter, person=person, scope=scope)
    # Insert, or take the existing row, in one statement. The ballot holds no receipt.
    candidate = Ballot(voter_key=key, scope=scope)
    pk_field = Ballot._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Ballot._meta.db_table} (id, voter_key, scope_id)
            VALUES (%s, %s, %s)
            ON CONFLICT (voter_key, scope_id) DO UPDATE SET voter_key = EXCLUDED.voter_key
            RETURNING id""",  # noqa: S608
            [pk_field.get_db_prep_value(candidate.pk, connection), key, scope.pk],
        )
        ballot_id = pk_field.to_python(cursor.fetchone()[0])  # SQLite stores UUIDs as text
    is_change = ballot_id != candidate.pk
    ballot = Ballot(pk=ballot_id, voter_key=key, scope=scope)
    ballot.is_change = is_change
    ballot.receipt = new_receipt()
    if is_change:
        # Replace in place: nothing about the earlier contents is kept, and the receipt changes.
        BallotChoice.objects.filter(ballot_id=ballot_id).delete()
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, proposal_id=proposal_id, points=points)
        for proposal_id, points in choices.items()
    )
    participation.voted_at = timezone.now()
    participation.channel = channel
    participation.receipt = ballot.receipt
    participation.save(update_fields=["voted_at", "channel", "receipt"])
    if is_change:
        # That a ballot changed, never what it holds nor whose it is.
        record_audit_event(
            cycle=scope.cycle,
            event_type=AuditEvent.Type.BALLOT_CHANGED,
            subject=scope,
            is_public=False,
        )
    if voter is not None:
        email = _receipt_email(voter=voter, scope=scope, receipt=ballot.receipt, channel=channel)
        email["context"]["is_change"] = is_change
        enqueue_email(**email)
    return ballot


def withdraw_ballot(*, voter: User, scope: BallotScope) -> None:
    """Delete ``voter``'s online ballot on ``scope`` before the deadline; they may vote again."""
    with transaction.atomic():
        scope = _refresh_voting_window(scope)
        participation = (
            Participation.objects.select_for_update().filter(user=voter, scope=scope).first()
        )
        _check_voting_open(scope=scope)
        if participation is None or participation.voted_at is None:
            raise BallotRefusedError(_("You have no ballot to withdraw."), code="no_ballot")
        if participation.channel != Channel.ONLINE:
            raise BallotRefusedError(
                _("A paper ballot cannot be withdrawn online."), code="paper_ballot"
            )
        key = voter_key(user_id=voter.pk, scope_id=scope.pk)
        BallotChoice.objects.filter(ballot__voter_key=key, ballot__scope=scope).delete()
        Ballot.objects.filter(voter_key=key, scope=scope).delete()
        participation.voted_at = None
        participation.withdrawn_at = timezone.now()
        participation.receipt = None  # the old code is listed nowhere
        participation.save(update_fields=["voted_at", "withdrawn_at", "receipt"])
        record_audit_event(
            cycle=scope.cycle,
            event_type=AuditEvent.Type.BALLOT_WITHDRAWN,
            subject=scope,
            is_public=False,
        )


def start_ballot(*, voter: User, scope: BallotScope) -> None:
    """Note that ``voter`` opened the ballot (for the reminder a day before the deadline)."""
    if not scope.cycle.allows(Feature.VOTE) or get_ineligibility(user=voter, scope=scope):
        return
    Participation.objects.bulk_create(
        [
            Participation(
                user=voter, person_key=person_key_of(voter), scope=scope, started_at=timezone.now()
            )
        ],
        ignore_conflicts=True,
    )
    Participation.objects.filter(user=voter, scope=scope, started_at__isnull=True).update(
        started_at=timezone.now()
    )


def erase_write_order(*, cycle: BudgetCycle | None = None, scope: BallotScope | None = None) -> int:
    """Re-store the ballots of ``cycle`` (or one ``scope``) in random order, in one transaction.

    While voting runs, a ballot is written in the same transaction as its voter's participation,
    so PostgreSQL's row stamps (``xmin``) and the physical order of rows follow the order people
    voted in; someone with direct database access could join them. Deleting and re-inserting all
    ballots and choices in a shuffled order, in one transaction, gives every row the same stamp
    and a random place. It runs when voting closes (``close_voting``), before the count; then
    ``seal_ballot_storage`` rewrites the participations in another transaction and VACUUM FULL
    removes the earlier row versions from the table files. Ids are kept. Returns the ballots
    stored.
    """
    if scope is not None:
        scope_ids = [scope.pk]
    else:  # one of the two is given
        scope_ids = list(cast("BudgetCycle", cycle).scopes.values_list("pk", flat=True))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            stored = _erase_write_order_in_sql(scope_ids=scope_ids)
        else:  # SQLite (the demo): small, so the ORM is fine
            shuffle = random.SystemRandom().shuffle
            ballots = list(Ballot.objects.select_for_update().filter(scope_id__in=scope_ids))
            choices = list(BallotChoice.objects.filter(ballot__scope_id__in=scope_ids))
            BallotChoice.objects.filter(ballot__scope_id__in=scope_ids).delete()
            Ballot.objects.filter(scope_id__in=scope_ids).delete()
            shuffle(ballots)
            shuffle(choices)
            Ballot.objects.bulk_create(ballots, batch_size=5000)
            BallotChoice.objects.bulk_create(choices, batch_size=5000)
            stored = len(ballots)
    return stored


def _erase_write_order_in_sql(*, scope_ids: list[int]) -> int:
    """The same in set-based SQL, so a million ballots never pass through Python."""
    ballot, choice = Ballot._meta.db_table, BallotChoice._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE erase_ballot ON COMMIT DROP AS "  # noqa: S608 (table names)
            f"SELECT * FROM {ballot} WHERE scope_id = ANY(%s)",
            [scope_ids],
        )
        cursor.execute(
            f"CREATE TEMP TABLE erase_choice ON COMMIT DROP AS "  # noqa: S608
            f"SELECT c.* FROM {choice} c JOIN erase_ballot b ON c.ballot_id = b.id"
        )
        cursor.execute(f"DELETE FROM {choice} WHERE ballot_id IN (SELECT id FROM erase_ballot)")  # noqa: S608
        cursor.execute(f"DELETE FROM {ballot} WHERE id IN (SELECT id FROM erase_ballot)")  # noqa: S608
        cursor.execute(f"INSERT INTO {ballot} SELECT * FROM erase_ballot ORDER BY random()")  # noqa: S608
        stored: int = cursor.rowcount
        cursor.execute(f"INSERT INTO {choice} SELECT * FROM erase_choice ORDER BY random()")  # noqa: S608
        cursor.execute("DROP TABLE erase_ballot, erase_choice")
    return stored


# The tables whose earlier row versions could pair a person with a ballot (by xmin, position or
# id); VACUUM FULL rewrites each into a new file holding only its live rows.
SEALED_TABLES = (
    Ballot._meta.db_table,
    BallotChoice._meta.db_table,
    Participation._meta.db_table,
    CountedReceipt._meta.db_table,
)
# VACUUM FULL locks a table while it rewrites it; it waits at most this long for the lock (then
# the next minute's close_due_voting tries again) so that it never queues votes behind it.
VACUUM_LOCK_TIMEOUT = "5s"


def list_counted_receipts(*, scope: BallotScope) -> int:
    """Copy the receipts of ``scope``'s counted ballots into ``CountedReceipt``, in code order.

    From the participations (who voted, with their code), never from the ballots (which hold
    none): the list says which codes were counted and nothing about any ballot's content.
    Idempotent (a code already listed is skipped); once voting has closed nothing changes them.
    Returns the codes listed for the scope.
    """
    codes = (
        Participation.objects.filter(scope=scope, voted_at__isnull=False, receipt__isnull=False)
        .order_by("receipt")
        .values_list("receipt", flat=True)
    )
    CountedReceipt.objects.bulk_create(
        (CountedReceipt(scope=scope, code=code) for code in codes if code),
        batch_size=5000,
        ignore_conflicts=True,
    )
    return CountedReceipt.objects.filter(scope=scope).count()


def seal_ballot_storage(*, cycle: BudgetCycle) -> bool:
    """After voting closed on ``cycle``: list the counted receipts, rewrite the participations in
    a transaction of their own, then remove every earlier row version from the table files.

    ``erase_write_order`` gave the ballots one stamp and a random place, but the row versions
    written while people voted stay in the table files (a plain VACUUM only marks their space
    free; the bytes stay in the pages) until the table is rewritten. Here:

    1. in one transaction, the counted receipts are listed and every participation of the
       cycle is rewritten (so it shares no ``xmin`` with any ballot: the ballots carry the close
       transaction's, the participations this one's);
    2. after commit (VACUUM cannot run in a transaction), ``VACUUM FULL`` rewrites the ballot,
       choice, participation and receipt tables into new files holding only the live rows, in
       their current (shuffled) order; the old files are deleted.

    Step 1 runs once (a public RECEIPTS_LISTED event marks it). Step 2 must run outside a
    transaction (the close task); inside one it is left for a later call and False is returned.
    Also False while a transaction that was running when step 1 committed, or a snapshot of
    this database taken before, still exists (VACUUM would have to keep the old versions for
    it), or a table stayed locked: ``close_due_voting`` calls again every minute. Idempotent;
    True once sealed (a public BALLOTS_SEALED event). On SQLite (the demo) only step 1 runs.
    """
    sealed = AuditEvent.objects.filter(cycle=cycle, event_type=AuditEvent.Type.BALLOTS_SEALED)
    if sealed.exists():
        return True
    scopes = list(cycle.scopes.order_by("pk"))
    listed = AuditEvent.objects.filter(cycle=cycle, event_type=AuditEvent.Type.RECEIPTS_LISTED)
    if not listed.exists():  # once: a rewrite on every retry would chase its own tail
        with transaction.atomic():
            counts = {scope.slug: list_counted_receipts(scope=scope) for scope in scopes}
            Participation.objects.filter(scope__in=scopes).update(channel=F("channel"))
            record_audit_event(
                cycle=cycle,
                event_type=AuditEvent.Type.RECEIPTS_LISTED,
                is_public=True,
                receipts=counts,
            )
    if connection.vendor != "postgresql":
        return False  # SQLite (the demo) keeps freed pages in its file: nothing is sealed there
    if connection.in_atomic_block or not _vacuum_full(scope_ids=[scope.pk for scope in scopes]):
        return False
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.BALLOTS_SEALED,
        is_public=True,
        tables=list(SEALED_TABLES),
    )
    return True


# True when no transaction still running, and no snapshot of another session of this database,
# is as old as the newest transaction that wrote the scopes' rows (the seal's rewrite, or a later
# write): then every earlier row version is invisible to all, and VACUUM FULL drops it. Row ids
# (xid) are compared by age; a snapshot's xmin (xid8) is brought to an xid first.
_OLD_VERSIONS_REMOVABLE = f"""
WITH written AS (
    SELECT min(age(xmin)) AS newest FROM (
        SELECT xmin FROM {Ballot._meta.db_table} WHERE scope_id = ANY(%(scopes)s)
        UNION ALL
        SELECT c.xmin FROM {BallotChoice._meta.db_table} c
        JOIN {Ballot._meta.db_table} b ON b.id = c.ballot_id WHERE b.scope_id = ANY(%(scopes)s)
        UNION ALL
        SELECT xmin FROM {Participation._meta.db_table} WHERE scope_id = ANY(%(scopes)s)
        UNION ALL
        SELECT xmin FROM {CountedReceipt._meta.db_table} WHERE scope_id = ANY(%(scopes)s)
    ) AS rows
)
SELECT newest IS NULL OR (
    age(((pg_snapshot_xmin(pg_current_snapshot())::text::bigint %% 4294967296)::text)::xid)
        < newest
    AND NOT EXISTS (
        SELECT 1 FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND backend_xmin IS NOT NULL AND age(backend_xmin) >= newest
    )
) FROM written
"""  # noqa: S608 (table names)


def _vacuum_full(*, scope_ids: list[int]) -> bool:
    """VACUUM FULL the sealed tables once no session can still see the old row versions of
    ``scope_ids`` (VACUUM would have to keep them). False if it did not run or could not lock."""
    with connection.cursor() as cursor:
        cursor.execute(_OLD_VERSIONS_REMOVABLE, {"scopes": scope_ids})
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(f"SET lock_timeout = '{VACUUM_LOCK_TIMEOUT}'")
        try:
            for table in SEALED_TABLES:
                cursor.execute(f"VACUUM (FULL, ANALYZE) {connection.ops.quote_name(table)}")
        except OperationalError:  # lock not granted in time
            return False
        finally:
            cursor.execute("RESET lock_timeout")
    return True
