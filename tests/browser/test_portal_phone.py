"""A worker on a phone: sign in with an SMS code, link the record, apply to join, follow the
application; a union chair accepts it on the staff pages; the worker shows the member card."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from gonghui.members.models import ApplicationStatus, JoinApplication, Membership
from gonghui.notifications.sms import LocmemSmsBackend
from tests.world import make_worker

from .conftest import RESULTS_DIR, login

pytestmark = [pytest.mark.browser, pytest.mark.urls("gonghui.portal.tests.urls")]

PHONE = "13800000071"  # the phone on the record of the worker below (make_worker, seq 71)


def in_chinese(label) -> str:
    """The text the Chinese page shows: "已提交" for "Submitted" once the catalog has it."""
    with translation.override("zh-hans"):
        return str(label)


def code_sent_to(phone: str) -> str:
    """The live server runs in this process: its SMS land in the locmem backend's outbox."""
    texts = [m["text"] for m in LocmemSmsBackend.outbox if m["to"] == phone]
    assert texts, f"no SMS to {phone}: {LocmemSmsBackend.outbox}"
    return re.search(r"\d{6}", texts[-1]).group()


def fits_the_screen(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert viewport == 390
    assert width <= viewport + 1, f"horizontal scroll: {width}px on a {viewport}px screen"


def shot(page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # a sticky bar would show mid-page otherwise
    page.screenshot(path=str(RESULTS_DIR / f"portal_phone_{name}.png"), full_page=True)


def test_a_worker_applies_on_a_phone_and_shows_the_card_once_accepted(
    phone_page, page, live_server, world
):
    worker = make_worker("刘晓红", world.township_a, None, 71)  # on record, not yet a member
    assert worker.phone == PHONE
    base = live_server.url
    phone = phone_page

    # The portal's home page, in Chinese, with the hotline.
    phone.goto(f"{base}/portal/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(phone.locator(".portal-footer a[href='tel:12351']")).to_be_visible()
    expect(phone.locator("nav.sidenav")).to_have_count(0)
    fits_the_screen(phone)
    shot(phone, "0_home")

    # Sign in: phone number, then the code from the SMS.
    phone.locator(".portal-actions a[href='/portal/login/']").click()
    phone.locator("input[name=phone]").fill(PHONE)
    with phone.expect_navigation():
        phone.locator("form.portal-form button[type=submit]").click()
    assert phone.url.endswith("/portal/login/code/"), phone.url
    expect(phone.locator("main")).to_contain_text("138****0071")
    fits_the_screen(phone)
    shot(phone, "1_code")
    phone.locator("input[name=code]").fill(code_sent_to(PHONE))
    with phone.expect_navigation():
        phone.locator("form.portal-form button[type=submit]").click()
    assert phone.url.endswith("/portal/me/"), phone.url

    # Link the record once: name and ID number, with this phone on record.
    phone.goto(f"{base}/portal/bind/")
    phone.locator("input[name=name]").fill("刘晓红")
    phone.locator("input[name=id_number]").fill(worker.id_number)
    with phone.expect_navigation():
        phone.locator("form.portal-form button[type=submit]").click()
    assert phone.url.endswith("/portal/me/"), phone.url
    expect(phone.locator("h1")).to_contain_text("刘晓红")

    # Apply to join union A: the union list follows the typing (htmx).
    phone.goto(f"{base}/portal/apply/")
    expect(phone.locator("input[name=id_number]")).to_have_count(0)  # the record's is used
    phone.locator("input[name=union_q]").fill("甲方机械")
    choice = phone.locator("label.union-choice", has_text=world.union_a.name)
    expect(choice).to_be_visible()
    choice.click()
    expect(choice.locator("input")).to_be_checked()
    phone.locator("label.choice", has=phone.locator("input[value=migrant]")).click()
    phone.locator("input[name=employer]").fill(world.employer_a.name)
    phone.locator("input[name=consent]").check()
    fits_the_screen(phone)
    shot(phone, "2_apply")
    with phone.expect_navigation():
        phone.locator("form.portal-form button.big").click()
    assert re.search(r"/portal/applications/\d+/$", phone.url), phone.url
    expect(phone.locator(".app-status .tag")).to_have_text(
        in_chinese(ApplicationStatus.SUBMITTED.label)
    )
    expect(phone.locator(".steps .current")).to_have_count(1)
    fits_the_screen(phone)
    shot(phone, "3_submitted")
    application = JoinApplication.objects.get(name="刘晓红")
    assert (application.union, application.employer) == (world.union_a, world.employer_a)

    # The union chair accepts it on the staff pages.
    login(page, live_server, world.union_chair)
    page.goto(f"{base}/applications/")
    with page.expect_navigation():
        page.locator("main table").get_by_role("link", name="刘晓红").click()
    with page.expect_navigation():
        page.locator("form[action$='/accept/'] button[type=submit]").click()
    expect(page.locator(".message").first).to_be_visible()
    shot(page, "4_staff_accepted")
    membership = Membership.objects.get(worker=worker, status="active")
    assert membership.union == world.union_a and membership.card_number

    # The worker was told by SMS, and the card is on the phone.
    assert len([m for m in LocmemSmsBackend.outbox if m["to"] == PHONE]) == 2
    phone.goto(f"{base}/portal/card/")
    expect(phone.locator(".ecard-number")).to_have_text(membership.card_number)
    expect(phone.locator(".ecard-name")).to_have_text("刘晓红")
    expect(phone.locator(".ecard-union")).to_have_text(world.union_a.name)
    expect(phone.locator(".ecard-qr svg.qr")).to_be_visible()
    fits_the_screen(phone)
    shot(phone, "5_card")

    phone.goto(f"{base}/portal/applications/{application.pk}/")
    expect(phone.locator(".app-status .tag")).to_have_text(
        in_chinese(ApplicationStatus.ACCEPTED.label)
    )
