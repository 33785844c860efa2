"""Ballot submissions go straight to ``submit_ballot_directly``, ahead of the rest of the stack.

Placed right after Django's SecurityMiddleware and WhiteNoise (so HTTPS redirects and security
headers still apply), this checks one thing on every request (a POST whose path ends in
``/submit/``) and otherwise costs nothing. What the direct path does not answer goes on to the
full stack unchanged.
"""

from django.urls import Resolver404
from django.urls import resolve

from voting.views import submit_ballot_directly

SUBMIT_URL_NAME = "voting:ballot-submit"


class BallotSubmitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info.endswith("/submit/"):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is not None and match.view_name == SUBMIT_URL_NAME:
                request.resolver_match = match  # as Django's handler would (metrics, logs)
                response = submit_ballot_directly(request, **match.kwargs)
                if response is not None:
                    return response
        return self.get_response(request)
