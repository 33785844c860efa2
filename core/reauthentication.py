"""Re-authentication before the gravest staff acts (publishing results, closing a vote early,
cutting a budget, exporting personal data), through allauth's own flow.

``require_recent_login(request)`` passes if the user entered their password or second factor
within ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds (allauth's default, 5 minutes), and otherwise
raises allauth's ``ReauthenticationRequired``: allauth's AccountMiddleware keeps the request
(a POST with its data), asks for the password (or the authenticator code) and then replays it.
A logging in does not count: only an explicit re-authentication does.
"""

from allauth.account.decorators import reauthentication_required
from django.http import HttpRequest
from django.http import HttpResponse


def _proceed(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)


# allauth's public decorator, around a view that does nothing: it raises when re-authentication
# is due (app "" = always required for these acts, whatever ACCOUNT_REAUTHENTICATION_REQUIRED).
_check = reauthentication_required(_proceed)


def require_recent_login(request: HttpRequest) -> None:
    """Raise ``ReauthenticationRequired`` unless ``request.user`` re-authenticated recently."""
    _check(request)
