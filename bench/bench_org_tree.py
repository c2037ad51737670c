"""Subtree queries on a tree of 100,000 organizations.

The figure: time to fetch the ids of one county's subtree (and to count the workers' organizations
in a township) through the materialized path, against the baseline of the same subtree found
with a recursive CTE over parent ids, measured on the same rows in the same run.
"""

from __future__ import annotations

import random

from django.db import connection

from bench.common import median, p95, report, timed
from gonghui.organizations.models import Organization, path_segment


def build_tree(n_target: int) -> list[Organization]:
    """Province → 11 cities → counties → townships → grassroots, about n_target in all."""
    rng = random.Random(7)
    rows: list[Organization] = []
    next_id = 1

    def add(parent, kind, level=""):
        nonlocal next_id
        org = Organization(
            id=next_id,
            code=f"B{next_id}",
            name=f"工会{next_id}",
            kind=kind,
            level=level,
            region_code="360000",
            parent=parent,
        )
        org.path = (parent.path if parent else "") + path_segment(next_id)
        org.depth = parent.depth + 1 if parent else 0
        next_id += 1
        rows.append(org)
        return org

    province = add(None, "federation", "province")
    counties = []
    per_county = max(10, n_target // 100)
    for _c in range(11):
        city = add(province, "federation", "city")
        for _k in range(9):
            counties.append(add(city, "federation", "county"))
    for county in counties:
        townships = [add(county, "township") for _ in range(15)]
        for _ in range(per_county - 16):
            add(rng.choice(townships), "grassroots")
    Organization.objects.bulk_create(rows, batch_size=5000)
    return counties


def run(quick: bool = False) -> None:
    n = 10_000 if quick else 100_000
    counties = build_tree(n)
    total = Organization.objects.count()
    county = counties[len(counties) // 2]
    township = Organization.objects.filter(parent=county).order_by("id").first()
    repeat = 30 if quick else 100

    def by_path(org=county):
        return list(
            Organization.objects.filter(path__subtree=org.path).values_list("id", flat=True)
        )

    cte = """
        WITH RECURSIVE sub(id) AS (
            SELECT id FROM organizations_organization WHERE id = %s
            UNION ALL
            SELECT o.id FROM organizations_organization o JOIN sub ON o.parent_id = sub.id
        ) SELECT id FROM sub"""

    def by_cte(org=county):
        with connection.cursor() as cursor:
            cursor.execute(cte, [org.pk])
            return [r[0] for r in cursor.fetchall()]

    assert sorted(by_path()) == sorted(by_cte())
    path_ms, cte_ms = timed(by_path, repeat), timed(by_cte, repeat)
    path_t_ms = timed(lambda: by_path(township), repeat)
    cte_t_ms = timed(lambda: by_cte(township), repeat)
    figures = {
        "organizations": total,
        "county_subtree_size": len(by_path()),
        "county_subtree_p95_ms": round(p95(path_ms), 2),
        "county_subtree_cte_p95_ms": round(p95(cte_ms), 2),
        "county_ratio_to_cte": round(median(path_ms) / median(cte_ms), 2),
        "township_subtree_p95_ms": round(p95(path_t_ms), 2),
        "township_ratio_to_cte": round(median(path_t_ms) / median(cte_t_ms), 2),
        "database": connection.vendor,
    }
    print(
        f"   {total} organizations; a county's subtree ({figures['county_subtree_size']} rows): p95 {figures['county_subtree_p95_ms']} ms by path, {figures['county_subtree_cte_p95_ms']} ms by recursive CTE (ratio {figures['county_ratio_to_cte']})"
    )
    print(
        f"   a township's subtree: p95 {figures['township_subtree_p95_ms']} ms (ratio to CTE {figures['township_ratio_to_cte']})"
    )
    report("org_tree", figures)
