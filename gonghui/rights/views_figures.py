"""The figures page of rights protection (/rights/figures/): one organization's subtree over a
period, every table with a chart, every number a link to the cases behind it, every table
exportable to xlsx (audited). The numbers come from :mod:`gonghui.rights.figures`."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.scope import get_for_user
from gonghui.organizations.models import Organization

from . import deadlines, figures
from .models import CaseStatus

PICKER_DEPTH = 2  # levels below the user's organization offered in the picker
PICKER_LIMIT = 300


class PeriodForm(forms.Form):
    """The organization and the period; a year, or dates from–to (which win when given)."""

    organization = forms.IntegerField(required=False, widget=forms.HiddenInput)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int)
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        years = range(today.year, today.year - 6, -1)
        self.fields["year"].choices = [("", _("Choose dates")), *[(y, str(y)) for y in years]]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start or end:
            start = start or end.replace(month=1, day=1)
            end = end or self.today
            if end < start:
                self.add_error("end", _("The end of the period is before its start."))
                return data
            if (end - start).days > 366 * 5:
                self.add_error("end", _("Choose a period of at most five years."))
                return data
        else:
            year = data.get("year") or self.today.year
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        data["period"] = (start, end)
        return data


def _case_list(params: dict) -> str | None:
    """A link to the staff case list with these filters, or None when the list has no filter
    that selects exactly these cases (then the number is shown without a link)."""
    from .forms_cases import CaseFilterForm

    fields = CaseFilterForm.base_fields
    if any(key not in fields for key in params):
        return None
    return reverse("rights:case_list") + "?" + urlencode(params)


def _base_params(org: Organization, start: dt.date, end: dt.date) -> dict:
    return {
        "organization": org.pk,
        "received_from": start.isoformat(),
        "received_to": end.isoformat(),
    }


# Each figure of a row → the case-list filters that select its cases. The case list filters
# one status at a time; the groups (open, concluded, solved, not solved) need its ``outcome``
# filter, and the cases an organization holds itself its ``direct`` filter — without those the
# figure is shown without a link rather than linked to a list that would not add up.
FIGURE_FILTERS = {
    "total": {},
    "declined": {"status": CaseStatus.DECLINED},
    "open": {"outcome": "open"},
    "concluded": {"outcome": "concluded"},
    "solved": {"outcome": "solved"},
    "not_solved": {"outcome": "not_solved"},
}


def _row_links(row: figures.Row, org: Organization, start, end) -> dict:
    place = row.organization if row.organization is not None else org
    # a month row's own dates narrow the period
    base = {**_base_params(place, start, end), **row.filters}
    links = {}
    for name, extra in FIGURE_FILTERS.items():
        # A column whose filter contradicts the row's own (the "solved" row's "concluded" column)
        # is not one case list: no link rather than a list of other cases.
        clash = any(
            key in row.filters and row.filters[key] != value for key, value in extra.items()
        )
        links[name] = None if clash else _case_list({**base, **extra})
    links["drill"] = (
        _figures_url(place, start, end)
        if row.organization is not None and place.pk != org.pk
        else None
    )
    return links


def _figures_url(org: Organization, start: dt.date, end: dt.date) -> str:
    params = {"organization": org.pk}
    if start == dt.date(start.year, 1, 1) and end == dt.date(start.year, 12, 31):
        params["year"] = start.year
    else:
        params.update(start=start.isoformat(), end=end.isoformat())
    return reverse("rights:figures") + "?" + urlencode(params)


def _percent(rate: float | None):
    return round(rate * 100, 1) if rate is not None else ""


TABLES = {
    "by_outcome": (gettext_lazy("By outcome"), gettext_lazy("Outcome")),
    "by_channel": (gettext_lazy("By channel"), gettext_lazy("Channel")),
    "by_kind": (gettext_lazy("By kind"), gettext_lazy("Kind")),
    "by_category": (gettext_lazy("By category"), gettext_lazy("Category")),
    "by_organization": (gettext_lazy("By organization"), gettext_lazy("Organization")),
    "by_month": (gettext_lazy("By month received"), gettext_lazy("Month")),
}

COUNT_COLUMNS = [
    Column(gettext_lazy("Cases"), lambda r: r.counts.total, width=10),
    Column(pgettext_lazy("case status", "Declined"), lambda r: r.counts.declined, width=10),
    Column(gettext_lazy("Open"), lambda r: r.counts.open, width=10),
    Column(pgettext_lazy("case status", "Accepted"), lambda r: r.counts.accepted, width=10),
    Column(gettext_lazy("Concluded"), lambda r: r.counts.concluded, width=10),
    Column(gettext_lazy("Problem solved"), lambda r: r.counts.solved, width=10),
    Column(gettext_lazy("Closure rate (%)"), lambda r: _percent(r.counts.closure_rate)),
    Column(gettext_lazy("Resolution rate (%)"), lambda r: _percent(r.counts.resolution_rate)),
    Column(gettext_lazy("On-time rate (%)"), lambda r: _percent(r.counts.on_time_rate)),
    Column(gettext_lazy("Money recovered (yuan)"), lambda r: float(r.counts.amount_recovered)),
    Column(gettext_lazy("Workers benefited"), lambda r: r.counts.workers_benefited),
]


def _export(request, org: Organization, data: dict, table: str):
    if table not in TABLES:
        raise Http404
    title, first_header = TABLES[table]
    total = figures.Row("", _("Total"), data["total"])
    return xlsx_response(
        request=request,
        name=f"{_('Rights protection figures')} {title}",
        columns=[Column(first_header, lambda r: r.label, width=32), *COUNT_COLUMNS],
        rows=[*data[table], total],
        filters={
            "organization": org.pk,
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "table": table,
        },
        object_type="rights.figures",
    )


def _picker(user, org: Organization) -> list[Organization]:
    """Organizations offered in the picker: the user's own and up to two levels below it
    (deeper ones are reached by drilling down the organization table), and the chosen one."""
    home = user.organization if user.organization_id else org
    choices = list(
        Organization.objects.visible_to(user)
        .filter(path__subtree=home.path, depth__lte=home.depth + PICKER_DEPTH)
        .exclude(kind="grassroots")
        .order_by("path")[:PICKER_LIMIT]
    )
    if org not in choices:
        choices.append(org)
    return choices


def _chart_data(data: dict, tables: list[dict]) -> dict:
    by_key = {t["key"]: t for t in tables}

    def series(key: str) -> list[dict]:
        return [
            {"name": row.label, "value": row.counts.total, "url": links["total"]}
            for row, links in by_key[key]["rows"]
        ]

    month_rows = by_key["by_month"]["rows"]
    return {
        "labels": {
            "cases": _("Cases"),
            "concluded": _("Concluded"),
            "solved": _("Problem solved"),
            "closure_rate": _("Closure rate"),
            "resolution_rate": _("Resolution rate"),
            "answers": _("Answers"),
        },
        "outcome": series("by_outcome"),
        "channel": series("by_channel"),
        "category": series("by_category"),
        "organization": series("by_organization"),
        "months": [row.label for row, _links in month_rows],
        "month_cases": [row.counts.total for row, _links in month_rows],
        "month_concluded": [row.counts.concluded for row, _links in month_rows],
        "month_solved": [row.counts.solved for row, _links in month_rows],
        "month_urls": [links["total"] for _row, links in month_rows],
        "satisfaction": [data["satisfaction"]["distribution"][s] for s in range(1, 6)],
    }


@staff_view()
def figures_page(request):
    user = request.user
    today = deadlines.today()
    form = PeriodForm(request.GET or None, today=today)
    valid = form.is_valid() if request.GET else False
    if request.GET and not valid:
        start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    elif valid:
        start, end = form.cleaned_data["period"]
    else:
        start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
        form = PeriodForm(initial={"year": today.year}, today=today)
    chosen = form.cleaned_data.get("organization") if valid else None
    if chosen:
        org = get_for_user(Organization, user, pk=chosen)
    elif user.organization_id:
        org = user.organization
    else:
        org = Organization.objects.visible_to(user).filter(parent=None).order_by("pk").first()
        if org is None:
            raise Http404
    data = figures.figures_for(org, start, end, user=user, on=today)
    if request.GET.get("format") == "xlsx":
        return _export(request, org, data, request.GET.get("table") or "by_organization")

    tables = []
    for key, (title, first_header) in TABLES.items():
        query = request.GET.copy()
        query["format"], query["table"] = "xlsx", key
        tables.append(
            {
                "key": key,
                "title": title,
                "first_header": first_header,
                "rows": [(row, _row_links(row, org, start, end)) for row in data[key]],
                "export_url": "?" + query.urlencode(),
                "definition": figures.DEFINITIONS.get(key.removeprefix("by_"), ""),
            }
        )
    total_row = figures.Row("", _("Total"), data["total"])
    ancestors = [
        a for a in org.ancestors() if user.is_superuser or a.path.startswith(user.scope_prefix)
    ]
    base = _base_params(org, start, end)
    return render(
        request,
        "rights/figures/figures.html",
        {
            "form": form,
            "org": org,
            "ancestors": [(a, _figures_url(a, start, end)) for a in ancestors],
            "picker": _picker(user, org),
            "start": start,
            "end": end,
            "data": data,
            "total": data["total"],
            "total_links": _row_links(total_row, org, start, end),
            "now_links": {
                "open": _case_list({"organization": org.pk, "outcome": "open"}),
                "overdue": _case_list({"organization": org.pk, "due": "overdue"}),
                "accept_overdue": _case_list({"organization": org.pk, "due": "accept_overdue"}),
                "due_soon": _case_list({"organization": org.pk, "due": "due_soon"}),
                "deadlines": reverse("rights:case_deadlines"),
            },
            "base_params": base,
            "tables": tables,
            "definitions": figures.DEFINITIONS,
            "chart_data": _chart_data(data, tables),
        },
    )
