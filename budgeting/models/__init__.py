"""Every budgeting model, importable from one path: ``from budgeting.models import Ballot``."""

from .audit import AuditEvent
from .ballots import Ballot
from .ballots import BallotChoice
from .ballots import CountedReceipt
from .ballots import Participation
from .committee import DeclaredInterest
from .committee import Subcommittee
from .committee import SubcommitteeMember
from .council import CouncilMembership
from .cycles import BudgetCycle
from .cycles import PolicyArea
from .implementation import BudgetCut
from .implementation import ImplementationPhoto
from .implementation import ImplementationStatus
from .implementation import ImplementationUpdate
from .implementation import ProjectFollow
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
    "BudgetCut",
    "BudgetCycle",
    "CouncilMembership",
    "CountedReceipt",
    "DeclaredInterest",
    "District",
    "ExportFile",
    "ImplementationPhoto",
    "ImplementationStatus",
    "ImplementationUpdate",
    "ImportedElection",
    "Participation",
    "PolicyArea",
    "ProjectFollow",
    "Subcommittee",
    "SubcommitteeMember",
    "TallyRun",
]
