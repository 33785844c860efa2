from typing import TYPE_CHECKING

from django import template

from budgeting.phases import Phase

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()


@register.filter
def phase_label(value: str) -> "StrOrPromise":
    try:
        return Phase(value).label
    except ValueError:
        return value
