"""The registry's API: employers written, cadres and elections read, coverage."""

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.core import identifiers as ids
from gonghui.organizations.models import Employer

from .factories import CadreFactory

pytestmark = pytest.mark.django_db

NEW_USCC = ids.make_uscc("91", "360428", "AP000001")


def employer_body(world, **overrides):
    body = {
        "uscc": NEW_USCC,
        "name": "东湖接口有限公司",
        "ownership": "private",
        "industry": "C",
        "region_code": "360428",
        "union_id": world.union_a.pk,
        "headcount": 40,
        "headcount_by_type": {"regular": 30, "migrant": 10},
    }
    body.update(overrides)
    return body


def test_an_employer_is_created_through_the_api(world, api_client):
    client = api_client(world.township_staff)
    response = client.post(
        "/api/v1/employers", employer_body(world), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["organization_id"] == world.union_a.pk and data["union_id"] == world.union_a.pk
    assert data["headcount_by_type"] == {"regular": 30, "migrant": 10}
    assert Employer.objects.filter(uscc=NEW_USCC).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"uscc": "91360428MA35XXXXXX"}, "uscc"),
        ({"headcount_by_type": {"regular": 30, "migrant": 20}}, "headcount_by_type"),
        ({"union_id": None}, "organization"),
        ({"industry": "Z"}, "industry"),
        ({"headcount": -5}, "headcount"),
        ({"headcount_by_type": {"robots": 2}}, "headcount_by_type.robots"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_saves_nothing(world, api_client, overrides, field):
    client = api_client(world.township_staff)
    response = client.post(
        "/api/v1/employers", employer_body(world, **overrides), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    fields = [e["field"] for e in response.json()["errors"]]
    assert any(f == field or f.startswith(field) for f in fields), fields
    assert not Employer.objects.filter(uscc=NEW_USCC).exists()


def test_a_union_outside_the_scope_is_an_unknown_field_value(world, api_client):
    client = api_client(world.township_staff)
    response = client.post(
        "/api/v1/employers",
        employer_body(world, union_id=world.union_b.pk),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["union_id"]
    assert "乙方" not in response.content.decode()


def test_patch_changes_only_what_is_sent_and_keeps_the_old_name(world, api_client):
    client = api_client(world.township_staff)
    url = f"/api/v1/employers/{world.employer_a.pk}"
    response = client.patch(url, {"name": "甲方重工有限公司"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["former_names"] == ["甲方机械有限公司"]
    assert response.json()["headcount"] == world.employer_a.headcount
    response = client.patch(url, {"union_id": None}, content_type="application/json")
    assert response.json()["organization_id"] == world.township_a.pk
    response = client.patch(url, {"name": None}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "name"
    other = f"/api/v1/employers/{world.employer_b.pk}"
    assert client.patch(other, {"name": "x"}, content_type="application/json").status_code == 404


def test_an_auditor_may_read_but_not_write(world, api_client):
    client = api_client(world.auditor)
    response = client.post(
        "/api/v1/employers", employer_body(world), content_type="application/json"
    )
    assert response.status_code == 403
    assert client.get("/api/v1/employers").status_code == 200


def test_employer_list_filters_by_size_and_union(world, api_client):
    client = api_client(world.county_admin)
    data = client.get("/api/v1/employers", {"min_headcount": 102}).json()
    assert [e["name"] for e in data["items"]] == ["乙方纺织有限公司"]
    data = client.get("/api/v1/employers", {"organization_id": world.township_a.pk}).json()
    assert [e["name"] for e in data["items"]] == ["甲方机械有限公司"]


def test_cadres_list_detail_and_terms_due(world, api_client):
    today = timezone.localdate()
    CadreFactory(
        organization=world.union_a,
        name="将满委员",
        term_start=today - dt.timedelta(days=1000),
        term_end=today + dt.timedelta(days=20),
    )
    client = api_client(world.township_staff)
    names = [c["name"] for c in client.get("/api/v1/organizations/cadres").json()["items"]]
    assert names == ["将满委员", "甲方主席"]  # by term end; the sibling's chair not there
    due = client.get("/api/v1/organizations/cadres", {"term": "due"}).json()["items"]
    assert [(c["name"], c["term_status"]) for c in due] == [("将满委员", "due")]
    chair = world.extra_a[6]
    data = client.get(f"/api/v1/organizations/cadres/{chair.pk}").json()
    assert data["position"] == "chair" and data["election_id"] == world.extra_a[5].pk
    assert client.get(f"/api/v1/organizations/cadres/{world.extra_b[6].pk}").status_code == 404


def test_elections_list(world, api_client):
    client = api_client(world.township_staff)
    items = client.get("/api/v1/organizations/elections").json()["items"]
    assert [(e["held_on"], e["cadre_ids"]) for e in items] == [
        ("2022-05-01", [world.extra_a[6].pk])
    ]


def test_coverage_of_an_organization(world, api_client):
    client = api_client(world.township_staff)
    data = client.get(f"/api/v1/organizations/{world.township_a.pk}/coverage").json()
    assert data["total"]["employers_25"] == 1 and data["total"]["founding_rate"] == 1.0
    # worker_a is a member; the twin worker of the second union is not
    assert (data["total"]["workers"], data["total"]["members"]) == (2, 1)
    assert {row["organization_id"] for row in data["by_child"]} == {
        world.union_a.pk,
        world.extra_a[0].pk,
    }
    url = f"/api/v1/organizations/{world.township_b.pk}/coverage"
    assert client.get(url).status_code == 404


def test_the_api_lists_cost_the_same_queries_for_more_rows(world, api_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gonghui.organizations import services

    client = api_client(world.township_staff)
    client.get("/api/v1/me")  # the token's first use writes its last-used time

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = ["/api/v1/organizations/cadres", "/api/v1/organizations/elections"]
    before = [count(url) for url in urls]
    for year in (2023, 2024):
        services.election_record(
            by=None,
            organization=world.extra_a[0],
            held_on=dt.date(year, 1, 1),
            kind="regular",
            term_years=5,
            members_total=30,
            members_voting=30,
            cadres=[{"name": f"委员{year}", "position": "committee_member"}],
        )
    assert [count(url) for url in urls] == before


def test_a_body_that_is_not_an_object_is_refused(world, api_client):
    client = api_client(world.township_staff)
    url = f"/api/v1/employers/{world.employer_a.pk}"
    response = client.patch(url, "[null, null]", content_type="application/json")
    assert response.status_code == 422
    response = client.post("/api/v1/employers", "[1]", content_type="application/json")
    assert response.status_code == 422
