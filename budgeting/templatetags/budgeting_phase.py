from django import template

from budgeting.phases import Phase

register = template.Library()


@register.filter
def phase_label(value: str) -> str:
    try:
        return Phase(value).label
    except ValueError:
        return value
