"""The pages of the general assembly and of a weighted result, in Chromium on a phone in Korean
and a desktop in English: axe-core finds no serious or critical violation, no JavaScript error.

An officer runs the kiosk screen with one attendee (attendance, then their vote); a visitor reads
the assembly's page and the weighted result that explains every number; the budget office
enters survey counts (an error first), then sees them frozen once counting has begun.
"""

import pytest
from django.urls import reverse

from assembly.models import Assembly
from assembly.models import AssemblyBallot
from assembly.models import SurveyCount
from budgeting.phases import Phase
from results.services.counting import tally_scope
from results.services.publication import publish_results
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import DistrictFactory
from tests.e2e.browser import Device
from tests.e2e.browser import Journey
from tests.helpers import cycle_in_phase
from tests.results.factories import cast_ballots
from tests.results.factories import make_scope

DEVICES = [
    pytest.param(Device("mobile", 390, 844, "ko"), id="phone-ko"),
    pytest.param(Device("desktop", 1280, 900, "en"), id="desktop-en"),
]


def _published_weighted_cycle(staff):
    cycle = BudgetCycleFactory(
        tally_rule="weighted", weight_online_percent=70, weight_assembly_percent=30
    )
    cycle_in_phase(cycle, Phase.TALLYING)
    scope, (a, b, c) = make_scope(cycle=cycle, budget_won=900, costs=[500, 400, 300])
    cast_ballots(scope=scope, ballots=[[a]] * 6 + [[b, c]] * 4)
    assembly = Assembly.objects.create(
        cycle=cycle, title="주민총회", starts_at=cycle.voting_end_at, place="구청 대강당",
        minutes="## 회의록\n\n주민 발언 5건", status=Assembly.Status.CLOSED,
    )  # fmt: skip
    for chosen in ([c], [c], [b]):
        ballot = AssemblyBallot.objects.create(assembly=assembly, scope=scope)
        ballot.choices.create(proposal=chosen[0])
    tally_scope(scope_id=scope.pk)
    publish_results(cycle_id=cycle.pk, actor=staff)
    return cycle, scope, assembly


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", DEVICES)
def test_assembly_and_weighted_result_pages_pass_axe(live_server, new_context, device):
    journey = Journey(new_context, live_server.url, device)
    district = DistrictFactory(slug="bupyeong-gu", name_ko="부평구", name_en="Bupyeong-gu")
    staff = ResidentProfileFactory(district=district, display_name="예산과").user
    staff.is_staff = staff.is_superuser = True
    staff.save()
    staff_secret = activate_totp(staff)
    cycle, scope, assembly = _published_weighted_cycle(staff)
    # an assembly voting now, in a cycle whose vote is open
    voting = cycle_in_phase(BudgetCycleFactory(), Phase.VOTING)
    voting_scope, _shortlist = make_scope(
        cycle=voting, budget_won=1_000, costs=[400, 300], district_slug="v"
    )
    resident = ResidentProfileFactory(district=voting_scope.district, display_name="이주민").user
    live = Assembly.objects.create(
        cycle=voting, title="2027 주민총회", starts_at=voting.voting_start_at, place="구청",
        online_url="https://meet.example.org/x", status=Assembly.Status.VOTING,
    )  # fmt: skip

    # --- the budget office: attendance, then the kiosk screen with the attendee ----------------
    office = journey.open()
    journey.log_in(office, staff.email, totp_secret=staff_secret)
    journey.go(office, reverse("assembly:staff-list", kwargs={"slug": voting.slug}))
    journey.go(office, reverse("assembly:staff-console", kwargs={"pk": live.pk}))
    office.fill("#id_email", resident.email)
    office.locator("button[name='action'][value='attend']").click()
    journey.check(office)
    office.locator("main a[href*='/vote/']").first.click()
    journey.check(office)
    office.locator("input[name='channel'][value='kiosk']").check()
    office.locator("input[name='proposals']").first.check()
    office.locator("main form[method='post'] button[type='submit']").click()
    journey.check(office)
    assert AssemblyBallot.objects.filter(scope=voting_scope).count() == 1

    # --- anyone: the assembly's page, the cycle's rules and the weighted result ----------------
    visitor = journey.open()
    journey.go(visitor, assembly.get_absolute_url())
    journey.go(visitor, cycle.get_absolute_url())
    journey.go(
        visitor, reverse("results:results-scope", kwargs={"slug": cycle.slug, "scope_pk": scope.pk})
    )
    assert visitor.locator("#weighted-heading").is_visible()

    assert not journey.violations, "\n\n".join(journey.violations)
    assert not journey.js_errors, journey.js_errors


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", DEVICES)
def test_survey_counts_page_passes_axe(live_server, new_context, device):
    journey = Journey(new_context, live_server.url, device)
    district = DistrictFactory(slug="bupyeong-gu", name_ko="부평구", name_en="Bupyeong-gu")
    staff = ResidentProfileFactory(district=district, display_name="예산과").user
    staff.is_staff = staff.is_superuser = True
    staff.save()
    staff_secret = activate_totp(staff)
    cycle = BudgetCycleFactory(
        tally_rule="weighted", weight_online_percent=90, weight_survey_percent=10
    )
    cycle_in_phase(cycle, Phase.TALLYING)
    scope, (a, b) = make_scope(cycle=cycle, budget_won=900, costs=[500, 400])
    cast_ballots(scope=scope, ballots=[[a]] * 3 + [[b]] * 2)

    office = journey.open()
    journey.log_in(office, staff.email, totp_secret=staff_secret)
    # from the control room to the survey page
    journey.go(office, reverse("console:control", kwargs={"slug": cycle.slug}))
    survey_url = reverse("console:survey", kwargs={"slug": cycle.slug})
    office.locator(f"main a[href='{survey_url}']").click()
    journey.check(office)
    # a negative count: the page comes back with the error at the field, nothing saved
    office.fill(f"#id_count-{a.pk}", "-3")
    office.locator("main form button[type='submit']").click()
    journey.check(office)
    assert office.locator(f"#id_count-{a.pk}_errors").is_visible()
    assert not SurveyCount.objects.exists()
    office.fill(f"#id_count-{a.pk}", "12")
    office.fill(f"#id_count-{b.pk}", "30")
    office.locator("main form button[type='submit']").click()
    journey.check(office)
    assert dict(SurveyCount.objects.values_list("proposal_id", "count")) == {a.pk: 12, b.pk: 30}
    # once counting has begun: read-only, with the reason
    tally_scope(scope_id=scope.pk)
    journey.go(office, survey_url)
    assert office.locator("main .alert-warning").is_visible()
    assert office.locator(f"#id_count-{a.pk}").count() == 0

    assert not journey.violations, "\n\n".join(journey.violations)
    assert not journey.js_errors, journey.js_errors
