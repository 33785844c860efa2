"""axe-core on every kiosk screen and every voting-code screen, at phone size (390 × 844) and
tablet size (820 × 1180), in Korean and in English: no serious or critical violation.

Kiosk: the officer's blank screen (and its refusal of an empty reference), the ballot (and its
refusal of an empty ballot), the thank-you screen. Voting code: typing the code (and its refusal
of a wrong one), the phone step (the number, then the SMS code), the list of ballots, the ballot,
the receipt, the list once voted, and the page the resident lands on when done. Phone alone:
the number (and its refusal), the SMS code (and a wrong one), what the voter states (and its
refusal), the ballots, the ballot (and its refusal), the receipt, the list once voted, the page
when done, and the page of a cycle that does not offer it. The kiosk's phone identification: the
number (and its refusal), the SMS code (and a wrong one). One Chromium for
the whole module; each walk checks the page's language before its first axe run.

Needs ``/usr/bin/chromium`` (Debian package ``chromium``) and the ``playwright`` package.
"""

import re
import shutil

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from budgeting.models import BudgetCycle
from budgeting.models import Participation
from channels.services import create_code_batch
from channels.services import generate_code_batch
from channels.services import take_printable_codes
from tests.e2e.browser import _AXE
from tests.e2e.browser import BLOCKING_IMPACTS
from tests.e2e.browser import CHROMIUM
from tests.e2e.browser import CHROMIUM_ARGS
from tests.e2e.browser import describe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 820, "height": 1180}}
LANGUAGES = ("ko", "en")
CENSUS_REF = "480517-2345678"


@pytest.fixture(scope="module")
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} not found: install Debian's 'chromium' package for e2e tests")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield launched
            launched.close()


@pytest.fixture(params=[(s, lang) for s in SIZES for lang in LANGUAGES], ids="-".join)
def screen(request):
    """(size name, language)"""
    return request.param


class Screens:
    """One browser context at one size and language; ``check`` runs axe on the current page
    and keeps every blocking violation, so one walk lists them all."""

    def __init__(self, browser, live_server, screen, cookies=()):
        size, self.language = screen
        self.context = browser.new_context(
            viewport=SIZES[size], locale="ko-KR" if self.language == "ko" else "en-US"
        )
        language = {"name": settings.LANGUAGE_COOKIE_NAME, "value": self.language}
        self.context.add_cookies([dict(c, url=live_server.url) for c in [language, *cookies]])
        self.page = self.context.new_page()
        self.found: list[str] = []

    def check(self, name: str) -> None:
        self.page.wait_for_load_state()
        assert self.page.locator("html").get_attribute("lang") == self.language, name
        violations = [
            v for v in _AXE.run(self.page).response["violations"] if v["impact"] in BLOCKING_IMPACTS
        ]
        if violations:
            self.found.append(f"{name}:\n{describe_violations(violations)}")

    def submit(self, form_has: str) -> None:
        self.page.locator(f"form:has({form_has}) button[type=submit]").click()

    def close(self) -> None:
        self.context.close()
        assert not self.found, "\n".join(self.found)


def test_kiosk_screens_are_accessible(
    browser,
    live_server,
    screen,
    officer,
    office,
    voting_cycle,
    district_scope,
    district_projects,
):
    client = Client()
    client.force_login(officer)
    session = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }
    screens = Screens(browser, live_server, screen, cookies=[session])
    page = screens.page
    page.goto(
        live_server.url
        + reverse("channels:kiosk", kwargs={"office_pk": office.pk, "slug": voting_cycle.slug})
    )
    screens.check("kiosk: identify")
    screens.submit("#id_census_ref")
    screens.check("kiosk: identify, refused")
    page.fill("#id_census_ref", CENSUS_REF)
    screens.submit("#id_census_ref")
    page.locator("form:has(input[name=proposals])").wait_for()
    screens.check("kiosk: ballot")
    screens.submit("input[name=proposals]")
    screens.check("kiosk: ballot, refused")
    page.locator(f"input[name=proposals][value='{district_projects[0].pk}']").check()
    screens.submit("input[name=proposals]")
    page.locator("form[action$='/finish/']:not([hidden]) button").wait_for()
    screens.check("kiosk: finished")
    screens.close()
    assert Participation.objects.get(scope=district_scope).channel == "kiosk"


def test_voting_code_screens_are_accessible(
    browser,
    live_server,
    screen,
    staff_user,
    voting_cycle,
    district_scope,
    district_projects,
    sms_outbox,
):
    voting_cycle.requires_phone = True
    voting_cycle.save(update_fields=["requires_phone"])
    batch = create_code_batch(
        cycle=voting_cycle, scopes=[district_scope], size=1, created_by=staff_user
    )
    generate_code_batch(batch_id=batch.pk)
    (code,) = take_printable_codes(batch=batch)
    screens = Screens(browser, live_server, screen)
    page = screens.page
    page.goto(live_server.url + reverse("channels:code-start"))
    screens.check("code: enter the code")
    page.fill("#id_code", "AAAA-BBBB-CCCC-DDDD")
    screens.submit("#id_code")
    screens.check("code: enter the code, refused")
    page.fill("#id_code", code)
    screens.submit("#id_code")
    page.wait_for_url(re.compile(re.escape(reverse("channels:code-phone")) + "$"))
    screens.check("code: phone number")
    page.fill("#id_phone_number", "010-9876-5432")
    screens.submit("#id_phone_number")
    page.locator("#id_code").wait_for()
    screens.check("code: SMS code")
    sms = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    page.fill("#id_code", sms)
    screens.submit("#id_code")
    page.wait_for_url(re.compile(re.escape(reverse("channels:code-ballots")) + "$"))
    screens.check("code: ballots")
    page.locator(
        f"a[href='{reverse('channels:code-ballot', kwargs={'scope_pk': district_scope.pk})}']"
    ).click()
    page.locator("form:has(input[name=proposals])").wait_for()
    screens.check("code: ballot")
    page.locator(f"input[name=proposals][value='{district_projects[0].pk}']").check()
    screens.submit("input[name=proposals]")
    receipt_url = reverse("channels:code-receipt", kwargs={"scope_pk": district_scope.pk})
    page.wait_for_url(re.compile(re.escape(receipt_url) + "$"))
    page.locator("[data-receipt]").wait_for()
    screens.check("code: receipt")
    page.goto(live_server.url + reverse("channels:code-ballots"))
    screens.check("code: ballots, voted")
    page.locator(f"form[action='{reverse('channels:code-finish')}'] button").click()
    page.wait_for_url(re.compile(re.escape(reverse("home")) + "$"))
    screens.check("code: done")
    screens.close()
    assert Participation.objects.get(scope=district_scope).channel == "code"


def test_phone_voting_screens_are_accessible(
    browser,
    live_server,
    screen,
    voting_cycle,
    district,
    district_scope,
    district_projects,
    sms_outbox,
):
    BudgetCycle.objects.filter(pk=voting_cycle.pk).update(allow_phone_voting=True)
    slug = {"slug": voting_cycle.slug}
    screens = Screens(browser, live_server, screen)
    page = screens.page
    page.goto(live_server.url + reverse("channels:phone-vote", kwargs=slug))
    screens.check("phone: number")
    page.fill("#id_phone_number", "+1 202 555 0100")
    screens.submit("#id_phone_number")
    page.locator("#id_phone_number_errors").wait_for()
    screens.check("phone: number, refused")
    page.fill("#id_phone_number", "010-9876-5432")
    screens.submit("#id_phone_number")
    page.locator("#id_code").wait_for()
    screens.check("phone: SMS code")
    page.fill("#id_code", "000000" if "000000" not in sms_outbox[-1].text else "111111")
    screens.submit("#id_code")
    page.locator("#id_code_errors").wait_for()
    screens.check("phone: SMS code, refused")
    sms = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    page.fill("#id_code", sms)
    screens.submit("#id_code")
    page.wait_for_url(re.compile(re.escape(reverse("channels:phone-vote-about", kwargs=slug))))
    screens.check("phone: about you")
    screens.submit("#id_birth_year")
    page.locator("#id_birth_year_errors").wait_for()
    screens.check("phone: about you, refused")
    page.select_option("#id_district", str(district.pk))
    page.fill("#id_birth_year", "1970")
    page.locator("input[name=relation][value=lives]").check()
    page.locator("#id_truthful").check()
    screens.submit("#id_birth_year")
    page.wait_for_url(re.compile(re.escape(reverse("channels:phone-vote-ballots", kwargs=slug))))
    screens.check("phone: ballots")
    ballot = reverse("channels:phone-vote-ballot", kwargs=slug | {"scope_pk": district_scope.pk})
    page.locator(f"a[href='{ballot}']").click()
    page.locator("form:has(input[name=proposals])").wait_for()
    screens.check("phone: ballot")
    screens.submit("input[name=proposals]")
    screens.check("phone: ballot, refused")
    page.locator(f"input[name=proposals][value='{district_projects[0].pk}']").check()
    screens.submit("input[name=proposals]")
    page.locator("[data-receipt]").wait_for()
    screens.check("phone: receipt")
    page.goto(live_server.url + reverse("channels:phone-vote-ballots", kwargs=slug))
    screens.check("phone: ballots, voted")
    finish = reverse("channels:phone-vote-finish", kwargs=slug)
    page.locator(f"form[action='{finish}'] button").click()
    page.wait_for_url(re.compile(re.escape(reverse("home")) + "$"))
    screens.check("phone: done")
    screens.close()
    assert Participation.objects.get(scope=district_scope).channel == "phone"


def test_phone_voting_refusal_screen_is_accessible(browser, live_server, screen, voting_cycle):
    BudgetCycle.objects.filter(pk=voting_cycle.pk).update(
        allow_phone_voting=True, requires_verification=True
    )
    screens = Screens(browser, live_server, screen)
    screens.page.goto(
        live_server.url + reverse("channels:phone-vote", kwargs={"slug": voting_cycle.slug})
    )
    screens.page.locator("[data-refusal]").wait_for()
    screens.check("phone: not offered (verified residents only)")
    screens.close()


def test_kiosk_phone_screens_are_accessible(
    browser, live_server, screen, officer, office, voting_cycle, sms_outbox
):
    client = Client()
    client.force_login(officer)
    session = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }
    screens = Screens(browser, live_server, screen, cookies=[session])
    page = screens.page
    page.goto(
        live_server.url
        + reverse(
            "channels:kiosk-phone", kwargs={"office_pk": office.pk, "slug": voting_cycle.slug}
        )
    )
    screens.check("kiosk phone: number")
    page.fill("#id_phone_number", "02-123-4567")
    screens.submit("#id_phone_number")
    page.locator("#id_phone_number_errors").wait_for()
    screens.check("kiosk phone: number, refused")
    page.fill("#id_phone_number", "010-9876-5432")
    screens.submit("#id_phone_number")
    page.locator("#id_code").wait_for()
    screens.check("kiosk phone: SMS code")
    page.fill("#id_code", "000000" if "000000" not in sms_outbox[-1].text else "111111")
    screens.submit("#id_code")
    page.locator("#id_code_errors").wait_for()
    screens.check("kiosk phone: SMS code, refused")
    screens.close()
