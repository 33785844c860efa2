"""A kiosk in a real browser (tablet size): after a voter (identified by a census/ID reference,
or by a code sent to their phone) votes and the kiosk is finished, the page, the browser's
storage and its history hold nothing of them; axe-core finds nothing serious
on the kiosk screens and, at phone size, on the voting-code screen.

Needs ``/usr/bin/chromium`` (Debian package ``chromium``) and the ``playwright`` package.
"""

import re
import shutil

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from budgeting.models import Participation
from channels.services import phone_person_key
from tests.e2e.browser import _AXE
from tests.e2e.browser import BLOCKING_IMPACTS
from tests.e2e.browser import CHROMIUM
from tests.e2e.browser import CHROMIUM_ARGS
from tests.e2e.browser import describe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CENSUS_REF = "480517-2345678"


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


def _assert_accessible(page) -> None:
    violations = [
        v for v in _AXE.run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not violations, describe_violations(violations)


def test_kiosk_leaves_nothing_for_the_next_voter(
    browser, live_server, officer, office, voting_cycle, district_scope, district_projects
):
    client = Client()
    client.force_login(officer)
    context = browser.new_context(viewport={"width": 820, "height": 1180})
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
    kiosk = live_server.url + reverse(
        "channels:kiosk", kwargs={"office_pk": office.pk, "slug": voting_cycle.slug}
    )
    page.goto(kiosk)
    _assert_accessible(page)
    page.evaluate("window.localStorage.setItem('left', 'by the voter before')")
    page.get_by_label("주민등록 또는 신분증 확인 번호").fill(CENSUS_REF)
    page.get_by_role("button", name="이 투표자의 투표 시작").click()
    page.get_by_label(district_projects[0].title).check()
    _assert_accessible(page)
    page.get_by_role("button", name="투표하기").click()
    page.get_by_role("button", name="마치기").click()
    page.wait_for_load_state()
    assert Participation.objects.get(scope=district_scope).channel == "kiosk"

    def nothing_left() -> None:
        content = page.content()
        assert district_projects[0].title not in content
        assert CENSUS_REF not in content
        assert CENSUS_REF.replace("-", "") not in content
        assert page.evaluate("window.localStorage.length + window.sessionStorage.length") == 0
        assert page.locator("input[autocomplete='off']").count() == 1  # the blank identify form

    nothing_left()
    # "Back" as far as the history goes: every earlier entry is re-asked from the server
    # (no-store), which shows the blank screen.
    for _step in range(4):
        page.go_back()
        page.wait_for_load_state()
        if page.url.startswith(kiosk):
            nothing_left()
    context.close()


def test_voting_code_screen_is_accessible_at_phone_size(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + reverse("channels:code-start"))
    _assert_accessible(page)
    context.close()


PHONE_NUMBER = "010-3456-7890"


def test_a_kiosk_voter_identified_by_a_phone_code_leaves_nothing_either(
    browser,
    live_server,
    officer,
    office,
    voting_cycle,
    district_scope,
    district_projects,
    sms_outbox,
):
    client = Client()
    client.force_login(officer)
    context = browser.new_context(viewport={"width": 820, "height": 1180})
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
    kiosk = live_server.url + reverse(
        "channels:kiosk", kwargs={"office_pk": office.pk, "slug": voting_cycle.slug}
    )
    page.goto(kiosk)
    page.get_by_role("link", name="휴대전화로 받은 인증번호로 투표자 확인하기").click()
    page.get_by_label("투표자의 휴대전화 번호").fill(PHONE_NUMBER)
    page.get_by_role("button", name="문자로 인증번호 받기").click()
    page.get_by_label("문자로 받은 인증번호").wait_for()
    _assert_accessible(page)
    assert "010-****-7890" in page.content()
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    page.get_by_label("문자로 받은 인증번호").fill(code)
    page.get_by_role("button", name="인증하고 이 투표자의 투표 시작").click()
    page.get_by_label(district_projects[0].title).check()
    page.get_by_role("button", name="투표하기").click()
    page.get_by_role("button", name="마치기").click()
    page.wait_for_load_state()
    participation = Participation.objects.get(scope=district_scope)
    assert participation.channel == "kiosk"
    assert participation.person_key == phone_person_key("+821034567890")

    def nothing_left() -> None:
        content = page.content()
        assert district_projects[0].title not in content
        assert "-7890" not in content
        assert PHONE_NUMBER not in content
        assert code not in content
        assert page.evaluate("window.localStorage.length + window.sessionStorage.length") == 0
        for field in page.locator("input:not([type=hidden])").all():
            assert field.input_value() == ""

    nothing_left()
    for _step in range(6):
        page.go_back()
        page.wait_for_load_state()
        if page.url.startswith(kiosk):
            nothing_left()
    context.close()
