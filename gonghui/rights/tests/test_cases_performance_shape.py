"""The shape of the case lists' work, not their speed: the number of queries of a page does not
grow with the cases, the deadlines page counts its groups in the database, and on PostgreSQL
the search reads the stored ``search_vector`` through its GIN index (migration 0004)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gonghui.rights import search, selectors
from gonghui.rights.models import Case
from gonghui.rights.tests.test_cases_pages import _make

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's search vector and plans"
)


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "params",
    [{}, {"due": "overdue"}, {"q": "拖欠工资"}, {"outcome": "open", "direct": "1"}],
)
def test_the_case_list_runs_as_many_queries_for_many_cases_as_for_few(world, params):
    client = client_for(world.county_admin)
    for i in range(2):
        _make(world.union_a if i % 2 else world.side_a.township, "in_handling", due_on="2026-01-05")
    client.get("/rights/cases/", params)
    few = _queries(client, "/rights/cases/", params)
    for i in range(30):
        _make(world.union_a if i % 2 else world.side_a.township, "in_handling", due_on="2026-01-05")
    assert _queries(client, "/rights/cases/", params) == few


def test_the_deadlines_page_runs_as_many_queries_for_many_cases_as_for_few(world):
    client = client_for(world.county_admin)
    _make(world.union_a, "in_handling", due_on="2026-01-05", handler=world.union_chair)
    _make(world.union_a, "received", accept_due="2026-01-05")
    for group in ("handler", "organization"):
        client.get("/rights/cases/deadlines/", {"group": group})
        few = _queries(client, "/rights/cases/deadlines/", {"group": group})
        for _i in range(20):
            _make(world.union_a, "in_handling", due_on="2026-01-05", handler=world.union_chair)
            _make(world.side_a.township, "received", accept_due="2026-01-05")
        assert _queries(client, "/rights/cases/deadlines/", {"group": group}) == few


def test_the_deadlines_page_counts_each_group_and_shows_its_oldest(world, monkeypatch):
    import datetime as dt

    from gonghui.rights import deadlines, views_cases

    monkeypatch.setattr(deadlines, "today", lambda: dt.date(2026, 6, 1))
    monkeypatch.setattr(views_cases, "DEADLINE_PER_GROUP", 3)
    made = [
        _make(
            world.union_a, "in_handling", due_on=dt.date(2026, 1, 1 + i), handler=world.union_chair
        )
        for i in range(5)
    ]
    body = client_for(world.county_admin).get("/rights/cases/deadlines/").content.decode()
    overdue = body[body.index('id="overdue"') : body.index('id="due_soon"')]
    assert "(5)" in overdue
    assert all(c.number in overdue for c in made[:3]) and made[4].number not in overdue
    assert f"handler={world.union_chair.pk}" in overdue


def test_the_list_page_does_not_decrypt_personal_data(world, monkeypatch):
    from gonghui.core import fields

    calls = []
    original = fields.PersonalDataField.from_db_value
    monkeypatch.setattr(
        fields.PersonalDataField,
        "from_db_value",
        lambda self, *a, **k: calls.append(1) or original(self, *a, **k),
    )
    client_for(world.county_admin).get("/rights/cases/")
    assert calls == []


@postgres_only
def test_the_search_uses_the_stored_vector_and_its_gin_index(world):
    qs = search.filter_text(Case.objects.all(), "拖欠工资").order_by("-received_at", "-id")[:51]
    sql, params = qs.query.sql_with_params()
    assert '"rights_case"."search_vector" @@' in sql and "to_tsvector" not in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_search_vector" in plan
    assert world.side_a.case in search.filter_text(Case.objects.all(), "工人讨薪")


@postgres_only
def test_the_orm_writes_cases_whatever_the_generated_column(world):
    case = world.side_a.case
    case.title = "改了标题"
    case.search_text = search.document("改了标题 粉尘")
    case.save()
    assert list(selectors.case_list(world.county_admin, {"q": "粉尘"})) == [case]
