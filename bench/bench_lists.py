"""List pages and search on the demo data: a million workers in the full run (seed_demo
--scale province), the tiny county in the quick one.

Figures: p95 of whole page requests (through Django's test client, so routing, the scope gate,
the query and the template) for the worker list's first page, a page 20 cursors deep, a name
prefix search, a pinyin-initials search and an exact ID number lookup; and the ratio of the
list's ORM query alone to the same query written as raw SQL, measured in the same run.
"""

from __future__ import annotations

import io
import re

from django.core.management import call_command
from django.db import connection
from django.test import Client

from bench.common import median, p95, report, timed


def run(quick: bool = False) -> None:
    from gonghui.accounts.models import User
    from gonghui.members.models import Worker
    from gonghui.organizations.models import Organization

    scale = "tiny" if quick else "province"
    if not Worker.objects.exists():
        call_command("seed_demo", scale=scale, stdout=io.StringIO())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = Worker.objects.count()
    admin = (
        User.objects.filter(role="federation_admin")
        .select_related("organization")
        .order_by("organization__depth")
        .first()
    )
    client = Client()
    client.force_login(admin)
    repeat = 10 if quick else 40

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    # a page 20 cursors deep
    deep = "/workers/"
    for _ in range(20):
        match = re.search(r'href="(\?[^"]*cursor=[^"]*)" rel="next"', get(deep).content.decode())
        if not match:
            break
        deep = "/workers/" + match.group(1).replace("&amp;", "&")
    sample = Worker.objects.order_by("id")[total // 2]
    urls = {
        "first_page": "/workers/",
        "deep_page": deep,
        "name_prefix": f"/workers/?q={sample.name[0]}",
        "pinyin_initials": f"/workers/?q={sample.name_initials[:2]}",
        "exact_id": f"/search/?q={sample.id_number}",
        "organizations": "/organizations/",
        "employers": "/employers/",
    }
    figures: dict = {"workers": total, "database": connection.vendor}
    for key, url in urls.items():
        samples = timed(lambda url=url: get(url), repeat)
        figures[f"{key}_p95_ms"] = round(p95(samples), 1)

    # the list's query alone: ORM against raw SQL
    prefix = admin.organization.path

    def orm():
        qs = Worker.objects.visible_to(admin).select_related("employer", "organization")
        return list(qs.order_by("name", "pk")[:51])

    sql = """SELECT w.id, w.name, w.id_number, w.phone, w.worker_type, e.name, o.name
               FROM members_worker w
               LEFT JOIN organizations_employer e ON e.id = w.employer_id
               JOIN organizations_organization o ON o.id = w.organization_id
              WHERE o.path >= %s AND o.path < %s
              ORDER BY w.name, w.id LIMIT 51"""

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(sql, [prefix, prefix + "~"])
            return cursor.fetchall()

    orm_ms, raw_ms = timed(orm, repeat), timed(raw, repeat)
    figures["list_query_orm_p95_ms"] = round(p95(orm_ms), 2)
    figures["list_query_raw_sql_p95_ms"] = round(p95(raw_ms), 2)
    figures["list_query_ratio_to_raw_sql"] = round(median(orm_ms) / median(raw_ms), 2)
    assert Organization.objects.exists()
    for key, value in figures.items():
        print(f"   {key}: {value}")
    report("lists", figures)
