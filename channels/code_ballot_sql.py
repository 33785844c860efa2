"""A code ballot inside PostgreSQL: the one place the SQL of ``channels_cast_code_ballot()`` lives.

``channels.services.vote_with_code`` checks the ballot rule in Python, then on PostgreSQL calls
this function (``CAST_CODE_BALLOT_CALL``), the twin of ``budgeting_cast_ballot()``
(``voting.ballot_sql``) for a one-time voting code. In one statement (one round trip and,
outside a transaction, its own transaction) it

1. locks the code's row (only it: a lock on the batch or the cycle would hold every other
   code's ballot), and refuses a revoked code, a revoked batch, or a ballot the batch is not for
   (``invalid_code``), a code alone where the cycle asks for a verified phone
   (``phone_required``), and a code already spent on this ballot (``code_already_used``);
2. calls ``budgeting_cast_ballot()`` with the same parameters as ``submit_person_ballot`` does
   (the per-person lock, the voting window, one ballot per person across channels with its
   audit event, the ballot, its choices, the participation and its receipt);
3. spends the code (``channels_votingcodeuse``) only when the ballot was stored.

Its parameters are the code's id and whether a verified phone number was given, then those of
``budgeting_cast_ballot()`` in their order; it returns the same row. A code typed twice at the
same moment waits on the code row's lock, then sees the first one spent (each statement of a
PL/pgSQL function reads what was committed when it starts): one ballot.
On SQLite (the demo) ``vote_with_code`` does the same steps with the ORM, and
tests/channels/test_code_ballot_path_parity.py requires both to leave identical rows.

Migration channels 0002 installs ``CAST_CODE_BALLOT_FUNCTION``; a change here needs a new
migration that installs the text again. This module imports nothing, so a migration can load it.
"""

CAST_CODE_BALLOT_FUNCTION = r"""
CREATE OR REPLACE FUNCTION channels_cast_code_ballot(
    p_code_id bigint,
    p_phone_given boolean,
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
    v_requires_phone boolean;
    v_cast record;
BEGIN
    -- 1. The code: live, for this ballot, locked (FOR UPDATE OF c: the code's row only).
    SELECT cy.requires_phone INTO v_requires_phone
    FROM channels_votingcode c
    JOIN channels_votingcodebatch b ON b.id = c.batch_id
    JOIN budgeting_budgetcycle cy ON cy.id = b.cycle_id
    WHERE c.id = p_code_id AND c.revoked_at IS NULL AND b.revoked_at IS NULL
        AND EXISTS (SELECT 1 FROM channels_votingcodebatch_scopes s
                    WHERE s.votingcodebatch_id = b.id AND s.ballotscope_id = p_scope_id)
    FOR UPDATE OF c;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'invalid_code'::text, NULL::uuid, false, NULL::text;
        RETURN;
    END IF;
    IF v_requires_phone AND NOT p_phone_given THEN
        RETURN QUERY SELECT 'phone_required'::text, NULL::uuid, false, NULL::text;
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM channels_votingcodeuse u
               WHERE u.code_id = p_code_id AND u.scope_id = p_scope_id) THEN
        RETURN QUERY SELECT 'code_already_used'::text, NULL::uuid, false, NULL::text;
        RETURN;
    END IF;

    -- 2. The ballot, as submit_person_ballot writes it.
    SELECT * INTO v_cast FROM budgeting_cast_ballot(
        p_user_id, p_scope_id, p_channel, p_now, p_voting_phase, p_voter_key, p_ballot_id,
        p_receipt, p_proposal_ids, p_points, p_audit, p_outbox, p_person_key);

    -- 3. The code is spent with the ballot, in the same transaction (never without it).
    IF v_cast.outcome = 'stored' THEN
        INSERT INTO channels_votingcodeuse (code_id, scope_id) VALUES (p_code_id, p_scope_id);
    END IF;
    RETURN QUERY SELECT v_cast.outcome, v_cast.ballot_id, v_cast.is_change,
        v_cast.counted_channel;
END
$fn$;
"""

# What vote_with_code runs (server-side binding: the statement text never holds the choices).
CAST_CODE_BALLOT_CALL = (
    "SELECT outcome, ballot_id, is_change, counted_channel FROM channels_cast_code_ballot("
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
