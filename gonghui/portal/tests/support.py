"""Helpers shared by the portal's and the applications' tests."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from gonghui.members.models import PortalAccount
from gonghui.notifications.sms import LocmemSmsBackend
from gonghui.portal import services

URLS = "gonghui.portal.tests.urls"


def committed():
    """Run what a block queues for after the commit (SMS deliveries) at the block's end, as a
    real transaction would: tests run inside one transaction that never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def sms_to(phone: str) -> list[str]:
    return [m["text"] for m in LocmemSmsBackend.outbox if m["to"] == phone]


def last_code(phone: str) -> str:
    texts = sms_to(phone)
    assert texts, f"no SMS to {phone}"
    return re.search(r"\d{6}", texts[-1]).group()


def sign_in(client: Client, phone: str) -> PortalAccount:
    """Sign in through the pages: ask for a code, read it from the SMS, enter it."""
    with committed():
        response = client.post(reverse("portal:login"), {"phone": phone})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(reverse("portal:login_code"), {"code": last_code(phone)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return PortalAccount.objects.get(pk=client.session[services.SESSION_KEY])


class Clock:
    """Moves the portal's clock (rate limits and code lifetimes read it)."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(services, "_now", lambda: self.now)

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)
