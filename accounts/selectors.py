from django.db.models import QuerySet
from django.db.models.functions import Lower

from accounts.models import Consent
from accounts.models import ResidentProfile
from accounts.models import User
from budgeting.selectors import is_council_member_anywhere


def get_resident_profile(*, user) -> ResidentProfile | None:
    if not user.is_authenticated:
        return None
    return ResidentProfile.objects.select_related("district").filter(user=user).first()


def has_review_or_staff_role(*, user) -> bool:
    """Staff, or a council member of any cycle: the roles that must use MFA."""
    return user.is_authenticated and (user.is_staff or is_council_member_anywhere(user=user))


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
