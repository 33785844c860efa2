"""Predicates of the channels app."""

import rules

from channels.models import Office
from channels.models import OfficeOfficer
from core.predicates import is_staff_member


@rules.predicate
def is_officer_of(user, office: Office | None) -> bool:
    return (
        office is not None
        and office.is_active
        and OfficeOfficer.objects.filter(user=user, office=office).exists()
    )


is_office_officer = is_staff_member & is_officer_of
