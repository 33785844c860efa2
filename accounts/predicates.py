"""Predicates about residents and staff roles (registrations live in each app's rules.py)."""

import rules

from accounts.models import StaffRole
from accounts.selectors import has_staff_role
from accounts.selectors import is_budget_office_role
from accounts.selectors import officer_district_ids
from core.predicates import is_staff_member


@rules.predicate
def has_resident_profile(user) -> bool:
    """Signed in and has stated their district (the profile every part of taking part needs)."""
    return user.is_authenticated and hasattr(user, "resident_profile")


# --- staff roles (issue #14): each needs ``is_staff`` and a second factor first ------------------


@rules.predicate
def is_budget_office(user) -> bool:
    """The budget office: everything. Staff with no role at all count as the budget office."""
    return bool(is_staff_member(user) and is_budget_office_role(user=user))


@rules.predicate
def is_moderator(user) -> bool:
    """May hide proposals and comments: the budget office or a moderator."""
    return bool(
        is_budget_office(user)
        or (is_staff_member(user) and has_staff_role(user=user, role=StaffRole.Role.MODERATOR))
    )


@rules.predicate
def is_district_officer(user) -> bool:
    """A district officer of at least one 구 (what they may touch is ``acts_for_district``)."""
    return bool(is_staff_member(user) and officer_district_ids(user=user))


@rules.predicate
def is_department_official(user) -> bool:
    return bool(
        is_staff_member(user) and has_staff_role(user=user, role=StaffRole.Role.DEPARTMENT_OFFICIAL)
    )


def district_id_of(obj) -> int | None:
    """The district of a scope, a proposal (through its scope) or a district; None otherwise."""
    if obj is None:
        return None
    if obj.__class__.__name__ == "District":
        return obj.pk
    scope = getattr(obj, "scope", None)
    if scope is not None:
        return scope.district_id
    return getattr(obj, "district_id", None)


@rules.predicate
def acts_for_district(user, obj) -> bool:
    """The budget office for anything; a district officer for a scope or proposal of their 구
    (never a city-wide pot, which has no district); given a cycle, any district officer (the
    page then shows only their pots)."""
    if is_budget_office(user):
        return True
    if not is_district_officer(user):
        return False
    if obj is not None and obj.__class__.__name__ == "BudgetCycle":
        return True
    district_id = district_id_of(obj)
    return district_id is not None and district_id in officer_district_ids(user=user)


@rules.predicate
def is_any_staff(user) -> bool:
    """Any member of staff with a second factor, whatever their role."""
    return bool(is_staff_member(user))
