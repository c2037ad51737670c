import pytest
from django.test import Client

from gonghui.accounts.models import ApiToken
from gonghui.organizations.models import Organization
from tests.world import PASSWORD


def token_for(user) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()["token"]


def api_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")


@pytest.mark.django_db
def test_the_schema_is_openapi_3_and_lists_the_endpoints():
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/auth/token",
        "/api/v1/organizations",
        "/api/v1/organizations/{organization_id}",
    } <= set(schema["paths"])


@pytest.mark.django_db
def test_the_interactive_docs_load_from_the_app_itself():
    body = Client().get("/api/v1/docs").content.decode()
    assert "swagger" in body.lower()
    assert "cdn" not in body.lower() and "https://" not in body


@pytest.mark.django_db
def test_a_token_is_issued_once_and_only_its_hash_is_kept(world):
    raw = token_for(world.township_staff)
    stored = ApiToken.objects.get(user=world.township_staff)
    assert stored.token_hash == ApiToken.hash(raw) and raw not in stored.token_hash
    me = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").json()
    assert me["username"] == "township_staff" and me["organization_id"] == world.township_a.pk


@pytest.mark.django_db
def test_a_wrong_password_names_the_field(world):
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "township_staff", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "password"


@pytest.mark.django_db
def test_without_a_token_the_api_says_how_to_sign_in(world):
    response = Client().get("/api/v1/organizations")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert (
        Client(HTTP_AUTHORIZATION="Bearer gh_not_a_real_token")
        .get("/api/v1/organizations")
        .status_code
        == 401
    )


@pytest.mark.django_db
def test_a_revoked_or_expired_token_no_longer_works(world):
    raw = token_for(world.township_staff)
    from django.utils import timezone

    ApiToken.objects.update(expires_at=timezone.now())
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_lists_are_scoped_and_paged_by_cursor(world):
    client = api_client(world.county_admin)
    page = client.get("/api/v1/organizations", {"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = client.get("/api/v1/organizations", {"limit": 50, "cursor": page["next_cursor"]}).json()
    seen = [o["id"] for o in page["items"]] + [o["id"] for o in rest["items"]]
    assert sorted(seen) == sorted(Organization.objects.values_list("id", flat=True))
    assert len(set(seen)) == len(seen)


@pytest.mark.django_db
def test_worker_personal_data_is_masked_in_the_api(world):
    data = api_client(world.township_staff).get(f"/api/v1/workers/{world.worker_a.pk}").json()
    assert (
        data["id_number_masked"]
        == world.worker_a.id_number[:4] + "*" * 10 + world.worker_a.id_number[-4:]
    )
    assert world.worker_a.id_number not in str(data)


@pytest.mark.django_db
def test_creating_an_organization_with_bad_fields_names_each_field_in_chinese(world):
    client = api_client(world.township_staff)
    response = client.post(
        "/api/v1/organizations",
        {
            "parent_id": world.township_a.pk,
            "code": "GHAPI",
            "name": "接口工会",
            "kind": "grassroots",
            "region_code": "12",
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors[0]["field"] == "region_code"
    assert not Organization.objects.filter(code="GHAPI").exists()
    missing = client.post(
        "/api/v1/organizations", {"parent_id": world.township_a.pk}, content_type="application/json"
    ).json()
    assert {e["field"] for e in missing["errors"]} == {"code", "name", "kind", "region_code"}


@pytest.mark.django_db
def test_creating_an_organization_under_a_sibling_is_not_found(world):
    client = api_client(world.township_staff)
    response = client.post(
        "/api/v1/organizations",
        {
            "parent_id": world.township_b.pk,
            "code": "GHAPI",
            "name": "接口工会",
            "kind": "grassroots",
            "region_code": "360428",
        },
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Organization.objects.filter(code="GHAPI").exists()


@pytest.mark.django_db
def test_creating_an_organization_through_the_api_works(world):
    client = api_client(world.township_staff)
    response = client.post(
        "/api/v1/organizations",
        {
            "parent_id": world.township_a.pk,
            "code": "GHAPI",
            "name": "接口工会",
            "kind": "grassroots",
            "region_code": "360428",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["name"] == "接口工会"


@pytest.mark.django_db
def test_an_auditor_cannot_write_through_the_api(world):
    client = api_client(world.auditor)
    response = client.post(
        "/api/v1/organizations",
        {
            "parent_id": world.township_a.pk,
            "code": "GHAPI",
            "name": "接口工会",
            "kind": "grassroots",
            "region_code": "360428",
        },
        content_type="application/json",
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_token_request_that_is_not_json_is_refused_before_any_password_check(world):
    from axes.models import AccessAttempt

    for _ in range(3):
        response = Client().post(
            "/api/v1/auth/token",
            '{"username": "township_staff", "password": "wrong"}',
            content_type="multipart/form-data",
        )
        assert response.status_code == 415
    assert not AccessAttempt.objects.exists()
    correct = Client().post(
        "/api/v1/auth/token",
        f'{{"username": "township_staff", "password": "{PASSWORD}"}}',
        content_type="multipart/form-data",
    )
    assert correct.status_code == 415  # the right password is not confirmed either


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_api_sign_in_with_a_json_answer(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            "/api/v1/auth/token",
            {"username": "township_staff", "password": "wrong"},
            content_type="application/json",
        )
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "township_staff", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json()["errors"][0]["field"] == "username"


@pytest.mark.django_db
def test_an_unknown_api_path_answers_json(world):
    response = api_client(world.township_staff).get("/api/v1/workers/null,null")
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.django_db
def test_memberships_and_transfers_through_the_api(world):
    import datetime as dt

    from gonghui.core import identifiers as ids

    client = api_client(world.township_staff)
    number = ids.make_resident_id("360428", dt.date(1993, 4, 4), 77)
    worker = client.post(
        "/api/v1/workers",
        {"name": "孙八", "id_number": number, "organization_id": world.union_a.pk},
        content_type="application/json",
    )
    assert worker.status_code == 201, worker.content
    joined = client.post(
        "/api/v1/memberships",
        {"worker_id": worker.json()["id"], "union_id": world.union_a.pk},
        content_type="application/json",
    )
    assert joined.status_code == 201 and joined.json()["status"] == "active"
    again = client.post(
        "/api/v1/memberships",
        {"worker_id": worker.json()["id"], "union_id": world.union_a.pk},
        content_type="application/json",
    )
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "union"
    second_union = world.extra_a[0]
    transfer = client.post(
        "/api/v1/transfers",
        {"membership_id": joined.json()["id"], "to_union_id": second_union.pk},
        content_type="application/json",
    )
    assert transfer.status_code == 201
    approved = client.post(
        f"/api/v1/transfers/{transfer.json()['id']}/approve", {}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"
    twice = client.post(
        f"/api/v1/transfers/{transfer.json()['id']}/reject",
        {"note": "x"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert twice.status_code == 422 and "already decided" in twice.json()["errors"][0]["message"]
