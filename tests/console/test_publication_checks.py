"""Pre-publication checks: a pot with no ballots (or a project funded with no votes, or a refused
second ballot) blocks publication until the budget office acknowledges it with a reason."""

import pytest
from django.urls import reverse

from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import TallyRun
from budgeting.phases import Phase
from results.services.checks import CHANNEL_CONFLICTS
from results.services.checks import FUNDED_WITHOUT_VOTES
from results.services.checks import NO_BALLOTS
from results.services.checks import CheckError
from results.services.checks import acknowledge_warning
from results.services.checks import list_publication_checks
from results.services.counting import tally_scope
from results.services.publication import PublicationError
from results.services.publication import publish_results
from tests.helpers import reauthenticate
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def election():
    """Two pots: 가 with 3 ballots that fund its one project, 나 with none. No minimum support
    (as in cycles made before it existed), so 나's projects are funded with no votes."""
    cycle = make_cycle(phase=Phase.TALLYING, minimum_support_votes=0)
    voted, (a,) = make_scope(cycle=cycle, budget_won=100, costs=[60], district_slug="ga")
    empty, _ = make_scope(cycle=cycle, budget_won=100, costs=[50, 40], district_slug="na")
    cast_ballots(scope=voted, ballots=[[a]] * 3)
    tally_scope(scope_id=voted.pk)
    tally_scope(scope_id=empty.pk)
    return {"cycle": cycle, "voted": voted, "empty": empty}


def _published(cycle):
    return TallyRun.objects.filter(scope__cycle=cycle, published_at__isnull=False).exists()


def test_a_pot_with_no_ballots_is_refused_until_acknowledged_with_a_reason(
    client, election, staff_user
):
    cycle, empty = election["cycle"], election["empty"]
    checks = {c.scope.pk: c for c in list_publication_checks(cycle=cycle)}
    assert [w.code for w in checks[empty.pk].warnings] == [NO_BALLOTS, FUNDED_WITHOUT_VOTES]
    assert checks[election["voted"].pk].warnings == []
    assert checks[election["voted"].pk].left_over_won == 40

    with pytest.raises(PublicationError) as refused:
        publish_results(cycle_id=cycle.pk, actor=staff_user)
    assert refused.value.code == "unacknowledged_warnings"
    cycle.refresh_from_db()
    assert cycle.phase == Phase.TALLYING  # nothing changed
    assert not _published(cycle)
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.RESULTS_PUBLISHED).exists()

    client.force_login(staff_user)
    url = reverse("console:checks", kwargs={"slug": cycle.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert "이 예산 단위에는 투표가 한 표도 없습니다." in page.content.decode()

    short = client.post(url, {"scope": empty.pk, "warning": NO_BALLOTS, "reason": "ok"})
    assert short.status_code == 400  # the form again, its text kept
    assert ">\nok</textarea>" in short.content.decode()
    acknowledged = AuditEvent.objects.filter(
        event_type=AuditEvent.Type.PUBLICATION_WARNING_ACKNOWLEDGED
    )
    assert not acknowledged.exists()

    reason = "No project in 나 was eligible this year; the council agreed on 3 May."
    for warning in (NO_BALLOTS, FUNDED_WITHOUT_VOTES):
        done = client.post(url, {"scope": empty.pk, "warning": warning, "reason": reason})
        assert done.status_code == 302
    event = acknowledged.get(parameters__warning=NO_BALLOTS)
    assert event.reason == reason
    assert event.is_public
    assert event.actor == staff_user
    assert event.parameters["scope"] == empty.slug

    # the count page publishes now (after allauth's re-authentication)
    reauthenticate(client)
    tally_url = reverse("results:staff-tally", kwargs={"slug": cycle.slug})
    assert client.post(tally_url, {"action": "publish"}).status_code == 302
    cycle.refresh_from_db()
    assert cycle.phase == Phase.PUBLISHED
    assert _published(cycle)


def test_the_count_page_says_why_it_does_not_publish(client, election, staff_user):
    cycle = election["cycle"]
    client.force_login(staff_user)
    reauthenticate(client)
    tally_url = reverse("results:staff-tally", kwargs={"slug": cycle.slug})
    refused = client.post(tally_url, {"action": "publish"})
    assert refused.status_code == 400
    assert "이 예산 단위에는 투표가 한 표도 없습니다." in refused.content.decode()
    cycle.refresh_from_db()
    assert cycle.phase == Phase.TALLYING


def test_a_refused_paper_ballot_is_a_warning(election, staff_user):
    cycle, voted = election["cycle"], election["voted"]
    record_audit_event(  # as the voting service writes it when it refuses a second ballot
        cycle=cycle,
        event_type=AuditEvent.Type.BALLOT_CHANNEL_CONFLICT,
        subject=voted,
        is_public=False,
        counted_channel="online",
        refused_channel="paper",
    )
    check = next(c for c in list_publication_checks(cycle=cycle) if c.scope.pk == voted.pk)
    assert [w.code for w in check.warnings] == [CHANNEL_CONFLICTS]
    assert check.conflicts == 1
    with pytest.raises(CheckError):
        acknowledge_warning(scope=voted, warning=NO_BALLOTS, reason="x" * 20, actor=staff_user)
    acknowledge_warning(
        scope=voted,
        warning=CHANNEL_CONFLICTS,
        reason="Checked: the online one counts.",
        actor=staff_user,
    )
    check = next(c for c in list_publication_checks(cycle=cycle) if c.scope.pk == voted.pk)
    assert check.pending == []


def test_the_rule_and_greedy_differ_on_the_checks_page():
    # MES with 1,000,000원: 6×{A,B}, 3×{C}, 1×{D} funds B and C; greedy funds B and A
    cycle = make_cycle(phase=Phase.TALLYING, tally_rule="mes")
    scope, (a, b, c, d) = make_scope(
        cycle=cycle, budget_won=1_000_000, costs=[600_000, 400_000, 300_000, 500_000]
    )
    cast_ballots(scope=scope, ballots=[[a, b]] * 6 + [[c]] * 3 + [[d]])
    tally_scope(scope_id=scope.pk)
    (check,) = list_publication_checks(cycle=cycle)
    assert check.warnings == []  # ten ballots, every funded project has votes
    assert check.rule_only == [c.title]
    assert check.greedy_only == [a.title]
    assert check.left_over_won == 300_000
    assert check.ballots == 10
