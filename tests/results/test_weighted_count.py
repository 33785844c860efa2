"""The weighted final score through the real pipeline: a count on a real worker, the results
page explaining every number, and the published recompute script reproducing the outcome from
the files downloaded from the site."""

import json
import subprocess
import sys
import time
from fractions import Fraction

import pytest
from django.urls import reverse

from accounts.models import User
from assembly.models import Assembly
from assembly.models import AssemblyBallot
from assembly.models import AssemblyChoice
from assembly.models import SurveyCount
from budgeting.models import Ballot
from budgeting.models import BudgetCycle
from budgeting.models import ExportFile
from budgeting.models import TallyRun
from proposals.models import CouncilScore
from proposals.models import RubricCriterion
from results.services.publication import publish_results
from results.tasks import tally_scope_task
from tests.accounts.factories import UserFactory
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope


def _weighted_election():
    """50 % online, 20 % committee, 10 % assembly, 10 % budget school, 10 % survey.

    Online points 10, 6, 4, 0 (of 20): by votes alone a (cost 600) then c (300) would be funded.
    """
    cycle = make_cycle(tally_rule="weighted")
    BudgetCycle.objects.filter(pk=cycle.pk).update(
        weight_online_percent=50,
        weight_committee_percent=20,
        weight_assembly_percent=10,
        weight_budget_school_percent=10,
        weight_survey_percent=10,
    )
    cycle.refresh_from_db()
    scope, (a, b, c, d) = make_scope(
        cycle=cycle, budget_won=1_000, costs=[600, 400, 300, 500], district_slug="w"
    )
    cast_ballots(scope=scope, ballots=[[a]] * 10 + [[b]] * 6 + [[c]] * 4)
    # two of the b ballots and one c ballot were cast by budget-school graduates (a tag)
    tagged = [
        *Ballot.objects.filter(scope=scope, choices__proposal=b)[:2],
        *Ballot.objects.filter(scope=scope, choices__proposal=c)[:1],
    ]
    Ballot.objects.filter(pk__in=[t.pk for t in tagged]).update(from_school_graduate=True)
    # committee rubric: b 8, d 2 (of 10)
    criterion = RubricCriterion.objects.create(cycle=cycle, name="필요성", max_points=10)
    member = UserFactory()
    for proposal, points in ((b, 8), (d, 2)):
        CouncilScore.objects.create(
            proposal=proposal, member=member, criterion=criterion, points=points
        )
    # assembly: 3 attendees approved b and d, 1 approved c
    assembly = Assembly.objects.create(
        cycle=cycle, title="총회", starts_at=cycle.voting_start_at, place="구청 대강당"
    )
    for chosen in ([b, d], [b, d], [b, d], [c]):
        ballot = AssemblyBallot.objects.create(assembly=assembly, scope=scope)
        AssemblyChoice.objects.bulk_create(
            AssemblyChoice(ballot=ballot, proposal=p) for p in chosen
        )
    SurveyCount.objects.create(proposal=d, count=30)
    SurveyCount.objects.create(proposal=a, count=10)
    return cycle, scope, (a, b, c, d)


def _expected_scores(a, b, c, d):
    half, fifth, tenth = Fraction(1, 2), Fraction(1, 5), Fraction(1, 10)
    return {
        a.pk: half * Fraction(10, 20) + tenth * Fraction(10, 40),
        b.pk: half * Fraction(6, 20)
        + fifth * Fraction(8, 10)
        + tenth * Fraction(3, 7)
        + tenth * Fraction(2, 3),
        c.pk: half * Fraction(4, 20) + tenth * Fraction(1, 7) + tenth * Fraction(1, 3),
        d.pk: fifth * Fraction(2, 10) + tenth * Fraction(3, 7) + tenth * Fraction(30, 40),
    }


def _wait_for_exports(run, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kinds = set(
            ExportFile.objects.filter(
                tally_run=run, status=ExportFile.Status.SUCCEEDED
            ).values_list("kind", flat=True)
        )
        if kinds == set(ExportFile.Kind.values):
            return
        time.sleep(0.2)
    raise AssertionError("the downloads were not built")


def _download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_weighted_count_on_a_worker_is_published_explained_and_recomputable(
    live_worker, client, tmp_path
):
    cycle, scope, (a, b, c, d) = _weighted_election()
    staff = User.objects.create_user(email="budget@example.org", password="x", is_staff=True)

    # when the count runs on a real worker
    run_id = tally_scope_task.delay(scope.pk).get(timeout=60)

    # then it stores every source's numbers and the combined score of every project
    run = TallyRun.objects.get(pk=run_id)
    assert run.rule == "weighted"
    assert run.status == TallyRun.Status.SUCCEEDED
    assert {name: s["weight_percent"] for name, s in run.sources.items()} == {
        "online": "50",
        "committee": "20",
        "assembly": "10",
        "budget_school": "10",
        "survey": "10",
    }
    assert run.sources["online"]["counts"] == {
        str(a.pk): 10,
        str(b.pk): 6,
        str(c.pk): 4,
        str(d.pk): 0,
    }
    assert run.sources["assembly"]["total"] == 7
    assert run.sources["budget_school"]["counts"][str(b.pk)] == 2
    expected = _expected_scores(a, b, c, d)
    stored = {x.proposal_id: Fraction(x.score) for x in run.allocations.all()}
    assert stored == expected
    # b (about 0.42) is funded first, then a (600) fits the 600 left; c and d do not
    funded = set(run.allocations.filter(is_funded=True).values_list("proposal_id", flat=True))
    assert funded == {a.pk, b.pk}

    # when the budget office publishes and the downloads are built (on the worker)
    publish_results(cycle_id=cycle.pk, actor=staff)
    _wait_for_exports(run)

    # then the results page shows per project every source, its weight and the combination
    kw = {"slug": cycle.slug, "scope_pk": scope.pk}
    page = client.get(reverse("results:results-scope", kwargs=kw), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "How each score was made" in html
    assert "General assembly vote (10 %)" in html
    assert "8 / 10 = 80.00 %" in html  # b's committee share
    assert str(expected[b.pk]) in html
    assert "recompute_weighted.py" in html

    # and anyone can recompute it from the files downloaded from the site
    sources_json = _download(client, reverse("results:weighted-sources", kwargs=kw))
    document = json.loads(sources_json)
    files = {name: s["file"] for name, s in document["sources"].items() if s["file"]}
    assert set(files) == {"online", "assembly", "budget_school"}
    (tmp_path / "sources.json").write_bytes(sources_json)
    (tmp_path / files["online"]).write_bytes(
        _download(client, reverse("results:results-download", kwargs={**kw, "kind": "pb"}))
    )
    for name in ("assembly", "budget_school"):
        (tmp_path / files[name]).write_bytes(
            _download(client, reverse("results:source-ballots", kwargs={**kw, "source": name}))
        )
    (tmp_path / "recompute_weighted.py").write_bytes(
        _download(client, reverse("results:recompute"))
    )
    result = subprocess.run(  # noqa: S603 (our own published script)
        [
            sys.executable,
            "-I",  # isolated: nothing from this project is importable, only the stdlib
            "recompute_weighted.py",
            "sources.json",
            *(f"{name}={path}" for name, path in files.items()),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "matches the published outcome: yes" in result.stdout
    assert f"funded: {b.pk} {a.pk}" in result.stdout

    # and a tampered ballot file is caught: its count differs from the published numbers
    assembly_pb = tmp_path / files["assembly"]
    assembly_pb.write_text(assembly_pb.read_text().replace(f"{b.pk},{d.pk}", f"{c.pk}", 1))
    tampered = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-I",
            "recompute_weighted.py",
            "sources.json",
            f"assembly={files['assembly']}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert tampered.returncode != 0
    assert "in the published numbers" in tampered.stderr
