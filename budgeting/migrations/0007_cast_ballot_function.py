"""budgeting_cast_ballot(): the write of one ballot in one statement (PostgreSQL only).

``voting.services.ballots.submit_ballot`` checks eligibility and the ballot rule in Python,
then calls this function, which does the part that must happen under the per-person lock:
lock (or create) the person's participation row, read the voting window *after* the lock, refuse
a second ballot by another channel (with an audit event), insert or re-receipt the ballot, replace
its choices, stamp the participation, record "a ballot changed" and queue the receipt e-mail in
the outbox. One statement is one round trip and, outside a transaction, its own transaction.
On SQLite (the demo) the service does the same steps with the ORM.
"""

from django.db import migrations

CREATE = r"""
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
    p_outbox jsonb
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
    INSERT INTO budgeting_participation AS p (user_id, scope_id, channel)
    VALUES (p_user_id, p_scope_id, p_channel)
    ON CONFLICT (user_id, scope_id) DO UPDATE SET user_id = EXCLUDED.user_id
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
        INSERT INTO budgeting_auditevent (cycle_id, event_type, actor_id, is_public, reason,
                                          subject_type_id, subject_id, parameters, created_at)
        VALUES (v_cycle_id, p_audit->>'conflict_event', (p_audit->>'actor_id')::bigint, false, '',
                (p_audit->>'subject_type_id')::integer, p_scope_id::text,
                jsonb_build_object('counted_channel', v_channel, 'refused_channel', p_channel),
                p_now);
        RETURN QUERY SELECT 'already_voted'::text, NULL::uuid, false, v_channel;
        RETURN;
    END IF;

    -- 4. Insert the ballot, or take the existing one and give it a new receipt; replace its
    --    choices in place (nothing about the earlier contents is kept).
    INSERT INTO budgeting_ballot AS b (id, voter_key, scope_id, receipt)
    VALUES (p_ballot_id, p_voter_key, p_scope_id, p_receipt)
    ON CONFLICT (voter_key, scope_id) DO UPDATE SET receipt = EXCLUDED.receipt
    RETURNING b.id INTO v_ballot_id;
    v_is_change := v_ballot_id <> p_ballot_id;
    IF v_is_change THEN
        DELETE FROM budgeting_ballotchoice WHERE budgeting_ballotchoice.ballot_id = v_ballot_id;
    END IF;
    INSERT INTO budgeting_ballotchoice (id, ballot_id, proposal_id, points)
    SELECT gen_random_uuid(), v_ballot_id, c.proposal_id, c.points
    FROM unnest(p_proposal_ids, p_points) AS c(proposal_id, points);

    UPDATE budgeting_participation SET voted_at = p_now, channel = p_channel
    WHERE id = v_participation_id;

    -- 5. That a ballot changed, never what it holds nor whose it is.
    IF v_is_change THEN
        INSERT INTO budgeting_auditevent (cycle_id, event_type, actor_id, is_public, reason,
                                          subject_type_id, subject_id, parameters, created_at)
        VALUES (v_cycle_id, p_audit->>'changed_event', NULL, false, '',
                (p_audit->>'subject_type_id')::integer, p_scope_id::text, '{}'::jsonb, p_now);
    END IF;

    -- 6. The receipt e-mail, in the transactional outbox (sent after commit).
    INSERT INTO notifications_outboxmessage (recipient_id, to_email, language, template, context,
                                             dedupe_key, is_secret, created_at, attempts,
                                             last_error)
    VALUES ((p_outbox->>'recipient_id')::bigint, p_outbox->>'to_email', p_outbox->>'language',
            p_outbox->>'template',
            (p_outbox->'context') || jsonb_build_object('is_change', v_is_change),
            p_outbox->>'dedupe_key', (p_outbox->>'is_secret')::boolean, p_now, 0, '')
    ON CONFLICT (dedupe_key) DO NOTHING;

    RETURN QUERY SELECT 'stored'::text, v_ballot_id, v_is_change, p_channel;
END
$fn$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS budgeting_cast_ballot(bigint, bigint, text, timestamptz, text, text, "
    "uuid, text, bigint[], integer[], jsonb, jsonb);"
)


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("budgeting", "0006_implementation"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_function, drop_function)]
