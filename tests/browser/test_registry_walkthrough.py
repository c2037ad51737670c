"""The registry's two staff walkthroughs in a real browser, on a desktop and on a phone screen.

1. A member transfer: the sending township's staff finds the worker with the search box,
   asks for the transfer on the worker's page; the receiving township's staff finds it in the
   transfer list and approves it (or refuses it, with a reason); the pages then show the
   membership in the new union, both steps of the transfer and the worker's timeline.
2. A merge: two records of one person (same name and birth date at two employers) are queued
   by ``manage.py find_duplicates``; the staff opens the pair from the possible-duplicates
   queue, keeps one record and merges; the queue drops the pair, the kept record shows both
   records' memberships and history, and the other record's page answers 404.

Only the records the flows start from are made directly; every step of a flow is a click.
Screenshots of the middle steps go to test-results/registry_*.png.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from gonghui.members import services
from gonghui.members.models import (
    DuplicateCandidate,
    Membership,
    MembershipStatus,
    TransferStatus,
    Worker,
)
from tests.world import make_employer, make_worker

from .conftest import RESULTS_DIR, TIMEOUT_MS, login

pytestmark = pytest.mark.browser

SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


def zh(msgid: str) -> str:
    """What the Chinese page shows for an interface text (the msgid itself until translated)."""
    with translation.override("zh-hans"):
        return gettext(msgid)


# --- tabs: one browser context per signed-in user, sized as the test's screen --------------------


@pytest.fixture(params=list(SCREENS))
def screen(request):
    return request.param


@pytest.fixture
def open_tab(request, browser, server, screen):
    """``open_tab(label)``: a fresh tab (own cookies) of the test's screen size; its last
    state is saved as test-results/registry_<test>_<label>_last.png."""

    def open_(label: str):
        context = browser.new_context(locale="zh-CN", **SCREENS[screen])
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.screen = screen  # read by the helpers below

        def finish():
            try:
                RESULTS_DIR.mkdir(exist_ok=True)
                name = re.sub(r"[^\w.-]+", "_", request.node.name)
                path = RESULTS_DIR / f"registry_{name}_{label}_last.png"
                page.screenshot(path=str(path), full_page=True)
            finally:
                context.close()

        request.addfinalizer(finish)
        return page

    return open_


def shot(page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(RESULTS_DIR / f"registry_{name}_{page.screen}.png"), full_page=True)


def holds_on_screen(page) -> None:
    """On a phone: nothing wider than the screen (no sideways scrolling)."""
    if page.screen != "phone":
        return
    width = page.evaluate("document.scrollingElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert viewport == 390
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map((el) => el.tagName.toLowerCase() + '.' + el.className)"""
    )
    assert width <= viewport + 1, f"{page.url}: {width}px wide on a {viewport}px screen: {wide}"


def menu(page, label: str) -> None:
    """Follow a link of the side menu (folded on a phone: unfold it first)."""
    nav = page.locator("nav.sidenav")
    toggle = nav.locator("details.nav-toggle > summary")
    if toggle.is_visible() and not nav.locator("ul").is_visible():
        toggle.click()
    with page.expect_navigation():
        nav.get_by_role("link", name=label, exact=True).click()


def search(page, text: str) -> None:
    """The search box at the top of every staff page."""
    page.locator("#global-q").fill(text)
    with page.expect_navigation():
        page.locator("#global-q").press("Enter")
    expect(page.locator("main h1")).to_have_text(zh("Search"))


def success_message(page):
    return page.locator("ul.messages .message.success")


# --- 1. a member transfer -----------------------------------------------------------------------


def a_member_of_union_a(world, name: str, seq: int) -> Membership:
    worker = make_worker(name, world.union_a, world.employer_a, seq)
    return services.membership_join(
        by=None, worker=worker, union=world.union_a, joined_on=dt.date(2019, 3, 1)
    )


def test_a_transfer_is_asked_by_the_sending_union_and_approved_by_the_receiving_one(
    open_tab, world
):
    membership = a_member_of_union_a(world, "周晓梅", 61)
    worker, card = membership.worker, membership.card_number
    union_a, union_b = world.union_a, world.union_b

    # The sending side (township A) finds the worker with the search box.
    sender = login(open_tab("sender"), world.server, world.township_staff)
    search(sender, "周晓梅")
    with sender.expect_navigation():
        sender.locator("main table").get_by_role("link", name="周晓梅").click()
    expect(sender.locator("main h1")).to_have_text("周晓梅")
    current = sender.locator(".membership").first
    expect(current).to_contain_text(union_a.name)
    expect(current).to_contain_text(card)
    holds_on_screen(sender)

    # Transfer: the receiving union is chosen from every active grassroots union.
    with sender.expect_navigation():
        current.get_by_role("link", name=zh("Transfer"), exact=True).click()
    expect(sender.locator("main h1")).to_have_text(zh("Transfer the membership"))
    sender.locator("select[name=to_union]").select_option(label=union_b.name)
    sender.locator("input[name=reason]").fill("到乙方纺织有限公司上班")
    holds_on_screen(sender)
    shot(sender, "transfer_1_request")
    with sender.expect_navigation():
        sender.locator("form.form button[type=submit]").click()
    assert sender.url.endswith(f"/workers/{worker.pk}/"), sender.url
    expect(success_message(sender)).to_have_text(
        zh("The transfer was requested; the receiving union decides.")
    )
    pending = sender.locator("main ul.plain li", has_text=f"{union_a.name} → {union_b.name}")
    expect(pending.locator(".tag")).to_have_text(zh("Requested"))
    expect(sender.locator("ol.timeline")).to_contain_text(
        f"{zh('Transfer requested')} · {union_a.name}"
    )
    expect(sender.locator(".membership").first).to_contain_text(union_a.name)  # not yet moved
    holds_on_screen(sender)
    shot(sender, "transfer_2_requested")

    # The receiving side (township B) finds it among the transfers waiting for a decision.
    receiver = login(open_tab("receiver"), world.server, world.outsider)
    menu(receiver, zh("Membership transfers"))
    row = receiver.locator("main table tbody tr", has_text="周晓梅")
    expect(row).to_contain_text(union_a.name)
    expect(row).to_contain_text(union_b.name)
    holds_on_screen(receiver)
    with receiver.expect_navigation():
        row.get_by_role("link", name="周晓梅").click()
    facts = receiver.locator("dl.facts")
    expect(facts).to_contain_text("到乙方纺织有限公司上班")
    expect(facts).to_contain_text("王东湖")  # who asked
    receiver.locator("input[name=note]").fill("同意接收")
    holds_on_screen(receiver)
    shot(receiver, "transfer_3_decide")
    with receiver.expect_navigation():
        receiver.get_by_role("button", name=zh("Approve"), exact=True).click()
    expect(success_message(receiver)).to_have_text(zh("The transfer was approved."))

    # The transfer's page shows both steps: asked by one side, approved by the other.
    status = facts.locator("dd").nth(5)
    expect(status).to_contain_text(zh("Approved"))
    expect(status).to_contain_text("李西岭")
    expect(status).to_contain_text("同意接收")
    expect(facts.locator("dd").nth(4)).to_contain_text("王东湖")
    expect(receiver.get_by_role("button", name=zh("Approve"))).to_have_count(0)
    holds_on_screen(receiver)
    shot(receiver, "transfer_4_approved")

    # The worker now belongs to union B with the same card; union A's stretch ended.
    with receiver.expect_navigation():
        facts.get_by_role("link", name="周晓梅").click()
    memberships = receiver.locator(".membership")
    expect(memberships).to_have_count(2)
    expect(memberships.nth(0)).to_contain_text(union_b.name)
    expect(memberships.nth(0)).to_contain_text(zh("Member"))
    expect(memberships.nth(0)).to_contain_text(card)
    expect(memberships.nth(1)).to_contain_text(union_a.name)
    expect(memberships.nth(1)).to_contain_text(zh("Transferred out"))
    expect(receiver.locator("dl.facts")).to_contain_text(union_b.name)  # the organization
    done = receiver.locator("main ul.plain li", has_text=f"{union_a.name} → {union_b.name}")
    expect(done.locator(".tag")).to_have_text(zh("Approved"))
    timeline = receiver.locator("ol.timeline")
    for text in (
        f"{zh('Transferred in')} · {union_b.name}",
        f"{zh('Transferred out')} · {union_a.name}",
        f"{zh('Transfer requested')} · {union_a.name}",
        f"{zh('Joined')} · {union_a.name}",
    ):
        expect(timeline).to_contain_text(text)
    holds_on_screen(receiver)
    shot(receiver, "transfer_5_worker_in_union_b")

    # The sending side still finds its request, decided, in the transfer list.
    menu(sender, zh("Membership transfers"))
    sender.locator("form.filters select[name=status]").select_option("")
    with sender.expect_navigation():
        sender.locator("form.filters button[type=submit]").click()
    row = sender.locator("main table tbody tr", has_text="周晓梅")
    expect(row).to_contain_text(zh("Approved"))

    assert Membership.objects.get(worker=worker, status=MembershipStatus.ACTIVE).union == union_b


def test_a_transfer_refused_with_a_reason_shows_the_reason_to_both_sides(open_tab, world):
    membership = a_member_of_union_a(world, "吴海燕", 62)
    worker = membership.worker
    union_a, union_b = world.union_a, world.union_b
    transfer = services.membership_transfer_request(
        by=world.township_staff, membership=membership, to_union=union_b, reason="换工作"
    )

    receiver = login(open_tab("receiver"), world.server, world.outsider)
    menu(receiver, zh("Membership transfers"))
    with receiver.expect_navigation():
        receiver.locator("main table").get_by_role("link", name="吴海燕").click()

    # Refusing needs a reason: without one, the page says so and nothing changes.
    with receiver.expect_navigation():
        receiver.get_by_role("button", name=zh("Refuse"), exact=True).click()
    expect(receiver.locator(".field.has-error small.error")).to_contain_text(
        zh("Say why the transfer is refused.")
    )
    holds_on_screen(receiver)
    shot(receiver, "refuse_1_no_reason")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REQUESTED

    receiver.locator("input[name=note]").fill("本单位未与该职工签订劳动合同")
    with receiver.expect_navigation():
        receiver.get_by_role("button", name=zh("Refuse"), exact=True).click()
    expect(success_message(receiver)).to_have_text(zh("The transfer was refused."))
    status = receiver.locator("dl.facts dd").nth(5)
    expect(status).to_contain_text(zh("Refused"))
    expect(status).to_contain_text("本单位未与该职工签订劳动合同")
    holds_on_screen(receiver)
    shot(receiver, "refuse_2_refused")

    # The sending side: the worker stays in union A; the refusal and its reason are on the pages.
    sender = login(open_tab("sender"), world.server, world.township_staff)
    menu(sender, zh("Workers"))
    sender.locator("form.filters input[name=q]").fill("吴海燕")
    with sender.expect_navigation():
        sender.locator("form.filters button[type=submit]").click()
    with sender.expect_navigation():
        sender.locator("main table").get_by_role("link", name="吴海燕").click()
    expect(sender.locator(".membership").first).to_contain_text(union_a.name)
    expect(sender.locator(".membership").first).to_contain_text(zh("Member"))
    expect(sender.locator("ol.timeline")).to_contain_text(
        f"{zh('Transfer refused')} · {union_a.name}"
    )
    refused = sender.locator("main ul.plain li", has_text=f"{union_a.name} → {union_b.name}")
    expect(refused.locator(".tag")).to_have_text(zh("Refused"))
    holds_on_screen(sender)
    shot(sender, "refuse_3_worker_page")
    with sender.expect_navigation():
        refused.get_by_role("link").click()
    expect(sender.locator("dl.facts")).to_contain_text("本单位未与该职工签订劳动合同")
    holds_on_screen(sender)

    assert Membership.objects.get(worker=worker, status=MembershipStatus.ACTIVE).union == union_a


DESKTOP_ONLY = pytest.mark.parametrize("screen", ["desktop"])
PHONE_ONLY = pytest.mark.parametrize("screen", ["phone"])


@DESKTOP_ONLY
def test_the_sending_side_cannot_decide_its_own_request(open_tab, world, screen):
    """Only the receiving union decides (services.membership_transfer_approve): a click on
    Approve by the union the member leaves changes nothing and says why."""
    membership = a_member_of_union_a(world, "郑小兵", 63)
    transfer = services.membership_transfer_request(
        by=world.township_staff, membership=membership, to_union=world.union_b
    )
    sender = login(open_tab("sender"), world.server, world.township_staff)
    sender.goto(f"{world.server}/workers/transfers/{transfer.pk}/")
    approve = sender.get_by_role("button", name=zh("Approve"), exact=True)
    if approve.count():
        with sender.expect_navigation():
            approve.click()
        expect(sender.locator("form .message.error")).to_be_visible()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REQUESTED


@DESKTOP_ONLY
def test_the_sending_side_is_not_offered_the_decision(open_tab, world, screen):
    membership = a_member_of_union_a(world, "郑小兵", 63)
    transfer = services.membership_transfer_request(
        by=world.township_staff, membership=membership, to_union=world.union_b
    )
    sender = login(open_tab("sender"), world.server, world.township_staff)
    sender.goto(f"{world.server}/workers/transfers/{transfer.pk}/")
    expect(sender.locator("dl.facts")).to_contain_text(world.union_b.name)
    expect(sender.get_by_role("button", name=zh("Approve"), exact=True)).to_have_count(0)


@DESKTOP_ONLY
def test_the_transfer_page_labels_the_two_unions_as_unions(open_tab, world, screen):
    membership = a_member_of_union_a(world, "郑小兵", 63)
    transfer = services.membership_transfer_request(
        by=world.township_staff, membership=membership, to_union=world.union_b
    )
    page = login(open_tab("receiver"), world.server, world.outsider)
    page.goto(f"{world.server}/workers/transfers/{transfer.pk}/")
    labels = page.locator("dl.facts dt").all_inner_texts()
    assert "日期" not in labels[1] and "日期" not in labels[2], labels


# --- 2. merging two records of one person -----------------------------------------------------


def two_records_of_one_person(world):
    """陈志明 at union A's employer (a member now), and again at another employer of township A
    with a mistyped ID number and an old, lapsed membership; find_duplicates queues the pair."""
    second_union = world.extra_a[0]  # 甲方第二工会, in township A
    other_employer = make_employer("甲方电子有限公司", second_union, second_union, 7)
    keep = make_worker("陈志明", world.union_a, world.employer_a, 65)
    services.membership_join(
        by=None, worker=keep, union=world.union_a, joined_on=dt.date(2020, 6, 1)
    )
    other = make_worker("陈志明", second_union, other_employer, 66)
    old = services.membership_join(
        by=None, worker=other, union=second_union, joined_on=dt.date(2012, 3, 1)
    )
    services.membership_end(
        by=None, membership=old, status="lapsed", ended_on=dt.date(2014, 12, 31), reason="离职未续"
    )
    out = io.StringIO()
    call_command("find_duplicates", stdout=out)
    assert out.getvalue().startswith("1 new"), out.getvalue()
    return keep, other, second_union


def test_two_records_of_one_person_are_merged_from_the_duplicates_queue(open_tab, world):
    keep, other, second_union = two_records_of_one_person(world)
    candidate = DuplicateCandidate.objects.get(worker_a__name="陈志明")

    page = login(open_tab("staff"), world.server, world.township_staff)
    menu(page, zh("Possible duplicates"))
    pair = page.locator("main section.panel", has_text="陈志明")
    expect(pair).to_have_count(1)
    sides = pair.locator(".columns > div")
    expect(sides).to_have_count(2)
    expect(pair).to_contain_text("甲方电子有限公司")
    expect(pair).to_contain_text(world.employer_a.name)
    holds_on_screen(page)
    shot(page, "merge_1_queue")

    # Open each record of the pair to compare them, and come back to the queue.
    for i in range(2):
        with page.expect_navigation():
            sides.nth(i).get_by_role("link", name="陈志明").click()
        expect(page.locator("main h1")).to_have_text("陈志明")
        holds_on_screen(page)
        with page.expect_navigation():
            page.go_back()

    # Keep the record at 甲方机械 (the current member), whichever side it is on.
    kept_side = 1 if "甲方电子有限公司" in sides.nth(0).inner_text() else 0
    keep_button = zh("Keep this record, merge the other into it")
    with page.expect_navigation():
        sides.nth(kept_side).get_by_role("button", name=keep_button, exact=True).click()
    assert page.url.endswith("/workers/duplicates/"), page.url
    expect(success_message(page)).to_contain_text("陈志明")
    expect(page.locator("main section.panel", has_text="陈志明")).to_have_count(0)
    holds_on_screen(page)
    shot(page, "merge_2_queue_after")

    # One 陈志明 is left, and the record shows both records' memberships and history.
    search(page, "陈志明")
    results = page.locator("main table tbody tr")
    expect(results).to_have_count(1)
    with page.expect_navigation():
        results.get_by_role("link", name="陈志明").click()
    assert page.url.endswith(f"/workers/{keep.pk}/"), page.url
    memberships = page.locator(".membership")
    expect(memberships).to_have_count(2)
    expect(memberships.nth(0)).to_contain_text(world.union_a.name)
    expect(memberships.nth(0)).to_contain_text(zh("Member"))
    expect(memberships.nth(1)).to_contain_text(second_union.name)
    expect(memberships.nth(1)).to_contain_text(zh("Lapsed"))
    expect(memberships.nth(1)).to_contain_text("离职未续")
    timeline = page.locator("ol.timeline")
    for text in (
        f"{zh('Duplicate record merged')} · {world.union_a.name}",
        f"{zh('Joined')} · {world.union_a.name}",
        f"{zh('Joined')} · {second_union.name}",
        f"{zh('Lapsed')} · {second_union.name}",
    ):
        expect(timeline).to_contain_text(text)
    holds_on_screen(page)
    shot(page, "merge_3_kept_record")

    # The other record is gone: its page answers 404.
    response = page.goto(f"{world.server}/workers/{other.pk}/")
    assert response is not None and response.status == 404
    assert not Worker.objects.filter(pk=other.pk).exists()
    # The pair went with the removed record; the merge stays in the kept record's history.
    assert not DuplicateCandidate.objects.filter(pk=candidate.pk).exists()


@DESKTOP_ONLY
def test_a_merge_of_two_current_members_is_refused_and_the_pair_stays(open_tab, world, screen):
    keep, other, second_union = two_records_of_one_person(world)
    other_membership = Membership.objects.get(worker=other)
    Membership.objects.filter(pk=other_membership.pk).update(
        status=MembershipStatus.ACTIVE, ended_on=None
    )

    page = login(open_tab("staff"), world.server, world.township_staff)
    menu(page, zh("Possible duplicates"))
    pair = page.locator("main section.panel", has_text="陈志明")
    with page.expect_navigation():
        pair.get_by_role(
            "button", name=zh("Keep this record, merge the other into it"), exact=True
        ).first.click()
    expect(page.locator("ul.messages .message.error")).to_have_text(
        zh("Both records have an active membership; end one of them first.")
    )
    expect(page.locator("main section.panel", has_text="陈志明")).to_have_count(1)
    assert Worker.objects.filter(name="陈志明").count() == 2


@pytest.fixture
def world(world, server):
    """The shared world, with the live server's address on it."""
    world.server = server
    return world


@PHONE_ONLY
def test_on_a_phone_the_merge_buttons_say_which_record_they_keep(open_tab, world, screen):
    two_records_of_one_person(world)
    page = login(open_tab("staff"), world.server, world.township_staff)
    menu(page, zh("Possible duplicates"))
    pair = page.locator("main section.panel", has_text="陈志明")
    first, second = (pair.locator(".columns > div").nth(i).bounding_box() for i in range(2))
    stacked = second["y"] >= first["y"] + first["height"] - 1
    buttons = " ".join(pair.locator("button").all_inner_texts())
    says_left_right = "左侧" in buttons or "left record" in buttons
    assert not (stacked and says_left_right), f"stacked records, buttons: {buttons}"
