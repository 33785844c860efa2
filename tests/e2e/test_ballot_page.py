"""The one ballot page on a phone (390 px, Korean): every pot a resident may vote in, each with
its own live meter; axe-core finds no serious or critical violation, and no JavaScript error."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from budgeting.phases import Phase
from tests.accounts.factories import ResidentProfileFactory
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import DistrictFactory
from tests.e2e.browser import Device
from tests.e2e.browser import Journey
from tests.helpers import cycle_in_phase
from tests.voting.factories import put_on_ballot


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_every_pot_on_one_phone_page_with_its_own_meter(live_server, new_context):
    journey = Journey(new_context, live_server.url, Device("mobile", 390, 844, "ko"))
    cycle = cycle_in_phase(BudgetCycleFactory(approval_max_choices=3), Phase.VOTING)
    gu = DistrictFactory(slug="bupyeong-gu", name_ko="부평구", name_en="Bupyeong-gu")
    dong = DistrictFactory(slug="bupyeong-1-dong", name_ko="부평1동", parent=gu)
    youth = BallotScopeFactory(
        cycle=cycle, district=None, track_slug="youth", track_name_ko="청년",
        track_theme_ko="만 19~39세 청년이 제안하고 투표하는 사업입니다.",
        minimum_age=19, maximum_age=39, max_choices=1, budget_won=300_000_000,
    )  # fmt: skip
    pots = [
        BallotScopeFactory(cycle=cycle, district=None, budget_won=900_000_000),
        youth,
        BallotScopeFactory(cycle=cycle, district=gu, budget_won=500_000_000),
        BallotScopeFactory(cycle=cycle, district=dong, max_choices=2, budget_won=90_000_000),
    ]
    projects = {pot.pk: put_on_ballot(pot, [10_000_000, 20_000_000]) for pot in pots}
    resident = ResidentProfileFactory(district=dong, birth_year=cycle.age_counted_on.year - 30).user

    person = journey.open()
    journey.log_in(person, resident.email)
    journey.go(person, reverse("voting:ballot-page", kwargs={"slug": cycle.slug}))
    expect(person.locator("#left-to-vote li")).to_have_count(4)
    # choosing in the youth track moves its own meter only (1 of at most 1), then over the limit
    first, second = projects[youth.pk]
    person.locator(f"#choice-{first.pk}").check()
    youth_meter = person.locator(f"#ballot-meter-{youth.pk}")
    expect(youth_meter.locator("[data-meter-used]")).to_have_text("1")
    expect(person.locator(f"#ballot-meter-{pots[0].pk} [data-meter-used]")).to_have_text("0")
    person.locator(f"#choice-{second.pk}").check()
    expect(youth_meter).to_have_class("ballot-meter sticky-top border rounded p-2 mb-3 is-over")
    journey.check(person)

    assert not journey.js_errors, journey.js_errors
    assert not journey.violations, "\n".join(journey.violations)
