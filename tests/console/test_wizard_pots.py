"""The wizard's pots step (issues #14 and #12): pots at city, gu and dong level and themed tracks
with their own amount, theme, ages and ballot limit, added, changed and removed one by one; the
sum against the cycle's total; all frozen once voting opens; a refused change changes nothing."""

import pytest
from django.urls import reverse
from django.utils import translation

from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import DistrictFactory
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db

YOUTH = {
    "level": "city",
    "budget_won": "10000000000",
    "per_project_cap_won": "500000000",
    "track_name_ko": "청년",
    "track_name_en": "Youth",
    "track_slug": "youth",
    "track_theme_ko": "만 19~39세 청년이 제안하고 투표하는 사업입니다.",
    "track_theme_en": "Projects proposed and voted on by residents aged 19 to 39.",
    "minimum_age": "19",
    "maximum_age": "39",
    "max_choices": "3",
}


def _add(slug):
    return reverse("console:wizard-pot-add", kwargs={"slug": slug})


def _pot(scope):
    return reverse("console:wizard-pot", kwargs={"slug": scope.cycle.slug, "pk": scope.pk})


def _pots_page(slug):
    return reverse("console:wizard-step", kwargs={"slug": slug, "step": "pots"})


@pytest.fixture
def draft(db):
    return cycle_in_phase(BudgetCycleFactory(total_budget_won=50_000_000_000), Phase.DRAFT)


@pytest.fixture
def dong(district):
    return DistrictFactory(
        slug="bupyeong-1-dong", name_ko="부평1동", name_en="Bupyeong 1-dong", parent=district
    )


def test_a_themed_youth_track_with_its_ages_and_ballot_limit(client, staff_user, draft):
    client.force_login(staff_user)
    assert client.get(_add(draft.slug)).status_code == 200

    response = client.post(_add(draft.slug), YOUTH)

    assert response.status_code == 302
    track = draft.scopes.get()
    assert (track.district, track.track_slug, track.budget_won) == (None, "youth", 10_000_000_000)
    assert (track.minimum_age, track.maximum_age, track.max_choices) == (19, 39, 3)
    assert (track.track_name_ko, track.track_name_en) == ("청년", "Youth")
    assert track.track_theme_en.startswith("Projects proposed")
    page = client.get(_pots_page(draft.slug)).content.decode()
    assert "청년" in page
    assert "19–39" in page
    with translation.override("en"):
        assert track.name == "City-wide · Youth"
    event = AuditEvent.objects.filter(cycle=draft, event_type="cycle_rules_changed").last()
    assert event.parameters["pot"]["scope"] == "citywide-youth"


def test_a_free_pot_and_a_track_side_by_side_and_a_track_edited_then_removed(
    client, staff_user, draft
):
    client.force_login(staff_user)
    assert (
        client.post(_add(draft.slug), {"level": "city", "budget_won": "20000000000"}).status_code
        == 302
    )
    assert client.post(_add(draft.slug), YOUTH).status_code == 302
    track = draft.scopes.get(track_slug="youth")

    edited = client.post(_pot(track), {**YOUTH, "maximum_age": "34", "max_choices": "2"})

    assert edited.status_code == 302
    track.refresh_from_db()
    assert (track.maximum_age, track.max_choices) == (34, 2)
    remove = reverse("console:wizard-pot-remove", kwargs={"slug": draft.slug, "pk": track.pk})
    assert client.post(remove).status_code == 302
    assert list(draft.scopes.values_list("track_slug", flat=True)) == [""]


def test_a_dong_pot_under_its_gu(client, staff_user, draft, district, dong):
    client.force_login(staff_user)
    form = client.get(_add(draft.slug)).content.decode()
    assert "부평구 · 부평1동" in form  # each dong is shown with its gu

    response = client.post(
        _add(draft.slug),
        {"level": "dong", "dong": str(dong.pk), "budget_won": "30000000", "max_choices": "4"},
    )

    assert response.status_code == 302
    pot = draft.scopes.get()
    assert (pot.district, pot.level, pot.district.parent) == (dong, "dong", district)
    assert "부평구 · 부평1동" in client.get(_pots_page(draft.slug)).content.decode()


def test_a_pot_without_its_place_is_refused(client, staff_user, draft):
    client.force_login(staff_user)
    response = client.post(_add(draft.slug), {"level": "dong", "budget_won": "30000000"})
    assert response.status_code == 400
    assert not draft.scopes.exists()


def test_a_pot_over_the_total_is_refused_in_plain_words_and_nothing_changes(
    client, staff_user, draft
):
    free = BallotScopeFactory(cycle=draft, district=None, budget_won=45_000_000_000)
    client.force_login(staff_user)

    added = client.post(_add(draft.slug), YOUTH)  # 45bn + 10bn > 50bn
    raised = client.post(_pot(free), {"level": "city", "budget_won": "60000000000"})

    for response in (added, raised):
        assert response.status_code == 400
        page = response.content.decode()
        assert "50,000,000,000" in page  # the total, in the message
        assert "총예산 50,000,000,000원보다 많습니다" in page
    assert list(draft.scopes.values_list("budget_won", flat=True)) == [45_000_000_000]
    assert not AuditEvent.objects.filter(cycle=draft, event_type="cycle_rules_changed").exists()


def test_the_same_track_twice_is_refused(client, staff_user, draft):
    BallotScopeFactory(cycle=draft, district=None, budget_won=1_000, track_slug="youth")
    client.force_login(staff_user)
    response = client.post(_add(draft.slug), YOUTH)
    assert response.status_code == 400
    assert draft.scopes.count() == 1


def test_pots_are_frozen_once_voting_opens_with_the_reason(client, staff_user, district):
    cycle = cycle_in_phase(BudgetCycleFactory(total_budget_won=None), Phase.VOTING)
    track = BallotScopeFactory(
        cycle=cycle, district=None, budget_won=1_000_000, track_slug="youth", minimum_age=19
    )
    client.force_login(staff_user)

    page = client.get(_pots_page(cycle.slug)).content.decode()
    assert "투표가 시작되어" in page  # the reason
    assert reverse("console:wizard-pot-add", kwargs={"slug": cycle.slug}) not in page
    edit_page = client.get(_pot(track)).content.decode()
    assert "투표가 시작되어" in edit_page
    assert "disabled" in edit_page

    refused = [
        client.post(_add(cycle.slug), {"level": "gu", "gu": str(district.pk), "budget_won": "5"}),
        client.post(_pot(track), {**YOUTH, "budget_won": "2000000", "minimum_age": "25"}),
        client.post(
            reverse("console:wizard-pot-remove", kwargs={"slug": cycle.slug, "pk": track.pk}),
            follow=True,
        ),
        client.post(_pots_page(cycle.slug), {"total_budget_won": "9"}),
    ]

    assert [r.status_code for r in refused[:2]] == [400, 400]
    assert "투표가 시작되어" in refused[2].content.decode()
    stored = BallotScope.objects.get(cycle=cycle)
    assert (stored.pk, stored.budget_won, stored.minimum_age) == (track.pk, 1_000_000, 19)
    assert BudgetCycle.objects.get(pk=cycle.pk).total_budget_won is None
    assert not AuditEvent.objects.filter(cycle=cycle, event_type="cycle_rules_changed").exists()


def test_a_copy_of_last_year_carries_its_tracks_and_dong_pots(client, staff_user, district, dong):
    source = BudgetCycleFactory(slug="seoul-2026", year=2026)
    BallotScopeFactory(
        cycle=source,
        district=None,
        budget_won=10_000_000_000,
        track_slug="youth",
        track_name_ko="청년",
        track_name_en="Youth",
        minimum_age=19,
        maximum_age=39,
        max_choices=3,
    )
    BallotScopeFactory(cycle=source, district=dong, budget_won=30_000_000, max_choices=4)
    client.force_login(staff_user)

    response = client.post(
        reverse("console:wizard-new"),
        {
            "action": "clone",
            "clone-source": str(source.pk),
            "clone-name_ko": "2027년 예산",
            "clone-slug": "seoul-2027",
        },
    )

    assert response.status_code == 302
    copy = BudgetCycle.objects.get(slug="seoul-2027")
    youth = copy.scopes.get(track_slug="youth")
    assert (youth.track_name_ko, youth.minimum_age, youth.maximum_age) == ("청년", 19, 39)
    assert (youth.max_choices, youth.budget_won) == (3, 10_000_000_000)
    assert copy.scopes.get(district=dong).max_choices == 4
