"""/api/v1/referrals, /api/v1/mediations, /api/v1/notices: the same services and scope as the
pages, errors naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.rights.models import Mediation, Referral, SupervisionNotice
from gonghui.rights.services import legal
from gonghui.rights.tests.test_legal_mediation import make_case, open_mediation
from tests.world import PASSWORD


def api(user) -> Client:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Client(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")


def post(client, url, body):
    return client.post("/api/v1" + url, body, content_type="application/json")


@pytest.mark.django_db
def test_referral_create_receipt_reply_over_the_api(world):
    case = make_case(world)
    client = api(world.township_staff)
    response = post(
        client,
        "/referrals",
        {
            "case_id": case.pk,
            "body": "labor_inspection",
            "matters": "拖欠工资",
            "sent_on": timezone.localdate().isoformat(),
            "pause_clock": True,
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (
        data["reply_due"]
        == legal.reply_due_for("labor_inspection", timezone.localdate()).isoformat()
    )
    assert data["body_name"] and data["status"] == "sent" and data["pauses_clock"]
    rid = data["id"]
    response = post(
        client,
        f"/referrals/{rid}/receipt",
        {"received_on": timezone.localdate().isoformat(), "receipt_number": "88"},
    )
    assert response.status_code == 200 and response.json()["status"] == "received"
    response = post(
        client,
        f"/referrals/{rid}/reply",
        {"replied_on": timezone.localdate().isoformat(), "reply": "已立案"},
    )
    assert response.status_code == 200 and response.json()["status"] == "replied"
    case.refresh_from_db()
    assert not case.paused
    listed = client.get("/api/v1/referrals", {"case_id": case.pk}).json()["items"]
    assert [r["id"] for r in listed] == [rid]
    assert client.get(f"/api/v1/referrals/{rid}").json()["reply"] == "已立案"


@pytest.mark.django_db
def test_api_errors_name_the_field_and_save_nothing(world):
    case = make_case(world)
    client = api(world.township_staff)
    response = post(
        client, "/referrals", {"case_id": case.pk, "body": "labor_inspection", "matters": ""}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "matters"
    response = post(client, "/referrals", {"case_id": case.pk, "body": "nowhere", "matters": "x"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body"
    response = post(
        client,
        "/referrals",
        {"case_id": case.pk, "body": "court", "matters": "x", "reply_due": "2020-01-01"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reply_due"
    assert not Referral.objects.filter(case=case).exists()
    # A sibling's case: not found; a read-only role: forbidden.
    assert (
        post(
            api(world.outsider), "/referrals", {"case_id": case.pk, "body": "court", "matters": "x"}
        ).status_code
        == 404
    )
    assert (
        post(
            api(world.auditor), "/referrals", {"case_id": case.pk, "body": "court", "matters": "x"}
        ).status_code
        == 403
    )
    assert not Referral.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_mediations_over_the_api_are_masked_and_scoped(world):
    case = make_case(world)
    mediation = open_mediation(world, case)
    client = api(world.township_staff)
    items = client.get("/api/v1/mediations", {"case_id": case.pk}).json()["items"]
    assert [m["id"] for m in items] == [mediation.pk]
    detail = client.get(f"/api/v1/mediations/{mediation.pk}").json()
    assert detail["applicant_name_masked"] == "赵*" and "赵六" not in str(detail)
    assert detail["statutory_due"] == mediation.statutory_due.isoformat()
    assert [c["amount"] for c in detail["claims"]] == ["30000.00", "6000.50"]
    outsider = api(world.outsider)
    assert outsider.get(f"/api/v1/mediations/{mediation.pk}").status_code == 404
    assert mediation.pk not in [m["id"] for m in outsider.get("/api/v1/mediations").json()["items"]]
    assert Mediation.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_notices_over_the_api_overdue_and_reply(world):
    notice = legal.notice_issue(
        by=world.township_staff,
        employer=world.employer_a,
        findings="欠薪",
        demands="补发",
        issued_on=dt.date(2026, 10, 9),
    )
    client = api(world.township_staff)
    overdue = client.get("/api/v1/notices", {"state": "overdue"}).json()["items"]
    assert notice.pk in [n["id"] for n in overdue]
    response = post(
        client, f"/notices/{notice.pk}/reply", {"replied_on": "2026-11-01", "reply": ""}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reply"
    response = post(
        client, f"/notices/{notice.pk}/reply", {"replied_on": "2026-11-01", "reply": "已整改"}
    )
    assert response.status_code == 200 and response.json()["replied_on"] == "2026-11-01"
    assert api(world.outsider).get(f"/api/v1/notices/{notice.pk}").status_code == 404
    assert SupervisionNotice.objects.get(pk=notice.pk).reply == "已整改"


@pytest.mark.django_db
def test_the_sibling_township_sees_none_of_this_parts_records(world):
    """The scope walk's check, for this part's endpoints and pages."""
    marks_a = [str(r) for r in world.extra_a if type(r) in (Mediation, Referral, SupervisionNotice)]
    assert len(marks_a) == 3
    outsider = api(world.outsider)
    for url in ("/api/v1/referrals", "/api/v1/mediations", "/api/v1/notices"):
        body = outsider.get(url).content.decode("unicode_escape")
        assert not any(mark in body for mark in marks_a), url
    pages = Client()
    pages.force_login(world.outsider)
    for url in ("/rights/referrals/", "/rights/mediations/", "/rights/notices/"):
        body = pages.get(url).content.decode()
        assert not any(mark in body for mark in marks_a), url
    for record in world.extra_a:
        if isinstance(record, Mediation):
            assert outsider.get(f"/api/v1/mediations/{record.pk}").status_code == 404
            assert pages.get(f"/rights/mediations/{record.pk}/agreement.pdf").status_code == 404
        if isinstance(record, Referral):
            assert (
                post(
                    outsider,
                    f"/referrals/{record.pk}/reply",
                    {"replied_on": "2026-11-20", "reply": "x"},
                ).status_code
                == 404
            )
        if isinstance(record, SupervisionNotice):
            assert pages.get(f"/rights/notices/{record.pk}/notice.pdf").status_code == 404
