"""Won formatting the way Koreans read it: ₩1,234,000 in English, 1,234,000원 in Korean."""

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


def format_won(amount: Any, language: str | None = None) -> str:
    if amount is None or amount == "":
        return ""
    value = int(amount)
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,}"
    if (language or get_language() or "ko").startswith("ko"):
        return f"{sign}{digits}원"
    return f"{sign}₩{digits}"


def format_won_short(amount: Any, language: str | None = None) -> str:
    """Large sums in 만/억 (Korean) or millions/billions (English): 12억 3,400만원 / ₩1.23 bn."""
    if amount is None or amount == "":
        return ""
    value = int(amount)
    if (language or get_language() or "ko").startswith("ko"):
        eok, rest = divmod(value, 100_000_000)
        man = rest // 10_000
        parts = []
        if eok:
            parts.append(f"{eok:,}억")
        if man:
            parts.append(f"{man:,}만")
        return (" ".join(parts) + "원") if parts else f"{value:,}원"
    if value >= 1_000_000_000:
        return f"₩{value / 1_000_000_000:,.2f} bn"
    if value >= 1_000_000:
        return f"₩{value / 1_000_000:,.1f} m"
    return f"₩{value:,}"


@register.filter
def won(amount: Any) -> str:
    return format_won(amount)


@register.filter
def won_short(amount: Any) -> str:
    return format_won_short(amount)


@register.filter
def percent_of(part: Any, whole: Any) -> int:
    """Integer percentage for meters and bars (display only, never a decision)."""
    try:
        part_n, whole_n = int(part), int(whole)
    except (TypeError, ValueError):
        return 0
    if whole_n <= 0:
        return 0
    return max(0, min(100, part_n * 100 // whole_n))


@register.filter
def get_item(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    return (mapping or {}).get(key, "")
