"""Anyone can recompute a result: download the .pb file, check its SHA-256, run pabutools."""

import hashlib

import pytest
from django.urls import reverse
from pabutools.election import Cost_Sat
from pabutools.election import parse_pabulib
from pabutools.rules import completion_by_rule_combination
from pabutools.rules import greedy_utilitarian_welfare
from pabutools.rules import method_of_equal_shares

from budgeting.models import ExportFile
from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.publication import publish_results
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope


@pytest.mark.parametrize(("_case", "rule"), [("equal shares", "mes"), ("greedy", "greedy")])
@pytest.mark.django_db
def test_pabutools_on_the_downloaded_pb_file_selects_the_published_projects(
    _case, rule, client, staff_user, tmp_path
):
    # given a published count (no exact ties, so both tie-breaks agree)
    cycle = make_cycle(tally_rule=rule)
    scope, (a, b, c, d) = make_scope(
        cycle=cycle, budget_won=1_000_000, costs=[600_000, 400_000, 300_000, 500_000]
    )
    cast_ballots(scope=scope, ballots=[[a, b]] * 5 + [[b]] * 2 + [[c]] * 3 + [[d]])
    run = tally_scope(scope_id=scope.pk)
    publish_results(cycle_id=cycle.pk, actor=staff_user)
    build_export_file(export_file_id=ExportFile.objects.get(tally_run=run, kind="pb").pk)

    # when anyone downloads the .pb file and counts it with pabutools
    response = client.get(
        reverse(
            "results:results-download",
            kwargs={"slug": cycle.slug, "scope_pk": scope.pk, "kind": "pb"},
        )
    )
    content = b"".join(response.streaming_content)
    path = tmp_path / "ballots.pb"
    path.write_bytes(content)
    instance, profile = parse_pabulib(str(path))
    profile = profile.as_multiprofile()
    if rule == "mes":
        outcome = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
        )
    else:
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)

    # then the file is the one fingerprinted, and pabutools funds what we published
    assert hashlib.sha256(content).hexdigest() == run.fingerprint
    published = {
        str(pk)
        for pk in run.allocations.filter(is_funded=True).values_list("proposal_id", flat=True)
    }
    assert {p.name for p in outcome} == published
    expected = {"mes": {b.pk, c.pk}, "greedy": {a.pk, b.pk}}[rule]
    assert published == {str(pk) for pk in expected}
    # and the file says nothing about who voted: voter ids are positions 1..n
    votes = content.decode().split("VOTES\n", 1)[1].splitlines()[1:]
    assert [line.split(";")[0] for line in votes] == [str(n) for n in range(1, 12)]
