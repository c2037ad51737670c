"""/api/v1/cases: list with filters and cursor, detail with the timeline, transitions, and
refusals as the house ErrorOut (403 role, 404 scope, 422 state, version or input)."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.accounts.roles import Role
from gonghui.rights.models import Case, Channel
from gonghui.rights.services.intake import case_create
from tests.world import PASSWORD, make_user


def api_client(user) -> Client:
    token = (
        Client()
        .post(
            "/api/v1/auth/token",
            {"username": user.username, "password": PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def staff(world):
    return api_client(world.township_staff)


def test_the_list_filters_and_pages_by_cursor(world, staff):
    for i in range(3):
        case_create(
            by=world.township_staff,
            channel=Channel.HOTLINE,
            category="consultation.wages",
            description=f"咨询加班工资计算方法第{i}次。",
            complainant_name="冯十二",
            received_by=world.township_a,
        )
    page = staff.get("/api/v1/cases", {"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = staff.get("/api/v1/cases", {"limit": 2, "cursor": page["next_cursor"]}).json()
    numbers = [c["number"] for c in page["items"] + rest["items"]]
    assert len(numbers) == len(set(numbers)) == 4
    assert world.side_b.case.number not in numbers
    found = staff.get("/api/v1/cases", {"q": "加班工资", "kind": "consultation"}).json()["items"]
    assert len(found) == 3
    assert found[0]["complainant_name_masked"] == "冯*二"
    assert staff.get("/api/v1/cases", {"due": "overdue"}).json()["items"] == []


def test_the_detail_has_the_timeline_and_is_scoped(world, staff):
    case = world.side_a.case
    body = staff.get(f"/api/v1/cases/{case.pk}").json()
    assert body["status"] == "received" and body["events"][0]["kind"] == "received"
    assert staff.get(f"/api/v1/cases/{world.side_b.case.pk}").status_code == 404


def test_transitions_through_the_api(world, staff):
    case = world.side_a.case
    url = f"/api/v1/cases/{case.pk}"
    response = post(staff, f"{url}/accept", {"tier": "difficult", "version": case.version})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["time_limit_days"]) == ("accepted", 15)
    response = post(
        staff,
        f"{url}/assign",
        {"organization_id": world.union_a.pk, "handler_id": world.union_chair.pk},
    )
    assert response.json()["handler_id"] == world.union_chair.pk
    chair = api_client(world.union_chair)
    assert post(chair, f"{url}/start", {"method": "mediation"}).json()["status"] == "in_handling"
    assert post(chair, f"{url}/pause", {"reason": "outside"}).json()["paused"] is True
    assert post(chair, f"{url}/resume", {}).json()["paused"] is False
    assert post(chair, f"{url}/notes", {"internal_note": "调解中"}).status_code == 200
    response = post(
        chair,
        f"{url}/conclude",
        {
            "outcome": "调解成功",
            "solved": True,
            "amount_recovered": "1200.50",
            "workers_benefited": 3,
        },
    )
    assert (response.json()["status"], response.json()["amount_recovered"]) == (
        "concluded",
        "1200.50",
    )
    response = post(chair, f"{url}/follow-up", {"solved": False, "satisfaction": 2})
    assert (response.json()["status"], response.json()["reopen_count"]) == ("in_handling", 1)
    response = post(
        api_client(world.county_admin),
        f"{url}/supervisions",
        {"instructions": "限期报告", "report_due": "2099-01-01"},
    )
    assert response.status_code == 201
    supervision = response.json()["id"]
    response = post(chair, f"/api/v1/cases/supervisions/{supervision}/report", {"report": "已处理"})
    assert response.json()["report"] == "已处理"


def test_refusals_answer_as_the_house_does(world, staff):
    case = world.side_a.case
    url = f"/api/v1/cases/{case.pk}"
    # wrong state: 422 naming the state
    response = post(staff, f"{url}/start", {"method": "answer"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "status",
            "message": "Handling starts on an assigned case; this one is “Received”.",
        }
    ]
    # stale version
    post(staff, f"{url}/accept", {"tier": "general"})
    response = post(staff, f"{url}/decline", {"reason": "x", "version": 1})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "version"
    # wrong role: a mediator at the township handles cases but does not dispatch them
    mediator = make_user("mediator_a", Role.MEDIATOR, world.township_a)
    response = post(api_client(mediator), f"{url}/assign", {"organization_id": world.union_a.pk})
    assert response.status_code == 403, response.content
    # outside the scope: not found
    outsider = api_client(world.outsider)
    assert post(outsider, f"{url}/decline", {"reason": "x"}).status_code == 404
    # bad input
    response = post(staff, f"{url}/assign", {"organization_id": "A"})
    assert (
        response.status_code == 422 and response.json()["errors"][0]["field"] == "organization_id"
    )
    assert Case.objects.get(pk=case.pk).status == "accepted"


@pytest.mark.django_db
def test_a_date_filter_must_be_written_as_a_date(world):
    from django.test import Client

    client = Client()
    client.force_login(world.county_admin)
    response = client.get("/api/v1/cases", {"received_to": "0"})
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.content.decode()
    assert client.get("/api/v1/cases", {"received_to": "2026-11-30"}).status_code == 200
