"""An office clerk enters a tally sheet in a real browser (Korean, tablet and phone widths):
typed lines, the check, the store, the result with the line to fix, and the correction page;
axe-core finds nothing serious on any of these states (the crawl only opens each page empty).

Needs ``/usr/bin/chromium`` (Debian package ``chromium``) and the ``playwright`` package.
"""

import shutil

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from budgeting.models import Ballot
from tests.e2e.browser import _AXE
from tests.e2e.browser import BLOCKING_IMPACTS
from tests.e2e.browser import CHROMIUM
from tests.e2e.browser import CHROMIUM_ARGS
from tests.e2e.browser import describe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} not found: install Debian's 'chromium' package for e2e tests")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _assert_accessible(page, where: str) -> None:
    violations = [
        v for v in _AXE.run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not violations, f"{where}: {describe_violations(violations)}"


@pytest.mark.parametrize("width", [820, 390])
def test_a_clerk_checks_stores_and_fixes_a_tally_sheet(
    browser, live_server, officer, office, voting_cycle, district_scope, district_projects, width
):
    client = Client()
    client.force_login(officer)
    context = browser.new_context(viewport={"width": width, "height": 1000})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": "ko", "url": live_server.url},
        ]
    )
    page = context.new_page()
    kwargs = {"office_pk": office.pk, "slug": voting_cycle.slug, "scope_pk": district_scope.pk}
    first, second = (p.pk for p in district_projects)
    page.goto(live_server.url + reverse("channels:paper-sheet", kwargs=kwargs))
    _assert_accessible(page, "the empty sheet")
    page.get_by_label("또는 집계표의 줄을 직접 입력").fill(
        f"900101-1234567, {first}\n900202-2345678, 999\n900303-3456789, {first} {second}"
    )
    page.get_by_role("button", name="집계표 확인").click()
    page.wait_for_load_state()
    _assert_accessible(page, "the checked sheet")
    assert "999번 사업은 이 투표지에 없습니다." in page.content()
    page.get_by_role("button", name="종이 투표 2장 저장").click()
    page.wait_for_load_state()
    _assert_accessible(page, "the stored sheet")
    assert "종이 투표 2장을 저장했습니다." in page.content()
    assert Ballot.objects.filter(scope=district_scope).count() == 2
    # the line to fix waits in the box; fixed, it is checked and stored alone
    box = page.get_by_label("또는 집계표의 줄을 직접 입력")
    assert box.input_value() == "900202-2345678, 999"
    box.fill(f"900202-2345678, {second}")
    page.get_by_role("button", name="집계표 확인").click()
    page.get_by_role("button", name="종이 투표 1장 저장").click()
    page.wait_for_load_state()
    assert Ballot.objects.filter(scope=district_scope).count() == 3

    page.goto(live_server.url + reverse("channels:paper-correct", kwargs=kwargs))
    _assert_accessible(page, "the correction page")
    page.get_by_label("주민등록 또는 신분증 확인 번호").fill("900101-1234567")
    page.get_by_label(district_projects[1].title).check()
    page.get_by_role("button", name="정정 저장").click()  # no reason: refused, shown
    page.wait_for_load_state()
    _assert_accessible(page, "the correction page with an error")
    context.close()
