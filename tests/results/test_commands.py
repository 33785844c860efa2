"""pb_tally against pabutools' outcomes; import_pabulib on a real election."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import ImportedElection
from budgeting.phases import Phase
from budgeting.tally import read_pb
from proposals.models import Proposal
from results.services.counting import tally_scope

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
