"""Screenshots of a running Gonghui for the docs.

    python scripts/screenshots.py URL PASSWORD [--only PREFIX]

Signs in as the demo users in headless Chromium (Debian's /usr/bin/chromium) and saves PNGs
into docs/screenshots/. Run against `make run` with the demo county. ``--only rights_`` takes
only the shots whose file name starts with ``rights_`` (the rights-protection chapter).

Paths starting with ``@`` are recipes (a page reached by clicks, a form typed into); a shot
with no user is taken signed out (the workers' portal). Every demo case has the PIN 135790
(``gonghui/rights/demo.py``); the tracking code of a case in handling is read from the case
API with the signed-in session.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

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
DEMO_PIN = "135790"
DESKTOP = (1280, 800)
PHONE = (390, 844)

SHOTS = [
    # (file, user, path, viewport, language)
    ("workbench.png", "county_admin", "/home/", DESKTOP, "zh-hans"),
    ("organizations.png", "county_admin", "/organizations/", DESKTOP, "zh-hans"),
    ("organization-detail.png", "township_staff", "@own-organization", DESKTOP, "zh-hans"),
    ("workers.png", "township_staff", "/workers/", DESKTOP, "zh-hans"),
    ("worker-detail.png", "township_staff", "@first-worker", DESKTOP, "zh-hans"),
    ("search.png", "county_admin", "/search/?q=zw", DESKTOP, "zh-hans"),
    ("audit-log.png", "auditor", "/audit/", DESKTOP, "zh-hans"),
    ("workers-phone.png", "union_chair", "/workers/", PHONE, "zh-hans"),
    ("workbench-en.png", "county_admin", "/home/", DESKTOP, "en"),
    ("api-docs.png", "county_admin", "/api/v1/docs", DESKTOP, "zh-hans"),
    # rights protection (docs/user-guide.zh.md, 十二 onwards)
    ("rights_cases.png", "county_admin", "/rights/cases/", DESKTOP, "zh-hans"),
    ("rights_case.png", "county_admin", "@case-in-mediation", DESKTOP, "zh-hans"),
    ("rights_case_steps.png", "county_admin", "@case-in-mediation-steps", DESKTOP, "zh-hans"),
    ("rights_deadlines.png", "county_admin", "/rights/cases/deadlines/", DESKTOP, "zh-hans"),
    ("rights_hotline.png", "county_staff", "@hotline-call", DESKTOP, "zh-hans"),
    ("rights_mediation.png", "mediator", "@mediation-open", DESKTOP, "zh-hans"),
    ("rights_alerts.png", "county_admin", "/rights/alerts/", DESKTOP, "zh-hans"),
    ("rights_figures.png", "county_admin", "/rights/figures/", DESKTOP, "zh-hans"),
    ("rights_portal_form.png", None, "/portal/cases/new/", PHONE, "zh-hans"),
    ("rights_portal_status.png", "county_admin", "@portal-status", PHONE, "zh-hans"),
]


def sign_in(page: Page, base: str, user: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/home/")


def case_in_mediation(page: Page, base: str) -> str:
    """The first open mediation's case page (the demo's case under supervision)."""
    page.goto(base + "/rights/mediations/?status=open")
    page.click("table.table tbody tr td a")
    page.wait_for_load_state("networkidle")
    mediation = page.url
    page.locator(".breadcrumbs a").last.click()
    page.wait_for_load_state("networkidle")
    return mediation


def hotline_call(page: Page, base: str) -> None:
    """A call being typed: a known caller's number (their history shows) and the question
    (matching knowledge-base answers show)."""
    page.goto(base + "/rights/hotline/calls/")
    page.click("table.table tbody tr button:has-text('显示')")
    phone = page.locator(".revealed").first.inner_text().strip()
    page.goto(base + "/rights/hotline/")
    page.select_option("#id_category", "complaint.wage_arrears")
    page.fill("#id_caller_phone", phone)
    page.locator("#id_caller_phone").dispatch_event("input")
    page.fill("#id_summary", "拖欠工资")
    page.locator("#id_summary").dispatch_event("input")
    page.wait_for_timeout(1500)  # both fragments are fetched 400 ms after typing stops
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#kb-hits .kb-hit")


def portal_status(page: Page, base: str) -> None:
    """The status page of a case in handling, reached as a worker does: code and PIN."""
    found = page.request.get(base + "/api/v1/cases?status=in_handling&limit=50").json()
    case = next(c for c in found["items"] if not c["paused"])
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "gonghui_language", "value": "zh-hans", "url": base}])
    page.goto(base + "/portal/cases/track/")
    page.fill("input[name=code]", case["tracking_code"])
    page.fill("input[name=pin]", DEMO_PIN)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/portal/cases/*/")


def main(base: str, password: str, only: str = "") -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, user, path, (width, height), language in SHOTS:
            if only and not name.startswith(only):
                continue
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="zh-CN"
            )
            context.add_cookies([{"name": "gonghui_language", "value": language, "url": base}])
            page = context.new_page()
            if user:
                sign_in(page, base, user, password)
            if path == "@own-organization":
                page.goto(base + "/accounts/profile/")
                page.click(".facts a")
            elif path == "@first-worker":
                page.goto(base + "/workers/")
                page.click("table.table tbody tr td a")
                page.click("button:has-text('显示')")
                page.wait_for_selector(".revealed")
            elif path == "@case-in-mediation":
                case_in_mediation(page, base)
            elif path == "@case-in-mediation-steps":
                case_in_mediation(page, base)
                page.evaluate("document.getElementById('actions').scrollIntoView()")
                page.evaluate("window.scrollBy(0, -70)")
            elif path == "@mediation-open":
                page.goto(base + case_in_mediation(page, base).removeprefix(base))
            elif path == "@hotline-call":
                hotline_call(page, base)
            elif path == "@portal-status":
                portal_status(page, base)
            else:
                page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / name), full_page=False)
            print("saved", OUT / name)
            context.close()
        browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("password")
    parser.add_argument("--only", default="", help="file-name prefix, e.g. rights_")
    args = parser.parse_args()
    main(args.url.rstrip("/"), args.password, args.only)
