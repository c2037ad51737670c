"""A worker on a phone files an anonymous complaint, keeps the tracking code and PIN, and opens
the status page with them; staff accept the case and the worker sees it (issue 4, "Done when",
the portal half)."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import expect

from gonghui.rights import captcha
from gonghui.rights.models import Case, CaseStatus, Channel
from gonghui.rights.services import cases as case_services

from .conftest import RESULTS_DIR

pytestmark = [pytest.mark.browser]


def in_chinese(text) -> str:
    """What the Chinese page shows for a source text (the source itself until the catalog
    has it)."""
    with translation.override("zh-hans"):
        return str(translation.gettext(str(text)))


def fits_the_screen(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert viewport == 390
    assert width <= viewport + 1, f"horizontal scroll: {width}px on a {viewport}px screen"


def shot(page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(RESULTS_DIR / f"rights_portal_{name}.png"), full_page=True)


def test_a_worker_files_anonymously_on_a_phone_and_follows_the_case(
    phone_page, live_server, world, settings, monkeypatch
):
    settings.RIGHTS_FORM_MIN_SECONDS = 0
    monkeypatch.setattr(captcha, "_numbers", lambda: (6, "+", 3))  # the picture shows 6+3=?
    base = live_server.url
    phone = phone_page

    phone.goto(f"{base}/portal/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    phone.locator("a[href='/portal/cases/new/']").first.click()
    expect(phone.locator("h1")).to_have_text(in_chinese("Ask the union for help"))
    expect(phone.locator(".human-check svg")).to_be_visible()
    fits_the_screen(phone)

    # First try: no description and no answer — told what to fix, the rest kept.
    phone.locator("select[name=category]").select_option("complaint.wage_arrears")
    phone.locator("input[name=employer]").fill(world.employer_a.name)
    phone.locator("input[name=workers_affected]").fill("6")
    phone.locator("input[name=amount_claimed]").fill("18000")
    phone.locator("input[name=anonymous]").check()
    expect(phone.locator("input[name=phone]")).to_be_hidden()  # anonymous: no contact asked
    phone.locator("input[name=consent]").check()
    with phone.expect_navigation():
        phone.locator("form.case-form button[type=submit]").click()
    expect(phone.locator("#id_description-error")).to_be_visible()
    expect(phone.locator("#id_answer-error")).to_be_visible()
    expect(phone.locator("input[name=employer]")).to_have_value(world.employer_a.name)
    expect(phone.locator("input[name=amount_claimed]")).to_have_value("18000")
    fits_the_screen(phone)
    shot(phone, "1_errors")

    phone.locator("textarea[name=description]").fill(
        "工地老板拖欠我们六个人三个月工资，一直拖着不给。"
    )
    phone.locator("input[name=answer]").fill("9")
    with phone.expect_navigation():
        phone.locator("form.case-form button[type=submit]").click()

    # The code and PIN, large, once.
    code = phone.locator("#tracking-code").inner_text().strip()
    pin = phone.locator("#pin").inner_text().strip()
    assert len(code) == 14 and code[4] == "-" and code[9] == "-"
    assert len(pin) == 6 and pin.isdigit()
    expect(phone.locator(".write-down")).to_be_visible()
    fits_the_screen(phone)
    shot(phone, "2_code")

    case = Case.objects.get(channel=Channel.PORTAL)
    assert case.anonymous and case.complainant_phone == "" and case.complainant_name == ""
    assert case.employer == world.employer_a

    # Staff accept it meanwhile.
    case_services.case_accept(by=world.county_admin, case=case, tier="general", note="内部备注")

    # Later, on the same phone in a fresh tab of the browser: the status page by code and PIN.
    phone.context.clear_cookies()
    phone.goto(f"{base}/portal/cases/track/")
    phone.locator("input[name=code]").fill(code.lower().replace("-", " "))
    phone.locator("input[name=pin]").fill(pin)
    with phone.expect_navigation():
        phone.locator("form.portal-form button[type=submit]").click()
    expect(phone.locator(".case-status .status-word")).to_have_text(
        in_chinese(CaseStatus.ACCEPTED.label)
    )
    expect(phone.locator(".public-events li")).to_have_count(2)
    main = phone.locator("main").inner_text()
    assert "内部备注" not in main and world.county_admin.username not in main
    fits_the_screen(phone)
    shot(phone, "3_status")

    # A wrong PIN reveals nothing.
    phone.context.clear_cookies()
    phone.goto(f"{base}/portal/cases/track/")
    phone.locator("input[name=code]").fill(code)
    phone.locator("input[name=pin]").fill("000000" if pin != "000000" else "111111")
    with phone.expect_navigation():
        phone.locator("form.portal-form button[type=submit]").click()
    expect(phone.locator(".message.error")).to_be_visible()
    expect(phone.locator(".case-status")).to_have_count(0)
