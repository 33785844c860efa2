from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Lower

from accounts.models import Consent
from accounts.models import ResidentProfile
from accounts.models import StaffRole
from accounts.models import User
from budgeting.selectors import is_council_member_anywhere


def get_resident_profile(*, user) -> ResidentProfile | None:
    if not user.is_authenticated:
        return None
    return ResidentProfile.objects.select_related("district").filter(user=user).first()


# Roles kept by apps above accounts (a city department's officials) that must use MFA too; each
# app registers its check when ready, so accounts never imports it.
_MFA_ROLE_CHECKS: list[Callable[[Any], bool]] = []


def register_mfa_role(check: Callable[[Any], bool]) -> None:
    if check not in _MFA_ROLE_CHECKS:
        _MFA_ROLE_CHECKS.append(check)


def has_review_or_staff_role(*, user) -> bool:
    """Staff, a council member of any cycle, or a registered role (a department official): the
    roles that must use MFA."""
    return user.is_authenticated and (
        user.is_staff
        or is_council_member_anywhere(user=user)
        or any(check(user) for check in _MFA_ROLE_CHECKS)
    )


def list_users_by_email(*, emails: set[str]) -> QuerySet[User]:
    """Users whose address matches one of ``emails`` (lower-case), ignoring case."""
    return (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .select_related("resident_profile")
    )


def has_consent(*, user, purpose: str) -> bool:
    """The person's current answer to one consent question (the newest one); no answer: no."""
    if not user.is_authenticated:
        return False
    latest = (
        Consent.objects.filter(user=user, purpose=purpose)
        .order_by("-recorded_at", "-pk")
        .values_list("granted", flat=True)
        .first()
    )
    return bool(latest)


def get_current_consents(*, user) -> dict[str, bool]:
    """Every purpose the person answered, with their current answer."""
    current: dict[str, bool] = {}
    for purpose, granted in (
        Consent.objects.filter(user=user)
        .order_by("recorded_at", "pk")
        .values_list("purpose", "granted")
    ):
        current[purpose] = granted
    return current


# Set on the user object of one request, so a page that asks many permissions reads roles once.
_STAFF_ROLES_CACHE = "_chamyeo_staff_roles"


def list_staff_roles(*, user) -> list[tuple[str, int | None]]:
    """``(role, district id)`` of every role ``user`` holds (none: an unscoped budget office)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, _STAFF_ROLES_CACHE, None)
    if cached is None:
        cached = list(StaffRole.objects.filter(user=user).values_list("role", "district_id"))
        setattr(user, _STAFF_ROLES_CACHE, cached)
    return cached


def is_budget_office_role(*, user) -> bool:
    """Holds the budget office role, or no role at all (staff from before roles existed)."""
    roles = list_staff_roles(user=user)
    return not roles or any(role == StaffRole.Role.BUDGET_OFFICE for role, _ in roles)


def has_staff_role(*, user, role: str) -> bool:
    return any(held == role for held, _ in list_staff_roles(user=user))


def officer_district_ids(*, user) -> set[int]:
    """The districts ``user`` is a district officer of."""
    return {
        district_id
        for role, district_id in list_staff_roles(user=user)
        if role == StaffRole.Role.DISTRICT_OFFICER and district_id is not None
    }


def is_office_staff(*, user) -> bool:
    """``is_staff`` and the budget office role (or none): the services' own check of the actor,
    which the views have already checked with a second factor (``accounts.predicates``)."""
    return bool(user.is_authenticated and user.is_staff and is_budget_office_role(user=user))
