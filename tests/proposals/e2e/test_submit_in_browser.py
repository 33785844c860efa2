"""A resident goes from the home page to a submitted proposal with a place and an image, in a
real browser (Debian's Chromium driven by Playwright), in Korean and in English.

Needs ``/usr/bin/chromium`` (Debian package ``chromium``) and the ``playwright`` package (test
extra; it drives the system browser and never downloads one). Missing either is a failure.
"""

import shutil

import pytest
from django.urls import reverse

from budgeting.phases import Phase
from proposals.models import Proposal
from tests.accounts.factories import PASSWORD
from tests.accounts.factories import ResidentProfileFactory
from tests.budgeting.factories import BallotScopeFactory
from tests.budgeting.factories import BudgetCycleFactory
from tests.budgeting.factories import DistrictFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.e2e.browser import CHROMIUM
from tests.e2e.browser import CHROMIUM_ARGS
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory
from tests.proposals.factories import jpeg_with_gps


@pytest.fixture
def browser_page(monkeypatch):
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} not found: install Debian's 'chromium' package for e2e tests")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, errors
        context.close()
        browser.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "log_out_label"),
    [("ko", "로그아웃"), ("en", "Log out")],
)
def test_resident_submits_from_home_page(live_server, browser_page, language, log_out_label):
    page, errors = browser_page
    district = DistrictFactory(slug="bupyeong-gu", name_ko="부평구", name_en="Bupyeong-gu")
    area = PolicyAreaFactory(slug="environment", name_ko="환경", name_en="Environment")
    cycle = BudgetCycleFactory(name_ko="2027년 인천 주민참여예산", name_en="Incheon PB 2027")
    cycle.policy_areas.add(area)
    cycle_in_phase(cycle, Phase.PROPOSALS)
    scope = BallotScopeFactory(cycle=cycle, district=district, budget_won=500_000_000)
    user = ResidentProfileFactory(district=district, display_name="이주민").user
    neighbour = ResidentProfileFactory(district=district).user
    similar_title = "굴포천 산책로 벤치" if language == "ko" else "Benches on the Gulpo stream path"
    ProposalFactory(
        author=neighbour, scope=scope, policy_area=area, title=similar_title, cycle=cycle
    )

    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action="/accounts/login/"] button[type="submit"]').click()

    page.goto(live_server.url + "/")
    page.click(f'a[href="{cycle.get_absolute_url()}"]')
    page.click(f'a[href="{reverse("proposals:proposal-create", args=[cycle.slug])}"]')

    title = (
        "굴포천 산책로 그늘 쉼터" if language == "ko" else "Shade shelters on the Gulpo stream path"
    )
    page.fill("#id_title", title)
    # While the resident types, proposals with similar titles are shown to join instead.
    page.locator("#similar-proposals a", has_text=similar_title).wait_for()
    page.fill("#id_summary", "산책로에 그늘 쉼터 세 곳" if language == "ko" else "Three shelters")
    page.fill(
        "#id_description", "**그늘**과 의자를 놓습니다." if language == "ko" else "**Shade**."
    )
    page.fill("#id_cost_estimate_won", "45000000")
    page.select_option("#id_policy_area", str(area.pk))
    page.fill("#id_address", "인천 부평구 굴포천")
    # The place picker map: a click sets latitude and longitude.
    picker = page.locator("#place-picker")
    picker.scroll_into_view_if_needed()
    picker.click(position={"x": 120, "y": 90})
    assert page.input_value("#id_latitude") != ""
    assert page.input_value("#id_longitude") != ""
    page.set_input_files(
        "#id_image",
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}],
    )
    page.click('button[name="action"][value="submit"]')

    proposal = Proposal.objects.get(author=user)
    page.wait_for_url(f"**{proposal.get_absolute_url()}")
    assert proposal.status == "submitted"
    assert proposal.latitude is not None
    assert proposal.image.name.endswith(".jpg")
    assert page.locator("h1").inner_text() == title
    assert page.locator(".proposal-description strong").count() == 1
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("header.site-header").inner_text().count(log_out_label) == 1
    assert errors == []  # no JavaScript error (CSP included) on the way
