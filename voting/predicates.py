"""Who may vote on a ballot (registrations live in rules.py)."""

import rules

from budgeting.models import BallotScope
from budgeting.selectors import get_ineligibility


@rules.predicate
def is_eligible_voter(user, scope) -> bool:
    return (
        isinstance(scope, BallotScope)
        and user.is_authenticated
        and get_ineligibility(user=user, scope=scope) is None
    )
