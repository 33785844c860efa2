"""Our .pb reader and writer, and the public fingerprint."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from budgeting.tally import BallotInput
from budgeting.tally import PbFormatError
from budgeting.tally import ProjectInput
from budgeting.tally import TallyInput
from budgeting.tally import UnsupportedVoteType
from budgeting.tally import canonical_pb
from budgeting.tally import read_pb
from budgeting.tally import read_pb_text
from budgeting.tally import write_pb
from budgeting.tally.pabulib import ballots_from_matrix
from budgeting.tally.rules import RULES

GOOD = """META
key;value
budget;10
vote_type;approval
PROJECTS
project_id;cost;votes;name
p1;4;2;"Park; with a semicolon"
p2;7;1;Library
VOTES
voter_id;vote
a;p1,p2
b;p1
"""


def _election(vote_type: str = "approval") -> TallyInput:
    projects = (
        ProjectInput(id="p1", cost=4, name="Park; with a semicolon"),
        ProjectInput(id="p2", cost=7, name='Say "hi"'),
        ProjectInput(id="p3", cost=2),
    )
    if vote_type == "cumulative":
        ballots = (
            BallotInput(choices=(("p2", 3), ("p1", 2))),
            BallotInput(choices=(("p3", 5),), weight=2),
            BallotInput(choices=()),
        )
    elif vote_type == "ordinal":
        ballots = (
            BallotInput(choices=(("p2", 3), ("p1", 2), ("p3", 1))),
            BallotInput(choices=(("p3", 3), ("p1", 2)), weight=2),
        )
    else:
        ballots = (
            BallotInput(choices=(("p2", 1), ("p1", 1))),
            BallotInput(choices=(("p3", 1),), weight=2),
            BallotInput(choices=()),
        )
    return TallyInput(budget=10, projects=projects, ballots=ballots, vote_type=vote_type)


def test_reads_quoted_fields_and_counts() -> None:
    election = read_pb_text(GOOD)
    assert election.budget == 10
    assert election.projects["p1"]["name"] == "Park; with a semicolon"
    assert election.votes.n_voters == 2
    assert election.voter_ids == ["a", "b"]
    outcome = RULES["greedy"](election.to_tally_input())
    assert outcome.selected == ("p1",)
    assert outcome.result("p2").reason_code == "not_enough_budget"
    assert outcome.result("p2").reason_params == {"remaining_budget": 6}


@pytest.mark.parametrize("vote_type", ["approval", "cumulative", "ordinal"])
def test_round_trip(vote_type: str) -> None:
    original = _election(vote_type)
    text = write_pb(original, {"description": "Test", "currency": "KRW"})
    again = read_pb_text(text)
    assert again.meta["description"] == "Test"
    assert again.voter_ids == [str(i) for i in range(1, again.votes.n_voters + 1)]
    restored = again.to_tally_input(tie_break=original.tie_break)
    # same canonical text, same outcomes
    assert write_pb(restored, {"description": "Test", "currency": "KRW"}) == text
    for rule in RULES.values():
        assert rule(restored).selected == rule(original).selected


def test_round_trip_of_a_real_file(pabulib_path) -> None:
    election = read_pb(pabulib_path("Poland_Swiecie_2023.pb"))
    tally_input = election.to_tally_input()
    text = write_pb(tally_input, {"description": election.meta["description"]})
    again = read_pb(io.StringIO(text))
    assert again.votes.n_voters == election.votes.n_voters
    assert RULES["mes"](again.to_tally_input()).selected == RULES["mes"](tally_input).selected


def test_written_votes_are_canonical_and_numbered() -> None:
    text = write_pb(_election())
    votes = text.split("VOTES\n", 1)[1].splitlines()
    assert votes == ["voter_id;vote", "1;", "2;p1,p2", "3;p3", "4;p3"]
    assert '"Park; with a semicolon"' in text
    assert '"Say ""hi"""' in text


def test_fingerprint_is_sha256_of_the_written_file_and_ignores_ballot_order() -> None:
    t = _election("cumulative")
    meta = {"description": "Test"}
    text, digest = canonical_pb(t, meta)
    assert text == write_pb(t, meta)
    assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
    shuffled = replace(t, ballots=tuple(reversed(t.ballots)))
    assert canonical_pb(shuffled, meta).fingerprint == digest
    # weights expand to identical ballots: one ballot of weight 2 == two ballots of weight 1
    split = replace(
        t,
        ballots=(
            t.ballots[0],
            BallotInput(choices=(("p3", 5),)),
            t.ballots[2],
            BallotInput(choices=(("p3", 5),)),
        ),
    )
    assert canonical_pb(split, meta).fingerprint == digest
    # and it does change with the content
    assert canonical_pb(replace(t, budget=11), meta).fingerprint != digest
    assert canonical_pb(t, {"description": "Other"}).fingerprint != digest


def test_matrix_and_objects_give_the_same_fingerprint() -> None:
    election = read_pb_text(GOOD)
    as_matrix = election.to_tally_input()
    as_objects = replace(as_matrix, ballots=ballots_from_matrix(as_matrix))
    assert canonical_pb(as_matrix).fingerprint == canonical_pb(as_objects).fingerprint


def _broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_broken("VOTES\nvoter_id;vote\na;p1,p2\nb;p1\n", ""), "missing section VOTES"),
        (_broken("p1;4;2;", "p1;four;2;"), "line 7: cost of project 'p1'"),
        (_broken("p1;4;2;", "p1;-4;2;"), "line 7"),
        (_broken("b;p1", "b;p9"), "line 12: vote for unknown project 'p9'"),
        (_broken("b;p1", "b;p1,p1;x,y"), "line 12: vote row has 3 fields"),
        (
            _broken("p1;4;2;", "p1;4,5,0;2;"),
            "line 7: cost of project 'p1' '4,5,0' is not a non-neg",
        ),
        (_broken("p1;4;2;", "p1;none;2;"), "line 7: project 'p1' has no cost"),
        (_broken("budget;10\n", ""), "META has no 'budget'"),
        (_broken("p2;7;1;Library\n", "p2;7;1;Library\np2;7;1;Again\n"), "duplicate project"),
        (
            _broken("PROJECTS\nproject_id;cost;votes;name\n", "PROJECTS\nproject_id;votes;name\n"),
            "needs project_id and cost",
        ),
        (_broken("b;p1", "b;p1;extra"), "line 12: vote row has 3 fields"),
        (_broken("META\n", "VOTES\n"), "expected section META"),
    ],
)
def test_malformed_files_raise_with_line_numbers(text: str, message: str) -> None:
    with pytest.raises(PbFormatError, match=message.replace("(", r"\(")):
        read_pb_text(text)


def test_wrong_vote_types() -> None:
    with pytest.raises(UnsupportedVoteType, match="scoring"):
        read_pb_text(_broken("vote_type;approval", "vote_type;scoring"))
    cumulative_without_points = _broken("vote_type;approval", "vote_type;cumulative")
    with pytest.raises(PbFormatError, match="points column"):
        read_pb_text(cumulative_without_points)
    choose_one = read_pb_text(_broken("vote_type;approval", "vote_type;choose-1"))
    assert [str(w) for w in choose_one.warnings] == [
        "line 11: a choose-1 vote lists 2 projects; read as approval of each, as pabutools reads it"
    ]
    assert choose_one.votes.n_voters == 2
    assert issubclass(PbFormatError, ValueError)


# Ids that sort differently as strings and as numbers, and ids csv must quote (slow path).
_IDS = ("1", "10", "9", "a", "B", "Ü", "x y", "3;x", 'q"')


@st.composite
def _written_elections(draw: st.DrawFn) -> TallyInput:
    vote_type = draw(st.sampled_from(["approval", "cumulative", "ordinal"]))
    ids = draw(st.lists(st.sampled_from(_IDS), unique=True, min_size=1, max_size=6))
    ballots = []
    for _ in range(draw(st.integers(0, 10))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
        if vote_type == "cumulative":
            choices = tuple((pid, draw(st.integers(0, 3))) for pid in chosen)
        elif vote_type == "ordinal":
            choices = tuple((pid, len(ids) - n) for n, pid in enumerate(chosen))  # k, k-1, ...
        else:
            choices = tuple((pid, 1) for pid in chosen)
        ballots.append(BallotInput(choices=choices, weight=draw(st.integers(1, 3))))
    projects = tuple(ProjectInput(id=pid, cost=1) for pid in ids)
    return TallyInput(budget=5, projects=projects, ballots=tuple(ballots), vote_type=vote_type)


def _reference_votes(t: TallyInput) -> str:
    """The VOTES section written the plain way: every ballot's choice tuple, sorted, via csv."""
    rows = []
    for ballot in t.ballots:
        choices = [(pid, pts) for pid, pts in ballot.choices if pts > 0]
        key = (
            sorted(choices, key=lambda c: (-c[1], c[0]))
            if t.vote_type == "ordinal"
            else sorted(choices)
        )
        rows.extend([tuple(key)] * ballot.weight)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    cumulative = t.vote_type == "cumulative"
    w.writerow(["voter_id", "vote", "points"] if cumulative else ["voter_id", "vote"])
    for n, key in enumerate(sorted(rows), start=1):
        vote = ",".join(pid for pid, _ in key)
        w.writerow(
            [str(n), vote, ",".join(str(p) for _, p in key)] if cumulative else [str(n), vote]
        )
    return buf.getvalue()


@settings(max_examples=100, deadline=None)
@given(_written_elections())
def test_votes_section_is_the_sorted_choice_tuples_as_csv_writes_them(t: TallyInput) -> None:
    """The writer sorts merged groups with numpy; the text must be what sorting every ballot's
    choice tuple and writing it with ``csv`` gives (ids compared as strings, quoting included)."""
    text = write_pb(t)
    assert text.split("VOTES\n", 1)[1] == _reference_votes(t)
    as_matrix = read_pb_text(text).to_tally_input()
    assert write_pb(as_matrix) == text
