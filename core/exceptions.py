"""Domain errors shared by every app (HackSoft's ``ApplicationError``)."""


class ApplicationError(Exception):
    """A business rule refused an action; ``message`` is safe to show to the user."""

    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code
