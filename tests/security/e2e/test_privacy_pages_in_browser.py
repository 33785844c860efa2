"""The new pages of issue #16 in a real browser on a phone (390 px), Korean and English: sign-up
with its consents, the privacy policy, my data (download, consents, deletion), the 400 page.
axe-core finds no serious or critical violation and no script error happens (strict CSP)."""

import json
import shutil

import pytest
from playwright.sync_api import expect

from accounts.models import Consent
from accounts.models import User
from tests.accounts.factories import PASSWORD
from tests.accounts.factories import ResidentProfileFactory
from tests.e2e.browser import _AXE
from tests.e2e.browser import BLOCKING_IMPACTS
from tests.e2e.browser import CHROMIUM
from tests.e2e.browser import CHROMIUM_ARGS
from tests.e2e.browser import describe_violations


@pytest.fixture
def phone(monkeypatch, live_server):
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} not found: install Debian's 'chromium' package for e2e tests")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, errors
        context.close()
        browser.close()


def _axe(page, found: list[str]) -> None:
    page.wait_for_load_state("load")
    blocking = [v for v in _AXE.run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        found.append(f"{page.url}:\n{describe_violations(blocking)}")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "delete_label"), [("ko", "회원 탈퇴"), ("en", "Delete my account")]
)
def test_consent_policy_and_my_data_in_a_phone_browser(live_server, phone, language, delete_label):
    page, errors = phone
    url = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": language, "url": url}])
    violations: list[str] = []

    # sign-up: the consents with purpose, items and retention; the optional ones unticked
    page.goto(f"{url}/accounts/signup/")
    _axe(page, violations)
    page.fill("#id_email", f"browser.{language}@example.kr")
    page.fill("#id_password1", "a-Strong-pw-2026!")
    page.fill("#id_password2", "a-Strong-pw-2026!")
    page.check("#id_consent_account")
    page.check("#id_consent_phone")
    page.locator('form[action="/accounts/signup/"] button[type="submit"]').click()
    expect(page).to_have_url(f"{url}/accounts/confirm-email/")
    user = User.objects.get(email=f"browser.{language}@example.kr")
    assert dict(Consent.objects.filter(user=user).values_list("purpose", "granted")) == {
        "account": True,
        "committee_attributes": False,
        "phone": True,
    }

    # the privacy policy from the footer
    page.goto(url + "/")
    page.locator("footer a[href='/privacy/']").click()
    expect(page).to_have_url(f"{url}/privacy/")
    _axe(page, violations)

    # a resident's own data: download, consents, deletion
    resident = ResidentProfileFactory(user__email=f"resident.{language}@example.kr").user
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_login", resident.email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action="/accounts/login/"] button[type="submit"]').click()
    page.goto(f"{url}/me/privacy/")
    _axe(page, violations)
    with page.expect_download() as download:
        page.locator("a[href='/me/privacy/download/']").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["account"]["email"] == resident.email
    page.fill("#id_password", PASSWORD)
    page.check("#id_confirm")
    page.get_by_role("button", name=delete_label).click()
    expect(page).to_have_url(f"{url}/")
    resident.refresh_from_db()
    assert resident.deleted_at is not None

    # the 400 page of the control-character guard
    page.goto(f"{url}/?q=%00")
    _axe(page, violations)

    assert violations == []
    assert errors == []
