"""Writes for proposals, one module per concern.

- ``submission``: create, edit, submit and withdraw a proposal (residents).
- ``discussion``: comments, endorsements and reports (residents).
- ``moderation``: hiding comments and proposals with a public reason, the reports queue (staff).
- ``review``: the council's feasibility review and decision.
"""

from typing import TYPE_CHECKING

from core.exceptions import ApplicationError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ProposalError(ApplicationError):
    """A proposal rule refused an action; ``field`` names the form field it is about, if any."""

    def __init__(
        self, message: "StrOrPromise", *, code: str = "invalid", field: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.field = field
