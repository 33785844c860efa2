"""Predicates of the channels app."""

import rules

from channels.models import Office
from channels.services import is_officer_at
from core.predicates import is_staff_member


@rules.predicate
def is_officer_of(user, office: Office | None) -> bool:
    """Posted at the office, or a district officer of its 구 (``channels.services``)."""
    return office is not None and is_officer_at(user=user, office=office)


is_office_officer = is_staff_member & is_officer_of
