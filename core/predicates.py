"""Predicates about the user alone, which every app asks (registrations live in each rules.py)."""

from typing import Any

import rules


@rules.predicate  # type: ignore[untyped-decorator]  # rules.predicate is unannotated
def is_staff_member(user: Any) -> bool:
    """The budget office: Django's ``is_staff`` (MFA is required for it by accounts' middleware)."""
    return bool(user.is_authenticated and user.is_staff)
