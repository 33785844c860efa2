"""Every budgeting model, importable from one path: ``from budgeting.models import Ballot``."""

from .audit import AuditEvent
from .council import CouncilMembership
from .cycles import BudgetCycle
from .cycles import PolicyArea
from .scopes import BallotScope
from .scopes import District

__all__ = [
    "AuditEvent",
    "BallotScope",
    "BudgetCycle",
    "CouncilMembership",
    "District",
    "PolicyArea",
]
