from django import template

from proposals.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render a resident's Markdown as sanitised HTML."""
    return render_markdown(text)
