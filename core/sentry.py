"""Error reports to Sentry (or a self-hosted GlitchTip), only when ``SENTRY_DSN`` is set.

A report must never carry what a person chose or who they are: the SDK's default PII is off
(``send_default_pii=False``), frames are sent without their local variables (a ballot's choices
are locals of the voting code), and ``scrub_event`` drops every request body (ballots, proposals,
passwords), cookies, the query string and identifying headers before anything leaves the server.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from core.request_id import REQUEST_ID

SENT_HEADERS = {"host", "user-agent", "accept", "accept-language", "content-type", "referer"}


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """``before_send``: keep what locates a fault (path, method, stack, request id), no more."""
    request = event.get("request")
    if isinstance(request, dict):
        for field in ("data", "cookies", "query_string", "env"):
            request.pop(field, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() in SENT_HEADERS}
    event.pop("user", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):  # SQL breadcrumbs may hold parameters
        breadcrumbs["values"] = [
            b for b in breadcrumbs.get("values") or [] if b.get("category") != "query"
        ]
    request_id = REQUEST_ID.get()
    if request_id != "-":
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    """Start the SDK with the Django and Celery integrations and the privacy settings above."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,  # type: ignore[arg-type]
        traces_sample_rate=traces_sample_rate,
    )
