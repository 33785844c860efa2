"""Domain errors shared by every app (HackSoft's ``ApplicationError``)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ApplicationError(Exception):
    """A business rule refused an action; ``message`` is safe to show to the user."""

    def __init__(self, message: "StrOrPromise", *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
