"""The site's own page when a form's CSRF check fails (Django's default has an inline style,
which the strict CSP blocks, and no way back)."""

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: say what happened and what to do, in the site's layout; 403."""
    return render(
        request,
        "403_csrf.html",
        {"no_cookie": reason == "CSRF cookie not set."},
        status=403,
    )
