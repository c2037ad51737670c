"""Signing in to the portal with a phone number and a one-time SMS code."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.core import crypto
from gonghui.core.fields import hash_for
from gonghui.members.models import OneTimeCode, PortalAccount
from gonghui.notifications.sms import LocmemSmsBackend
from gonghui.portal import services

from . import support
from .support import Clock, committed

pytestmark = [pytest.mark.django_db, pytest.mark.urls(support.URLS)]

PHONE = "13912345678"


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def last_code(phone: str = PHONE) -> str:
    return support.last_code(phone)


def ask_code(client: Client, phone: str = PHONE, **extra):
    with committed():
        return client.post(reverse("portal:login"), {"phone": phone}, **extra)


def resend(client: Client):
    with committed():
        return client.post(reverse("portal:login_code"), {"resend": "1"})


def enter_code(client: Client, code: str):
    return client.post(reverse("portal:login_code"), {"code": code})


def form_errors(response) -> str:
    return " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)


def test_a_code_by_sms_signs_in_and_the_first_correct_code_creates_the_account(client, clock):
    response = ask_code(client, "+86 139-1234-5678")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login_code")
    assert len(LocmemSmsBackend.outbox) == 1
    sms = LocmemSmsBackend.outbox[0]
    assert sms["to"] == PHONE
    assert sms["text"].startswith("【工会】")
    code = last_code()
    assert "5" in sms["text"]  # minutes of validity
    assert not PortalAccount.objects.exists()  # nothing is created before the code is entered
    assert PHONE not in str(dict(client.session))  # kept encrypted between the two steps

    page = client.get(reverse("portal:login_code"))
    assert "139****5678" in page.content.decode()
    assert PHONE not in page.content.decode()

    response = enter_code(client, code)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:me")
    account = PortalAccount.objects.get()
    assert account.phone == PHONE
    assert client.session[services.SESSION_KEY] == account.pk
    assert account.last_login_at is not None
    assert OneTimeCode.objects.get().used_at is not None
    entry = AuditEntry.objects.get(action="login", object_type="members.portalaccount")
    assert entry.object_id == str(account.pk)
    assert entry.object_repr == "139****5678"
    assert client.get(reverse("portal:me")).status_code == 200

    # The next sign-in finds the same account.
    other = Client()
    clock.advance(minutes=2)
    ask_code(other)
    enter_code(other, last_code())
    assert PortalAccount.objects.count() == 1
    assert other.session[services.SESSION_KEY] == account.pk


def test_only_a_keyed_hash_of_the_code_is_stored(client):
    ask_code(client)
    code = last_code()
    stored = OneTimeCode.objects.get()
    assert stored.phone_hash == hash_for("phone", PHONE)
    assert len(stored.code_hash) == 64 and code not in stored.code_hash
    assert stored.expires_at - stored.created_at == dt.timedelta(minutes=5)
    assert stored.ip_address == "127.0.0.1"


def test_the_login_page_answers_a_known_and_an_unknown_number_alike(world):
    PortalAccount.objects.create(phone="13700000001")
    pages = []
    for phone in ("13700000001", "13700000002"):
        c = Client()
        response = ask_code(c, phone)
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:login_code")
        body = c.get(response["Location"]).content.decode()
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
        body = re.sub(r'"X-CSRFToken": "[^"]+"', "", body)
        pages.append(body.replace(phone[:3] + "****" + phone[-4:], "MASKED"))
    assert pages[0] == pages[1]
    assert len(LocmemSmsBackend.outbox) == 2  # both numbers get a code


def test_an_invalid_number_gets_no_code_and_says_why(client):
    response = ask_code(client, "010-12345678")
    assert response.status_code == 200
    assert form_errors(response)
    assert LocmemSmsBackend.outbox == []
    assert not OneTimeCode.objects.exists()


def test_an_expired_code_is_refused(client, clock):
    ask_code(client)
    code = last_code()
    clock.advance(minutes=5, seconds=1)
    response = enter_code(client, code)
    assert response.status_code == 200
    assert "expired" in form_errors(response)
    assert services.SESSION_KEY not in client.session
    assert AuditEntry.objects.filter(action="login_failed").count() == 1


def test_a_code_works_only_once(client):
    ask_code(client)
    code = last_code()
    assert enter_code(client, code).status_code == 302
    client.post(reverse("portal:logout"))

    again = Client()
    session = again.session
    session["portal_login_phone"] = crypto.encrypt(PHONE)
    session.save()
    response = enter_code(again, code)
    assert response.status_code == 200
    assert "already been used" in form_errors(response)
    assert services.SESSION_KEY not in again.session


def test_five_wrong_tries_end_a_code_even_for_the_right_one_after(client):
    ask_code(client)
    code = last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        response = enter_code(client, wrong)
        assert f"{left} more" in form_errors(response)
    response = enter_code(client, wrong)
    assert "too many times" in form_errors(response)
    response = enter_code(client, code)
    assert "too many times" in form_errors(response)
    assert services.SESSION_KEY not in client.session
    assert OneTimeCode.objects.get().attempts == 5
    assert AuditEntry.objects.filter(action="login_failed").count() == 6


def test_a_code_must_be_six_digits_and_full_width_digits_count(client):
    ask_code(client)
    code = last_code()
    response = enter_code(client, "12345")
    assert "6 digits" in form_errors(response)
    assert OneTimeCode.objects.get().attempts == 0  # a malformed entry costs no try
    full_width = code.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    assert enter_code(client, full_width[:3] + " " + full_width[3:]).status_code == 302


def test_a_new_code_replaces_the_previous_one(client, clock):
    ask_code(client)
    first = last_code()
    clock.advance(seconds=61)
    resend(client)
    second = last_code()
    assert len(LocmemSmsBackend.outbox) == 2
    if first != second:
        assert "not right" in form_errors(enter_code(client, first))
    assert enter_code(client, second).status_code == 302


def test_one_code_a_minute_per_number_and_the_message_says_when(client, clock):
    ask_code(client)
    clock.advance(seconds=20)
    response = ask_code(client)
    assert response.status_code == 200
    assert "40 seconds" in form_errors(response)
    assert len(LocmemSmsBackend.outbox) == 1

    # The resend button on the code page obeys the same limit.
    response = resend(client)
    assert "seconds" in " ".join(response.context["resend_errors"])
    assert len(LocmemSmsBackend.outbox) == 1

    clock.advance(seconds=41)
    assert ask_code(client).status_code == 302
    assert len(LocmemSmsBackend.outbox) == 2


def test_five_codes_an_hour_per_number(client, clock):
    start = clock.now
    for _ in range(5):
        assert ask_code(client).status_code == 302
        clock.advance(seconds=61)
    response = ask_code(client)
    assert response.status_code == 200
    at = timezone.localtime(start + dt.timedelta(hours=1)).strftime("%H:%M")
    assert f"at {at}" in form_errors(response)
    assert len(LocmemSmsBackend.outbox) == 5

    clock.now = start + dt.timedelta(hours=1, seconds=1)
    assert ask_code(client).status_code == 302


def test_twenty_codes_an_hour_per_address(client, clock):
    for n in range(20):
        assert ask_code(client, f"1350000{n:04d}").status_code == 302
    response = ask_code(client, "13500009999")
    assert "this network" in form_errors(response)
    assert len(LocmemSmsBackend.outbox) == 20
    # Another address is not held back.
    assert ask_code(Client(REMOTE_ADDR="10.0.0.9"), "13500009999").status_code == 302


def test_signing_in_gives_a_new_session_key(client):
    client.get(reverse("portal:login"))
    ask_code(client)
    before = client.session.session_key
    assert before
    enter_code(client, last_code())
    after = client.session.session_key
    assert after and after != before
    # The old key opens nothing.
    fixed = Client()
    fixed.cookies["sessionid"] = before
    response = fixed.get(reverse("portal:me"))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


def test_signing_out_ends_the_portal_session(client):
    ask_code(client)
    enter_code(client, last_code())
    assert client.get(reverse("portal:logout")).status_code == 405
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert services.SESSION_KEY not in client.session
    assert client.get(reverse("portal:me")).status_code == 302
    assert AuditEntry.objects.filter(action="logout", object_type="members.portalaccount").exists()


def test_a_staff_sign_in_does_not_open_the_portal_nor_the_other_way_round(client, world):
    client.force_login(world.township_staff)
    response = client.get(reverse("portal:me"))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]

    worker = Client()
    ask_code(worker)
    enter_code(worker, last_code())
    response = worker.get(reverse("members:worker_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_after_signing_in_the_worker_lands_where_they_were_going_inside_the_portal_only(client):
    response = client.get(reverse("portal:apply"))
    assert response.status_code == 302
    client.get(response["Location"])  # /portal/login/?next=/portal/apply/
    ask_code(client)
    assert enter_code(client, last_code())["Location"] == reverse("portal:apply")

    other = Client()
    other.get(reverse("portal:login") + "?next=https://evil.example/")
    ask_code(other, "13600000000")
    assert enter_code(other, last_code("13600000000"))["Location"] == reverse("portal:me")
