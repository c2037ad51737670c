import pytest
from django.http import QueryDict
from django.test import Client

from gonghui.core.listing import Listing, Sort, decode_cursor
from gonghui.organizations.models import Organization
from gonghui.organizations.services import organization_create


def walk(qs, sort_key: str, direction: str, page_size: int = 7):
    """Follow next cursors to the end, then prev cursors back; return both orders."""
    sorts = [
        Sort("name", "name", "Name"),
        Sort("code", "code", "Code"),
        Sort("created", "created_at", "Created", descending=True),
    ]
    forward, pages, cursor = [], [], None
    while True:
        params = QueryDict(mutable=True)
        params.update({"sort": sort_key, "dir": direction})
        if cursor:
            params["cursor"] = cursor
        page = Listing(queryset=qs, params=params, sorts=sorts, page_size=page_size).page()
        pages.append(page)
        forward += [r.pk for r in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    backward = []
    cursor = pages[-1].prev_cursor
    backward = [r.pk for r in pages[-1].rows]
    while cursor:
        params = QueryDict(mutable=True)
        params.update({"sort": sort_key, "dir": direction, "cursor": cursor})
        page = Listing(queryset=qs, params=params, sorts=sorts, page_size=page_size).page()
        backward = [r.pk for r in page.rows] + backward
        cursor = page.prev_cursor
    return forward, backward


@pytest.fixture
def many(world):
    for i in range(40):
        # duplicate names on purpose: ties are broken by id
        organization_create(
            by=None,
            parent=world.township_a,
            code=f"GHT{i:03d}",
            name=f"测试工会{i % 6}",
            kind="grassroots",
            region_code="360428",
        )
    return Organization.objects.all()


@pytest.mark.django_db
@pytest.mark.parametrize("sort_key", ["name", "code", "created"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_keyset_pages_cover_every_row_once_in_order_both_ways(many, sort_key, direction):
    field = {"name": "name", "code": "code", "created": "created_at"}[sort_key]
    prefix = "-" if direction == "desc" else ""
    expected = list(many.order_by(prefix + field, prefix + "pk").values_list("pk", flat=True))
    forward, backward = walk(many, sort_key, direction)
    assert forward == expected
    assert backward == expected


def test_a_tampered_cursor_is_ignored_not_an_error():
    assert decode_cursor("not-base64!") is None
    assert decode_cursor("WzEsMiwic2lkZXdheXMiXQ") is None  # [1,2,"sideways"]


@pytest.mark.django_db
def test_list_pages_do_not_count_every_row(many, world, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.county_admin)
    with django_assert_max_num_queries(9):
        response = client.get("/organizations/", {"sort": "name"})
    assert response.status_code == 200
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get("/workers/")
    assert not any(
        "COUNT(" in q["sql"].upper() and "members_worker" in q["sql"] for q in ctx.captured_queries
    )
