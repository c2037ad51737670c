"""The shell of the staff site in a real browser: sign-in, scope, language, phone, reveal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gonghui.audit.models import AuditEntry

from .conftest import login

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u4e00-\u9fff]")

# Visible interface text: menus, headings, column heads, buttons, form labels, the footer.
# Data cells (td) are excluded, and so is anything marked with its own language (the
# language switch names each language in that language: 简体中文).
INTERFACE_TEXT_JS = """
(selectors) => {
  const found = [];
  for (const el of document.querySelectorAll(selectors)) {
    if (el.closest("td")) continue;
    if (el.closest("[lang]") !== document.documentElement) continue;
    if (!el.checkVisibility()) continue;
    const copy = el.cloneNode(true);
    copy.querySelectorAll("input, select, textarea, td, [lang]").forEach((n) => n.remove());
    const text = copy.textContent.replace(/\\s+/g, " ").trim();
    if (text) found.push(`${el.tagName.toLowerCase()}: ${text}`);
  }
  for (const el of document.querySelectorAll("input[placeholder]")) {
    if (el.checkVisibility()) found.push(`placeholder: ${el.placeholder}`);
  }
  found.push(`title: ${document.title}`);
  return found;
}
"""
INTERFACE_SELECTORS = "nav, h1, h2, h3, h4, th, button, label, summary, legend, footer, .nav-group"


def main_table_text(page) -> str:
    return page.locator("main").inner_text()


def test_county_admin_sees_both_townships_and_their_unions(page, live_server, world):
    login(page, live_server, world.county_admin)
    page.goto(f"{live_server.url}/organizations/")
    table = page.locator("main table")
    for org in (world.township_a, world.township_b, world.union_a, world.union_b):
        expect(table.get_by_role("link", name=org.name, exact=True)).to_be_visible()
    assert "东湖镇总工会" in table.inner_text()
    assert "西岭镇总工会" in table.inner_text()


def test_township_staff_sees_only_their_township(page, live_server, world):
    login(page, live_server, world.township_staff)
    page.goto(f"{live_server.url}/organizations/")
    table = page.locator("main table")
    expect(table.get_by_role("link", name="东湖镇总工会", exact=True)).to_be_visible()
    expect(table.get_by_role("link", name=world.union_a.name, exact=True)).to_be_visible()
    text = table.inner_text()
    assert "西岭镇总工会" not in text
    assert "乙方纺织有限公司工会委员会" not in text
    assert "西岭镇总工会" not in page.content()

    response = page.goto(f"{live_server.url}/organizations/{world.township_b.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("main h1")).to_be_visible()
    assert "西岭镇总工会" not in page.content()
    assert world.township_b.code not in page.content()


def test_language_switch_from_chinese_to_english(page, live_server, world):
    login(page, live_server, world.county_admin)
    page.goto(f"{live_server.url}/organizations/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    nav = page.locator("nav.sidenav")
    for label in ("工作台", "组织机构", "用人单位", "职工"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()

    with page.expect_navigation():
        page.locator(".lang-switch").get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.rstrip("/").endswith("/organizations"), page.url
    expect(nav.get_by_role("link", name="Organizations", exact=True)).to_be_visible()
    texts = page.evaluate(INTERFACE_TEXT_JS, INTERFACE_SELECTORS)
    assert any(t.startswith("h1:") for t in texts), texts
    assert any(t.startswith("th:") for t in texts), texts
    chinese = [t for t in texts if CJK.search(t)]
    assert not chinese, f"Chinese interface text left on the English page: {chinese}"
    # The data stays as it was entered.
    expect(page.locator("main table").get_by_role("link", name="东湖镇总工会")).to_be_visible()


def test_worker_list_fits_a_phone_screen(phone_page, live_server, world):
    page = phone_page
    login(page, live_server, world.township_staff)
    page.goto(f"{live_server.url}/workers/")
    page.wait_for_load_state("load")
    expect(page.locator("main")).to_contain_text(world.worker_a.name)

    width = page.evaluate("document.scrollingElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert viewport == 390
    assert width <= viewport + 1, (
        f"horizontal scroll: content is {width}px wide on a {viewport}px screen"
    )

    menu = page.locator("nav.sidenav details.nav-toggle")
    expect(menu).not_to_have_attribute("open", re.compile(".*"))
    expect(menu.locator("summary")).to_be_visible()
    expect(menu.locator("ul")).to_be_hidden()
    # Unfolding it shows the menu.
    menu.locator("summary").click()
    expect(menu.locator("ul")).to_be_visible()
    menu.locator("summary").click()


def test_revealing_an_id_number_shows_it_and_writes_the_audit_log(page, live_server, world):
    worker = world.worker_a
    login(page, live_server, world.township_staff)
    page.goto(f"{live_server.url}/workers/{worker.pk}/")
    assert worker.id_number not in page.content()
    assert not AuditEntry.objects.filter(action="reveal", object_id=str(worker.pk)).exists()

    holder = page.locator(f"#reveal-id_number-{worker.pk}")
    button = holder.get_by_role("button", name=re.compile(r"^(显示|Show)$"))
    expect(button).to_be_visible()
    button.click()

    expect(page.locator(".revealed").first).to_have_text(worker.id_number)
    entry = AuditEntry.objects.filter(action="reveal", object_id=str(worker.pk)).get()
    assert entry.actor_username == world.township_staff.username
    assert entry.changes == {"field": "id_number"}
    assert "worker" in entry.object_type
