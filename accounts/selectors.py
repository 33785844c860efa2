from django.db.models import QuerySet
from django.db.models.functions import Lower

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
