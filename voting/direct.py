"""The direct path of a ballot POST, for every channel: Django's own middleware objects run by
hand around one function that stores the ballot, ahead of the rest of the stack.

``voting.middleware`` (online ballots) and ``channels.middleware`` (ballots cast with a voting
code) hand their POST to ``answer_directly`` with the view that would otherwise answer it and a
``store`` function. On the way in run the session, the language, the CSRF check (against that
view, including Origin) and a lazy ``request.user``; ``store`` then answers a stored ballot, or
returns None to hand the request on to the full stack (which answers it as it always has). On
the way out, in reverse order, run what the full stack would do to its answer (a redirect, or the
CSRF failure page): X-Frame-Options, the CSRF cookie if it must change, Content-Length, the
language and session headers (and the session, were it changed).
"""

from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.locale import LocaleMiddleware

from core.middleware import names_with_control_characters


def _not_called(request):
    """The ``get_response`` of the middleware objects below: the direct path calls their hooks
    itself and never their chain."""
    raise NotImplementedError


# Django's own middleware, as MIDDLEWARE lists them.
_session = SessionMiddleware(_not_called)
_locale = LocaleMiddleware(_not_called)
_csrf = CsrfViewMiddleware(_not_called)
_auth = AuthenticationMiddleware(_not_called)
REQUEST_HOOKS = (
    _session.process_request,
    _locale.process_request,
    _csrf.process_request,
    _auth.process_request,
)
RESPONSE_HOOKS = (
    XFrameOptionsMiddleware(_not_called).process_response,
    _csrf.process_response,
    CommonMiddleware(_not_called).process_response,
    _locale.process_response,
    _session.process_response,
)


def respond(request, response: HttpResponse) -> HttpResponse:
    """``response`` as the full stack's response hooks would leave it."""
    for hook in RESPONSE_HOOKS:
        # each hands back the response it was given, or (Common, Locale) a redirect
        response = cast("HttpResponse", hook(request, response))
    return response


def answer_directly(
    request, *, view: Callable, store: Callable[..., HttpResponse | None]
) -> HttpResponse | None:
    """Run the request hooks, the CSRF check against ``view``, then ``store(request)``; the
    answer with the response hooks run, or None to hand the request on to the full stack.
    Without a session cookie there is nobody to vote (an account, a typed code): None; a
    parameter holding a control character goes on to the full stack, which refuses it (400)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    if names_with_control_characters(request.GET) or names_with_control_characters(request.POST):
        return None  # the full stack's ControlCharacterGuardMiddleware answers 400
    for hook in REQUEST_HOOKS:
        hook(request)
    response: HttpResponse | None = _csrf.process_view(request, view, (), {})
    if response is None:
        response = store(request)
    if response is None:
        return None
    return respond(request, response)
