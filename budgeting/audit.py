"""The one writer of the audit log. Imports models only, so every app's services may call it."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle


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
    """Write one audit event. ``parameters`` must never hold what a person chose on a ballot."""
    return AuditEvent.objects.create(
        cycle=cycle,
        event_type=event_type,
        actor=actor if actor is not None and actor.is_authenticated else None,
        is_public=is_public,
        reason=reason,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=str(subject.pk) if subject is not None else "",
        parameters=parameters,
    )


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
