"""Issue 4, "Done when", the walkthrough: a worker files an anonymous complaint from a
phone-sized screen (390x844), gets a code, and follows the case while staff accept, assign,
mediate, conclude and follow it up.

Three tabs with their own cookies: the worker's phone, the dispatcher's desktop (the county
federation's administrator) and the handler's desktop (the chair of the employer's grassroots
union, whom the assignment form suggests). Every step is done by filling and clicking the real
pages; only the world (users' display names) and the human check's sum are set up in code.
Screenshots of each step go to test-results/rights_walk_*.png.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect
from pypdf import PdfReader

from gonghui.rights import captcha
from gonghui.rights.models import Case, CaseStatus, Channel, EventKind

from .conftest import RESULTS_DIR, TIMEOUT_MS, login

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

DESCRIPTION = "甲方机械有限公司拖欠我们车间六个人三个月工资，共一万八千元，老板一直推说没钱。"
SECRET_ACCEPT = "内部：该企业去年也有欠薪记录"
SECRET_NOTE = "内部：老板私下说月底前能凑齐"
PUBLIC_NOTE = "工会已与企业负责人面谈，企业同意协商支付。"
OUTCOME = "经调解，企业同意于本月底前一次性支付拖欠工资一万八千元。"
TERMS = "被申请人于协议签订后十日内一次性支付申请人拖欠工资人民币壹万捌仟元整。"


def zh(text, context: str | None = None) -> str:
    """What the Chinese page shows for an interface text (a msgid, or a lazy label such as a
    status's; the source text itself until the catalog has it)."""
    with translation.override("zh-hans"):
        if isinstance(text, Promise):
            return str(text)
        return pgettext(context, text) if context else gettext(text)


def shot(page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(RESULTS_DIR / f"rights_walk_{name}.png"), full_page=True)


def fits_the_phone(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert viewport == 390
    assert width <= viewport + 1, f"{page.url}: {width}px wide on a {viewport}px screen"


@pytest.fixture
def open_tab(request, browser, server):
    """``open_tab(label, screen)``: a fresh tab with its own cookies; its last state is saved
    as test-results/rights_walk_<label>_last.png."""

    def open_(label: str, screen: dict):
        context = browser.new_context(locale="zh-CN", accept_downloads=True, **screen)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()

        def finish():
            try:
                RESULTS_DIR.mkdir(exist_ok=True)
                path = RESULTS_DIR / f"rights_walk_{label}_last.png"
                page.screenshot(path=str(path), full_page=True)
            finally:
                context.close()

        request.addfinalizer(finish)
        return page

    return open_


def success(page):
    return page.locator("ul.messages .message.success")


def next_step(page, name: str):
    """The form of one step in the case page's "Next steps" panel, unfolded."""
    details = page.locator("#actions details", has=page.locator(f"form[action$='/{name}/']"))
    form = details.locator("form")
    expect(details).to_have_count(1)
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(form).to_be_visible()
    return form


def submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def worker_looks(phone, base: str, code: str, pin: str, never: list[str]) -> str:
    """The worker opens the status page with the code and PIN (as on a later day: a fresh
    session) and returns what the page says; no internal note and no staff name on it."""
    phone.context.clear_cookies()
    phone.goto(f"{base}/portal/cases/track/")
    phone.locator("input[name=code]").fill(code)
    phone.locator("input[name=pin]").fill(pin)
    with phone.expect_navigation():
        phone.locator("form.portal-form button[type=submit]").click()
    expect(phone.locator(".case-status")).to_be_visible()
    fits_the_phone(phone)
    said = phone.locator("main").inner_text()
    for secret in never:
        assert secret not in said, f"{secret!r} on the worker's status page"
    return said


def test_an_anonymous_phone_complaint_is_followed_from_filing_to_follow_up(
    open_tab, world, live_server, settings, monkeypatch
):
    settings.RIGHTS_FORM_MIN_SECONDS = 0
    monkeypatch.setattr(captcha, "_numbers", lambda: (7, "+", 5))  # the picture shows 7+5=?
    base = live_server.url
    # Display names, so that "no staff names on the worker's page" means something.
    staff_names = {
        world.county_admin: "赵调度",
        world.union_chair: "钱主席",
        world.mediator: "孙调解",
    }
    for user, name in staff_names.items():
        user.full_name = name
        user.save(update_fields=["full_name"])
    dispatcher_user, handler_user, mediator_user = staff_names

    # --- 1. the worker files an anonymous wage-arrears complaint from a phone ---------------
    phone = open_tab("worker", PHONE)
    phone.goto(f"{base}/portal/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    with phone.expect_navigation():
        phone.locator("a[href='/portal/cases/new/']").first.click()
    expect(phone.locator("h1")).to_have_text(zh("Ask the union for help"))
    phone.locator("textarea[name=description]").fill(DESCRIPTION)
    phone.locator("select[name=category]").select_option("complaint.wage_arrears")
    phone.locator("input[name=employer]").fill(world.employer_a.name)
    phone.locator("input[name=workers_affected]").fill("6")
    phone.locator("input[name=amount_claimed]").fill("18000")
    phone.locator("input[name=anonymous]").check()
    expect(phone.locator("input[name=phone]")).to_be_hidden()
    phone.locator("input[name=consent]").check()
    phone.locator("input[name=answer]").fill("12")
    fits_the_phone(phone)
    shot(phone, "1a_worker_form")
    with phone.expect_navigation():
        phone.locator("form.case-form button[type=submit]").click()

    code = phone.locator("#tracking-code").inner_text().strip()
    pin = phone.locator("#pin").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code), code
    assert re.fullmatch(r"\d{6}", pin), pin
    fits_the_phone(phone)
    shot(phone, "1b_worker_code")

    never = [SECRET_ACCEPT, SECRET_NOTE, *staff_names.values()]

    def look() -> str:
        return worker_looks(phone, base, code, pin, never)

    said = look()
    expect(phone.locator(".status-word")).to_have_text(zh(CaseStatus.RECEIVED.label))
    assert code in said

    # --- 2. the dispatcher finds the new case in the list and accepts it -----------------------
    staff = login(open_tab("dispatcher", DESKTOP), base, dispatcher_user)
    with staff.expect_navigation():
        staff.locator("nav.sidenav").get_by_role("link", name=zh("Cases"), exact=True).click()
    expect(staff.locator("main h1")).to_have_text(zh("Cases"))
    staff.locator("form.filters select[name=channel]").select_option(Channel.PORTAL.value)
    with staff.expect_navigation():
        staff.locator("form.filters button[type=submit]").click()
    rows = staff.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(world.employer_a.name)
    expect(rows).to_contain_text(zh(CaseStatus.RECEIVED.label))
    shot(staff, "2a_staff_case_list")
    with staff.expect_navigation():
        rows.locator("a").first.click()
    case_url = staff.url
    assert re.search(r"/rights/cases/\d+/$", case_url), case_url
    case = Case.objects.get(tracking_code=code.replace("-", ""))
    assert case.anonymous and case.complainant_name == "" and case.complainant_phone == ""
    assert case.channel == Channel.PORTAL and case.employer == world.employer_a
    expect(staff.locator("#facts")).to_contain_text(DESCRIPTION)
    expect(staff.locator("#complainant")).to_contain_text(zh("anonymous"))

    accept = next_step(staff, "accept")
    accept.locator("select[name=tier]").select_option("general")
    accept.locator("textarea[name=note]").fill(SECRET_ACCEPT)
    shot(staff, "2b_staff_accept")
    submit(staff, accept)
    expect(success(staff)).to_be_visible()
    expect(staff.locator(".page-head .tag").first).to_have_text(zh(CaseStatus.ACCEPTED.label))
    expect(staff.locator("#deadline")).to_contain_text(zh("Due on"))

    said = look()
    expect(phone.locator(".status-word")).to_have_text(zh(CaseStatus.ACCEPTED.label))
    assert (
        zh("Your request has been accepted and is being passed to the union that will handle it.")
        in said
    )
    shot(phone, "2c_worker_accepted")

    # --- 3. the dispatcher assigns it where the form suggests: the employer's union ----------
    assign = next_step(staff, "assign")
    expect(assign.locator("select[name=organization]")).to_have_value(str(world.union_a.pk))
    expect(assign.locator("select[name=handler]")).to_have_value(str(handler_user.pk))
    expect(assign.locator("select[name=handler] option:checked")).to_contain_text("钱主席")
    shot(staff, "3a_staff_assign")
    submit(staff, assign)
    expect(success(staff)).to_be_visible()
    facts = staff.locator("#facts")
    expect(facts).to_contain_text(world.union_a.name)
    expect(facts).to_contain_text("钱主席")
    expect(staff.locator(".page-head .tag").first).to_have_text(zh(CaseStatus.ASSIGNED.label))

    said = look()
    expect(phone.locator(".status-word")).to_have_text(zh(CaseStatus.ASSIGNED.label))
    assert zh("A union has been given your case and will get in touch with you.") in said
    shot(phone, "3b_worker_assigned")

    # --- 4. the handler mediates: opens it, records a session and the agreement --------------
    handler = login(open_tab("handler", DESKTOP), base, handler_user)
    with handler.expect_navigation():
        handler.locator("nav.sidenav").get_by_role("link", name=zh("Cases"), exact=True).click()
    handler.locator("form.filters select[name=handler]").select_option("me")
    with handler.expect_navigation():
        handler.locator("form.filters button[type=submit]").click()
    mine = handler.locator("main table tbody tr", has_text=zh(CaseStatus.ASSIGNED.label))
    expect(mine).to_have_count(1)
    with handler.expect_navigation():
        mine.locator("a").first.click()
    assert handler.url == case_url, handler.url

    panel = handler.locator("#section-mediation")
    expect(panel).to_contain_text(zh("No mediation on this case."))
    with handler.expect_navigation():
        panel.get_by_role("link", name=zh("Open a mediation")).click()
    expect(handler.locator("main h1")).to_have_text(zh("Open a mediation"))
    expect(handler.locator("input[name=respondent_name]")).to_have_value(world.employer_a.name)
    handler.locator("select[name=mediator]").select_option(str(mediator_user.pk))
    today = timezone.localdate()
    handler.locator("input[name=received_on]").fill(today.isoformat())
    handler.locator("input[name=applicant_name]").fill("刘建国")  # came to the mediation in person
    handler.locator("input[name=pay_claim]").check()  # unpaid wages, still employed
    handler.locator("input[name='claims-0-item']").fill("拖欠工资（三个月）")
    handler.locator("input[name='claims-0-amount']").fill("18000")
    handler.locator("input[name='claims-1-item']").fill("经济补偿")
    handler.locator("input[name='claims-1-amount']").fill("1500.50")
    shot(handler, "4a_handler_open_mediation")
    with handler.expect_navigation():
        handler.locator("main form.form button[type=submit]").click()
    assert re.search(r"/rights/mediations/\d+/$", handler.url), handler.url
    expect(success(handler)).to_be_visible()
    expect(handler.locator("main")).to_contain_text("孙调解")
    expect(handler.locator("main")).to_contain_text("经济补偿")

    with handler.expect_navigation():
        handler.get_by_role("link", name=zh("Record a session"), exact=True).click()
    held_at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")  # now, to the minute
    handler.locator("input[name=held_at]").fill(held_at)
    handler.locator("input[name=place]").fill("东湖镇总工会调解室")
    handler.locator("textarea[name=attendees]").fill("申请人刘建国；企业代表；调解员孙调解")
    handler.locator("textarea[name=record]").fill("双方陈述意见，企业承认欠薪事实，同意分期协商。")
    with handler.expect_navigation():
        handler.locator("main form.form button[type=submit]").click()
    expect(success(handler)).to_be_visible()
    expect(handler.locator("main")).to_contain_text("东湖镇总工会调解室")

    with handler.expect_navigation():
        handler.get_by_role("link", name=zh("Record the agreement"), exact=True).click()
    handler.locator("textarea[name=terms]").fill(TERMS)
    handler.locator("textarea[name=performance]").fill("银行转账至申请人本人账户")
    handler.locator("input[name=payment_due]").fill((today + dt.timedelta(days=10)).isoformat())
    handler.locator("input[name=signed_on]").fill(today.isoformat())
    agreed = handler.locator("input[name^=agreed_]")
    expect(agreed).to_have_count(2)
    agreed.nth(1).fill("1000")  # compensation: 1,000 of the 1,500.50 claimed
    shot(handler, "4b_handler_agreement")
    with handler.expect_navigation():
        handler.locator("main form.form button[type=submit]").click()
    expect(success(handler)).to_be_visible()
    expect(handler.locator("main")).to_contain_text("19000")
    shot(handler, "4c_handler_mediation_agreed")

    with handler.expect_download() as download_info:
        handler.get_by_role(
            "link", name=zh("Download the mediation agreement (PDF)"), exact=True
        ).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF"), content[:20]
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)
    squeezed = re.sub(r"\s+", "", text)
    assert world.employer_a.name in squeezed, squeezed[:500]
    assert "调解协议书" in squeezed

    said = look()
    expect(phone.locator(".status-word")).to_have_text(zh(CaseStatus.IN_HANDLING.label))
    assert world.union_a.name in said  # the mediation body, named after the union
    assert re.search(r"19,?000\.00", said), said  # the agreement's sum, in plain words
    shot(phone, "4d_worker_in_mediation")

    # --- 5. the handler adds a note, then concludes the case -----------------------------------
    with handler.expect_navigation():
        handler.locator("nav.breadcrumbs a[href*='/rights/cases/']").last.click()
    assert handler.url == case_url, handler.url
    expect(handler.locator(".page-head .tag").first).to_have_text(zh(CaseStatus.IN_HANDLING.label))
    note = next_step(handler, "note")
    note.locator("textarea[name=internal_note]").fill(SECRET_NOTE)
    note.locator("textarea[name=public_text]").fill(PUBLIC_NOTE)
    submit(handler, note)
    expect(success(handler)).to_be_visible()

    conclude = next_step(handler, "conclude")
    conclude.locator("textarea[name=outcome]").fill(OUTCOME)
    conclude.locator("input[name=solved][value=yes]").check()
    conclude.locator("input[name=amount_recovered]").fill("19000")
    conclude.locator("input[name=workers_benefited]").fill("6")
    shot(handler, "5a_handler_conclude")
    submit(handler, conclude)
    expect(success(handler)).to_be_visible()
    expect(handler.locator(".page-head .tag").first).to_have_text(zh(CaseStatus.CONCLUDED.label))
    conclusion = handler.locator("#conclusion")
    expect(conclusion).to_contain_text(OUTCOME)
    expect(conclusion).to_contain_text("19000")

    said = look()
    expect(phone.locator(".status-word")).to_have_text(zh(CaseStatus.CONCLUDED.label))
    assert PUBLIC_NOTE in said  # the note's public part reaches the worker, not its internal part
    shot(phone, "5b_worker_concluded")

    # The worker answers the follow-up on the status page: solved, satisfaction 5.
    answer = phone.locator(f"form[action$='/portal/cases/{case.pk}/follow-up/']")
    answer.locator("input[name=solved][value=yes]").check()
    answer.locator("input[name=satisfaction][value='5']").check()
    answer.locator("textarea[name=comment]").fill("工资已经到账，谢谢工会！")
    fits_the_phone(phone)
    shot(phone, "5c_worker_follow_up")
    with phone.expect_navigation():
        answer.locator("button[type=submit]").click()
    expect(phone.locator(".status-word")).to_have_text(zh(CaseStatus.CLOSED.label))
    expect(phone.locator("form[action$='/follow-up/']")).to_have_count(0)
    said = phone.locator("main").inner_text()
    assert zh("Your case is closed. Thank you.") in said
    fits_the_phone(phone)
    shot(phone, "5d_worker_closed")

    # --- 6. staff see the case closed with the satisfaction; the timeline has every step ------
    staff.reload()
    expect(staff.locator(".page-head .tag").first).to_have_text(zh(CaseStatus.CLOSED.label))
    conclusion = staff.locator("#conclusion")
    expect(conclusion).to_contain_text(zh("Satisfaction (1-5)"))
    expect(conclusion.locator("dd").filter(has_text=re.compile(r"^5$"))).to_have_count(1)
    timeline = staff.locator("#timeline ol.timeline > li")
    steps = [
        (EventKind.RECEIVED, None),
        (EventKind.ACCEPTED, "赵调度"),
        (EventKind.ASSIGNED, "赵调度"),
        (EventKind.HANDLING, "钱主席"),
        (EventKind.MEDIATION, "钱主席"),
        (EventKind.NOTE, "钱主席"),
        (EventKind.CONCLUDED, "钱主席"),
        (EventKind.FOLLOW_UP, zh("system or the worker")),
        (EventKind.CLOSED, zh("system or the worker")),
    ]
    stamp = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")  # when, on each entry
    for kind, who in steps:
        entry = timeline.filter(has=staff.locator("strong", has_text=zh(kind.label))).first
        expect(entry).to_be_visible()
        text = entry.inner_text()
        assert stamp.search(text), f"{kind}: no date in {text!r}"
        if who:
            assert who in text, f"{kind}: {who} missing in {text!r}"
    expect(staff.locator("#timeline")).to_contain_text(SECRET_ACCEPT)
    expect(staff.locator("#timeline")).to_contain_text(SECRET_NOTE)
    shot(staff, "6_staff_closed_timeline")

    # The worker's page never showed a staff name or an internal note (each look checked
    # that; once more at the end, with the accounts' user names too).
    said = look()
    for user in staff_names:
        assert user.username not in said
    shot(phone, "6_worker_final")

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.satisfaction == 5 and case.solved
    assert case.amount_recovered == 19000 and case.workers_benefited == 6
    assert case.handler == handler_user and case.organization == world.union_a
