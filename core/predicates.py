"""Predicates about the user alone, which every app asks (registrations live in each rules.py)."""

import rules


@rules.predicate
def is_staff_member(user) -> bool:
    """The budget office: Django's ``is_staff`` (MFA is required for it by accounts' middleware)."""
    return user.is_authenticated and user.is_staff
