"""Browser tests: pytest-playwright driving Debian's Chromium against Django's ``live_server``.

Playwright never downloads a browser here: every launch uses ``/usr/bin/chromium`` (Debian
package ``chromium``, installed by ``make test``); without it the tests fail, never skip.

pytest-playwright keeps Playwright (and with it a running asyncio loop) for the whole session.
Django refuses database calls while a loop runs in the thread, so in this package Playwright,
the browser and the context arguments live for one module only, and the database is allowed
next to Playwright's loop only while it runs. Tests outside this package never see the loop.
"""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import BrowserType
from playwright.sync_api import Playwright
from playwright.sync_api import sync_playwright

from tests.e2e.browser import CHROMIUM
from tests.e2e.browser import CHROMIUM_ARGS


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: install Debian's 'chromium' package (make test does)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def playwright(_pw_api_request_contexts) -> Iterator[Playwright]:
    with pytest.MonkeyPatch.context() as patch:
        # The test's own ORM calls stay synchronous beside Playwright's loop (same thread).
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as started:
            if _pw_api_request_contexts:
                _pw_api_request_contexts.instrument(started)
            yield started


@pytest.fixture(scope="module")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="module")
def launch_browser(browser_type_launch_args: dict, browser_type: BrowserType):
    def launch(**kwargs) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="module")
def browser(launch_browser) -> Iterator[Browser]:
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def browser_context_args(pytestconfig, _pw_artifacts_folder) -> dict:
    # Each test opens its own contexts (one per person) with a viewport and language.
    if pytestconfig.getoption("--video") in ("on", "retain-on-failure"):
        return {"record_video_dir": _pw_artifacts_folder.name}
    return {}
