"""A public fingerprint of an election's input.

``fingerprint(tally_input, meta)`` is the SHA-256 (lowercase hex) of exactly the UTF-8 bytes of the
canonical ``.pb`` text that :func:`budgeting.tally.pabulib.write_pb` produces for the same
arguments. Publish that file, and anyone can check it with ``sha256sum file.pb``. The canonical
text does not depend on the order in which ballots were stored (ballots are sorted and numbered
1..n), so the fingerprint does not either.
"""

from __future__ import annotations

import hashlib

from budgeting.tally.pabulib import write_pb
from budgeting.tally.types import TallyInput


def fingerprint(tally_input: TallyInput, meta: dict[str, str] | None = None) -> str:
    """SHA-256 hex digest of the canonical ``.pb`` text of ``tally_input`` with ``meta``."""
    return hashlib.sha256(write_pb(tally_input, meta).encode("utf-8")).hexdigest()
