"""Every budgeting model, importable from one path: ``from budgeting.models import Ballot``."""

from .audit import AuditEvent
from .council import CouncilMembership
from .cycles import BudgetCycle
from .cycles import PolicyArea
from .scopes import BallotScope
from .scopes import District
from .tallies import Allocation
from .tallies import ExportFile
from .tallies import TallyRun

__all__ = [
    "Allocation",
    "AuditEvent",
    "BallotScope",
    "BudgetCycle",
    "CouncilMembership",
    "District",
    "ExportFile",
    "PolicyArea",
    "TallyRun",
]
