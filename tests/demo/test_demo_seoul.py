"""The Seoul-style demo (issue 12): ``seoul-2026`` published with the weighted rule, every pot
kind and both themed tracks, a general assembly with attendance and votes, and a results page
that shows each source with its weight for every project; ``seoul-2027`` the same pots, voting."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from assembly.models import AssemblyBallot
from assembly.models import AssemblyVoter
from assembly.models import Attendance
from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BudgetCycle
from budgeting.models import TallyRun
from budgeting.phases import Phase
from proposals.models import CouncilScore

pytestmark = pytest.mark.django_db

LEVELS = {
    ("city", ""),
    ("city", "vulnerable"),
    ("city", "youth"),
    ("gu", ""),
    ("dong", ""),
}
LABELS = {
    "online": "Public vote (online and paper)",
    "committee": "Committee scores",
    "assembly": "General assembly vote",
    "budget_school": "Budget-school graduates&#x27; vote",
}


def test_seoul_2026_is_published_by_a_weighted_score_that_its_pages_explain(client):
    call_command("seed_demo")
    cycle = BudgetCycle.objects.get(slug="seoul-2026")

    # published, decided by the weighted rule of four sources adding up to 100 %
    assert cycle.phase == Phase.PUBLISHED
    assert cycle.tally_rule == BudgetCycle.TallyRule.WEIGHTED
    assert dict(cycle.weighted_sources) == {
        "online": 50,
        "committee": 30,
        "assembly": 10,
        "budget_school": 10,
    }
    # every pot kind, both tracks, and in every pot online ballots, committee scores, assembly
    # ballots and a published weighted count
    scopes = list(cycle.scopes.select_related("district"))
    assert {(scope.level, scope.track_slug) for scope in scopes} == LEVELS
    assert len(scopes) == 7
    for scope in scopes:
        assert Ballot.objects.filter(scope=scope).exists(), scope.name
        assert Ballot.objects.filter(scope=scope, from_school_graduate=True).exists(), scope.name
        assert AssemblyBallot.objects.filter(scope=scope).exists(), scope.name
        assert CouncilScore.objects.filter(proposal__scope=scope).exists(), scope.name
        run = TallyRun.objects.get(scope=scope, is_official=True)
        assert run.rule == "weighted"
        assert run.published_at is not None
        assert set(run.sources) == set(LABELS)
        assert run.allocations.filter(is_funded=True).exists(), scope.name
        assert run.allocations.filter(is_funded=False).exists(), scope.name  # a choice was made

    # a closed general assembly: attendance of both roles, votes, minutes, every step logged
    assembly = cycle.assemblies.get()
    roles = set(Attendance.objects.filter(assembly=assembly).values_list("role", flat=True))
    assert roles == {Attendance.Role.COMMITTEE, Attendance.Role.RESIDENT}
    assert AssemblyVoter.objects.filter(attendance__assembly=assembly).count() == (
        AssemblyBallot.objects.filter(assembly=assembly).count()
    )
    assert assembly.minutes
    logged = set(cycle.audit_events.values_list("event_type", flat=True))
    assert {
        AuditEvent.Type.ASSEMBLY_SCHEDULED,
        AuditEvent.Type.ASSEMBLY_MINUTES_SAVED,
        AuditEvent.Type.ASSEMBLY_ATTENDANCE_RECORDED,
        AuditEvent.Type.ASSEMBLY_VOTE_RECORDED,
        AuditEvent.Type.ASSEMBLY_VOTE_CLOSED,
        AuditEvent.Type.RESULTS_PUBLISHED,
    } <= logged
    page = client.get(assembly.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200

    # the youth track's results page: each source with its weight, and for every project each
    # source's number / total = share x weight
    youth = cycle.scopes.get(track_slug="youth")
    run = TallyRun.objects.get(scope=youth, is_official=True)
    url = reverse("results:results-scope", kwargs={"slug": cycle.slug, "scope_pk": youth.pk})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name, label in LABELS.items():
        weight = run.sources[name]["weight_percent"]
        assert f"{label} ({weight} %)" in html
    section = html.split('id="weighted-heading"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", section, flags=re.S)
    assert len(rows) == youth.proposals.count()
    for allocation in run.allocations.select_related("proposal"):
        row = next(r for r in rows if allocation.proposal.title in r)
        for name in LABELS:
            source = run.sources[name]
            count = source["counts"][str(allocation.proposal_id)]
            assert f"{count} / {source['total']} = " in row
            assert f"× {source['weight_percent']} % = " in row

    # and the tracks demo goes on in 2027, voting open, with the same pots
    voting = BudgetCycle.objects.get(slug="seoul-2027")
    assert voting.phase == Phase.VOTING
    assert {(s.level, s.track_slug) for s in voting.scopes.select_related("district")} == LEVELS
