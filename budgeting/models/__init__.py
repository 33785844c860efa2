"""Every budgeting model, importable from one path: ``from budgeting.models import Ballot``."""

from .audit import AuditEvent
from .ballots import Ballot
from .ballots import BallotChoice
from .ballots import Participation
from .council import CouncilMembership
from .cycles import BudgetCycle
from .cycles import PolicyArea
from .scopes import BallotScope
from .scopes import District
from .tallies import Allocation
from .tallies import ExportFile
from .tallies import ImportedElection
from .tallies import TallyRun

__all__ = [
    "Allocation",
    "AuditEvent",
    "Ballot",
    "BallotChoice",
    "BallotScope",
    "BudgetCycle",
    "CouncilMembership",
    "District",
    "ExportFile",
    "ImportedElection",
    "Participation",
    "PolicyArea",
    "TallyRun",
]
