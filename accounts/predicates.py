import rules


@rules.predicate
def has_resident_profile(user) -> bool:
    return user.is_authenticated and hasattr(user, "resident_profile")


@rules.predicate
def is_verified_resident(user) -> bool:
    profile = getattr(user, "resident_profile", None) if user.is_authenticated else None
    return profile is not None and profile.verified_at is not None
