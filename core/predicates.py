"""Predicates about the user alone, which every app asks (registrations live in each rules.py)."""

from typing import Any

import rules
from allauth.mfa.utils import is_mfa_enabled

# Set on the user object of one request, so a page that asks many permissions reads the
# authenticators once.
_SECOND_FACTOR_CACHE = "_chamyeo_has_second_factor"


@rules.predicate  # type: ignore[untyped-decorator]  # rules.predicate is unannotated
def has_second_factor(user: Any) -> bool:
    """Whether the person set up an authenticator app (TOTP).

    allauth asks for the code at every login of such an account (also a login by e-mailed code),
    so a session of theirs has passed the second factor. Staff and council content (hidden
    proposals, cycles in preparation, reviewers' notes before publication) is shown only then;
    without it staff see the public version, whatever the URL (issue #16, item 4).
    """
    if not user.is_authenticated:
        return False
    cached = getattr(user, _SECOND_FACTOR_CACHE, None)
    if cached is None:
        cached = bool(is_mfa_enabled(user, types=["totp"]))
        setattr(user, _SECOND_FACTOR_CACHE, cached)
    return bool(cached)


@rules.predicate  # type: ignore[untyped-decorator]  # rules.predicate is unannotated
def is_staff_member(user: Any) -> bool:
    """The budget office: Django's ``is_staff`` with a second factor (an authenticator app).

    Staff without one are, for every permission, residents; their pages under ``/staff/`` and
    ``/admin/`` send them to set one up (accounts' middleware)."""
    return bool(user.is_authenticated and user.is_staff and has_second_factor(user))
