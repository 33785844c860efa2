"""Spreadsheet-safe cells for every CSV (and any future XLSX) the platform writes.

A spreadsheet program runs a text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula: a proposal titled ``=HYPERLINK("https://evil.example")``
would become a live link in a council member's copy of the results (OWASP "CSV injection"). Such
text gets a leading apostrophe, which spreadsheets show as text and never evaluate.

Numbers stay numbers: an ``int``, ``float`` or ``Decimal`` is written as it is, so ``-5`` is the
number minus five in the sheet, not the text ``'-5``. Only text is neutralised, also text that
looks like a negative number (``"-5"`` becomes ``'-5``): the program cannot tell a typed title
from a number, and a title must stay a title.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | bool | None


def safe_cell(value: Cell) -> Cell:
    """``value`` as a cell a spreadsheet will never evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values: Iterable[Cell]) -> list[Cell]:
    return [safe_cell(value) for value in values]
