import rules
from django import template

from proposals.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render a resident's Markdown as sanitised HTML."""
    return render_markdown(text)


@register.filter
def pct5(percent) -> int:
    """A percentage rounded down to a multiple of 5, for the ``pct-N`` width classes (CSP: no
    inline styles)."""
    try:
        value = int(percent)
    except (TypeError, ValueError):
        return 0
    return max(0, min(100, value - value % 5))


@register.simple_tag
def rule_allows(perm: str, user, obj=None) -> bool:
    """Like rules' ``has_perm`` tag, but without Django's superuser shortcut: a superuser is not
    the author of someone else's proposal, so buttons follow the same rules as the services."""
    return rules.has_perm(perm, user, obj)
