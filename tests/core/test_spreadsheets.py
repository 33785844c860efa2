from decimal import Decimal

import pytest

from core.spreadsheets import safe_cell
from core.spreadsheets import safe_row


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+82 10", "'+82 10"),
        ("-1", "'-1"),  # text that looks like a number is still text (a title stays a title)
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("공원 정비", "공원 정비"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(value, expected):
    assert safe_cell(value) == expected


def test_numbers_stay_numbers_also_negative_ones():
    assert safe_row([-5, -2.5, Decimal("-1.25"), 0, None, True]) == [
        -5,
        -2.5,
        Decimal("-1.25"),
        0,
        None,
        True,
    ]
