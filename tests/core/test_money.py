import pytest

from core.templatetags.money import format_won
from core.templatetags.money import format_won_short


@pytest.mark.parametrize(
    ("amount", "language", "expected"),
    [
        (1_234_000, "ko", "1,234,000원"),
        (1_234_000, "en", "₩1,234,000"),
        (0, "ko", "0원"),
        (-5000, "en", "-₩5,000"),
    ],
)
def test_format_won(amount, language, expected):
    assert format_won(amount, language) == expected


@pytest.mark.parametrize(
    ("amount", "language", "expected"),
    [
        (5_000_000_000, "ko", "50억원"),
        (1_234_000_000, "ko", "12억 3,400만원"),
        (300_000_000, "ko", "3억원"),
        (5_000_000_000, "en", "₩5.00 bn"),
        (300_000_000, "en", "₩300.0 m"),
    ],
)
def test_format_won_short(amount, language, expected):
    assert format_won_short(amount, language) == expected
