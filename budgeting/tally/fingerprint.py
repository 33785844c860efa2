"""The public fingerprint of an election's input: the one place it is computed.

``canonical_pb(tally_input, meta)`` gives the canonical ``.pb`` text that
:func:`budgeting.tally.pabulib.write_pb` writes for the same arguments and its fingerprint, the
SHA-256 (lowercase hex) of exactly that text's UTF-8 bytes. The count keeps both: the text is the
``.pb`` download, so anyone can check it with ``sha256sum file.pb``. The canonical text does not
depend on the order in which ballots were stored (ballots are sorted and numbered 1..n), so the
fingerprint does not either.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from budgeting.tally.pabulib import write_pb
from budgeting.tally.types import TallyInput


class CanonicalPb(NamedTuple):
    text: str
    fingerprint: str


def canonical_pb(tally_input: TallyInput, meta: dict[str, str] | None = None) -> CanonicalPb:
    """The canonical ``.pb`` text of ``tally_input`` with ``meta``, and its SHA-256 hex digest."""
    text = write_pb(tally_input, meta)
    return CanonicalPb(text, hashlib.sha256(text.encode("utf-8")).hexdigest())
