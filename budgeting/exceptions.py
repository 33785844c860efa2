from core.exceptions import ApplicationError


class PhaseTransitionError(ApplicationError):
    """A phase change that is not allowed (wrong order, cycle not ready)."""


class RulesFrozenError(ApplicationError):
    """The cycle's voting rules may not change once voting has opened."""
