"""The public API: filing a case and following it by tracking code and PIN, rate limits (429
with Retry-After), the same 404 for a wrong code or PIN, and the OpenAPI documentation."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gonghui.rights import codes, ratelimit
from gonghui.rights.models import Case, Channel
from gonghui.rights.services import cases as case_services

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/cases"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def body(**changes) -> dict:
    data = {
        "category": "complaint.wage_arrears",
        "description": "项目部拖欠我们八个人四个月工资。",
        "employer": "某某建设工程有限公司",
        "workers_affected": 8,
        "amount_claimed": "96000.00",
        "anonymous": False,
        "name": "李四",
        "phone": "13712345678",
    }
    data.update(changes)
    return data


def file(client: Client, data: dict):
    return client.post(URL, json.dumps(data), content_type="application/json")


def test_a_case_is_filed_and_answers_the_code_and_pin(world, client):
    response = file(client, body())
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(channel=Channel.API)
    assert data["tracking_code"] == codes.format_code(case.tracking_code)
    assert codes.pin_matches(case.tracking_code, data["pin"], case.pin_hash)
    assert data["status"] == "received"
    assert case.complainant_phone == "13712345678" and case.workers_affected == 8
    assert str(case.amount_claimed) == "96000.00"


def test_an_anonymous_case_keeps_no_name_or_phone(world, client):
    assert file(client, body(anonymous=True)).status_code == 201
    case = Case.objects.get(channel=Channel.API)
    assert case.anonymous and case.complainant_name == "" and case.complainant_phone == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "nope"}, "category"),
        ({"description": "短"}, "description"),
        ({"workers_affected": 0}, "workers_affected"),
        ({"amount_claimed": "-1"}, "amount_claimed"),
        ({"phone": ""}, "phone"),
        ({"phone": "123"}, "phone"),
        ({"employer": ""}, "employer"),
    ],
)
def test_bad_input_answers_422_naming_the_field(world, client, changes, field):
    response = file(client, body(**changes))
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Case.objects.filter(channel=Channel.API).exists()


def test_the_body_must_be_json(world, client):
    response = client.post(URL, {"category": "x"})
    assert response.status_code in (400, 415, 422)
    assert not Case.objects.filter(channel=Channel.API).exists()


def test_filing_is_rate_limited_with_retry_after(world, client, settings):
    settings.RIGHTS_RATE_LIMITS = {"submit_address": (2, 3600)}
    assert file(client, body(phone="13700000001")).status_code == 201
    assert file(client, body(phone="13700000002")).status_code == 201
    response = file(client, body(phone="13700000003"))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response.json()["detail"]
    assert Case.objects.filter(channel=Channel.API).count() == 2


def test_the_switch_turns_the_api_limits_off(world, client, settings):
    settings.RIGHTS_RATE_LIMITS = False
    for _i in range(5):
        assert file(client, body()).status_code == 201


def test_a_case_is_followed_with_the_pin_in_a_header(world, client):
    created = file(client, body()).json()
    case = Case.objects.get(channel=Channel.API)
    case_services.case_accept(by=world.county_admin, case=case, tier="general", note="内部备注")
    response = client.get(f"{URL}/{created['tracking_code']}", HTTP_X_CASE_PIN=created["pin"])
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "accepted"
    assert data["status_label"] == "Accepted"
    texts = [e["text"] for e in data["events"]]
    assert any("Your case was accepted" in t for t in texts)
    raw = response.content.decode("unicode_escape")
    assert "内部备注" not in raw and world.county_admin.username not in raw
    # the code typed without dashes works too
    plain = created["tracking_code"].replace("-", "").lower()
    assert client.get(f"{URL}/{plain}", HTTP_X_CASE_PIN=created["pin"]).status_code == 200


def test_a_wrong_pin_and_an_unknown_code_answer_the_same_404(world, client):
    created = file(client, body()).json()
    wrong = "000000" if created["pin"] != "000000" else "111111"
    a = client.get(f"{URL}/{created['tracking_code']}", HTTP_X_CASE_PIN=wrong)
    b = client.get(f"{URL}/ABCD-EFGH-JKMN", HTTP_X_CASE_PIN=created["pin"])
    c = client.get(f"{URL}/{created['tracking_code']}")  # no PIN at all
    assert a.status_code == b.status_code == c.status_code == 404
    assert a.json() == b.json() == c.json()


def test_guessing_pins_is_slowed_down_with_retry_after(world, client, monkeypatch):
    now = [3_000_000.0]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    created = file(client, body()).json()
    url = f"{URL}/{created['tracking_code']}"
    for pin in ("000001", "000002", "000003", "000004", "000005"):
        assert client.get(url, HTTP_X_CASE_PIN=pin).status_code == 404
    locked = client.get(url, HTTP_X_CASE_PIN=created["pin"])
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    now[0] += 15 * 60 + 1
    assert client.get(url, HTTP_X_CASE_PIN=created["pin"]).status_code == 200


def test_the_openapi_schema_documents_both_endpoints(world, client):
    schema = client.get("/api/v1/openapi.json").json()
    post = schema["paths"]["/api/v1/public/cases"]["post"]
    get = schema["paths"]["/api/v1/public/cases/{tracking_code}"]["get"]
    assert {"201", "422", "429"} <= set(post["responses"])
    assert {"200", "404", "429"} <= set(get["responses"])
    assert not post.get("security") and not get.get("security")
    headers = [p["name"] for p in get["parameters"] if p["in"] == "header"]
    assert headers == ["X-Case-Pin"]
