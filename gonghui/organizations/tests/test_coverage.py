"""Coverage figures on a small tree built by hand, with every expected number worked out.

    county
    ├── T1 (township)
    │   ├── U1 (grassroots)   E1 100 workers, C, private, union U1 {regular 60, migrant 40}
    │   └── (T1 itself)       E2  30 workers, C, state-owned, no union {regular 30}
    └── T2 (township)
        ├── J (joint)         E3  25 workers, F, private, union J {migrant 5, platform 20}
        │                     E4  10 workers, F, private, union J
        ├── X (closed)        E6  50 workers, E, private, union X — closed: counts as none
        └── (T2 itself)       E5  40 workers, E, private, no union {migrant 40}

Workers: w1 E1 regular member · w2 E1 regular, membership lapsed · w3 E1 migrant member ·
w4 w5 E2 regular · w6 E3 migrant member · w7 E3 platform · w8 E5 migrant · w9 T1 regular, no
employer. 9 workers, 3 members.
"""

import datetime as dt
import io
import re
from html import unescape

import openpyxl
import pytest
from django.test import Client

from gonghui.organizations import coverage, services
from tests.world import make_user

from .factories import EmployerFactory, MembershipFactory, OrganizationFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    county = OrganizationFactory(kind="federation", name="测试县总工会", code="GHCOUNTY")
    t1 = OrganizationFactory(parent=county, kind="township", name="一号镇总工会")
    t2 = OrganizationFactory(parent=county, kind="township", name="二号镇总工会")
    u1 = OrganizationFactory(parent=t1, name="一号公司工会")
    j = OrganizationFactory(parent=t2, kind="joint_grassroots", name="二号镇联合工会")
    x = OrganizationFactory(parent=t2, name="已撤销工会")
    e1 = EmployerFactory(
        name="E1公司", union=u1, headcount=100, headcount_by_type={"regular": 60, "migrant": 40}
    )
    e2 = EmployerFactory(
        name="E2公司",
        organization=t1,
        headcount=30,
        ownership="state_owned",
        headcount_by_type={"regular": 30},
    )
    e3 = EmployerFactory(
        name="E3公司",
        union=j,
        headcount=25,
        industry="F",
        headcount_by_type={"migrant": 5, "platform": 20},
    )
    EmployerFactory(name="E4公司", union=j, headcount=10, industry="F")
    e5 = EmployerFactory(
        name="E5公司",
        organization=t2,
        headcount=40,
        industry="E",
        headcount_by_type={"migrant": 40},
    )
    EmployerFactory(name="E6公司", union=x, headcount=50, industry="E")
    services.organization_close(by=None, organization=x, reason="企业停产")
    w1 = WorkerFactory(employer=e1)
    w2 = WorkerFactory(employer=e1)
    w3 = WorkerFactory(employer=e1, worker_type="migrant")
    WorkerFactory(employer=e2)
    WorkerFactory(employer=e2)
    w6 = WorkerFactory(employer=e3, worker_type="migrant")
    WorkerFactory(employer=e3, worker_type="platform")
    WorkerFactory(employer=e5, worker_type="migrant")
    WorkerFactory(employer=None, organization=t1)
    for worker in (w1, w3, w6):
        MembershipFactory(worker=worker)
    MembershipFactory(worker=w2, status="lapsed", ended_on=dt.date(2024, 1, 1))
    admin = make_user("tree_admin", "federation_admin", county)
    staff_t1 = make_user("t1_staff", "township_staff", t1)
    return {"county": county, "t1": t1, "t2": t2, "u1": u1, "j": j, "x": x, "admin": admin,
            "staff_t1": staff_t1}  # fmt: skip


def figures(f: coverage.Figures) -> tuple:
    return (f.employers_25, f.employers_25_with_union, f.workers, f.members)


def rows(table) -> dict:
    return {row.label: figures(row.figures) for row in table}


def test_the_totals_and_both_rates(tree):
    total = coverage.coverage_total(tree["admin"], tree["county"])
    assert figures(total) == (5, 2, 9, 3)
    assert (total.employers, total.employers_with_union) == (6, 3)
    assert total.founding_rate == pytest.approx(0.4)
    assert total.membership_rate == pytest.approx(1 / 3)


def test_by_child_organization_with_drill_down(tree):
    data = coverage.coverage_for(tree["admin"], tree["county"])
    assert rows(data.by_child) == {"一号镇总工会": (2, 1, 6, 2), "二号镇总工会": (3, 1, 3, 1)}
    below_t2 = {
        ("itself" if row.organization == tree["t2"] else row.organization.name): figures(
            row.figures
        )
        for row in coverage.coverage_by_child(tree["admin"], tree["t2"])
    }
    assert below_t2 == {
        "二号镇联合工会": (1, 1, 2, 1),
        "已撤销工会": (1, 0, 0, 0),  # closed, but its employer is still counted (as without)
        "itself": (1, 0, 1, 0),  # E5 and its worker, held by the township itself
    }


def test_by_worker_type(tree):
    data = {r.key: r for r in coverage.coverage_by_worker_type(tree["admin"], tree["county"])}
    assert figures(data["regular"].figures) == (2, 1, 5, 1)
    assert figures(data["migrant"].figures) == (3, 2, 3, 2)
    assert figures(data["platform"].figures) == (1, 1, 1, 0)
    assert figures(data["dispatched"].figures) == (0, 0, 0, 0)
    assert data["migrant"].figures.founding_rate == pytest.approx(2 / 3)
    assert data["dispatched"].figures.founding_rate is None


def test_by_industry_and_ownership(tree):
    industry = {r.key: figures(r.figures) for r in coverage.coverage_by_industry(tree["admin"], tree["county"])}  # fmt: skip
    assert industry == {"C": (2, 1, 5, 2), "F": (1, 1, 2, 1), "E": (2, 0, 1, 0), "": (0, 0, 1, 0)}
    ownership = {r.key: figures(r.figures) for r in coverage.coverage_by_ownership(tree["admin"], tree["county"])}  # fmt: skip
    assert ownership == {"state_owned": (1, 0, 2, 0), "private": (4, 2, 6, 3), "": (0, 0, 1, 0)}


def test_employers_without_a_union_come_largest_first(tree):
    names = [e.name for e in coverage.employers_without_union(tree["admin"], tree["county"])]
    assert names == ["E6公司", "E5公司", "E2公司"]


def test_a_township_sees_only_its_subtree_and_cannot_open_the_other(tree):
    total = coverage.coverage_total(tree["staff_t1"], tree["county"])
    assert figures(total) == (2, 1, 6, 2)  # the county asked for, the scope still applies
    client = Client()
    client.force_login(tree["staff_t1"])
    assert client.get(f"/organizations/{tree['t2'].pk}/coverage/").status_code == 404
    assert client.get("/organizations/coverage/").status_code == 200


def test_the_page_costs_the_same_queries_however_many_records(tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(tree["admin"])
    url = f"/organizations/{tree['county'].pk}/coverage/"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(5):
        employer = EmployerFactory(organization=tree["t1"], headcount=30 + n, industry="G")
        MembershipFactory(worker=WorkerFactory(employer=employer, worker_type="dispatched"))
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before) <= 25


def test_every_employer_figure_opens_a_list_of_exactly_that_many(tree):
    client = Client()
    client.force_login(tree["admin"])
    body = client.get(f"/organizations/{tree['county'].pk}/coverage/").content.decode()
    links = re.findall(r'<a href="(/employers/\?[^"]+)">(\d+)</a>', body)
    assert len(links) > 20
    for url, figure in links:
        listing = client.get(unescape(url)).content.decode()
        shown = len(re.findall(r'href="/employers/\d+/"', listing))
        assert shown == int(figure), f"{unescape(url)} lists {shown}, the figure says {figure}"


def test_each_table_exports_with_its_total_row(tree):
    client = Client()
    client.force_login(tree["admin"])
    response = client.get("/organizations/coverage/", {"format": "xlsx", "table": "children"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    data = list(sheet.iter_rows(values_only=True))
    assert data[1][0] == "一号镇总工会"
    assert data[1][3:9] == (2, 1, 50.0, 6, 2, 33.3)
    assert data[-1][3:9] == (5, 2, 40.0, 9, 3, 33.3)
    response = client.get("/organizations/coverage/", {"format": "xlsx", "table": "without_union"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        "E6公司",
        "E5公司",
        "E2公司",
    ]
    assert (
        client.get("/organizations/coverage/", {"format": "xlsx", "table": "x"}).status_code == 404
    )
