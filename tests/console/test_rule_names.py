"""Korean pages name the counting rules in words, never by their code word ("greedy", "mes")."""

import re

import pytest
from django.urls import reverse

from budgeting.phases import Phase
from results.services.counting import tally_scope
from results.services.publication import publish_results
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope

pytestmark = pytest.mark.django_db

CODE_WORDS = re.compile(r"\b(greedy|mes|council_weighted|knapsack|approval|cumulative)\b", re.I)


def _visible_text(html: str) -> str:
    """The page's text as a person reads it: no tags, attributes, scripts or code samples."""
    html = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


def test_no_rule_code_word_on_the_korean_pages_of_a_counted_cycle(client, staff_user):
    cycle = make_cycle(phase=Phase.TALLYING, tally_rule="mes")  # compared with greedy
    scope, (a, b, c) = make_scope(cycle=cycle, budget_won=1_000, costs=[600, 400, 300])
    cast_ballots(scope=scope, ballots=[[a, b]] * 3 + [[c]] * 2)
    tally_scope(scope_id=scope.pk)
    client.force_login(staff_user)
    staff_pages = [
        reverse("results:staff-tally", kwargs={"slug": cycle.slug}),
        reverse("console:control", kwargs={"slug": cycle.slug}),
        reverse("console:wizard-step", kwargs={"slug": cycle.slug, "step": "count"}),
        reverse("console:wizard-step", kwargs={"slug": cycle.slug, "step": "ballot"}),
        reverse("console:wizard-summary", kwargs={"slug": cycle.slug}),
    ]
    publish_results(cycle_id=cycle.pk, actor=staff_user, reason="공개")
    public_pages = [
        cycle.get_absolute_url(),
        reverse("results:results-cycle", kwargs={"slug": cycle.slug}),
        reverse("results:results-scope", kwargs={"slug": cycle.slug, "scope_pk": scope.pk}),
    ]
    for url in staff_pages + public_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = CODE_WORDS.findall(_visible_text(response.content.decode()))
        assert not found, (url, found)
