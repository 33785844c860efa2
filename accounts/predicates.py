"""Predicates about residents (registrations live in each app's rules.py)."""

import rules


@rules.predicate
def has_resident_profile(user) -> bool:
    """Signed in and has stated their district (the profile every part of taking part needs)."""
    return user.is_authenticated and hasattr(user, "resident_profile")
