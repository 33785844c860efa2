"""A ranked ballot in a real browser at 390 px: with JavaScript (a rank given twice is swapped,
the meter counts ranks) and without it (plain select boxes), and axe-core finds nothing serious.

Needs ``/usr/bin/chromium`` (Debian package ``chromium``) and the ``playwright`` package.
"""

import shutil

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from budgeting.models import BallotChoice
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


def _page(browser, live_server, user, *, javascript: bool, language: str = "ko"):
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=javascript
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": language, "url": live_server.url},
        ]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def _axe(page) -> str:
    violations = _AXE.run(page).response["violations"]
    return describe_violations([v for v in violations if v["impact"] in BLOCKING_IMPACTS])


def test_ranking_with_javascript_swaps_a_repeated_rank_and_counts_the_ranks(
    browser, live_server, ranked_cycle, resident, district_scope, district_projects
):
    a, b, c, _d = district_projects
    page, errors = _page(browser, live_server, resident, javascript=True)
    url = reverse(
        "voting:ballot-form", kwargs={"slug": ranked_cycle.slug, "scope_pk": district_scope.pk}
    )
    page.goto(live_server.url + url)
    assert _axe(page) == ""
    page.select_option(f"#rank-{a.pk}", "1")
    page.select_option(f"#rank-{b.pk}", "2")
    assert page.locator("[data-meter-used]").inner_text() == "2"
    page.select_option(f"#rank-{b.pk}", "1")  # b takes rank 1: a gets b's rank 2
    assert page.input_value(f"#rank-{a.pk}") == "2"
    page.select_option(f"#rank-{c.pk}", "3")
    assert page.locator("[data-meter-used]").inner_text() == "3"
    page.locator("form.ballot-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "1순위" in page.content()
    assert _axe(page) == ""
    page.locator("main form button[type=submit]:not([name])").click()
    page.wait_for_url("**/receipt/")
    assert errors == []
    stored = dict(BallotChoice.objects.values_list("proposal_id", "points"))
    assert stored == {b.pk: 1, a.pk: 2, c.pk: 3}


def test_ranking_without_javascript_uses_the_plain_select_boxes(
    browser, live_server, ranked_cycle, resident, district_scope, district_projects
):
    a, b, *_ = district_projects
    page, _errors = _page(browser, live_server, resident, javascript=False, language="en")
    url = reverse(
        "voting:ballot-form", kwargs={"slug": ranked_cycle.slug, "scope_pk": district_scope.pk}
    )
    page.goto(live_server.url + url)
    page.select_option(f"#rank-{a.pk}", "1")
    page.select_option(f"#rank-{b.pk}", "1")  # no swap without JavaScript: the server says so
    page.locator("form.ballot-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "You gave rank 1 to more than one project" in page.content()
    page.select_option(f"#rank-{b.pk}", "2")
    page.locator("form.ballot-form button[type=submit]").click()
    page.wait_for_load_state("load")
    page.locator("main form button[type=submit]:not([name])").click()
    page.wait_for_url("**/receipt/")
    assert dict(BallotChoice.objects.values_list("proposal_id", "points")) == {a.pk: 1, b.pk: 2}
