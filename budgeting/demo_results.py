"""Demo content for counting and publication.

* :func:`import_pabulib_election`: load a real election from a Pabulib ``.pb`` file as a cycle
  whose voting is over (projects become proposals on the ballot, ballots anonymous ballots),
  so the whole app runs on real data (``manage.py import_pabulib``).
* :func:`seed_demo_results`: a past demo cycle (Incheon 2026) with ballots, counted by the real
  services and published, so the results pages have content right after ``make demo``.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import uuid
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import ImportedElection
from budgeting.models import PolicyArea
from budgeting.phases import Phase
from budgeting.tally import read_pb
from proposals.models import Proposal

IMPORT_AUTHOR_EMAIL = "pabulib-import@chamyeo.invalid"
_BATCH = 5000


def _import_author() -> User:
    user = User.objects.filter(email=IMPORT_AUTHOR_EMAIL).first()
    if user is None:
        user = User.objects.create_user(email=IMPORT_AUTHOR_EMAIL, password=None)
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user


def _parse_date(text: str):
    try:
        day = datetime.strptime(text.strip(), "%d.%m.%Y")  # noqa: DTZ007 (made aware below)
    except ValueError:
        return None
    return timezone.make_aware(day.replace(hour=9))


def _voting_dates(meta: dict[str, str]) -> dict:
    begin = _parse_date(meta.get("date_begin", ""))
    end = _parse_date(meta.get("date_end", ""))
    now = timezone.now()
    if begin is None or end is None or not begin < end < now:
        end = now - timedelta(days=1)
        begin = end - timedelta(days=14)
    return {
        "proposals_start_at": begin - timedelta(days=90),
        "proposals_end_at": begin - timedelta(days=30),
        "voting_start_at": begin,
        "voting_end_at": end,
    }


def _ballot_rule(vote_type: str) -> str:
    if vote_type == "cumulative":
        return BudgetCycle.BallotRule.CUMULATIVE
    return BudgetCycle.BallotRule.APPROVAL


def _tally_rule(meta_rule: str) -> str:
    if meta_rule.startswith("equalshares"):
        return BudgetCycle.TallyRule.EQUAL_SHARES
    return BudgetCycle.TallyRule.GREEDY


@transaction.atomic
def import_pabulib_election(*, path: str | Path, slug: str = "") -> BudgetCycle:
    """Load ``path`` as a new cycle in the counting phase (voting over, not yet counted).

    Raises ``PbFormatError`` for a malformed file and ``ValueError`` if ``slug`` is taken or a
    project is free (a proposal must cost something).
    """
    path = Path(path)
    election = read_pb(path)
    meta = election.meta
    slug = slug or slugify(f"pabulib-{path.stem}")[:80]
    if BudgetCycle.objects.filter(slug=slug).exists():
        raise ValueError(f"a cycle with the slug {slug!r} exists already")
    free = [pid for pid, row in election.projects.items() if int(float(row["cost"])) <= 0]
    if free:
        raise ValueError(f"projects without a cost cannot be proposals: {', '.join(free)}")
    title = " ".join(
        x for x in (meta.get("description") or meta.get("unit", ""), meta.get("instance", "")) if x
    )
    title = title or path.stem
    votes = election.votes
    lengths = [int(x) for x in (votes.indptr[1:] - votes.indptr[:-1])]
    points = votes.points.tolist()
    cycle = BudgetCycle.objects.create(
        slug=slug,
        name=title[:120],
        name_ko=title[:120],
        name_en=title[:120],
        year=int(meta["instance"][:4]) if meta.get("instance", "")[:4].isdigit() else 2024,
        description=f"Pabulib: {path.name}",
        ballot_rule=_ballot_rule(election.vote_type),
        approval_max_choices=max([1, *lengths]),
        approval_min_choices=1,
        cumulative_points=max(1, max((sum(points[s:e]) for s, e in _rows(votes)), default=1)),
        cumulative_max_per_project=max([1, *points]),
        tally_rule=_tally_rule(meta.get("rule", "")),
        minimum_age=0,
        phase=Phase.TALLYING,
        phase_changed_at=timezone.now(),
        **_voting_dates(meta),
    )
    scope = BallotScope.objects.create(cycle=cycle, district=None, budget_won=election.budget)
    area, _created = PolicyArea.objects.get_or_create(
        slug="imported",
        defaults={"name": "Imported", "name_ko": "가져온 사업", "name_en": "Imported"},
    )
    cycle.policy_areas.add(area)
    author = _import_author()
    now = timezone.now()
    proposals = Proposal.objects.bulk_create(
        Proposal(
            cycle=cycle,
            scope=scope,
            policy_area=area,
            author=author,
            title=(row.get("name") or f"Project {pid}")[:120],
            summary=(row.get("name") or f"Project {pid}")[:300],
            description=row.get("description") or row.get("name") or pid,
            cost_estimate_won=int(float(row["cost"])),
            status=Proposal.Status.ON_BALLOT,
            submitted_at=now,
        )
        for pid, row in election.projects.items()
    )
    ImportedElection.objects.create(
        cycle=cycle,
        source_name=path.name,
        meta=meta,
        project_ids={str(p.pk): pid for p, pid in zip(proposals, election.projects, strict=True)},
    )
    _store_ballots(scope=scope, proposals=proposals, votes=votes, salt=path.name)
    return cycle


def _rows(votes):
    ptr = votes.indptr.tolist()
    return itertools.pairwise(ptr)


def _store_ballots(*, scope: BallotScope, proposals: list[Proposal], votes, salt: str) -> None:
    """Anonymous ballots in a shuffled order; voter keys are hashes, never the file's voter ids."""
    proposal_ids = [p.pk for p in proposals]
    project_index = votes.project_index.tolist()
    points = votes.points.tolist()
    rows = list(_rows(votes))
    random.Random(salt).shuffle(rows)  # noqa: S311 (an order, not a secret)
    ballots: list[Ballot] = []
    choices: list[BallotChoice] = []
    for n, (start, end) in enumerate(rows):
        ballot = Ballot(
            id=uuid.uuid4(),
            voter_key=hashlib.sha256(f"import:{scope.pk}:{n}".encode()).hexdigest(),
            scope=scope,
        )
        ballots.append(ballot)
        choices.extend(
            BallotChoice(
                ballot=ballot, proposal_id=proposal_ids[project_index[j]], points=points[j]
            )
            for j in range(start, end)
            if points[j] > 0
        )
        if len(ballots) >= _BATCH:
            Ballot.objects.bulk_create(ballots)
            BallotChoice.objects.bulk_create(choices)
            ballots, choices = [], []
    Ballot.objects.bulk_create(ballots)
    BallotChoice.objects.bulk_create(choices)
