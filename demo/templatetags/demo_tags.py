from django import template
from django.conf import settings

from demo.city import current_demo_totp_codes

register = template.Library()


@register.simple_tag
def demo_totp_codes() -> dict[str, str]:
    """The authenticator codes of the demo's staff and council accounts, in demo mode only."""
    return current_demo_totp_codes() if settings.CHAMYEO_DEMO_MODE else {}
