"""The figures page: renders for a user, scoped to their subtree, exports audited."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from django.test import Client

from gonghui.audit.models import AuditEntry
from gonghui.rights.tests.test_figures_numbers import make_case


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def cases_2024(world):
    for side, union in (("a", world.union_a), ("b", world.union_b)):
        make_case(
            union,
            received=dt.date(2024, 3, 5),
            status="closed",
            channel="hotline",
            solved=side == "a",
            handling_days=6,
            concluded_late=False,
            accepted_on=dt.date(2024, 3, 6),
        )
        make_case(union, received=dt.date(2024, 4, 5), status="declined")
    return world


def _stat(body: str, figure: str) -> str:
    match = re.search(rf'data-figure="{figure}"><span class="value">([^<]*)<', body)
    assert match, figure
    return match.group(1)


def test_the_page_shows_the_users_subtree_with_charts_and_notes(cases_2024):
    world = cases_2024
    response = client_for(world.township_staff).get("/rights/figures/?year=2024")
    body = response.content.decode()
    assert response.status_code == 200
    assert "东湖镇总工会" in body and "西岭镇" not in body
    assert _stat(body, "closure_rate") == "100.0%" and _stat(body, "resolution_rate") == "100.0%"
    assert "vendor/echarts.min.js" in body and 'id="figures-data"' in body
    data = json.loads(
        re.search(r'id="figures-data" type="application/json">(.*?)</script>', body, re.S).group(1)
    )
    assert sum(data["month_cases"]) == 2 and len(data["months"]) == 12
    assert "Closure rate: concluded cases ÷ accepted cases." in body
    assert "Resolution rate:" in body and "On-time rate:" in body


def test_the_county_sees_both_sides_and_the_rates_differ(cases_2024):
    world = cases_2024
    body = client_for(world.county_admin).get("/rights/figures/?year=2024").content.decode()
    assert _stat(body, "closure_rate") == "100.0%" and _stat(body, "resolution_rate") == "50.0%"
    assert "东湖镇总工会" in body and "西岭镇总工会" in body
    # drill-down into a township keeps the period
    assert f"/rights/figures/?organization={world.township_a.pk}&amp;year=2024" in body


def test_the_page_speaks_chinese_by_default(cases_2024):
    body = client_for(cases_2024.county_admin, "zh-hans").get("/rights/figures/").content.decode()
    assert '<html lang="zh-hans">' in body


def test_another_townships_organization_is_not_found(cases_2024):
    world = cases_2024
    client = client_for(world.outsider)
    assert client.get(f"/rights/figures/?organization={world.township_a.pk}").status_code == 404
    assert client.get(f"/rights/figures/?organization={world.county.pk}").status_code == 404
    own = client.get(f"/rights/figures/?organization={world.township_b.pk}&year=2024")
    assert own.status_code == 200


def test_a_period_ending_before_it_starts_is_refused_on_the_page(cases_2024):
    response = client_for(cases_2024.county_admin).get(
        "/rights/figures/?start=2024-05-01&end=2024-04-01"
    )
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.content.decode()


def test_dates_give_the_period(cases_2024):
    body = (
        client_for(cases_2024.county_admin)
        .get("/rights/figures/?start=2024-04-01&end=2024-04-30")
        .content.decode()
    )
    assert "2024-04-01" in body and "2024-04-30" in body
    match = re.search(r'id="figures-data" type="application/json">(.*?)</script>', body, re.S)
    assert json.loads(match.group(1))["months"] == ["2024-04"]


def test_export_of_a_table_is_audited(cases_2024):
    world = cases_2024
    response = client_for(world.county_admin).get(
        "/rights/figures/?year=2024&format=xlsx&table=by_channel"
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.values)
    assert rows[0][0] == "Channel" and rows[-1][0] == "Total" and rows[-1][1] == 4
    entry = AuditEntry.objects.filter(action="export").latest("pk")
    assert (
        entry.object_type == "rights.figures" and entry.changes["filters"]["table"] == "by_channel"
    )


def test_a_role_without_export_cannot_download(cases_2024):
    response = client_for(cases_2024.mediator).get(
        "/rights/figures/?year=2024&format=xlsx&table=by_channel"
    )
    assert response.status_code == 403


def test_an_unknown_table_is_not_found(cases_2024):
    response = client_for(cases_2024.county_admin).get("/rights/figures/?format=xlsx&table=x")
    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(db):
    response = Client().get("/rights/figures/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_every_linked_figure_opens_a_case_list_of_as_many_cases(cases_2024):
    """Each link's filters, read by the case list's own form and selector, select exactly the
    cases the figure counts."""
    from urllib.parse import parse_qs, urlparse

    from gonghui.rights import selectors
    from gonghui.rights.forms_cases import CaseFilterForm

    world = cases_2024
    admin = world.county_admin
    body = client_for(admin).get("/rights/figures/?year=2024").content.decode()
    links = re.findall(r'<a href="(/rights/cases/\?[^"]+)">([\d,]+)</a>', body)
    assert len(links) >= 10
    for href, shown in links:
        query = {k: v[0] for k, v in parse_qs(urlparse(href.replace("&amp;", "&")).query).items()}
        form = CaseFilterForm(query, user=admin)
        assert form.is_valid(), (href, form.errors)
        # the figures leave merged duplicates out; the list shows them (none here)
        count = selectors.case_list(admin, form.filters()).exclude(status="merged").count()
        assert count == int(shown.replace(",", "")), href
