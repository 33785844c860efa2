"""pb_tally against pabutools' outcomes; import_pabulib on a real election."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pabutools.election import parse_pabulib

from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import ImportedElection
from budgeting.phases import Phase
from budgeting.tally import read_pb
from budgeting.tally.equal_shares import equal_shares
from proposals.models import Proposal
from results.services.counting import tally_scope
from tests.budgeting.tally.conftest import oracle

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "budgeting"
    / "tally"
    / "fixtures"
    / "pabutools_outcomes.json"
)
EXPECTED_FILES = 9  # ../shared/pabulib/README.md lists nine elections


def _pb_tally(*args) -> list[str]:
    out = io.StringIO()
    call_command("pb_tally", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_pb_tally_agrees_with_pabutools_on_every_shared_file(rule, pabulib_dir):
    """pabutools' outcomes come from the fixture made by scripts/make_pabutools_fixtures.py."""
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))["runs"]
    files = sorted(pabulib_dir.glob("*.pb"))
    assert len(files) == EXPECTED_FILES
    compared = []
    for path in files:
        entry = stored.get(path.name, {}).get(rule)
        assert entry is not None, f"the fixture has no {rule} outcome for {path.name}"
        printed = _pb_tally(str(path), "--rule", rule)
        assert printed == sorted(printed)  # one id per line, sorted as strings
        if entry == "timeout":  # pabutools did not finish in 300 s: nothing to compare with
            assert len(printed) == len(set(printed)) > 0
            continue
        assert printed == sorted(entry["selected"]), path.name
        compared.append(path.name)
    assert len(compared) >= 7 if rule == "greedy" else len(compared) >= 5


def test_pb_tally_handles_cumulative_and_choose_1_files(pabulib_dir):
    cumulative = _pb_tally(str(pabulib_dir / "Poland_Czestochowa_2024.pb"), "--rule", "greedy")
    choose_1 = _pb_tally(str(pabulib_dir / "Poland_Wroclaw_2015_150_-_500.pb"), "--rule", "greedy")

    assert len(cumulative) == 5
    assert len(choose_1) > 0


@pytest.mark.parametrize(
    ("_case", "text", "message"),
    [
        (
            "scoring ballots",
            "META\nkey;value\nbudget;10\nvote_type;scoring\nPROJECTS\nproject_id;cost\n1;5\n"
            "VOTES\nvoter_id;vote\n",
            "vote type 'scoring' is not supported",
        ),
        (
            "unknown project in a vote",
            "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;5\n"
            "VOTES\nvoter_id;vote\nv1;2\n",
            "vote for unknown project '2'",
        ),
        ("no sections", "hello;world\n", "content before the META section"),
    ],
)
def test_pb_tally_refuses_a_bad_file_with_exit_status_2(_case, text, message, tmp_path):
    path = tmp_path / "bad.pb"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()

    with pytest.raises(CommandError, match=message) as error:
        call_command("pb_tally", str(path), "--rule", "greedy", stdout=out)

    assert error.value.returncode == 2
    assert out.getvalue() == ""


@pytest.mark.django_db
def test_import_pabulib_loads_assen_and_counting_it_gives_the_official_selection(pabulib_dir):
    path = pabulib_dir / "Netherlands_Assen_2024.pb"
    election = read_pb(path)

    call_command("import_pabulib", str(path), stdout=io.StringIO())

    imported = ImportedElection.objects.get(source_name="Netherlands_Assen_2024.pb")
    cycle = imported.cycle
    scope = cycle.scopes.get()
    assert (cycle.phase, cycle.tally_rule, scope.budget_won) == (Phase.TALLYING, "mes", 100_000)
    assert Proposal.objects.filter(scope=scope, status=Proposal.Status.ON_BALLOT).count() == 14
    assert Ballot.objects.filter(scope=scope).count() == 84
    assert BallotChoice.objects.filter(ballot__scope=scope).count() == int(
        election.votes.indptr[-1]
    )

    run = tally_scope(scope_id=scope.pk)

    funded = run.allocations.filter(is_funded=True).values_list("proposal_id", flat=True)
    assert {imported.project_ids[str(pk)] for pk in funded} == election.official_selected
    assert election.official_selected == {"3", "9", "2", "11", "13", "14", "5", "6", "12"}


# --- files written by the tests: every reading choice and every greedy variant ----------------
def _written(tmp_path, name: str, text: str, *, crlf: bool = False) -> str:
    path = tmp_path / name
    path.write_bytes(("\ufeff" + text.replace("\n", "\r\n") if crlf else text).encode("utf-8"))
    return str(path)


VARIANTS = """META
key;value
rule;{rule}
vote_type;approval
budget;100
min_project_score_threshold;{threshold}
PROJECTS
project_id;cost;name;
a;70;A;
b;50;B;
c;30;C;
d;20;D;
VOTES
voter_id;vote;
1;a,b;
2;a,b;
3;a,c;
4;b,d;
5;a;
6;d,c;
7;c;
"""


@pytest.mark.parametrize(
    ("rule", "threshold", "expected"),
    [
        ("greedy", "none", ["a", "c"]),
        ("greedy-threshold", "4", ["a"]),  # only a has 4 votes
        ("greedy-no-skip", "none", ["a"]),  # b (50) does not fit the 30 left: stop
        ("greedy-exclusive", "3", ["a", "c"]),  # d (2 votes) is below the threshold
    ],
)
def test_pb_tally_counts_the_greedy_variant_the_meta_rule_names(
    rule, threshold, expected, tmp_path
):
    path = _written(tmp_path, "v.pb", VARIANTS.format(rule=rule, threshold=threshold), crlf=True)
    # without --meta-rule: plain greedy, as pabutools computes it
    plain = _pb_tally(path, "--rule", "greedy")
    instance, profile = parse_pabulib(path)
    assert plain == sorted(oracle().pabutools_rule(instance, profile.as_multiprofile(), "greedy"))
    assert plain == ["a", "c"]
    assert _pb_tally(path, "--rule", "greedy", "--meta-rule") == expected


DECIMAL_COMMA = """META
key;value
description;Decimal PB
vote_type;cumulative
currency;PLN
budget;1000,50
rule;equalshares
PROJECTS
project_id;cost;votes;name;selected
a;500,25;none;Park;none
b;500,26;none;Library;none
c;0,75;none;Bench;none
d;499,99;none;Path;none
VOTES
voter_id;vote;points;age
1;a,b,a;1,2,3;none
2;a,b;2,2;40
3;b,a,d;3,1,1;
4;c;5;
5;d,c;4,1;none
6;a;5;none
"""


@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_pb_tally_reads_decimal_commas_and_repeated_projects_as_pabutools(rule, tmp_path):
    path = _written(tmp_path, "decimal.pb", DECIMAL_COMMA)
    err = io.StringIO()
    out = io.StringIO()
    call_command("pb_tally", path, "--rule", rule, stdout=out, stderr=err)
    instance, profile = parse_pabulib(path)
    expected = oracle().pabutools_rule(instance, profile.as_multiprofile(), rule)
    assert out.getvalue().splitlines() == sorted(expected)
    assert err.getvalue().strip() == (
        f"{path}: warning: line 16: project 'a' is listed more than once in this vote; "
        "its last points (3) count, as pabutools reads it"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("rule", ["greedy", "equalshares"])
def test_import_pabulib_keeps_decimal_amounts_exact_and_counts_as_pabutools(rule, tmp_path):
    path = _written(tmp_path, f"decimal_{rule}.pb", DECIMAL_COMMA.replace("equalshares", rule))
    err = io.StringIO()
    out = io.StringIO()
    call_command("import_pabulib", path, stdout=out, stderr=err)

    assert "line 16: project 'a' is listed more than once" in err.getvalue()
    assert "budget 100050 (in 1/100 of the currency" in out.getvalue()
    imported = ImportedElection.objects.get(source_name=f"decimal_{rule}.pb")
    scope = imported.cycle.scopes.get()
    assert (imported.amount_scale, scope.budget_won) == (100, 100_050)
    costs = {
        imported.project_ids[str(p.pk)]: p.cost_estimate_won
        for p in Proposal.objects.filter(scope=scope)
    }
    assert costs == {"a": 50_025, "b": 50_026, "c": 75, "d": 49_999}
    first = BallotChoice.objects.filter(ballot__scope=scope, points=3)
    assert first.count() == 2  # voter 1's last points for a, and voter 3's b

    run = tally_scope(scope_id=scope.pk)

    funded = {
        imported.project_ids[str(pk)]
        for pk in run.allocations.filter(is_funded=True).values_list("proposal_id", flat=True)
    }
    instance, profile = parse_pabulib(path)
    pabutools_rule = "mes" if rule == "equalshares" else "greedy"
    expected = oracle().pabutools_rule(instance, profile.as_multiprofile(), pabutools_rule)
    assert funded == set(expected)
    assert not {"a", "b"} <= funded  # 500.25 + 500.26 > 1000.50, to the grosz


ORDINAL = """META
key;value
vote_type;ordinal
budget;100
max_length;3
rule;{rule}
PROJECTS
project_id;cost;name
a;60;A
b;50;B
c;40;C
d;10;D
VOTES
voter_id;vote
1;a,b,c
2;a,b
3;b,c,a
4;c,d
5;d,c,b
6;c
7;b,b,a
"""


@pytest.mark.django_db
@pytest.mark.parametrize(("rule", "pabutools_rule"), [("greedy", "greedy"), ("equalshares", "mes")])
def test_import_pabulib_loads_ordinal_votes_as_a_ranked_cycle(rule, pabutools_rule, tmp_path):
    path = _written(tmp_path, f"ordinal_{rule}.pb", ORDINAL.format(rule=rule))
    call_command("import_pabulib", path, stdout=io.StringIO(), stderr=io.StringIO())
    imported = ImportedElection.objects.get(source_name=f"ordinal_{rule}.pb")
    cycle = imported.cycle
    scope = cycle.scopes.get()
    assert (cycle.ballot_rule, cycle.ranked_max_ranks) == ("ranked", 3)
    ranks = {
        (imported.project_ids[str(pk)], rank)
        for pk, rank in BallotChoice.objects.filter(ballot__scope=scope).values_list(
            "proposal_id", "points"
        )
    }
    assert ranks == {("a", 1), ("b", 2), ("c", 3), ("a", 2), ("b", 1), ("c", 2), ("a", 3)} | {
        ("c", 1),
        ("d", 2),
        ("d", 1),
        ("b", 3),
    }

    run = tally_scope(scope_id=scope.pk)

    funded = {
        imported.project_ids[str(pk)]
        for pk in run.allocations.filter(is_funded=True).values_list("proposal_id", flat=True)
    }
    instance, profile = parse_pabulib(path)
    expected = oracle().pabutools_rule(instance, profile.as_multiprofile(), pabutools_rule)
    assert funded == set(expected)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["Poland_Swiecie_2023.pb", "Poland_Wieliczka_2023_Green_Budget.pb"]
)
def test_import_pabulib_counts_shared_files_as_the_pure_count(name, pabulib_dir):
    """The other seven files take minutes to store: benchmarks/bench_import_pabulib.py."""
    path = pabulib_dir / name
    election = read_pb(path)
    call_command("import_pabulib", str(path), "--tally", stdout=io.StringIO())
    imported = ImportedElection.objects.get(source_name=name)
    run = imported.cycle.scopes.get().tally_runs.get(rule="mes")
    funded = {
        imported.project_ids[str(pk)]
        for pk in run.allocations.filter(is_funded=True).values_list("proposal_id", flat=True)
    }
    pure = equal_shares(election.to_tally_input("lexico", follow_meta_rule=True)).selected
    assert funded == set(pure)
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))["runs"][name]["mes"]["selected"]
    if election.rule != "equalshares/add1":  # with completion: pabutools' plain MES
        assert funded == set(stored)
