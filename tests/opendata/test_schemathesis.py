"""Schemathesis against the served OpenAPI schema: at least 100 generated requests per operation
(valid and invalid parameters) on a city with a published cycle, a vote in progress, proposals in
every state, implementation updates, a cut and an audit trail. No answer may be a server error,
and every answer must match the schema (status code, content type, body, headers); invalid
input must be refused with a 4xx.
"""

import logging

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished
from django.core.signals import request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import negative_data_rejection
from schemathesis.specs.openapi.checks import response_headers_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from budgeting.models import TallyRun

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]
# Examples per operation: valid requests (filters, pages, ids, languages) and invalid ones.
EXAMPLES = {GenerationMode.POSITIVE: 100, GenerationMode.NEGATIVE: 50}


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, in this thread and inside the test's transaction.

    Like Django's test client, it must not close the database connection when a request ends
    (that would end the test transaction holding the city).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _strategy(operation, mode: GenerationMode, known: dict[str, list]):
    """Generated cases; for valid ones with a path parameter, half name a real object (so real
    bodies are checked against the schema) and half a generated id or slug."""
    generated = operation.as_strategy(generation_mode=mode)
    names = [p.name for p in operation.path_parameters]
    if mode is GenerationMode.NEGATIVE or not names:
        return generated
    real = st.sampled_from(known[names[0]]).flatmap(
        lambda value: operation.as_strategy(path_parameters={names[0]: value})
    )
    return st.one_of(real, generated)


def _run_operation(operation, mode: GenerationMode, known: dict[str, list]) -> int:
    calls = 0

    @given(case=_strategy(operation, mode, known))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        nonlocal calls
        calls += 1
        case.call_and_validate(checks=CHECKS)

    check()
    return calls


@pytest.mark.slow
@pytest.mark.django_db
def test_every_operation_answers_as_its_schema_says(city, wsgi_app, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")  # 4xx are expected by the hundred
    proposals = [*city.on_ballot, city.rejected, city.infeasible, city.merged, city.hidden]
    known = {
        "slug": [city.published.slug, city.voting.slug, city.draft.slug],
        "proposal_id": [p.pk for p in [*proposals, city.withdrawn, city.draft_proposal]],
        "result_id": list(TallyRun.objects.values_list("pk", flat=True)),
    }
    # The schema as the site serves it (not as the code builds it).
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    failures = {}
    calls = {}
    for operation in operations:
        for mode in EXAMPLES:
            try:
                calls[operation.label, mode] = _run_operation(operation, mode, known)
            except Exception as error:
                failures[f"{operation.label} ({mode.value})"] = error
    assert not failures, "\n\n".join(f"{label}:\n{error}" for label, error in failures.items())
    assert set(calls.values()) == set(EXAMPLES.values())  # every operation got all its examples
