"""Predicates about funded projects (registrations live in rules.py)."""

import rules

from implementation.selectors import is_funded_project
from implementation.selectors import took_part_in_project as took_part


@rules.predicate
def project_is_funded(user, proposal) -> bool:
    """A published result funded this proposal (the projects whose implementation is tracked)."""
    return proposal is not None and is_funded_project(proposal=proposal)


@rules.predicate
def took_part_in_project(user, proposal) -> bool:
    """Voted on the project's ballot (never what they chose), endorsed it or wrote it."""
    return proposal is not None and took_part(user=user, proposal=proposal)
