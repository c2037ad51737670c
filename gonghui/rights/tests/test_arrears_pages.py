"""Pages and API of wage arrears, inspections, early warnings and joint meetings: what each user
sees and may do, forms that keep what was typed and say what to fix, exports, and the scope walk
over this part's URLs and endpoints."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from gonghui.rights.models import Alert, AlertStatus, CaseParty, InspectionTarget, JointMeeting
from gonghui.rights.services import arrears as services
from tests import test_scope_walk as walk
from tests.test_scope_walk import sides  # noqa: F401  (fixture)
from tests.world import PASSWORD

MY_PREFIXES = ("rights/arrears/", "rights/inspections/", "rights/alerts/", "rights/meetings/")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(world):
    return client_for(world.township_staff)


# --- wage arrears page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_arrears_page_lists_workers_masked_and_records_a_recovery(world, staff):
    case = world.side_a.case
    url = f"/rights/arrears/cases/{case.pk}/"
    response = staff.post(
        url + "parties/add/",
        {"name": "赵六", "amount_claimed": "3000", "months": "2026-08"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    party = CaseParty.objects.get(case=case)
    body = staff.get(url).content.decode()
    assert "赵六" not in body and "赵*" in body
    assert "3000.00" in body
    response = staff.post(
        url + "recovery/",
        {"party": party.pk, "amount": "1000", "on": "2026-11-25", "note": "现金"},
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.amount_recovered == Decimal("1000.00")
    revealed = staff.post(url + "reveal/").content.decode()
    assert "赵六" in revealed


@pytest.mark.django_db
def test_a_wrong_amount_keeps_what_was_typed_and_says_what_to_fix(world, staff):
    case = world.side_a.case
    response = staff.post(
        f"/rights/arrears/cases/{case.pk}/parties/add/",
        {"name": "赵六", "amount_claimed": "三千", "months": "2026-08"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter an amount in yuan" in body
    assert 'value="三千"' in body and 'value="赵六"' in body
    assert not CaseParty.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_the_case_page_shows_the_arrears_section(world, staff):
    case = world.side_a.case
    services.party_add(by=world.township_staff, case=case, name="赵六", amount_claimed="3000")
    body = staff.get(f"/rights/cases/{case.pk}/").content.decode()
    assert f"/rights/arrears/cases/{case.pk}/" in body
    assert "section-arrears" in body or "3000.00" in body


@pytest.mark.django_db
def test_the_auditor_reads_but_cannot_change_the_arrears(world):
    auditor = client_for(world.auditor)
    case = world.side_a.case
    assert auditor.get(f"/rights/arrears/cases/{case.pk}/").status_code == 200
    response = auditor.post(
        f"/rights/arrears/cases/{case.pk}/parties/add/", {"name": "赵六", "amount_claimed": "1"}
    )
    assert response.status_code == 403
    assert not CaseParty.objects.filter(case=case).exists()


# --- inspections -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_campaign_is_created_filled_recorded_and_exported(world, staff):
    response = staff.post(
        "/rights/inspections/new/",
        {
            "organization": world.township_a.pk,
            "name": "春节前欠薪专项检查",
            "starts_on": "2026-12-01",
            "ends_on": "2027-01-31",
        },
    )
    assert response.status_code == 302
    inspection_url = response["Location"]
    response = staff.post(inspection_url + "targets/add/", {"employer": world.employer_a.uscc})
    assert response.status_code == 302
    response = staff.post(inspection_url + "targets/add/", {"employer": "乙方纺织有限公司"})
    assert "No single employer of your area" in response.content.decode() or (
        "没有" in response.content.decode()
    )
    target = InspectionTarget.objects.get(inspection__name="春节前欠薪专项检查")
    response = staff.post(
        f"/rights/inspections/targets/{target.pk}/",
        {
            "inspected_on": "2026-11-20",
            "inspectors": "王东湖",
            "findings": "拖欠8人工资",
            "arrears_found": "64000",
            "workers_owed": "8",
            "amount_recovered": "14000.50",
            "followup_due": "2026-12-05",
        },
    )
    assert response.status_code == 302
    body = staff.get(inspection_url).content.decode()
    assert "64000.00" in body and "14000.50" in body and "1 / 1" in body
    export = staff.get(inspection_url + "?format=xlsx")
    assert "spreadsheetml" in export["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(export.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "甲方机械有限公司"
    assert 64000 in rows[1] and 8 in rows[1]
    listing = staff.get("/rights/inspections/?format=xlsx")
    assert "spreadsheetml" in listing["Content-Type"]


# --- alerts ------------------------------------------------------------------------------------


@pytest.fixture
def county_alert(world):
    alert = Alert.objects.create(
        organization=world.county,
        rule="collective",
        employer=world.employer_a,
        summary="甲方机械有限公司：一案涉及12名工人",
        workers_affected=12,
        raised_at=dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC),
    )
    alert.cases.add(world.side_a.case)
    return alert


@pytest.mark.django_db
def test_the_alert_list_puts_open_first_and_marks_those_left_unacknowledged(world, county_alert):
    admin = client_for(world.county_admin)
    body = admin.get("/rights/alerts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert county_alert.summary in body
    assert body.index(county_alert.summary) < body.index('id="acknowledged"')
    assert "unacknowledged for over a working day" in body


@pytest.mark.django_db
def test_closing_an_alert_on_the_page_needs_the_action_taken(world, county_alert):
    admin = client_for(world.county_admin)
    url = f"/rights/alerts/{county_alert.pk}/"
    response = admin.post(url + "close/", {"action_taken": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Say what was done about it." in response.content.decode()
    county_alert.refresh_from_db()
    assert county_alert.status == AlertStatus.OPEN
    assert admin.post(url + "acknowledge/").status_code == 302
    county_alert.refresh_from_db()
    assert county_alert.acknowledged_by == world.county_admin
    assert admin.post(url + "close/", {"action_taken": "已约谈并补发"}).status_code == 302
    county_alert.refresh_from_db()
    assert county_alert.status == AlertStatus.CLOSED


@pytest.mark.django_db
def test_township_staff_may_not_act_on_alerts(world):
    alert = Alert.objects.get(cases=world.side_a.case, organization=world.township_a)
    response = client_for(world.township_staff).post(f"/rights/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 403


# --- meetings ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_meeting_is_recorded_with_cases_by_number_and_action_items(world, staff):
    case = world.side_a.case
    response = staff.post(
        "/rights/meetings/new/",
        {
            "organization": world.township_a.pk,
            "title": "十一月联席会议",
            "held_on": "2026-11-10",
            "attendees": "人社所、住建办",
            "issues": "欠薪",
            "case_numbers": f"{case.number}, {world.side_b.case.number}",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert world.side_b.case.number in response.content.decode()  # named as not found
    assert not JointMeeting.objects.filter(title="十一月联席会议").exists()
    response = staff.post(
        "/rights/meetings/new/",
        {
            "organization": world.township_a.pk,
            "title": "十一月联席会议",
            "held_on": "2026-11-10",
            "attendees": "人社所、住建办",
            "issues": "欠薪",
            "case_numbers": case.number,
        },
    )
    meeting = JointMeeting.objects.get(title="十一月联席会议")
    assert list(meeting.cases.all()) == [case]
    url = f"/rights/meetings/{meeting.pk}/"
    staff.post(
        url + "actions/add/", {"text": "约谈企业", "owner": "人社所", "due_on": "2026-11-20"}
    )
    action = meeting.actions.get()
    body = staff.get("/rights/meetings/").content.decode()
    assert "约谈企业" in body
    response = staff.post(
        url + "actions/done/",
        {"action": action.pk, "done_on": "2026-11-21", "result": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Say what was done." in response.content.decode()
    staff.post(
        url + "actions/done/", {"action": action.pk, "done_on": "2026-11-21", "result": "已办"}
    )
    action.refresh_from_db()
    assert action.result == "已办"


# --- API ---------------------------------------------------------------------------------------


def token_client(user) -> Client:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")


@pytest.mark.django_db
def test_the_api_creates_a_campaign_adds_an_employer_and_records_findings(world):
    api = token_client(world.township_staff)
    response = api.post(
        "/api/v1/inspections",
        {
            "organization_id": world.township_a.pk,
            "name": "API专项检查",
            "starts_on": "2026-12-01",
            "ends_on": "2026-11-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "ends_on", "message": "The last day cannot be before the first."}
    ]
    response = api.post(
        "/api/v1/inspections",
        {
            "organization_id": world.township_a.pk,
            "name": "API专项检查",
            "starts_on": "2026-11-01",
            "ends_on": "2026-12-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    inspection_id = response.json()["id"]
    response = api.post(
        f"/api/v1/inspections/{inspection_id}/targets",
        {"employer_id": world.employer_b.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    response = api.post(
        f"/api/v1/inspections/{inspection_id}/targets",
        {"employer_id": world.employer_a.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    target_id = response.json()["id"]
    response = api.post(
        f"/api/v1/inspections/targets/{target_id}/record",
        {
            "inspected_on": "2026-11-20",
            "inspectors": "王东湖",
            "findings": "拖欠",
            "arrears_found": "1000.10",
            "workers_owed": 2,
            "amount_recovered": "1000.10",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "inspected"
    detail = api.get(f"/api/v1/inspections/{inspection_id}").json()
    assert detail["totals"]["arrears_found"] == "1000.10"
    assert detail["totals"]["inspected"] == 1
    targets = api.get(f"/api/v1/inspections/{inspection_id}/targets").json()["items"]
    assert [t["employer_name"] for t in targets] == ["甲方机械有限公司"]


@pytest.mark.django_db
def test_the_api_acknowledges_and_closes_alerts(world, county_alert):
    api = token_client(world.county_admin)
    items = api.get("/api/v1/alerts?status=open").json()["items"]
    assert county_alert.pk in [a["id"] for a in items]
    detail = api.get(f"/api/v1/alerts/{county_alert.pk}").json()
    assert [c["number"] for c in detail["cases"]] == [world.side_a.case.number]
    response = api.post(
        f"/api/v1/alerts/{county_alert.pk}/close", {}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "action_taken"
    response = api.post(
        f"/api/v1/alerts/{county_alert.pk}/acknowledge", content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"
    response = api.post(
        f"/api/v1/alerts/{county_alert.pk}/close",
        {"action_taken": "已处置"},
        content_type="application/json",
    )
    assert response.json()["status"] == "closed"
    staff_api = token_client(world.township_staff)
    assert staff_api.get(f"/api/v1/alerts/{county_alert.pk}").status_code == 404


@pytest.mark.django_db
def test_the_api_lists_meetings_with_action_items(world):
    api = token_client(world.township_staff)
    meeting = JointMeeting.objects.get(organization=world.township_a)
    services.action_add(
        by=world.township_staff,
        meeting=meeting,
        text="约谈",
        owner="人社所",
        due_on=dt.date(2026, 11, 21),
    )
    items = api.get("/api/v1/meetings").json()["items"]
    assert [m["id"] for m in items] == [meeting.pk]
    detail = api.get(f"/api/v1/meetings/{meeting.pk}").json()
    assert detail["actions"][0]["overdue"] is True


# --- the scope walk over this part -------------------------------------------------------------


@pytest.mark.django_db
def test_the_scope_walk_over_this_parts_pages(sides, monkeypatch):  # noqa: F811
    mine = [u for u in walk.staff_urls() if u[0].startswith(MY_PREFIXES)]
    assert len(mine) >= 20
    monkeypatch.setattr(walk, "staff_urls", lambda: mine)
    walk.test_every_staff_url_shows_only_the_users_own_subtree(sides)


@pytest.mark.django_db
def test_the_scope_walk_over_this_parts_endpoints(world, monkeypatch):
    everything = list(walk.api_operations())
    mine = [op for op in everything if op[1].startswith(("/inspections", "/alerts", "/meetings"))]
    assert len(mine) >= 12
    monkeypatch.setattr(walk, "api_operations", lambda: iter(mine))
    walk.test_every_api_endpoint_shows_only_the_users_own_subtree(world)


@pytest.mark.django_db
def test_the_employer_page_shows_its_inspections_and_warnings(world, staff):
    body = staff.get(f"/employers/{world.employer_a.pk}/").content.decode()
    assert "甲方镇根治欠薪冬季专项行动" in body
    assert "甲方机械公司七日内三起投诉" in body
    assert "乙方" not in body.split("section-arrears")[-1][:2000]
