from core.exceptions import ApplicationError


class ProfileError(ApplicationError):
    """A profile change that is not allowed now."""
