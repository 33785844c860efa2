"""The ballot write inside PostgreSQL: the one place the SQL of ``budgeting_cast_ballot()`` lives.

``voting.services.ballots.submit_ballot`` decides every ballot write: it checks eligibility and
the ballot rule in Python, then on PostgreSQL calls this function (``CAST_BALLOT_CALL``), which
does the part that must happen under the per-person lock in one statement (one round trip and,
outside a transaction, its own transaction). On SQLite (the demo) the same service does the same
steps with the ORM; tests/voting/test_ballot_path_parity.py requires both to leave identical
rows.

The function writes its audit events and its receipt e-mail through the SQL twins of the Python
writers, defined next to them and installed by their apps' migrations:
``budgeting_record_audit_event()`` (``budgeting.audit``) and ``notifications_enqueue_email()``
(``notifications.services``).

Migration voting 0001 installs ``CAST_BALLOT_FUNCTION`` (CREATE OR REPLACE) from this module and
voting 0002 installs it again (the receipt moved from the ballot to the participation); budgeting
0007 keeps the first version as history. Voting 0003 (the person key, a 13th parameter) drops the
12-parameter function and installs this text; on a fresh database 0001 and 0002 already install
it (PL/pgSQL checks columns only when it runs). A change here needs a new migration that installs
the text again. This module imports nothing, so a migration can load it.
"""

CAST_BALLOT_FUNCTION = r"""
CREATE OR REPLACE FUNCTION budgeting_cast_ballot(
    p_user_id bigint,
    p_scope_id bigint,
    p_channel text,
    p_now timestamptz,
    p_voting_phase text,
    p_voter_key text,
    p_ballot_id uuid,
    p_receipt text,
    p_proposal_ids bigint[],
    p_points integer[],
    p_audit jsonb,
    p_outbox jsonb,
    p_person_key text
) RETURNS TABLE (outcome text, ballot_id uuid, is_change boolean, counted_channel text)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_participation_id bigint;
    v_created boolean;
    v_channel text;
    v_voted_at timestamptz;
    v_cycle_id bigint;
    v_phase text;
    v_start timestamptz;
    v_end timestamptz;
    v_ballot_id uuid;
    v_is_change boolean;
BEGIN
    -- 1. The per-person lock across channels: create the participation row if missing and
    --    lock it (ON CONFLICT DO UPDATE locks an existing row like SELECT ... FOR UPDATE).
    --    The lock is the person key (a verified phone number, a census/ID reference, or the
    --    account), so two accounts, a code, a kiosk and paper for one person meet on one row.
    --    An account's row written under another key (before its phone was verified) takes the
    --    current key first, unless that key already has a row of its own.
    --    Two requests of one person first queue on a transaction lock of (scope, person key):
    --    ON CONFLICT arbitrates the person key's index only, and a race on the account's own
    --    unique index (user, scope) would otherwise end in an error instead of a refusal.
    PERFORM pg_advisory_xact_lock(hashtextextended(p_scope_id::text || ':' || p_person_key, 0));
    IF p_user_id IS NOT NULL THEN
        UPDATE budgeting_participation SET person_key = p_person_key
        WHERE user_id = p_user_id AND scope_id = p_scope_id
            AND person_key IS DISTINCT FROM p_person_key
            AND NOT EXISTS (SELECT 1 FROM budgeting_participation q
                            WHERE q.person_key = p_person_key AND q.scope_id = p_scope_id);
    END IF;
    INSERT INTO budgeting_participation AS p (user_id, scope_id, channel, person_key)
    VALUES (p_user_id, p_scope_id, p_channel, p_person_key)
    ON CONFLICT (person_key, scope_id) WHERE person_key IS NOT NULL
        DO UPDATE SET person_key = EXCLUDED.person_key
    RETURNING p.id, p.channel, p.voted_at, (p.xmax = 0)
    INTO v_participation_id, v_channel, v_voted_at, v_created;

    -- 2. The voting window, read after the lock. Open means BudgetCycle.allows(Feature.VOTE):
    --    the voting phase and start <= now < end, where "now" is the later of the app's clock
    --    (p_now, read just before the call) and the database's clock (read now).
    SELECT c.id, c.phase, c.voting_start_at, c.voting_end_at
    INTO v_cycle_id, v_phase, v_start, v_end
    FROM budgeting_ballotscope s JOIN budgeting_budgetcycle c ON c.id = s.cycle_id
    WHERE s.id = p_scope_id;
    IF v_phase IS DISTINCT FROM p_voting_phase OR p_now < v_start
            OR greatest(p_now, clock_timestamp()) >= v_end THEN
        IF v_created THEN  -- store nothing at all
            DELETE FROM budgeting_participation WHERE id = v_participation_id;
        END IF;
        RETURN QUERY SELECT 'voting_closed'::text, NULL::uuid, false, v_channel;
        RETURN;
    END IF;

    -- 3. One ballot per person across channels: the first one counts; the conflict is audited.
    IF v_voted_at IS NOT NULL AND (p_channel <> 'online' OR v_channel <> 'online') THEN
        PERFORM budgeting_record_audit_event(
            p_event_type => p_audit->>'conflict_event',
            p_is_public => false,
            p_cycle_id => v_cycle_id,
            p_subject_type_id => (p_audit->>'subject_type_id')::integer,
            p_subject_id => p_scope_id::text,
            p_actor_id => (p_audit->>'actor_id')::bigint,
            p_parameters => jsonb_build_object('counted_channel', v_channel,
                                               'refused_channel', p_channel),
            p_created_at => p_now);
        RETURN QUERY SELECT 'already_voted'::text, NULL::uuid, false, v_channel;
        RETURN;
    END IF;

    -- 4. Insert the ballot, or take the existing one; replace its choices in place (nothing
    --    about the earlier contents is kept). The ballot holds no receipt: the new receipt is
    --    the participation's (who voted, never what).
    INSERT INTO budgeting_ballot AS b (id, voter_key, scope_id)
    VALUES (p_ballot_id, p_voter_key, p_scope_id)
    ON CONFLICT (voter_key, scope_id) DO UPDATE SET voter_key = EXCLUDED.voter_key
    RETURNING b.id INTO v_ballot_id;
    v_is_change := v_ballot_id <> p_ballot_id;
    IF v_is_change THEN
        DELETE FROM budgeting_ballotchoice WHERE budgeting_ballotchoice.ballot_id = v_ballot_id;
    END IF;
    INSERT INTO budgeting_ballotchoice (id, ballot_id, proposal_id, points)
    SELECT gen_random_uuid(), v_ballot_id, c.proposal_id, c.points
    FROM unnest(p_proposal_ids, p_points) AS c(proposal_id, points);

    UPDATE budgeting_participation SET voted_at = p_now, channel = p_channel, receipt = p_receipt
    WHERE id = v_participation_id;

    -- 5. That a ballot changed, never what it holds nor whose it is.
    IF v_is_change THEN
        PERFORM budgeting_record_audit_event(
            p_event_type => p_audit->>'changed_event',
            p_is_public => false,
            p_cycle_id => v_cycle_id,
            p_subject_type_id => (p_audit->>'subject_type_id')::integer,
            p_subject_id => p_scope_id::text,
            p_created_at => p_now);
    END IF;

    -- 6. The receipt e-mail, in the transactional outbox (sent after commit); none for a person
    --    without an account (their receipt is shown on the screen or the paper slip).
    IF p_outbox IS NOT NULL THEN
    PERFORM notifications_enqueue_email(
        p_template => p_outbox->>'template',
        p_context => (p_outbox->'context') || jsonb_build_object('is_change', v_is_change),
        p_to_email => p_outbox->>'to_email',
        p_language => p_outbox->>'language',
        p_recipient_id => (p_outbox->>'recipient_id')::bigint,
        p_dedupe_key => p_outbox->>'dedupe_key',
        p_is_secret => (p_outbox->>'is_secret')::boolean,
        p_created_at => p_now);
    END IF;

    RETURN QUERY SELECT 'stored'::text, v_ballot_id, v_is_change, p_channel;
END
$fn$;
"""

# What submit_ballot runs (server-side binding: the statement text never holds the choices).
CAST_BALLOT_CALL = (
    "SELECT outcome, ballot_id, is_change, counted_channel FROM budgeting_cast_ballot("
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)

# The signature of the function before the person key (dropped by voting 0003).
DROP_TWELVE_PARAMETER_FUNCTION = (
    "DROP FUNCTION IF EXISTS budgeting_cast_ballot(bigint, bigint, text, timestamptz, text, "
    "text, uuid, text, bigint[], integer[], jsonb, jsonb)"
)
