"""axe-core on every page of the app, as every kind of person, on a phone and a desktop.

The crawl table (``tests/e2e/pages.py``) names every URL pattern of the project: an HTML page
with the objects of the seeded demo city to fill into its URL, or an exclusion with its reason.
The crawl opens each page (a GET, in one Chromium, one tab per person) as anonymous, a
resident, a council member and the budget office (both logged in with their two-factor code),
and runs axe-core on it; any serious or critical violation, a page that does not answer 200 or
lands somewhere else than expected, or a JavaScript error fails the test, listing all of them.

Passes: Korean (the default) at 390 px with every role of each page, Korean on a desktop with
the first role of each page, English at both widths on the key pages, and the map of proposals
with a marker's popup open (both languages, both widths). The admin's per-model pages are all
checked on the desktop and, at 390 px, for the models in ``ADMIN_ON_PHONE`` (Django renders
every model with the same templates). The demo home page is checked with its demo-accounts box
(demo mode on). The two pages reached only through a step before them (the login-code form and
the second step of a two-factor login) are checked in Korean at both widths (``FLOWS``).
"""

import io
import re
import time
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page as BrowserPage
from playwright.sync_api import Route
from playwright.sync_api import expect

from demo.city import DEMO_PASSWORD
from demo.city import DEMO_TOTP_SECRETS
from tests.e2e.browser import _AXE
from tests.e2e.browser import BLOCKING_IMPACTS
from tests.e2e.browser import describe_violations
from tests.e2e.browser import totp_code
from tests.e2e.pages import ACCOUNTS
from tests.e2e.pages import ADMIN_APP_LIST
from tests.e2e.pages import ADMIN_ON_PHONE
from tests.e2e.pages import EXCLUDED
from tests.e2e.pages import PAGES
from tests.e2e.pages import City
from tests.e2e.pages import Role
from tests.e2e.pages import admin_pages
from tests.e2e.pages import admin_refuses
from tests.e2e.pages import build_city
from tests.e2e.pages import enumerate_patterns
from tests.e2e.pages import unlisted

AXE_RUN = "axe.run(document, {resultTypes: ['violations']})"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_every_url_pattern_is_in_the_crawl_table():
    """A page added later fails here, by name, until it is in PAGES (or EXCLUDED, with why)."""
    patterns = enumerate_patterns()
    missing = unlisted(patterns)
    assert not missing, (
        "URL patterns missing from the accessibility crawl (tests/e2e/pages.py): add each to "
        "PAGES (how to build its URL) or EXCLUDED (why it is not an HTML page):\n"
        + "\n".join(missing)
    )
    keys = {pattern.key for pattern in patterns}
    stale = sorted((set(PAGES) | set(EXCLUDED)) - keys)
    assert not stale, f"entries of the crawl table that match no URL pattern: {stale}"


@dataclass(frozen=True)
class Visit:
    key: str
    path: str
    roles: tuple[Role, ...]
    english: bool
    lands_on: str
    reauthenticate: bool = False
    on_phone: bool = True


def _plan(city: City) -> list[Visit]:
    """Every page of the table with real URLs, the admin's generated pages included."""
    visits = []
    for key, entry in PAGES.items():
        if key in FLOWS:
            continue
        kwargs = entry.kwargs(city)
        path = reverse(key, kwargs=kwargs) + (f"?{entry.query}" if entry.query else "")
        lands_on = entry.lands_on.format(**kwargs) if entry.lands_on else path.split("?")[0]
        visits.append(Visit(key, path, entry.roles, entry.english, lands_on, entry.reauthenticate))
    app_labels = sorted({model._meta.app_label for model, _ in admin_pages().values()})
    for label in app_labels:
        path = reverse(ADMIN_APP_LIST, kwargs={"app_label": label})
        visits.append(Visit(f"{ADMIN_APP_LIST} {label}", path, ("staff",), False, path))
    for key, (model, view) in admin_pages().items():
        if admin_refuses(model, view, city.staff):
            continue
        kwargs = {} if view in ("changelist", "add") else {"object_id": city.admin_object(model).pk}
        path = reverse(key, kwargs=kwargs)
        on_phone = model._meta.label in ADMIN_ON_PHONE
        visits.append(Visit(key, path, ("staff",), False, path, on_phone=on_phone))
    return visits


# --- pages reached only through a step before them --------------------------------------------
def _ask_for_login_code(crawl: "Crawl", page: BrowserPage, city: City) -> None:
    page.goto(crawl.url + reverse("account_request_login_code"))
    page.fill("#id_email", city.resident.email)
    page.locator('main form button[type="submit"]').first.click()
    expect(page).to_have_url(crawl.url + reverse("account_confirm_login_code"))


def _password_step_of_a_council_login(crawl: "Crawl", page: BrowserPage, city: City) -> None:
    page.goto(crawl.url + reverse("account_login"))
    page.fill("#id_login", city.council.email)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator('form[action="/accounts/login/"] button[type="submit"]').click()
    expect(page).to_have_url(crawl.url + reverse("mfa_authenticate"))


FLOWS = {
    "account_confirm_login_code": _ask_for_login_code,
    "mfa_authenticate": _password_step_of_a_council_login,
}


def _grey_tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (222, 226, 230)).save(out, format="PNG")
    return out.getvalue()


class Crawl:
    """One browser tab per person; every check is recorded, the test asserts at the end."""

    def __init__(self, browser, base_url: str, city: City):
        self.browser = browser
        self.url = base_url
        self.city = city
        self.tile = _grey_tile()
        self.tabs: dict[Role, BrowserPage] = {}
        self.problems: list[str] = []
        self.js_errors: list[str] = []
        self.checked = 0
        self.language = "ko"
        self.viewport = PHONE

    def new_tab(self) -> BrowserPage:
        context: BrowserContext = self.browser.new_context(viewport=self.viewport, locale="ko-KR")
        context.add_cookies([{"name": "django_language", "value": self.language, "url": self.url}])
        # Map tiles: a grey square instead of the tile server (no network in tests).
        context.route(re.compile(r"^https?://[^/]*tile[^/]*/.*"), self._serve_tile)
        # axe-core (from axe-playwright-python) is put into every page as it loads, once per
        # tab instead of sent over for every check; it runs when asked, through Playwright, so
        # the site's CSP does not apply to it.
        context.add_init_script(script=_AXE.axe_script)
        page = context.new_page()
        page.on("pageerror", lambda error: self.js_errors.append(f"{page.url}: {error}"))
        return page

    def _serve_tile(self, route: Route) -> None:
        route.fulfill(body=self.tile, content_type="image/png")

    def log_in(self, role: Role) -> None:
        page = self.tabs[role] = self.new_tab()
        if role == "anonymous":
            return
        page.goto(self.url + reverse("account_login"))
        page.fill("#id_login", ACCOUNTS[role])
        page.fill("#id_password", DEMO_PASSWORD)
        page.locator('form[action="/accounts/login/"] button[type="submit"]').click()
        secret = DEMO_TOTP_SECRETS.get(ACCOUNTS[role])
        if secret:
            expect(page).to_have_url(self.url + reverse("mfa_authenticate"))
            page.fill("#id_code", totp_code(secret))
            page.locator('main form button[type="submit"]:not([form])').click()
        expect(page.locator("header.site-header form[action='/accounts/logout/']")).to_be_visible()

    def switch(self, *, language: str, viewport: dict) -> None:
        self.language, self.viewport = language, viewport
        for page in self.tabs.values():
            page.set_viewport_size(viewport)
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": self.url}]
            )

    def where(self, key: str, role: str) -> str:
        return f"{key} as {role} ({self.language}, {self.viewport['width']} px)"

    def visit(self, visit: Visit, role: Role) -> None:
        page = self.tabs[role]
        response = page.goto(self.url + visit.path)
        status = response.status if response else None
        landed = page.url.removeprefix(self.url).split("?")[0].split("#")[0]
        if visit.reauthenticate and landed == reverse("account_reauthenticate"):
            page.fill("#id_password", DEMO_PASSWORD)
            page.locator('main form button[type="submit"]').first.click()
            page.wait_for_load_state("load")
            landed = page.url.removeprefix(self.url).split("?")[0].split("#")[0]
        if status != 200 or landed != visit.lands_on:
            self.problems.append(
                f"{self.where(visit.key, role)}: GET {visit.path} answered {status} "
                f"on {landed} (expected 200 on {visit.lands_on})"
            )
            return
        self.axe(page, self.where(visit.key, role) + f" {visit.path}")

    def flow(self, key: str) -> None:
        page = self.new_tab()
        try:
            FLOWS[key](self, page, self.city)
            self.axe(page, self.where(key, "anonymous") + f" {reverse(key)}")
        finally:
            page.context.close()

    def axe(self, page: BrowserPage, where: str) -> None:
        page.wait_for_load_state("load")
        self.checked += 1
        response = page.evaluate(AXE_RUN)
        blocking = [v for v in response["violations"] if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            self.problems.append(f"{where}:\n{describe_violations(blocking)}")

    def map_popup(self) -> None:
        """The map of proposals with one marker's popup open (clusters are zoomed into)."""
        page = self.tabs["anonymous"]
        path = reverse("proposals:proposal-map", kwargs={"slug": self.city.current.slug})
        page.goto(self.url + path)
        single = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
        for _ in range(8):
            page.wait_for_timeout(800)  # Leaflet's zoom animation, then the clusters settle
            if single.count():
                break
            page.locator(".leaflet-marker-icon.marker-cluster").first.click()
        single.first.click()
        expect(page.locator(".leaflet-popup-content a")).to_be_visible()
        self.axe(page, self.where("proposals:proposal-map with a popup open", "anonymous"))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_every_page_passes_axe(live_server, browser, settings):
    settings.CHAMYEO_DEMO_MODE = True  # the home page's demo-accounts box is checked too
    missing = unlisted(enumerate_patterns())
    assert not missing, "URL patterns missing from tests/e2e/pages.py:\n" + "\n".join(missing)
    call_command("seed_demo", stdout=io.StringIO())
    city = build_city()
    visits = _plan(city)
    started = time.monotonic()
    crawl = Crawl(browser, live_server.url, city)
    for role in ("anonymous", "resident", "council", "staff"):
        crawl.log_in(role)

    passes = [("ko", PHONE, "every role"), ("ko", DESKTOP, "first role")]
    passes += [("en", PHONE, "key pages"), ("en", DESKTOP, "key pages")]
    for language, viewport, which in passes:
        crawl.switch(language=language, viewport=viewport)
        for visit in visits:
            if which == "key pages" and not visit.english:
                continue
            if viewport is PHONE and not visit.on_phone:
                continue
            roles = visit.roles if which == "every role" else visit.roles[:1]
            for role in roles:
                crawl.visit(visit, role)
        if language == "ko":
            for key in FLOWS:
                crawl.flow(key)
        crawl.map_popup()

    elapsed = time.monotonic() - started
    assert crawl.js_errors == []
    assert crawl.problems == [], (
        f"{len(crawl.problems)} problems on {crawl.checked} pages checked in {elapsed:.0f} s:\n"
        + "\n".join(crawl.problems)
    )
