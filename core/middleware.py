"""Refuse requests whose parameters carry control characters, before any view sees them.

No form, search or filter on the site takes a NUL byte or another C0 control character: browsers
never send one from an input, PostgreSQL cannot store or compare a string that holds NUL (the
query fails: a server error), and the others only ever come from tools probing for bugs. Every
GET and POST parameter name and value is checked here once, instead of in each form, search and
admin filter; tab, line feed and carriage return stay allowed (text areas send them). The answer
is ``400 Bad Request`` with a page that says what was wrong; nothing is changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest
from django.http import HttpResponse
from django.http import JsonResponse
from django.http import QueryDict
from django.template.loader import render_to_string

# C0 controls except tab (\x09), line feed (\x0a) and carriage return (\x0d), and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def names_with_control_characters(params: QueryDict) -> list[str]:
    """The parameters whose name or a value holds a control character (names made printable)."""
    return [
        CONTROL_CHARACTERS.sub("?", key)
        for key, values in params.lists()
        if CONTROL_CHARACTERS.search(key)
        or any(isinstance(value, str) and CONTROL_CHARACTERS.search(value) for value in values)
    ]


class ControlCharacterGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = [("query", name) for name in names_with_control_characters(request.GET)]
        if request.method == "POST":
            refused += [("body", name) for name in names_with_control_characters(request.POST)]
        if refused and request.path.startswith("/api/"):
            # The open-data API answers as it documents a refused parameter: 422 with its place.
            return JsonResponse(
                {
                    "detail": [
                        {
                            "loc": [place, name],
                            "msg": "control characters are not allowed",
                            "type": "value_error",
                        }
                        for place, name in refused
                    ]
                },
                status=422,
            )
        if refused:
            return HttpResponse(
                render_to_string("400.html", {"control_characters": True}, request=request),
                status=400,
            )
        return self.get_response(request)
