"""What the browser journey does on every page: axe-core checks, screenshots, logging in.

``Journey.check`` runs axe-core (bundled by axe-playwright-python, evaluated through Playwright
so the site's CSP does not block it) and collects every serious or critical violation; the test
asserts at its end that there were none, so one run lists them all. Screenshots are written to
``docs/screenshots/journey/`` only when ``CHAMYEO_SCREENSHOTS=1``, so ordinary test runs never
rewrite tracked files.
"""

import io
import mimetypes
import os
import time
from dataclasses import dataclass
from pathlib import Path

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value
from allauth.mfa.totp.internal.auth import hotp_value
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from PIL import Image
from PIL import ImageDraw
from playwright.sync_api import Page
from playwright.sync_api import Route
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD

# Debian's Chromium (package ``chromium``); Playwright never downloads a browser here.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "journey"
SCREENSHOT_MAX_HEIGHT = 1600
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
_AXE = Axe()


@dataclass(frozen=True)
class Device:
    """One way of visiting the site: screen size and language."""

    name: str  # "mobile" or "desktop", used in screenshot file names
    width: int
    height: int
    language: str

    def context_args(self) -> dict:
        return {
            "viewport": {"width": self.width, "height": self.height},
            "locale": "ko-KR" if self.language == "ko" else "en-US",
            "accept_downloads": True,
        }


def totp_code(secret: str) -> str:
    """The authenticator code valid now, computed as allauth checks it. allauth accepts only
    the current period (no tolerance), so a code about to expire is not used: wait (under two
    seconds) for the next one."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 2:
        time.sleep(left)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def photo_jpeg() -> bytes:
    """A small drawn photo (sky, a path through grass, a shelter) for uploads that show."""
    image = Image.new("RGB", (640, 400), (135, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 230, 640, 400), fill=(96, 160, 80))
    draw.polygon([(250, 400), (390, 400), (340, 230), (300, 230)], fill=(200, 180, 140))
    draw.rectangle((430, 170, 560, 180), fill=(60, 90, 120))  # the shade roof
    draw.rectangle((440, 180, 448, 270), fill=(80, 80, 80))
    draw.rectangle((542, 180, 550, 270), fill=(80, 80, 80))
    draw.rectangle((460, 240, 530, 250), fill=(140, 90, 50))  # a bench
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}: {targets}")
    return "\n".join(lines)


def _serve_media(route: Route) -> None:
    """Uploaded images, served from MEDIA_ROOT as the production web server would (the test
    live server, like Django without DEBUG, serves static files only)."""
    name = route.request.url.split("/media/", 1)[1].split("?", 1)[0]
    path = Path(settings.MEDIA_ROOT) / name
    if not path.is_file():
        route.fulfill(status=404)
        return
    route.fulfill(path=path, content_type=mimetypes.guess_type(path.name)[0])


class Journey:
    """The people of a journey, each in their own browser context, on one device."""

    def __init__(self, new_context, base_url: str, device: Device):
        self.new_context = new_context
        self.url = base_url
        self.device = device
        self.js_errors: list[str] = []
        self.checked_pages: list[str] = []
        self.violations: list[str] = []

    def open(self) -> Page:
        """A new person: their own browser context (cookies) in the journey's language."""
        context = self.new_context(**self.device.context_args())
        context.add_cookies(
            [{"name": "django_language", "value": self.device.language, "url": self.url}]
        )
        context.route(f"{self.url}/media/**", _serve_media)
        page = context.new_page()
        page.on("pageerror", lambda error: self.js_errors.append(f"{page.url}: {error}"))
        return page

    def go(self, page: Page, path: str, *, screenshot: str | None = None) -> None:
        page.goto(self.url + path)
        self.check(page, screenshot=screenshot)

    def check(self, page: Page, *, screenshot: str | None = None) -> None:
        """axe-core on the page as it is now; optionally a screenshot of it."""
        page.wait_for_load_state("load")
        path = page.url.removeprefix(self.url)
        self.checked_pages.append(path)
        response = _AXE.run(page).response
        blocking = [v for v in response["violations"] if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            self.violations.append(f"{path}:\n{describe_violations(blocking)}")
        if screenshot:
            self.screenshot(page, screenshot)

    def screenshot(self, page: Page, name: str) -> None:
        """docs/screenshots/journey/<name>-<lang>-<device>.png, only with CHAMYEO_SCREENSHOTS=1."""
        if os.environ.get("CHAMYEO_SCREENSHOTS") != "1":
            return
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOT_DIR / f"{name}-{self.device.language}-{self.device.name}.png"
        if self.device.name == "mobile":  # what a phone shows: one screen
            page.screenshot(path=target)
            return
        height = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(
            path=target,
            full_page=True,
            clip={
                "x": 0,
                "y": 0,
                "width": self.device.width,
                "height": min(height, SCREENSHOT_MAX_HEIGHT),
            },
        )

    def reauthenticate_if_asked(self, page: Page) -> bool:
        """allauth's page asking staff for their password again before a grave act (publishing,
        closing a vote early, cutting a budget), at most every 5 minutes: fill it in; the act
        then goes on. True if it was asked."""
        page.wait_for_load_state("load")
        if "/accounts/reauthenticate/" not in page.url:
            return False
        self.check(page)
        page.fill("#id_password", PASSWORD)
        page.locator('main form button[type="submit"]').first.click()
        page.wait_for_load_state("load")
        return True

    def log_in(self, page: Page, email: str, *, totp_secret: str | None = None) -> None:
        """Log in through allauth's form (and its two-factor step for staff and council)."""
        self.go(page, "/accounts/login/")
        page.fill("#id_login", email)
        page.fill("#id_password", PASSWORD)
        page.locator('form[action="/accounts/login/"] button[type="submit"]').click()
        if totp_secret:
            expect(page).to_have_url(f"{self.url}/accounts/2fa/authenticate/")
            self.check(page)
            page.fill("#id_code", totp_code(totp_secret))
            page.locator('main form button[type="submit"]:not([form])').click()
        logout = page.locator("header.site-header form[action='/accounts/logout/']")
        expect(logout).to_be_visible()
