"""Cadres, their terms and the elections that start them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gonghui.accounts.roles import MANAGE_ORGANIZATIONS
from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.listing import Listing, Sort
from gonghui.core.scope import get_for_user

from .. import selectors, services
from ..forms import (
    CadreEndForm,
    CadreFilterForm,
    CadreForm,
    ElectionForm,
    TermsDueFilterForm,
    add_errors,
    elected_formset,
)
from ..models import Cadre, Election, ElectionKind, Organization

CADRE_SORTS = [
    Sort("term_end", "term_end", gettext_lazy("Term end")),
    Sort("name", "name", gettext_lazy("Name")),
    Sort("term_start", "term_start", gettext_lazy("Term start"), descending=True),
]


def _term_status_text(cadre) -> str:
    status = selectors.term_status(cadre)
    return dict(selectors.TermStatus.choices).get(status, "") if status else ""


CADRE_COLUMNS = [
    Column(gettext_lazy("Organization"), lambda c: c.organization.name, width=36),
    Column(gettext_lazy("Full name"), lambda c: c.name),
    Column(gettext_lazy("Position"), lambda c: c.get_position_display(), width=20),
    Column(gettext_lazy("Rank"), lambda c: c.rank),
    Column(gettext_lazy("Full-time"), lambda c: c.full_time),
    Column(gettext_lazy("Term start"), lambda c: c.term_start),
    Column(gettext_lazy("Term end"), lambda c: c.term_end),
    Column(gettext_lazy("Left office on"), lambda c: c.ended_on),
    Column(gettext_lazy("Re-election"), _term_status_text, width=18),
]


@staff_view()
def cadre_list(request):
    qs = Cadre.objects.visible_to(request.user).select_related("organization")
    form = CadreFilterForm(request.GET or None)
    qs = form.apply(qs)
    listing = Listing(queryset=qs, params=request.GET, sorts=CADRE_SORTS)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Union cadres"),
            columns=CADRE_COLUMNS,
            rows=listing.ordered().iterator(chunk_size=2000),
            filters=request.GET.dict(),
            object_type="organizations.cadre",
        )
    page = listing.page()
    today = timezone.localdate()
    for cadre in page.rows:
        cadre.term_status = selectors.term_status(cadre, today)
    return render(
        request,
        "organizations/cadre_list.html",
        {"form": form, "listing": listing, "page": page, "filter_org": _filter_org(request)},
    )


TERMS_DUE_COLUMNS = [
    Column(gettext_lazy("Organization"), lambda c: c.organization.name, width=36),
    Column(gettext_lazy("Organization code"), lambda c: c.organization.code, width=18),
    Column(gettext_lazy("Full name"), lambda c: c.name),
    Column(gettext_lazy("Position"), lambda c: c.get_position_display(), width=20),
    Column(gettext_lazy("Term start"), lambda c: c.term_start),
    Column(gettext_lazy("Term end"), lambda c: c.term_end),
    Column(
        gettext_lazy("Re-election"),
        lambda c: _("Overdue") if c.is_overdue else _("Ending within 90 days"),
        width=18,
    ),
]


@staff_view()
def terms_due(request):
    """Terms ending within 90 days and overdue: the work list for re-elections."""
    qs = selectors.terms_due(Cadre.objects.visible_to(request.user)).select_related("organization")
    form = TermsDueFilterForm(request.GET or None)
    qs = form.apply(qs) if request.GET else qs
    listing = Listing(queryset=qs, params=request.GET, sorts=CADRE_SORTS[:2])
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Terms due for re-election"),
            columns=TERMS_DUE_COLUMNS,
            rows=listing.ordered().iterator(chunk_size=2000),
            filters=request.GET.dict(),
            object_type="organizations.cadre",
        )
    return render(
        request,
        "organizations/terms_due.html",
        {
            "form": form,
            "listing": listing,
            "page": listing.page(),
            "filter_org": _filter_org(request),
            "window": selectors.TERMS_DUE_WINDOW_DAYS,
        },
    )


def _filter_org(request):
    """The organization a list is narrowed to, for its heading (None if none or not visible)."""
    try:
        pk = int(request.GET.get("organization", ""))
    except ValueError:
        return None
    return Organization.objects.visible_to(request.user).filter(pk=pk).first()


MAX_ROWS = 30


@staff_view(scope_model=Organization, permission=MANAGE_ORGANIZATIONS)
@require_http_methods(["GET", "POST"])
def election_new(request, pk: int):
    """Record an election and the people it elected."""
    org = get_for_user(Organization, request.user, pk=pk)
    try:
        rows = max(1, min(int(request.GET.get("rows", 7)), MAX_ROWS))
    except ValueError:
        rows = 7
    members = _active_members(org)
    form = ElectionForm(
        request.POST or None,
        initial={
            "kind": ElectionKind.REGULAR if org.elections.exists() else ElectionKind.FOUNDING,
            "term_years": 5,
            "members_total": members or None,
        },
    )
    formset = elected_formset(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            election = services.election_record(
                by=request.user,
                organization=org,
                cadres=[f.cleaned_data for f in formset.forms if f.cleaned_data],
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The election of %(date)s was recorded.")
                % {"date": election.held_on.isoformat()},
            )
            return redirect("organizations:detail", pk=org.pk)
    return render(
        request,
        "organizations/election_form.html",
        {
            "form": form,
            "formset": formset,
            "org": org,
            "in_office": selectors.organization_cadres(org),
            "more_rows_url": f"?rows={min(rows + 7, MAX_ROWS)}",
            "can_add_rows": rows < MAX_ROWS,
            "title": _("Record an election of %(name)s") % {"name": org.name},
        },
    )


def _active_members(org) -> int:
    from gonghui.members.models import Membership, MembershipStatus

    return Membership.objects.filter(union=org, status=MembershipStatus.ACTIVE).count()


@staff_view(scope_model=Election)
def election_detail(request, pk: int):
    election = get_for_user(Election.objects.select_related("organization"), request.user, pk=pk)
    return render(
        request,
        "organizations/election_detail.html",
        {
            "election": election,
            "org": election.organization,
            "cadres": election.cadres.annotate(position_order=selectors.POSITION_ORDER).order_by(
                "position_order", "name"
            ),
            "turnout": (
                election.members_voting / election.members_total if election.members_total else None
            ),
        },
    )


@staff_view(scope_model=Organization, permission=MANAGE_ORGANIZATIONS)
@require_http_methods(["GET", "POST"])
def cadre_new(request, pk: int):
    """Enter a cadre outside an election: an appointment, or a committee already in office."""
    org = get_for_user(Organization, request.user, pk=pk)
    form = CadreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cadre_create(by=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The cadre was added."))
            return redirect(reverse("organizations:detail", args=[org.pk]) + "#cadres")
    return render(
        request,
        "organizations/simple_form.html",
        {
            "form": form,
            "org": org,
            "title": _("New cadre of %(name)s") % {"name": org.name},
            "cancel_url": reverse("organizations:detail", args=[org.pk]),
        },
    )


@staff_view(scope_model=Cadre, permission=MANAGE_ORGANIZATIONS)
@require_http_methods(["GET", "POST"])
def cadre_edit(request, pk: int):
    cadre = get_for_user(Cadre.objects.select_related("organization"), request.user, pk=pk)
    initial = {f: getattr(cadre, f) for f in services.CADRE_EDITABLE_FIELDS}
    form = CadreForm(request.POST or None, initial=initial)
    end_form = CadreEndForm(initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.cadre_update(by=request.user, cadre=cadre, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Changes saved."))
            return redirect(
                reverse("organizations:detail", args=[cadre.organization_id]) + "#cadres"
            )
    return render(
        request,
        "organizations/cadre_form.html",
        {
            "form": form,
            "end_form": end_form,
            "cadre": cadre,
            "org": cadre.organization,
            "title": _("Edit %(name)s") % {"name": str(cadre)},
        },
    )


@staff_view(scope_model=Cadre, permission=MANAGE_ORGANIZATIONS)
@require_http_methods(["POST"])
def cadre_end(request, pk: int):
    cadre = get_for_user(Cadre.objects.select_related("organization"), request.user, pk=pk)
    form = CadreEndForm(request.POST)
    if form.is_valid():
        try:
            services.cadre_end(by=request.user, cadre=cadre, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("%(name)s left office.") % {"name": cadre.name})
    else:
        messages.error(request, _("Give a valid date."))
    return redirect(reverse("organizations:detail", args=[cadre.organization_id]) + "#cadres")
