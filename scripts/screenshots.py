"""Screenshots of a running Gonghui for the docs: ``python scripts/screenshots.py URL PASSWORD``.

Signs in as the demo users in headless Chromium (Debian's /usr/bin/chromium) and saves PNGs
into docs/screenshots/. Run against `make run` with the demo county.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

SHOTS = [
    # (file, user, path, viewport, language)
    ("workbench.png", "county_admin", "/home/", (1280, 800), "zh-hans"),
    ("organizations.png", "county_admin", "/organizations/", (1280, 800), "zh-hans"),
    ("organization-detail.png", "township_staff", "@own-organization", (1280, 800), "zh-hans"),
    ("workers.png", "township_staff", "/workers/", (1280, 800), "zh-hans"),
    ("worker-detail.png", "township_staff", "@first-worker", (1280, 800), "zh-hans"),
    ("search.png", "county_admin", "/search/?q=zw", (1280, 800), "zh-hans"),
    ("audit-log.png", "auditor", "/audit/", (1280, 800), "zh-hans"),
    ("workers-phone.png", "union_chair", "/workers/", (390, 844), "zh-hans"),
    ("workbench-en.png", "county_admin", "/home/", (1280, 800), "en"),
    ("api-docs.png", "county_admin", "/api/v1/docs", (1280, 800), "zh-hans"),
]


def main(base: str, password: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, user, path, (width, height), language in SHOTS:
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="zh-CN"
            )
            context.add_cookies([{"name": "gonghui_language", "value": language, "url": base}])
            page = context.new_page()
            page.goto(base + "/accounts/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", password)
            page.click("form.form button[type=submit]")
            page.wait_for_url("**/home/")
            if path == "@own-organization":
                page.click(
                    "text=" + page.locator(".user-menu summary").inner_text()
                ) if False else None
                page.goto(base + "/accounts/profile/")
                page.click(".facts a")
            elif path == "@first-worker":
                page.goto(base + "/workers/")
                page.click("table.table tbody tr td a")
                page.click("button:has-text('显示')")
                page.wait_for_selector(".revealed")
            else:
                page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / name), full_page=False)
            print("saved", OUT / name)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
