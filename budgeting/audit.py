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
