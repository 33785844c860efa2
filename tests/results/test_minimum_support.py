"""Minimum support: a project nobody voted for is never funded (by default), a cycle may require
more (votes, or a share of the pot's ballots); the count, the results page and the downloads
say so, and the recompute program on the results page reproduces the published outcome."""

import contextlib
import html
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from budgeting.models import BudgetCycle
from budgeting.models import ExportFile
from results.reasons import describe_reason
from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.publication import publish_results
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope

pytestmark = pytest.mark.django_db


def _count(*, rule="greedy", minimum_votes=None, minimum_percent=None):
    """Budget 1,000,000; a (400k) on 3 ballots, b (300k) on 2, c (100k) on none: all fit."""
    cycle = make_cycle(tally_rule=rule)
    changes = {}
    if minimum_votes is not None:
        changes["minimum_support_votes"] = minimum_votes
    if minimum_percent is not None:
        changes["minimum_support_percent"] = minimum_percent
    BudgetCycle.objects.filter(pk=cycle.pk).update(**changes)
    cycle.refresh_from_db()
    scope, (a, b, c) = make_scope(
        cycle=cycle, budget_won=1_000_000, costs=[400_000, 300_000, 100_000]
    )
    cast_ballots(scope=scope, ballots=[[a]] * 3 + [[b]] * 2)
    run = tally_scope(scope_id=scope.pk)
    allocations = {x.proposal_id: x for x in run.allocations.all()}
    return cycle, scope, run, [allocations[p.pk] for p in (a, b, c)]


def test_a_project_nobody_voted_for_is_never_funded_by_default():
    _cycle, _scope, run, (a, b, c) = _count()
    assert (a.is_funded, b.is_funded, c.is_funded) == (True, True, False)
    assert run.allocated_won == 700_000  # 300,000 left over, c's 100,000 would have fitted
    assert c.reason_code == "below_minimum_support"
    with translation.override("en"):
        assert describe_reason(c) == "Not funded: nobody voted for it."


def test_lifting_the_minimum_funds_a_project_without_votes_that_fits():
    _cycle, _scope, _run, (_a, _b, c) = _count(minimum_votes=0)
    assert c.is_funded


@pytest.mark.parametrize(("votes", "percent"), [(3, 0), (1, 60)])
def test_a_project_below_the_minimum_support_is_not_funded_and_the_page_says_why(
    client, staff_user, votes, percent
):
    # 3 votes, or 60 % of 5 ballots (3): b's 2 votes are too few, a's 3 enough
    cycle, scope, _run, (a, b, _c) = _count(minimum_votes=votes, minimum_percent=percent)
    assert (a.is_funded, b.is_funded) == (True, False)
    assert b.reason_params == {"votes": 2, "minimum": 3}
    publish_results(cycle_id=cycle.pk, actor=staff_user)
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("results:results-scope", kwargs={"slug": cycle.slug, "scope_pk": scope.pk})
    ).content.decode()
    assert "Not funded: 2 votes, below the minimum support of 3 votes." in page
    assert "This cycle requires a minimum support: a project on fewer than 3 ballots" in page


def _download(client, cycle, scope, kind) -> bytes:
    response = client.get(
        reverse(
            "results:results-download",
            kwargs={"slug": cycle.slug, "scope_pk": scope.pk, "kind": kind},
        )
    )
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_the_results_pages_recompute_program_reproduces_the_outcome_from_the_download(
    client, staff_user, tmp_path, monkeypatch, rule
):
    cycle, scope, run, (a, b, c) = _count(rule=rule)
    publish_results(cycle_id=cycle.pk, actor=staff_user)
    for export in ExportFile.objects.filter(tally_run=run):
        build_export_file(export_file_id=export.pk)
    pb = _download(client, cycle, scope, "pb")
    assert "min_project_support;1" in pb.decode()
    summary = json.loads(_download(client, cycle, scope, "json"))
    assert summary["minimum_support_votes"] == 1
    reasons = {row["project_id"]: row["reason"] for row in summary["projects"]}
    assert reasons[str(c.proposal_id)] == "below_minimum_support"
    # the program as the page shows it, run on the downloaded file
    page = client.get(
        reverse("results:results-scope", kwargs={"slug": cycle.slug, "scope_pk": scope.pk})
    ).content.decode()
    program = html.unescape(re.search(r'recompute-code"[^>]*><code>(.*?)</code>', page, re.S)[1])
    pb_name = re.search(r'parse_pabulib\("([^"]+)"\)', program)[1]
    (tmp_path / pb_name).write_bytes(pb)
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(program, "recompute.py", "exec"), {})  # noqa: S102 (our own published program)
    funded = {str(x.proposal_id) for x in (a, b, c) if x.is_funded}
    assert printed.getvalue().strip() == str(sorted(funded))
    assert str(c.proposal_id) not in funded  # c fits but nobody voted for it
