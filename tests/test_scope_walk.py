"""Walks every staff URL and every API endpoint as users of two sibling townships and proves
that neither sees the other's records.

Nothing here lists URLs by hand: the walk reads the URL configuration and the API's routers.
A staff URL with an id in it must declare the model it loads (``staff_view(scope_model=…)``,
``@scope_model(…)`` on an endpoint), and ``tests/world.py`` must hold a record of that model on
each side; otherwise the walk fails and says what to add.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from gonghui.api.api import api
from gonghui.core.fields import personal_fields
from gonghui.core.scope import scoped_models
from tests.world import PASSWORD, World

# Not staff pages: the public front door, the workers' portal, sign-in and language switch, the admin site
# (superusers only, outside the scope model by design), health and the API (walked below).
# The portal is the workers' public door, keyed by their own session, not by staff scope: its
# tests prove one worker never sees another's records (gonghui/portal/tests).
SKIP_PREFIXES = ("admin/", "i18n/", "api/v1/", "static/", "media/", "portal/")
SKIP_NAMES = {"healthz", "robots", "core:index", "accounts:login", "accounts:logout"}


def walk_patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            full_ns = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else ns
            yield from walk_patterns(entry, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield prefix + str(entry.pattern), name, entry


def staff_urls():
    found = []
    for route, name, pattern in walk_patterns(get_resolver()):
        if route.startswith(SKIP_PREFIXES) or name in SKIP_NAMES or route.startswith("^"):
            continue
        found.append((route, name, pattern))
    return found


def side_markers(records) -> list[str]:
    """Texts that mark one side: a record's own name where it has one (a page shows it plain),
    else its string form."""
    markers = []
    for record in records:
        name = getattr(record, "name", None)
        markers.append(name if isinstance(name, str) and name else str(record))
    # the twin worker of the duplicate pair shares a name with the side's worker: fine, same side
    return sorted(set(markers))


def fill(route: str, pk: int, extra: dict[str, str] | None = None) -> str:
    url = "/" + route
    url = re.sub(r"<int:pk>", str(pk), url)
    for key, value in (extra or {}).items():
        url = re.sub(rf"<(?:\w+:)?{key}>", value, url)
    return url


def record_of(records, model):
    for record in records:
        if isinstance(record, model):
            return record
    raise AssertionError(
        f"tests/world.py holds no {model.__name__} on each side: add one so the scope walk covers its URLs"
    )


def xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell
    )


@pytest.fixture
def sides(world: World):
    """Township staff of each side, and an administrator with every permission on each side
    (so that pages needing rights the staff lack are walked too)."""
    result = []
    for user_a, user_b in ((world.township_staff, world.outsider), (world.admin_a, world.admin_b)):
        a, b = Client(), Client()
        a.force_login(user_a)
        b.force_login(user_b)
        a.user, b.user = user_a, user_b
        result += [
            (a, world.a_records(), world.b_records()),
            (b, world.b_records(), world.a_records()),
        ]
    return result


def test_the_walk_finds_the_staff_pages():
    names = {name for _, name, _ in staff_urls()}
    assert {
        "organizations:list",
        "organizations:detail",
        "employers:detail",
        "members:worker_detail",
        "audit:list",
        "core:search",
    } <= names


@pytest.mark.django_db
def test_every_staff_url_shows_only_the_users_own_subtree(sides):
    checked = 0
    for route, name, pattern in staff_urls():
        callback = pattern.callback
        params = pattern.pattern.converters
        for client, own, other in sides:
            forbidden = side_markers(other)
            if not params:
                for query in ("", "?format=xlsx"):
                    response = client.get("/" + route + query)
                    assert response.status_code in (200, 403, 405), (
                        f"{name}{query}: {response.status_code}"
                    )
                    if response.status_code != 200:
                        continue
                    is_xlsx = "spreadsheetml" in response.get("Content-Type", "")
                    body = xlsx_text(response.getvalue()) if is_xlsx else response.content.decode()
                    for marker in forbidden:
                        assert marker not in body, (
                            f"{name}{query} shows {marker!r} to a user of the sibling township"
                        )
                # the search box, asked for the other side's names by name
                if name == "core:search":
                    for marker in forbidden:
                        body = client.get("/" + route, {"q": marker}).content.decode()
                        echoed = body.replace(f'value="{marker}"', "").replace(f"“{marker}”", "")
                        assert marker not in echoed, (
                            f"search shows {marker!r} to the sibling township"
                        )
                checked += 1
                continue
            if "label" in params:  # the reveal view: /reveal/<label>/<pk>/<field>/ for every model
                targets = [
                    (m, {"label": m._meta.label_lower, "field": f})
                    for m in scoped_models().values()
                    for f in personal_fields(m)
                ]
            else:
                model = getattr(callback, "scope_model", None)
                assert model is not None, (
                    f"{name} ({route}) takes an id but declares no scope_model"
                )
                targets = [(model, {})]
            for model, extra in targets:
                own_record, other_record = record_of(own, model), record_of(other, model)
                for method in ("get", "post"):
                    response = getattr(client, method)(fill(route, other_record.pk, extra))
                    # 403 only for a user whose role lacks the page's right: it says nothing
                    # about the record. Everyone else must get "not found".
                    lacks_right = not client.user.can(getattr(callback, "staff_permission", "view"))
                    assert response.status_code in (
                        (403, 404, 405) if lacks_right else (404, 405)
                    ), f"{method.upper()} {name} on the sibling's record: {response.status_code}"
                    for marker in forbidden:
                        assert marker not in response.content.decode()
                response = client.get(fill(route, own_record.pk, extra))
                assert response.status_code in (200, 403, 405), (
                    f"{name} on one's own record: {response.status_code}"
                )
            checked += 1
    assert checked >= 10


def api_operations():
    """(method, path, view function) of every operation on every router of /api/v1."""
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method, (prefix + path).replace("//", "/"), operation.view_func


@pytest.mark.django_db
def test_every_api_endpoint_shows_only_the_users_own_subtree(world: World):
    tokens = {}
    for user in (world.township_staff, world.outsider):
        response = Client().post(
            "/api/v1/auth/token",
            {"username": user.username, "password": PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        tokens[user.pk] = response.json()["token"]
    sides = [
        (tokens[world.township_staff.pk], world.a_records(), world.b_records()),
        (tokens[world.outsider.pk], world.b_records(), world.a_records()),
    ]
    checked = 0
    for method, path, view in api_operations():
        if path.startswith(("/auth/", "/public/")):  # the workers' door: keyed by code and PIN
            continue
        params = re.findall(r"{(?:\w+:)?(\w+)}", path)
        for token, own, other in sides:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
            forbidden = side_markers(other)
            if not params:
                if method != "GET":
                    continue  # writes naming other records in the body are tested per area
                response = client.get("/api/v1" + path)
                assert response.status_code == 200, f"GET {path}: {response.status_code}"
                body = response.content.decode("unicode_escape")
                for marker in forbidden:
                    assert marker not in body, (
                        f"GET {path} shows {marker!r} to the sibling township"
                    )
                checked += 1
                continue
            model = getattr(view, "scope_model", None)
            assert model is not None, f"{method} {path} takes an id but has no @scope_model"
            own_record, other_record = record_of(own, model), record_of(other, model)
            url = "/api/v1" + re.sub(r"{(?:\w+:)?\w+}", str(other_record.pk), path)
            response = client.generic(method, url, "{}", content_type="application/json")
            assert response.status_code in (404, 422), (
                f"{method} {path} on the sibling's record: {response.status_code}"
            )
            own_url = "/api/v1" + re.sub(r"{(?:\w+:)?\w+}", str(own_record.pk), path)
            if method == "GET":
                assert client.get(own_url).status_code == 200
            checked += 1
    assert checked >= 6


@pytest.mark.django_db
def test_the_county_sees_both_townships(world: World):
    client = Client()
    client.force_login(world.county_admin)
    body = client.get("/organizations/").content.decode()
    for marker in side_markers(world.a_records()[:2] + world.b_records()[:2]):
        assert marker in body


@pytest.mark.django_db
def test_with_two_trees_in_one_instance_each_top_sees_only_its_own(world: World):
    """The whole-tree shortcut of visible_to applies only while there is one tree."""
    from gonghui.members.models import Worker
    from gonghui.organizations.services import organization_create
    from tests.world import make_employer, make_user, make_worker

    other = organization_create(
        by=None,
        parent=None,
        code="GH360429",
        name="湖口县总工会",
        kind="federation",
        level="county",
        region_code="360429",
    )
    stranger = make_worker("王湖口", other, make_employer("湖口某公司", other, None, 9), 99)
    assert stranger not in Worker.objects.visible_to(world.county_admin)
    assert world.worker_a in Worker.objects.visible_to(world.county_admin)
    other_admin = make_user("other_admin", "federation_admin", other)
    assert list(Worker.objects.visible_to(other_admin)) == [stranger]
