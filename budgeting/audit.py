"""The one writer of the audit log, and its hash chain. Imports models only, so every app's
services may call it.

The log is append-only and chained per cycle (events without a cycle form one chain of their
own). Each event's content (``audit_event_content``: its position, cycle, type, public flag,
subject, reason, parameters as the database renders them, and time; not the actor, whom the law
may require us to erase) is hashed (``content_sha256``), and ``chain_hash`` =
SHA-256(previous event's ``chain_hash`` + newline + ``content_sha256``); the first event of a
chain follows ``GENESIS``. On PostgreSQL a trigger (``AUDIT_CHAIN_SQL``, installed by migration
budgeting 0011) computes all of it on every insert, whichever writer inserts (this module's or
its SQL twin ``budgeting_record_audit_event()``), holding a per-chain advisory lock, so two
concurrent writers never fork a chain; other triggers refuse UPDATE and DELETE, except an
UPDATE that only clears the actor. Where there is no trigger (SQLite, the demo) this writer
computes the same in Python. ``verify_chain`` checks a chain (``manage.py verify_audit_chain``,
the public download).
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db import models
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle

GENESIS = "0" * 64
CONTENT_VERSION = "chamyeo-audit-v1"


def record_audit_event(
    *,
    event_type: AuditEvent.Type,
    is_public: bool,
    cycle: BudgetCycle | None = None,
    subject: models.Model | None = None,
    actor=None,
    reason: str = "",
    **parameters: Any,
) -> AuditEvent:
    """Write one audit event. ``parameters`` must never hold what a person chose on a ballot.

    ``created_at`` (a keyword parameter named so) backdates the event (the demo's history); by
    default it is now."""
    created_at = parameters.pop("created_at", None)
    event = AuditEvent(
        cycle=cycle,
        event_type=event_type,
        actor=actor if actor is not None and actor.is_authenticated else None,
        is_public=is_public,
        reason=reason,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=str(subject.pk) if subject is not None else "",
        parameters=parameters,
    )
    if created_at is not None:
        event.created_at = created_at
    if connection.vendor == "postgresql":
        event.save()  # the trigger chains it; read back what it set
        event.position, event.content_sha256, event.previous_hash, event.chain_hash = (
            AuditEvent.objects.filter(pk=event.pk)
            .values_list("position", "content_sha256", "previous_hash", "chain_hash")
            .get()
        )
        return event
    with transaction.atomic():  # SQLite: one writer at a time anyway
        chain = AuditEvent.objects.filter(cycle=cycle).order_by("-position")
        last = chain.values_list("position", "chain_hash").first()
        event.position = (last[0] if last else 0) + 1
        event.previous_hash = last[1] if last else GENESIS
        event.save()
        content = _entries(AuditEvent.objects.filter(pk=event.pk))[0].content or ""
        event.content_sha256 = sha256_hex(content)
        event.chain_hash = chain_hash(event.previous_hash, event.content_sha256)
        AuditEvent.objects.filter(pk=event.pk).update(
            content_sha256=event.content_sha256, chain_hash=event.chain_hash
        )
    return event


# --- the chain ------------------------------------------------------------------------------------
def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def chain_hash(previous_hash: str, content_sha256: str) -> str:
    return sha256_hex(f"{previous_hash}\n{content_sha256}")


def format_chain_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def audit_event_content(
    *,
    position: int,
    cycle_id: int | None,
    event_type: str,
    is_public: bool,
    subject_type: str,
    subject_id: str,
    reason: str,
    parameters_text: str,
    created_at: datetime,
) -> str:
    """The text whose SHA-256 is an event's ``content_sha256`` (the SQL trigger builds the same)."""
    return "\n".join(
        [
            CONTENT_VERSION,
            str(position),
            "" if cycle_id is None else str(cycle_id),
            event_type,
            "true" if is_public else "false",
            subject_type,
            subject_id,
            reason,
            parameters_text,
            format_chain_time(created_at),
        ]
    )


@dataclass(frozen=True)
class ChainEntry:
    """One event of a chain as a verifier sees it. ``content`` is None where it is not shown
    (a non-public event in the public download): then only its place in the chain is checked."""

    position: int
    content: str | None
    content_sha256: str
    previous_hash: str
    chain_hash: str
    event_id: int | None = None


@dataclass(frozen=True)
class ChainProblem:
    position: int
    event_id: int | None
    what: str


def _entries(events: models.QuerySet[AuditEvent]) -> list[ChainEntry]:
    rows = events.annotate(parameters_text=Cast("parameters", TextField())).values(
        "pk",
        "position",
        "cycle_id",
        "event_type",
        "is_public",
        "subject_type__app_label",
        "subject_type__model",
        "subject_id",
        "reason",
        "parameters_text",
        "created_at",
        "content_sha256",
        "previous_hash",
        "chain_hash",
    )
    entries = []
    for row in rows:
        label = row["subject_type__app_label"]
        content = audit_event_content(
            position=row["position"],
            cycle_id=row["cycle_id"],
            event_type=row["event_type"],
            is_public=row["is_public"],
            subject_type=f"{label}.{row['subject_type__model']}" if label else "",
            subject_id=row["subject_id"],
            reason=row["reason"],
            parameters_text=row["parameters_text"],
            created_at=row["created_at"],
        )
        entries.append(
            ChainEntry(
                position=row["position"],
                content=content,
                content_sha256=row["content_sha256"],
                previous_hash=row["previous_hash"],
                chain_hash=row["chain_hash"],
                event_id=row["pk"],
            )
        )
    return entries


def list_chain(*, cycle: BudgetCycle | None) -> list[ChainEntry]:
    """Every event of ``cycle``'s chain (or the chain of events without a cycle), in order."""
    return _entries(AuditEvent.objects.filter(cycle=cycle).order_by("position", "pk"))


def verify_chain(entries: Iterable[ChainEntry]) -> list[ChainProblem]:
    """What is wrong with a chain, event by event; an empty list when it holds."""
    problems = []
    previous = GENESIS
    expected_position = 1
    for entry in entries:
        where = (entry.position, entry.event_id)
        if entry.position != expected_position:
            problems.append(ChainProblem(*where, f"position {expected_position} expected"))
        if entry.content is not None and sha256_hex(entry.content) != entry.content_sha256:
            problems.append(ChainProblem(*where, "content does not match its hash"))
        if entry.previous_hash != previous:
            problems.append(ChainProblem(*where, "does not follow the previous event"))
        if chain_hash(entry.previous_hash, entry.content_sha256) != entry.chain_hash:
            problems.append(ChainProblem(*where, "chain hash is wrong"))
        previous = entry.chain_hash
        expected_position = entry.position + 1
    return problems


def get_chain_head(*, cycle: BudgetCycle) -> AuditEvent | None:
    return AuditEvent.objects.filter(cycle=cycle).order_by("-position").first()


# The same writer in SQL, for writes that run inside PostgreSQL (the ballot function in
# voting.ballot_sql): one row, the columns ``record_audit_event`` fills, the ids passed as the
# Python writer derives them (``subject_type_id`` of the subject's ContentType, ``subject_id``
# its pk as text, ``actor_id`` NULL for nobody). PL/pgSQL, not SQL: PostgreSQL keeps its plan
# for the session (a SQL function called from PL/pgSQL is planned again on every call, +0.1 ms a
# ballot). Installed by migration budgeting 0010; change the two together
# (tests/voting/test_ballot_path_parity.py compares the rows they write).
RECORD_AUDIT_EVENT_FUNCTION = r"""
CREATE OR REPLACE FUNCTION budgeting_record_audit_event(
    p_event_type text,
    p_is_public boolean,
    p_cycle_id bigint DEFAULT NULL,
    p_subject_type_id integer DEFAULT NULL,
    p_subject_id text DEFAULT '',
    p_actor_id bigint DEFAULT NULL,
    p_reason text DEFAULT '',
    p_parameters jsonb DEFAULT '{}',
    p_created_at timestamptz DEFAULT now()
) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO budgeting_auditevent (cycle_id, event_type, actor_id, is_public, reason,
                                      subject_type_id, subject_id, parameters, created_at)
    VALUES (p_cycle_id, p_event_type, p_actor_id, p_is_public, p_reason,
            p_subject_type_id, p_subject_id, p_parameters, p_created_at)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$fn$;
"""

DROP_RECORD_AUDIT_EVENT_FUNCTION = (
    "DROP FUNCTION IF EXISTS budgeting_record_audit_event("
    "text, boolean, bigint, integer, text, bigint, text, jsonb, timestamptz);"
)


# The chain and the append-only rule in the database (PostgreSQL), installed by migration
# budgeting 0011. budgeting_audit_event_content() builds exactly audit_event_content()'s text
# (tests/budgeting/test_audit_chain.py checks that every event written verifies in Python).
AUDIT_CHAIN_SQL = r"""
CREATE OR REPLACE FUNCTION budgeting_audit_event_content(e budgeting_auditevent)
RETURNS text LANGUAGE sql STABLE AS $fn$
    SELECT concat_ws(E'\n',
        'chamyeo-audit-v1',
        e.position::text,
        coalesce(e.cycle_id::text, ''),
        e.event_type,
        CASE WHEN e.is_public THEN 'true' ELSE 'false' END,
        coalesce((SELECT ct.app_label || '.' || ct.model FROM django_content_type ct
                  WHERE ct.id = e.subject_type_id), ''),
        e.subject_id,
        e.reason,
        e.parameters::text,
        to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
$fn$;

CREATE OR REPLACE FUNCTION budgeting_auditevent_chain() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    v_position bigint;
    v_previous text;
BEGIN
    -- One writer per chain at a time (held until commit): the next event reads this one.
    PERFORM pg_advisory_xact_lock(1668571245, coalesce(NEW.cycle_id, 0)::integer);
    IF NEW.cycle_id IS NULL THEN
        SELECT position, chain_hash INTO v_position, v_previous FROM budgeting_auditevent
        WHERE cycle_id IS NULL ORDER BY position DESC LIMIT 1;
    ELSE
        SELECT position, chain_hash INTO v_position, v_previous FROM budgeting_auditevent
        WHERE cycle_id = NEW.cycle_id ORDER BY position DESC LIMIT 1;
    END IF;
    NEW.position := coalesce(v_position, 0) + 1;
    NEW.previous_hash := coalesce(v_previous, repeat('0', 64));
    NEW.content_sha256 := encode(sha256(convert_to(budgeting_audit_event_content(NEW), 'UTF8')),
                                 'hex');
    NEW.chain_hash := encode(sha256(convert_to(NEW.previous_hash || E'\n' || NEW.content_sha256,
                                               'UTF8')), 'hex');
    RETURN NEW;
END
$fn$;

CREATE OR REPLACE FUNCTION budgeting_auditevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    -- The one change allowed: clearing the actor (a person's account erased).
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
            AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$fn$;

DROP TRIGGER IF EXISTS budgeting_auditevent_chain ON budgeting_auditevent;
CREATE TRIGGER budgeting_auditevent_chain BEFORE INSERT ON budgeting_auditevent
    FOR EACH ROW EXECUTE FUNCTION budgeting_auditevent_chain();
DROP TRIGGER IF EXISTS budgeting_auditevent_append_only ON budgeting_auditevent;
CREATE TRIGGER budgeting_auditevent_append_only BEFORE UPDATE OR DELETE ON budgeting_auditevent
    FOR EACH ROW EXECUTE FUNCTION budgeting_auditevent_append_only();
"""

# TRUNCATE skips row triggers, so it is refused by a statement trigger of its own, also when it
# comes by CASCADE from a table the log refers to. The test suite's connections (and only they)
# set ``chamyeo.allow_audit_truncate`` to empty the tables between tests (pytest-django's flush).
REFUSE_AUDIT_TRUNCATE_SQL = r"""
CREATE OR REPLACE FUNCTION budgeting_auditevent_no_truncate() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF coalesce(current_setting('chamyeo.allow_audit_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: TRUNCATE refused'
        USING ERRCODE = 'integrity_constraint_violation';
END
$fn$;

DROP TRIGGER IF EXISTS budgeting_auditevent_no_truncate ON budgeting_auditevent;
CREATE TRIGGER budgeting_auditevent_no_truncate BEFORE TRUNCATE ON budgeting_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION budgeting_auditevent_no_truncate();
"""

DROP_REFUSE_AUDIT_TRUNCATE_SQL = """
DROP TRIGGER IF EXISTS budgeting_auditevent_no_truncate ON budgeting_auditevent;
DROP FUNCTION IF EXISTS budgeting_auditevent_no_truncate();
"""

DROP_AUDIT_CHAIN_SQL = """
DROP TRIGGER IF EXISTS budgeting_auditevent_append_only ON budgeting_auditevent;
DROP TRIGGER IF EXISTS budgeting_auditevent_chain ON budgeting_auditevent;
DROP FUNCTION IF EXISTS budgeting_auditevent_append_only();
DROP FUNCTION IF EXISTS budgeting_auditevent_chain();
DROP FUNCTION IF EXISTS budgeting_audit_event_content(budgeting_auditevent);
"""

# Chains the events written before the chain existed (the migration, right after installing the
# triggers; the table's owner lifts the append-only rule for the while), in the order written.
BACKFILL_AUDIT_CHAIN_SQL = r"""
ALTER TABLE budgeting_auditevent DISABLE TRIGGER budgeting_auditevent_append_only;
DO $do$
DECLARE
    r record;
    v_position bigint;
    v_previous text;
    v_cycle bigint;
    v_first boolean := true;
    v_content text;
BEGIN
    FOR r IN SELECT id, cycle_id FROM budgeting_auditevent
             ORDER BY cycle_id NULLS FIRST, created_at, id LOOP
        IF v_first OR r.cycle_id IS DISTINCT FROM v_cycle THEN
            v_position := 0; v_previous := repeat('0', 64); v_cycle := r.cycle_id;
            v_first := false;
        END IF;
        v_position := v_position + 1;
        UPDATE budgeting_auditevent SET position = v_position, previous_hash = v_previous
        WHERE id = r.id;
        SELECT encode(sha256(convert_to(budgeting_audit_event_content(e), 'UTF8')), 'hex')
        INTO v_content FROM budgeting_auditevent e WHERE e.id = r.id;
        v_previous := encode(sha256(convert_to(v_previous || E'\n' || v_content, 'UTF8')), 'hex');
        UPDATE budgeting_auditevent SET content_sha256 = v_content, chain_hash = v_previous
        WHERE id = r.id;
    END LOOP;
END
$do$;
ALTER TABLE budgeting_auditevent ENABLE TRIGGER budgeting_auditevent_append_only;
"""
