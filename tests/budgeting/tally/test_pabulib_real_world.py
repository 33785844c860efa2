"""What real Pabulib files contain, read as pabutools reads it, and counted as pabutools counts it.

Each test writes the files it needs: decimal amounts (point or comma), a project repeated in one
vote (approval, cumulative, ordinal), META keys in any order, a BOM, CRLF line ends, trailing
separators, empty optional columns, ``none`` cells, and the greedy variants the META ``rule``
names. pabutools (``parse_pabulib_from_string`` and the rules of
``scripts/make_pabutools_fixtures.py``) is the oracle.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from pabutools.election.pabulib import parse_pabulib_from_string

from budgeting.tally import PbFormatError
from budgeting.tally import read_pb
from budgeting.tally import read_pb_text
from budgeting.tally.equal_shares import equal_shares
from budgeting.tally.greedy import greedy
from budgeting.tally.pabulib import PbElection

RULES = {"greedy": greedy, "mes": equal_shares}


def _pb(meta: dict[str, str], projects: list[str], votes: list[str], header: str) -> str:
    lines = ["META", "key;value", *(f"{k};{v}" for k, v in meta.items())]
    lines += ["PROJECTS", "project_id;cost;name", *projects, "VOTES", header, *votes]
    return "\n".join(lines) + "\n"


def _ours(election: PbElection, rule: str, **options) -> list[str]:
    return list(RULES[rule](election.to_tally_input("lexico", **options)).selected)


def _pabutools(text: str, rule: str, oracle) -> list[str]:
    instance, profile = parse_pabulib_from_string(text)
    return oracle.pabutools_rule(instance, profile.as_multiprofile(), rule)


# --- decimal amounts ---------------------------------------------------------------------------
# 1000.50 does not pay 500.25 + 500.26 (1000.51): rounding either amount to whole units would.
DECIMAL_PROJECTS = ["a;500.25;Park", "b;500.26;Library", "c;0.75;Bench", "d;499.99;Path"]
DECIMAL_VOTES = ["1;a,b", "2;a,b", "3;b,a,d", "4;c", "5;d,c", "6;a"]


@pytest.mark.parametrize("separator", [".", ","])
@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_decimal_budget_and_costs_are_exact_and_counted_as_pabutools(separator, rule, oracle):
    projects = [row.replace(".", separator) for row in DECIMAL_PROJECTS]
    meta = {"vote_type": "approval", "budget": f"1000{separator}50", "currency": "PLN"}
    text = _pb(meta, projects, DECIMAL_VOTES, "voter_id;vote")
    election = read_pb_text(text)

    assert election.amount_scale == 100
    assert election.budget == 100_050  # grosze
    assert election.costs == {"a": 50_025, "b": 50_026, "c": 75, "d": 49_999}
    assert election.amount(election.costs["a"]) == Decimal("500.25")
    ours = _ours(election, rule)
    assert ours == _pabutools(text, rule, oracle)
    assert not {"a", "b"} <= set(ours)  # they do not fit together
    assert sum(election.costs[p] for p in ours) <= election.budget


def test_the_scale_is_set_by_the_most_decimal_places_in_the_file():
    text = _pb(
        {"budget": "10.5", "vote_type": "approval"},
        ["a;2.125;x", "b;3;y"],
        ["1;a"],
        "voter_id;vote",
    )
    election = read_pb_text(text)
    assert (election.amount_scale, election.budget, election.costs) == (
        1000,
        10_500,
        {"a": 2_125, "b": 3_000},
    )


# --- a project repeated in one vote ------------------------------------------------------------
REPEATED = {
    "approval": (["1;a,b,a", "2;b", "3;c,c"], "voter_id;vote"),
    "cumulative": (["1;a,b,a;3,2,5", "2;b;4", "3;c;1"], "voter_id;vote;points"),
    "ordinal": (["1;a,b,a,c", "2;b,c", "3;c"], "voter_id;vote"),
}


@pytest.mark.parametrize("vote_type", list(REPEATED))
@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_a_project_repeated_in_a_vote_is_read_as_pabutools_reads_it(vote_type, rule, oracle):
    votes, header = REPEATED[vote_type]
    meta = {"budget": "100", "vote_type": vote_type, "max_length": "3"}
    text = _pb(meta, ["a;60;A", "b;50;B", "c;40;C"], votes, header)
    election = read_pb_text(text)

    first_vote_line = 13
    repeated_line = [str(w) for w in election.warnings]
    assert repeated_line[0].startswith(f"line {first_vote_line}: project 'a' is listed more than")
    positions = {pid: i for i, pid in enumerate(election.projects)}
    m = election.votes
    first = dict(
        zip(
            m.project_index[m.indptr[0] : m.indptr[1]].tolist(),
            m.points[m.indptr[0] : m.indptr[1]].tolist(),
            strict=True,
        )
    )
    expected = {
        "approval": {"a": 1, "b": 1},  # counts once
        "cumulative": {"a": 5, "b": 2},  # the last entry's points
        "ordinal": {"a": 3, "b": 2, "c": 1},  # the first rank; c moves up to rank 3
    }[vote_type]
    assert first == {positions[p]: pts for p, pts in expected.items()}
    assert _ours(election, rule) == _pabutools(text, rule, oracle)


# --- the shape of the file ---------------------------------------------------------------------
CLEAN = """META
key;value
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name;selected
1;60;Park;1
2;50;Library;0
3;40;Bench;1
VOTES
voter_id;age;vote
v1;30;1,2
v2;41;1
v3;52;3,2
v4;63;3
"""

# The same election as real files write it: META keys in another order with trailing
# separators, a BOM, CRLF line ends, none and empty optional cells, a short row, a trailing
# comma in a vote, blank lines.
MESSY = (
    "\ufeffMETA;\r\nkey;value;\r\nrule;greedy;\r\nvote_type;approval;\r\ndescription;none;\r\n"
    "budget;100;\r\n\r\nPROJECTS;\r\nproject_id;cost;name;selected;\r\n1;60;Park;1;\r\n"
    "2;50;none;0\r\n3;40;;\r\nVOTES\r\nvoter_id;age;vote\r\nv1;none;1,2\r\nv2;;1,\r\n"
    "v3;52;3,2\r\nv4;NONE;3\r\n"
)


def test_a_messy_file_reads_like_its_clean_twin(tmp_path, oracle):
    path = tmp_path / "messy.pb"
    path.write_bytes(MESSY.encode("utf-8"))
    messy = read_pb(path)
    clean = read_pb_text(CLEAN)

    assert messy.warnings == []
    assert messy.budget == clean.budget == 100
    assert messy.costs == clean.costs
    assert messy.voter_ids == clean.voter_ids
    for name in ("indptr", "project_index", "points"):
        assert getattr(messy.votes, name).tolist() == getattr(clean.votes, name).tolist()
    assert "name" not in messy.projects["2"]  # none is an absent value
    assert "selected" not in messy.projects["3"]  # so is an empty or missing cell
    assert "description" not in messy.meta or not messy.meta["description"]
    with path.open(encoding="utf-8") as stream:  # a BOM on an already-open stream
        assert read_pb(stream).costs == clean.costs
    for rule in ("greedy", "mes"):
        expected = _pabutools(MESSY.removeprefix("\ufeff"), rule, oracle)
        assert _ours(messy, rule) == _ours(clean, rule) == expected


def test_a_none_vote_is_an_empty_ballot_that_still_counts_as_a_voter():
    election = read_pb_text(CLEAN.replace("v4;63;3", "v4;63;none"))
    assert election.votes.n_voters == 4
    assert election.votes.indptr.tolist()[-2:] == [5, 5]


# --- the greedy variants the META rule names ---------------------------------------------------
VARIANT_PROJECTS = ["a;70;A", "b;50;B", "c;30;C", "d;20;D"]
VARIANT_VOTES = ["1;a,b", "2;a,b", "3;a,c", "4;b,d", "5;a", "6;d,c", "7;c"]
# votes: a 4, b 3, c 3, d 2; budget 100


def _variant(rule: str, **meta) -> str:
    return _pb({"budget": "100", "vote_type": "approval", "rule": rule, **meta},
               VARIANT_PROJECTS, VARIANT_VOTES, "voter_id;vote")  # fmt: skip


def test_greedy_threshold_leaves_out_projects_below_it_as_pabutools_without_them(oracle):
    text = _variant("greedy-threshold", min_project_score_threshold="4")
    election = read_pb_text(text)
    # only a (4 votes) is eligible; pabutools' greedy on the file without b, c and d agrees
    kept = [
        f"{v.split(';')[0]};{'a' if 'a' in v.split(';')[1].split(',') else ''}"
        for v in VARIANT_VOTES
    ]
    without = _pb({"budget": "100", "vote_type": "approval"}, ["a;70;A"], kept, "voter_id;vote")
    assert _ours(election, "greedy", follow_meta_rule=True) == ["a"]
    assert _pabutools(without, "greedy", oracle) == ["a"]
    assert _ours(election, "greedy") == _pabutools(text, "greedy", oracle) == ["a", "c"]


def test_greedy_no_skip_stops_at_the_first_project_that_does_not_fit(oracle):
    election = read_pb_text(_variant("greedy-no-skip"))
    # a (70) fits; b (50) does not (30 left): no-skip stops there, plain greedy goes on to c
    assert _ours(election, "greedy", follow_meta_rule=True) == ["a"]
    assert _ours(election, "greedy") == _pabutools(_variant("greedy-no-skip"), "greedy", oracle)
    assert _ours(election, "greedy") == ["a", "c"]


def test_greedy_exclusive_is_greedy_with_the_files_threshold(oracle):
    # the exclusions are only described in META comment: computed as greedy (Pabulib's checker
    # does the same and warns when the city's selection differs)
    plain = read_pb_text(_variant("greedy-exclusive"))
    assert _ours(plain, "greedy", follow_meta_rule=True) == _pabutools(
        _variant("greedy-exclusive"), "greedy", oracle
    )
    with_threshold = read_pb_text(_variant("greedy-exclusive", min_project_score_threshold="4"))
    assert _ours(with_threshold, "greedy", follow_meta_rule=True) == ["a"]  # c has 3 votes
    assert _ours(with_threshold, "greedy") == ["a", "c"]


def test_equalshares_add1_has_no_greedy_completion():
    election = read_pb_text(_variant("equalshares/add1"))
    add1 = _ours(election, "mes", follow_meta_rule=True)
    completed = _ours(election, "mes")
    assert set(add1) <= set(completed)


# --- errors name the line and the rule ---------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "c;30;C",
            "c;30 zł;C",
            "line 10: cost of project 'c' '30 zł' is not a non-negative number",
        ),
        ("c;30;C", "c;-30;C", "line 10: cost of project 'c' '-30' is not a non-negative number"),
        ("c;30;C", "c;30;C;x", "line 10: project row has 4 fields, the PROJECTS header has 3"),
        ("c;30;C", "c;;C", "line 10: project 'c' has no cost (every project needs one)"),
        ("3;a,c", "3;a,e", "line 16: vote for unknown project 'e' (every voted id must be in"),
        ("3;a,c", "3;a,c;x", "line 16: vote row has 3 fields, the VOTES header has 2"),
        ("budget;100", "budget;lots", "line 3: META budget 'lots' is not a non-negative number"),
    ],
)
def test_a_file_that_cannot_be_read_names_the_line_and_the_rule(old, new, message):
    text = _variant("greedy")
    assert old in text
    with pytest.raises(PbFormatError, match=re.escape(message)):
        read_pb_text(text.replace(old, new))
