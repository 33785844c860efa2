"""The survey counts page (/staff/cycles/<cycle>/survey/): the budget office enters, per pot and
project, the weighted rule's survey source; what it saves is what the count reads; bad input
re-renders with errors and changes nothing; frozen once counting has begun; staff only."""

import re

import pytest
from django.urls import reverse

from assembly.models import SurveyCount
from assembly.services import AssemblyError
from assembly.services import save_survey_counts
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.models import TallyRun
from results.services.counting import tally_scope
from tests.proposals.factories import ProposalFactory
from tests.results.factories import make_cycle
from tests.results.factories import make_scope
from tests.results.test_weighted_count import _weighted_election

pytestmark = pytest.mark.django_db


def _url(cycle):
    return reverse("console:survey", kwargs={"slug": cycle.slug})


def _counts(cycle):
    return dict(
        SurveyCount.objects.filter(proposal__cycle=cycle).values_list("proposal_id", "count")
    )


def _survey_events(cycle):
    return list(
        AuditEvent.objects.filter(cycle=cycle, event_type=AuditEvent.Type.SURVEY_COUNTS_SAVED)
    )


def _form(projects, **values):
    """Every project's field, with ``values`` (by project) over the current counts."""
    current = {p.pk: getattr(getattr(p, "survey_count", None), "count", 0) for p in projects}
    return {f"count-{p.pk}": values.get(str(p.pk), current[p.pk]) for p in projects}


def test_saved_counts_are_the_survey_source_of_the_count(client, staff_user):
    cycle, scope, (a, b, c, d) = _weighted_election()  # survey: a 10, d 30
    client.force_login(staff_user)
    page = client.get(_url(cycle), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Survey counts" in page
    (field,) = re.findall(rf'<input[^>]*name="count-{d.pk}"[^>]*>', page)
    assert 'value="30"' in field

    response = client.post(_url(cycle), _form([a, b, c, d], **{str(b.pk): 25, str(d.pk): 5}))

    assert response.status_code == 302
    assert _counts(cycle) == {a.pk: 10, b.pk: 25, d.pk: 5}
    # the count reads exactly these numbers as its survey source
    run = tally_scope(scope_id=scope.pk)
    assert run.sources["survey"]["counts"] == {
        str(a.pk): 10,
        str(b.pk): 25,
        str(c.pk): 0,
        str(d.pk): 5,
    }
    assert run.sources["survey"]["total"] == 40
    # one audit event for the save, with each change, not public
    (event,) = _survey_events(cycle)
    assert event.is_public is False
    assert event.actor == staff_user
    assert event.parameters == {
        "pots": [scope.pk],
        "changes": {str(b.pk): [0, 25], str(d.pk): [30, 5]},
    }


@pytest.mark.parametrize(
    "bad",
    ["-1", "2.5", "many", "", "99999999999"],
    ids=["negative", "fraction", "word", "blank", "huge"],
)
def test_bad_input_re_renders_with_errors_and_changes_nothing(client, staff_user, bad):
    cycle, _scope, (a, b, c, d) = _weighted_election()
    before = _counts(cycle)
    client.force_login(staff_user)
    response = client.post(
        _url(cycle),
        _form([a, b, c, d], **{str(b.pk): 7, str(c.pk): bad}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "nothing was saved" in html
    assert f'id="id_count-{c.pk}_errors"' in html
    assert _counts(cycle) == before
    assert _survey_events(cycle) == []


def test_only_projects_on_the_cycles_ballots_and_only_whole_numbers(staff_user):
    cycle, _scope, (a, _b, _c, _d) = _weighted_election()
    before = _counts(cycle)
    elsewhere = ProposalFactory()  # another cycle's project
    withdrawn = ProposalFactory(cycle=cycle, scope=a.scope, status="withdrawn")
    for counts in ({elsewhere.pk: 3}, {withdrawn.pk: 3}, {a.pk: -4}, {a.pk: True}):
        with pytest.raises(AssemblyError):
            save_survey_counts(cycle=cycle, counts=counts, actor=staff_user)
    assert _counts(cycle) == before
    assert _survey_events(cycle) == []


def test_frozen_once_counting_has_begun(client, staff_user):
    cycle, scope, (a, b, c, d) = _weighted_election()
    tally_scope(scope_id=scope.pk)
    started = TallyRun.objects.filter(scope=scope).order_by("created_at").first().created_at
    assert started is not None
    client.force_login(staff_user)
    page = client.get(_url(cycle), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Counting began on" in page
    assert 'name="count-' not in page  # read-only: the numbers, no inputs
    assert ">30</td>" in page
    response = client.post(
        _url(cycle), _form([a, b, c, d], **{str(d.pk): 1}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Counting began on" in response.content.decode()
    assert _counts(cycle)[d.pk] == 30
    assert _survey_events(cycle) == []
    with pytest.raises(AssemblyError) as refused:
        save_survey_counts(cycle=cycle, counts={d.pk: 1}, actor=staff_user)
    assert refused.value.code == "frozen"


def test_non_staff_are_refused_and_change_nothing(
    client, resident, council_member, staff_without_mfa
):
    cycle, _scope, (a, b, c, d) = _weighted_election()
    before = _counts(cycle)
    data = _form([a, b, c, d], **{str(d.pk): 99})
    assert client.post(_url(cycle), data).status_code == 302  # anonymous: to the login page
    for person in (resident, council_member):
        client.force_login(person)
        assert client.get(_url(cycle)).status_code == 403
        assert client.post(_url(cycle), data).status_code == 403
    # staff who have not set up their second factor are sent to do so first
    client.force_login(staff_without_mfa)
    response = client.post(_url(cycle), data)
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate" in response["Location"]
    with pytest.raises(AssemblyError):
        save_survey_counts(cycle=cycle, counts={d.pk: 99}, actor=resident)
    assert _counts(cycle) == before
    assert _survey_events(cycle) == []


def test_linked_from_the_control_room_of_weighted_cycles_with_a_survey_weight(client, staff_user):
    cycle, _scope, _projects = _weighted_election()
    client.force_login(staff_user)
    room = reverse("console:control", kwargs={"slug": cycle.slug})
    assert f'href="{_url(cycle)}"' in client.get(room).content.decode()
    # a weighted cycle without a survey weight, and a greedy cycle: no link, and the page says so
    BudgetCycle.objects.filter(pk=cycle.pk).update(
        weight_survey_percent=0, weight_committee_percent=30
    )
    assert f'href="{_url(cycle)}"' not in client.get(room).content.decode()
    greedy = make_cycle()
    make_scope(cycle=greedy, budget_won=100, costs=[50], district_slug="g")
    room = reverse("console:control", kwargs={"slug": greedy.slug})
    assert f'href="{_url(greedy)}"' not in client.get(room).content.decode()
    page = client.get(_url(greedy), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "has no survey source" in page
    assert 'name="count-' not in page
