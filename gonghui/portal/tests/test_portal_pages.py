"""The portal's pages: the look, binding an account, the worker's own records, the member card
and applying."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import segno
from django.core import signing
from django.test import Client
from django.urls import reverse

from gonghui.audit.models import AuditEntry
from gonghui.core import identifiers as ids
from gonghui.members.applications import application_decline
from gonghui.members.models import JoinApplication, Membership, PortalAccount
from gonghui.portal import services

from . import support
from .support import committed, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls(support.URLS)]

NEW_ID = ids.make_resident_id("360428", dt.date(1992, 6, 1), 77)
ASSET = re.compile(r'(?:src|href)="([^"]+)"')


def body(response) -> str:
    return response.content.decode()


def error_text(response) -> str:
    return " ".join(str(e) for errs in response.context["form"].errors.values() for e in errs)


@pytest.fixture
def worker_client(world):
    """Signed in with the phone that worker A's record holds (a member of union A)."""
    client = Client()
    sign_in(client, world.worker_a.phone)
    return client


@pytest.fixture
def newcomer(world):
    """Signed in with a number the registry does not know."""
    client = Client()
    client.account = sign_in(client, "15000000001")
    return client


# --- the look ------------------------------------------------------------------------------------


def test_the_home_page_is_the_workers_own_chinese_first_page_with_the_hotline(
    client, world, settings
):
    settings.LANGUAGE_CODE = "zh-hans"  # this test is about the Chinese default
    response = client.get(reverse("portal:home"))
    html = body(response)
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert 'href="tel:12351"' in html
    assert "portal.css" in html and "app.css" in html
    assert 'class="sidenav"' not in html  # no staff navigation
    for user in (world.township_staff, world.county_admin, world.union_chair):
        assert user.username not in html
    assert "王东湖" not in html  # a staff member's name
    assert reverse("portal:login") in html
    assert reverse("portal:apply") in html


def test_every_portal_asset_comes_from_the_site_itself(client, newcomer, world):
    pages = [reverse("portal:home"), reverse("portal:login")]
    for url in pages:
        for target in ASSET.findall(body(client.get(url))):
            assert target.startswith(("/", "#", "tel:")) and not target.startswith("//"), target
    for url in (reverse("portal:me"), reverse("portal:apply"), reverse("portal:card")):
        html = body(newcomer.get(url))
        for target in ASSET.findall(html):
            assert target.startswith(("/", "#", "tel:")) and not target.startswith("//"), target
        assert "/static/gonghui/portal.css" in html


def test_the_language_switch_turns_the_portal_to_english(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # this test is about the Chinese default
    html = body(client.get(reverse("portal:home")))
    assert 'value="en"' in html  # the switch offers English
    client.post(reverse("set_language"), {"language": "en", "next": reverse("portal:home")})
    html = body(client.get(reverse("portal:home")))
    assert '<html lang="en">' in html
    assert "Sign in with your phone number" in html


def test_the_pages_of_a_signed_in_worker_ask_for_sign_in_first(client, world):
    for name in ("me", "card", "apply", "bind", "apply_unions", "apply_employers"):
        response = client.get(reverse(f"portal:{name}"))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("portal:login") + "?next=")
    app = world.extra_a[4]
    response = client.get(reverse("portal:application", args=[app.pk]))
    assert response.status_code == 302


def test_portal_pages_are_never_cached(newcomer):
    response = newcomer.get(reverse("portal:me"))
    assert "no-store" in response["Cache-Control"]


# --- binding an account to its record --------------------------------------------------------------


def test_binding_links_the_record_when_id_name_and_phone_on_record_all_match(worker_client, world):
    response = worker_client.post(
        reverse("portal:bind"), {"name": "张三丰", "id_number": world.worker_a.id_number.lower()}
    )
    assert response.status_code == 302
    account = PortalAccount.objects.get(phone_hash=world.worker_a.phone_hash)
    assert account.worker == world.worker_a and account.bound_at is not None
    entry = AuditEntry.objects.get(action="update", object_type="members.portalaccount")
    assert entry.changes == {"worker": [None, world.worker_a.pk]}
    assert entry.organization_path == world.union_a.path
    # Once: the page now says so and offers no form.
    html = body(worker_client.get(reverse("portal:bind")))
    assert "already linked" in html and 'name="id_number"' not in html


def test_knowing_someones_name_and_id_number_does_not_open_their_record(newcomer, world):
    """Another phone (an employer's personnel office knows names and ID numbers)."""
    response = newcomer.post(
        reverse("portal:bind"), {"name": "张三丰", "id_number": world.worker_a.id_number}
    )
    assert response.status_code == 200
    refused = error_text(response)
    assert "No union record matches" in refused
    assert PortalAccount.objects.get(pk=newcomer.account.pk).worker is None
    entry = AuditEntry.objects.get(action="login_failed", detail__contains="linking")
    assert entry.organization_path == world.union_a.path  # the union's auditors see the try

    # A wrong name with the right phone, and an ID nobody holds, read exactly the same.
    own = Client()
    sign_in(own, world.worker_a.phone)
    wrong_name = own.post(
        reverse("portal:bind"), {"name": "张三", "id_number": world.worker_a.id_number}
    )
    unknown = newcomer.post(reverse("portal:bind"), {"name": "王五", "id_number": NEW_ID})
    assert error_text(wrong_name) == error_text(unknown) == refused
    assert PortalAccount.objects.filter(worker__isnull=False).count() == 0


def test_binding_tries_are_limited_per_account(newcomer, world):
    for _ in range(services.BIND_FAILURES_PER_DAY):
        newcomer.post(reverse("portal:bind"), {"name": "王五", "id_number": NEW_ID})
    response = newcomer.post(reverse("portal:bind"), {"name": "王五", "id_number": NEW_ID})
    assert "Too many tries" in error_text(response)


def test_a_wrong_id_number_is_explained(newcomer):
    wrong = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    with pytest.raises(ids.IdentifierError) as exc:
        ids.parse_resident_id(wrong)
    response = newcomer.post(reverse("portal:bind"), {"name": "王五", "id_number": wrong})
    assert str(exc.value.message) in error_text(response)


def test_the_link_moves_to_the_account_of_the_phone_now_on_record(world):
    from gonghui.members.services import worker_update

    old = Client()
    sign_in(old, world.worker_a.phone)
    old.post(reverse("portal:bind"), {"name": "张三丰", "id_number": world.worker_a.id_number})
    worker_update(by=world.union_chair, worker=world.worker_a, phone="13699998888")
    new = Client()
    sign_in(new, "13699998888")
    response = new.post(
        reverse("portal:bind"), {"name": "张三丰", "id_number": world.worker_a.id_number}
    )
    assert response.status_code == 302
    assert PortalAccount.objects.get(phone_hash=world.worker_a.phone_hash).worker is None
    assert PortalAccount.objects.get(worker=world.worker_a).phone == "13699998888"


# --- the worker's own records ----------------------------------------------------------------------


def bind_worker_a(client, world):
    client.post(reverse("portal:bind"), {"name": "张三丰", "id_number": world.worker_a.id_number})


def test_my_page_shows_my_membership_transfer_and_card_and_nothing_of_others(worker_client, world):
    bind_worker_a(worker_client, world)
    html = body(worker_client.get(reverse("portal:me")))
    membership = Membership.objects.get(worker=world.worker_a)
    assert "张三丰" in html
    assert world.union_a.name in html
    assert membership.card_number in html
    assert re.search(r'<svg viewBox="[^"]+" class="qr">', html)
    assert world.extra_a[0].name in html  # the transfer waiting, to the second union
    assert world.worker_a.id_number not in html
    for marker in ("甲方申请人", "李四海", world.union_b.name, "王东湖", "township_staff"):
        assert marker not in html


def test_an_account_never_sees_another_accounts_application(newcomer, world):
    other = world.extra_a[4]  # an application of another account
    response = newcomer.get(reverse("portal:application", args=[other.pk]))
    assert response.status_code == 404
    html = body(response)
    assert "甲方申请人" not in html and other.union.name not in html
    assert 'class="portal-bar"' in html  # the portal's own "not found" page
    assert "甲方申请人" not in body(newcomer.get(reverse("portal:me")))


def test_the_member_card_shows_name_union_number_and_a_qr_code_that_verifies(
    worker_client, world, settings
):
    bind_worker_a(worker_client, world)
    membership = Membership.objects.get(worker=world.worker_a)
    html = body(worker_client.get(reverse("portal:card")))
    assert "张三丰" in html and world.union_a.name in html and membership.card_number in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group()
    assert 'class="qr"' in svg and "<path" in svg

    # The QR code is the card's verification address, nothing else.
    url = services.card_url(membership)
    assert url.startswith(settings.SITE_URL.rstrip("/") + "/portal/verify/")
    assert svg == services.card_qr_svg(membership)
    expected = segno.make(url, error="m").svg_inline(
        scale=1,
        border=2,
        omitsize=True,
        svgclass="qr",
        title=re.search(r"<title>(.*?)</title>", svg).group(1),
    )
    assert svg == expected
    token = url.rstrip("/").rsplit("/", 1)[1]
    signer = signing.Signer(salt=services.CARD_SALT)
    assert signer.unsign_object(token) == [membership.pk, membership.card_number]
    assert services.card_token(membership) == token  # the same card, the same QR code
    assert services.card_verify(token) == membership
    assert world.worker_a.id_number not in html and world.worker_a.id_number not in url

    # The address the camera opens says the card is valid, with a masked name.
    page = Client().get(reverse("portal:verify", args=[token]))
    assert page.status_code == 200
    assert 'data-valid="yes"' in body(page)
    assert "张*丰" in body(page) and "张三丰" not in body(page)

    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    page = Client().get(reverse("portal:verify", args=[forged]))
    assert page.status_code == 404 and 'data-valid="no"' in body(page)


def member_of(world, union, name: str, seq: int) -> Membership:
    """A worker of ``union`` with an active membership and nothing waiting."""
    from gonghui.members.services import membership_join
    from tests.world import make_worker

    worker = make_worker(name, union, None, seq)
    return membership_join(by=None, worker=worker, union=union)


def test_a_card_stops_verifying_when_the_membership_ends(world):
    from gonghui.members.services import membership_end

    membership = member_of(world, world.union_b, "赵大勇", 61)
    token = services.card_token(membership)
    assert services.card_verify(token) == membership
    membership_end(by=world.outsider, membership=membership, status="left", reason="离职")
    assert services.card_verify(token) is None


def test_without_a_linked_record_the_card_page_says_what_to_do(newcomer):
    html = body(newcomer.get(reverse("portal:card")))
    assert reverse("portal:bind") in html and reverse("portal:apply") in html
    assert "<svg" not in html


# --- applying --------------------------------------------------------------------------------------


def apply(client, **data):
    form = {
        "kind": "join",
        "union": "",
        "name": "王小明",
        "id_number": NEW_ID,
        "worker_type": "migrant",
        "employer": "",
        "consent": "on",
        **data,
    }
    return client.post(reverse("portal:apply"), {k: v for k, v in form.items() if v is not None})


def test_the_union_is_found_by_searching_its_name_without_javascript(newcomer, world):
    response = newcomer.post(
        reverse("portal:apply"), {"search": "1", "union_q": "甲方机械", "name": "王小明"}
    )
    html = body(response)
    assert response.status_code == 200
    assert f'value="{world.union_a.pk}"' in html
    assert world.union_b.name not in html
    assert 'value="王小明"' in html  # what was typed is kept
    assert not response.context["form"].is_bound  # no error shown before submitting


def test_the_union_search_also_answers_htmx_with_a_fragment(newcomer, world):
    response = newcomer.get(
        reverse("portal:apply_unions"), {"union_q": "工会"}, HTTP_HX_REQUEST="true"
    )
    html = body(response)
    assert html.lstrip().startswith('<div id="union-results"')
    assert world.union_a.name in html and world.union_b.name in html
    offered = set(re.findall(r'name="union" value="(\d+)"', html))
    assert str(world.township_a.pk) not in offered and str(world.county.pk) not in offered


def test_closed_unions_and_higher_levels_are_not_offered(newcomer, world):
    from gonghui.organizations.models import Organization

    Organization.objects.filter(pk=world.union_b.pk).update(
        status="closed", closed_on=dt.date(2024, 1, 1), closed_reason="企业注销"
    )
    html = body(newcomer.get(reverse("portal:apply_unions"), {"union_q": "公司"}))
    assert world.union_a.name in html
    assert world.union_b.name not in html
    html = body(newcomer.get(reverse("portal:apply_unions"), {"union_q": "镇总工会"}))
    assert world.township_a.name not in html
    response = apply(newcomer, union=world.union_b.pk)
    assert "active grassroots union" in error_text(response)


def test_employer_suggestions_come_by_name(newcomer, world):
    html = body(newcomer.get(reverse("portal:apply_employers"), {"employer": "甲方"}))
    assert html.startswith('<datalist id="employer-options">')
    assert world.employer_a.name in html and world.employer_b.name not in html


def test_a_worker_not_on_record_applies_to_join_and_sees_it_submitted(newcomer, world):
    with committed():
        response = apply(newcomer, union=world.union_a.pk, employer=world.employer_a.uscc)
    app = JoinApplication.objects.get(account=newcomer.account)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:application", args=[app.pk])
    assert (app.kind, app.status, app.union, app.name) == (
        "join",
        "submitted",
        world.union_a,
        "王小明",
    )
    assert app.id_number == NEW_ID and app.phone == "15000000001"
    assert app.employer == world.employer_a and app.worker_type == "migrant"
    entry = AuditEntry.objects.get(action="create", object_type="members.joinapplication")
    assert "consent" in entry.detail
    assert NEW_ID not in str(entry.changes)

    html = body(newcomer.get(response["Location"]))
    assert world.union_a.name in html
    assert 'data-step="current"' in html
    assert "3604**********" in html and NEW_ID not in html
    html = body(newcomer.get(reverse("portal:me")))
    assert world.union_a.name in html and "status-submitted" in html

    # One open application at a time.
    again = apply(newcomer, union=world.union_a.pk)
    assert "already have an application waiting" in error_text(again)


def test_an_employer_not_on_record_is_kept_as_written(newcomer, world):
    apply(newcomer, union=world.union_a.pk, employer="  某某  快递站 ")
    app = JoinApplication.objects.get(account=newcomer.account)
    assert app.employer is None and app.employer_name_given == "某某 快递站"


def test_applying_needs_consent_a_union_and_a_valid_id_number(newcomer, world):
    response = apply(newcomer, union="", consent=None, id_number="3.60428E+17")
    errors = response.context["form"].errors
    assert set(errors) >= {"union", "consent", "id_number"}
    assert "Excel" in errors["id_number"][0]
    assert not JoinApplication.objects.filter(account=newcomer.account).exists()


def test_a_transfer_needs_a_linked_record_with_an_active_membership(newcomer, world):
    response = apply(newcomer, kind="transfer", union=world.union_a.pk)
    assert "link your record" in error_text(response)


def test_a_linked_member_applies_to_move_under_the_name_on_record(world):
    """A member of union B links their record and asks to move to union A."""
    worker = member_of(world, world.union_b, "李四海", 62).worker
    client = Client()
    sign_in(client, worker.phone)
    client.post(reverse("portal:bind"), {"name": "李四海", "id_number": worker.id_number})
    html = body(client.get(reverse("portal:apply")))
    assert 'name="id_number"' not in html  # the record's ID number is used
    assert re.search(r'value="transfer"[^>]*checked', html)  # a member moves
    join = apply(client, kind="join", union=world.union_a.pk, name=None, id_number=None)
    assert "already a member" in error_text(join)
    same = apply(client, kind="transfer", union=world.union_b.pk, name=None, id_number=None)
    assert "already a member of this union" in error_text(same)
    moved = apply(client, kind="transfer", union=world.union_a.pk, name=None, id_number=None)
    assert moved.status_code == 302
    app = JoinApplication.objects.get(kind="transfer")
    assert (app.name, app.id_number) == ("李四海", worker.id_number)


def test_a_declined_application_shows_the_reason_and_no_staff_name(newcomer, world):
    apply(newcomer, union=world.union_a.pk)
    app = JoinApplication.objects.get(account=newcomer.account)
    with committed():
        application_decline(
            by=world.township_staff, application=app, reason="请先与用人单位签订劳动合同后再申请。"
        )
    html = body(newcomer.get(reverse("portal:application", args=[app.pk])))
    assert "请先与用人单位签订劳动合同后再申请。" in html
    assert 'data-step="failed"' in html
    for marker in ("王东湖", "township_staff"):
        assert marker not in html
    assert any("not accepted" in t.lower() for t in support.sms_to("15000000001"))
