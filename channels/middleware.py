"""Ballots cast with a voting code go straight to ``vote_with_code_directly``, ahead of the rest
of the stack (as ``voting.middleware`` sends online ballots to ``submit_ballot_directly``).

Placed right after ``voting.middleware.BallotSubmitMiddleware`` (so HTTPS redirects and security
headers still apply), this checks one thing on every request (a POST whose path starts with
``/vote/code/ballots/``) and otherwise costs nothing. What the direct path does not answer goes
on to the full stack unchanged.
"""

from django.urls import Resolver404
from django.urls import resolve

from channels.views import vote_with_code_directly

CODE_BALLOT_URL_NAME = "channels:code-ballot"
CODE_BALLOT_PATH_PREFIX = "/vote/code/ballots/"


class CodeBallotMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info.startswith(CODE_BALLOT_PATH_PREFIX):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is not None and match.view_name == CODE_BALLOT_URL_NAME:
                request.resolver_match = match  # as Django's handler would (metrics, logs)
                response = vote_with_code_directly(request, **match.kwargs)
                if response is not None:
                    return response
        return self.get_response(request)
