"""Staff and council pages need a second factor (allauth.mfa) before they open."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.selectors import has_review_or_staff_role


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.CHAMYEO_MFA_REQUIRED_PREFIXES)

    def __call__(self, request):
        if (
            request.path.startswith(self.prefixes)
            and request.user.is_authenticated
            and has_review_or_staff_role(user=request.user)
            and not is_mfa_enabled(request.user, types=["totp"])
        ):
            messages.warning(
                request,
                _(
                    "Staff and council pages need two-factor authentication. "
                    "Set up an authenticator app to continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
