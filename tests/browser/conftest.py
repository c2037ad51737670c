"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API.

Every test here is marked ``browser``. Without /usr/bin/chromium they are skipped, unless
GONGHUI_REQUIRE_BROWSER=1 is set (as .ci/run and `make test-browser` do): then they fail.
A screenshot of each test's last page is saved under test-results/ at the repository root.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.test.utils import override_settings

from tests.world import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _no_browser(reason: str):
    if os.environ.get("GONGHUI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (GONGHUI_REQUIRE_BROWSER=1: browser tests may not be skipped)")
    pytest.skip(reason)


# --- the server under test ---------------------------------------------------------------------
# The settings module follows DEBUG=false by default (HTTPS redirect, Secure cookies, hashed
# static files); the live server speaks plain HTTP and serves static files from the finders.
# Middleware reads some of these once, when the live server starts, so they are set for the
# whole session before pytest-django's live_server is created.


@pytest.fixture(scope="session")
def _browser_server_settings():
    override = override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        LANGUAGE_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
        WHITENOISE_USE_FINDERS=True,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session")
def live_server(_browser_server_settings, live_server):
    return live_server


@pytest.fixture
def server(transactional_db, live_server):
    """The live server's base URL. Its thread commits for real, hence transactional_db (the
    root conftest lifts the audit log's append-only triggers for the flush afterwards)."""
    return live_server.url


# --- the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _no_browser(f"{CHROMIUM} is missing (apt-get install -y chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _no_browser(f"the playwright package is missing: {exc}")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        _no_browser(f"Chromium did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


def _screenshot_name(node) -> str:
    return re.sub(r"[^\w.-]+", "_", node.nodeid.split("::", 1)[-1]) + ".png"


def _new_page(request, browser, **context_options):
    # zh-CN first, as on the federation's desktops: the site starts in Chinese.
    context_options.setdefault("locale", "zh-CN")
    context = browser.new_context(**context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()

    def finish():
        try:
            RESULTS_DIR.mkdir(exist_ok=True)
            page.screenshot(path=str(RESULTS_DIR / _screenshot_name(request.node)), full_page=True)
        finally:
            context.close()

    request.addfinalizer(finish)
    return page


@pytest.fixture
def page(request, browser, server):
    """A fresh desktop-sized tab (own cookies) whose last state is saved as a screenshot."""
    return _new_page(request, browser, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(request, browser, server):
    """A fresh phone-sized tab (390x844, touch, mobile viewport)."""
    return _new_page(
        request,
        browser,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )


def login(page, live_server, user, password: str = PASSWORD):
    """Sign in through the real form at /accounts/login/ and wait to land past it."""
    base = live_server if isinstance(live_server, str) else live_server.url
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, f"sign-in as {user.username} failed: {page.url}"
    return page
