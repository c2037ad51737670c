"""The coverage page: union founding and membership rates of a subtree, every figure a link to
the records behind it, every table exportable."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.scope import get_for_user

from .. import coverage
from ..models import Organization

WITHOUT_UNION_SHOWN = 50


def _url(name: str, org: Organization, params: dict | None) -> str | None:
    if params is None:
        return None
    query = {"organization": org.pk, **params}
    return reverse(name) + "?" + urlencode(query)


def _links(row: coverage.Row, org: Organization) -> dict[str, str | None]:
    """Links from each figure of a row to the list of the records behind it. Employer figures
    go to the employer list; worker figures to the worker list (``member=yes|no``,
    ``industry``, ``ownership``, ``no_employer`` and ``direct`` are worker-list filters the
    members area provides)."""
    place = row.organization if row.organization is not None else org
    emp, wrk = row.employer_filters, row.worker_filters
    big = None if emp is None else {**emp, "min_headcount": 25, "sort": "headcount"}
    return {
        "drill": reverse("organizations:coverage_of", args=[place.pk])
        if row.organization is not None and place.pk != org.pk
        else None,
        "employers": _url("employers:list", place, None if emp is None else {**emp}),
        "employers_with_union": _url(
            "employers:list", place, None if emp is None else {**emp, "has_union": "yes"}
        ),
        "employers_25": _url("employers:list", place, big),
        "employers_25_with_union": _url(
            "employers:list", place, None if big is None else {**big, "has_union": "yes"}
        ),
        "employers_25_without_union": _url(
            "employers:list", place, None if big is None else {**big, "has_union": "no"}
        ),
        "workers": _url("members:worker_list", place, wrk),
        "members": _url(
            "members:worker_list", place, None if wrk is None else {**wrk, "member": "yes"}
        ),
        "non_members": _url(
            "members:worker_list", place, None if wrk is None else {**wrk, "member": "no"}
        ),
    }


def _percent(rate: float | None) -> float | str:
    return round(rate * 100, 1) if rate is not None else ""


RATE_COLUMNS = [
    Column(gettext_lazy("Employers"), lambda r: r.figures.employers, width=12),
    Column(gettext_lazy("Employers with a union"), lambda r: r.figures.employers_with_union),
    Column(gettext_lazy("Employers with 25+ workers"), lambda r: r.figures.employers_25),
    Column(gettext_lazy("of them with a union"), lambda r: r.figures.employers_25_with_union),
    Column(gettext_lazy("Union founding rate (%)"), lambda r: _percent(r.figures.founding_rate)),
    Column(gettext_lazy("Workers on record"), lambda r: r.figures.workers),
    Column(gettext_lazy("Members"), lambda r: r.figures.members, width=12),
    Column(gettext_lazy("Membership rate (%)"), lambda r: _percent(r.figures.membership_rate)),
]

TABLES = {
    "children": (gettext_lazy("By organization"), gettext_lazy("Organization")),
    "worker_type": (gettext_lazy("By worker type"), gettext_lazy("Worker type")),
    "industry": (gettext_lazy("By industry"), gettext_lazy("Industry")),
    "ownership": (gettext_lazy("By ownership"), gettext_lazy("Ownership")),
}

WITHOUT_UNION_COLUMNS = [
    Column(gettext_lazy("Name"), lambda e: e.name, width=36),
    Column(gettext_lazy("Unified social credit code"), lambda e: e.uscc, width=22),
    Column(gettext_lazy("Workers employed"), lambda e: e.headcount),
    Column(gettext_lazy("Ownership"), lambda e: e.get_ownership_display()),
    Column(gettext_lazy("Industry"), lambda e: e.get_industry_display(), width=24),
    Column(gettext_lazy("Responsible organization"), lambda e: e.organization.name, width=30),
    Column(gettext_lazy("Address"), lambda e: e.address, width=36),
]


def _export(request, org: Organization, table: str):
    if table == "without_union":
        return xlsx_response(
            request=request,
            name=_("Employers without a union"),
            columns=WITHOUT_UNION_COLUMNS,
            rows=coverage.employers_without_union(request.user, org).iterator(chunk_size=2000),
            filters={"organization": org.pk, "table": table},
            object_type="organizations.employer",
        )
    if table not in TABLES:
        raise Http404
    title, first_header = TABLES[table]
    rows = {
        "children": coverage.coverage_by_child,
        "worker_type": coverage.coverage_by_worker_type,
        "industry": coverage.coverage_by_industry,
        "ownership": coverage.coverage_by_ownership,
    }[table](request.user, org)
    total = coverage.Row(
        key="", label=_("Total"), figures=coverage.coverage_total(request.user, org)
    )
    return xlsx_response(
        request=request,
        name=f"{_('Union coverage')} {title}",
        columns=[Column(first_header, lambda r: r.label, width=36), *RATE_COLUMNS],
        rows=[*rows, total],
        filters={"organization": org.pk, "table": table},
        object_type="organizations.coverage",
    )


def _render(request, org: Organization):
    table = request.GET.get("table", "children")
    if request.GET.get("format") == "xlsx":
        return _export(request, org, table)
    data = coverage.coverage_for(request.user, org)
    total_row = coverage.Row(key="", label=_("Total"), figures=data.total)
    tables = []
    for key, rows in (
        ("children", data.by_child),
        ("worker_type", data.by_worker_type),
        ("industry", data.by_industry),
        ("ownership", data.by_ownership),
    ):
        title, first_header = TABLES[key]
        tables.append(
            {
                "key": key,
                "title": title,
                "first_header": first_header,
                "rows": [(row, _links(row, org)) for row in rows],
                "export_url": f"?{urlencode({'format': 'xlsx', 'table': key})}",
            }
        )
    without_union = coverage.employers_without_union(request.user, org)
    user = request.user
    ancestors = [
        a for a in org.ancestors() if user.is_superuser or a.path.startswith(user.scope_prefix)
    ]
    return render(
        request,
        "organizations/coverage.html",
        {
            "org": org,
            "ancestors": ancestors,
            "total": data.total,
            "total_links": _links(total_row, org),
            "tables": tables,
            "without_union": without_union[:WITHOUT_UNION_SHOWN],
            "without_union_shown": WITHOUT_UNION_SHOWN,
            "without_union_url": _url(
                "employers:list", org, {"has_union": "no", "sort": "headcount"}
            ),
        },
    )


@staff_view()
def coverage_home(request):
    """Coverage of the user's own organization (a superuser without one: the top of the tree)."""
    org = request.user.organization if request.user.organization_id else None
    if org is None:
        org = Organization.objects.visible_to(request.user).filter(parent=None).first()
    if org is None:
        raise Http404
    return _render(request, org)


@staff_view(scope_model=Organization)
def coverage_of(request, pk: int):
    return _render(request, get_for_user(Organization, request.user, pk=pk))
