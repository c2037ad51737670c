from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gonghui.accounts.roles import MANAGE_ORGANIZATIONS
from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.forms import add_service_errors
from gonghui.core.listing import Listing, Sort
from gonghui.core.scope import get_for_user
from gonghui.members.models import Worker

from .. import selectors, services
from ..forms import (
    FoundingRecordForm,
    OrganizationCloseForm,
    OrganizationFilterForm,
    OrganizationForm,
    OrganizationMoveForm,
    add_errors,
)
from ..models import Election, Employer, FoundingRecord, Organization

ORG_SORTS = [
    Sort("tree", "path", gettext_lazy("Tree order")),
    Sort("name", "name", gettext_lazy("Name")),
    Sort("code", "code", gettext_lazy("Code")),
    Sort("created", "created_at", gettext_lazy("Creation time"), descending=True),
]

ORG_COLUMNS = [
    Column(gettext_lazy("Code"), lambda o: o.code),
    Column(gettext_lazy("Name"), lambda o: o.name, width=36),
    Column(gettext_lazy("Kind"), lambda o: o.get_kind_display()),
    Column(
        gettext_lazy("Parent organization"), lambda o: o.parent.name if o.parent else "", width=30
    ),
    Column(gettext_lazy("Region code"), lambda o: o.region_code),
    Column(gettext_lazy("Founding date"), lambda o: o.founded_on),
    Column(gettext_lazy("Status"), lambda o: o.get_status_display()),
    Column(gettext_lazy("Date closed"), lambda o: o.closed_on),
    Column(gettext_lazy("Reason for closing"), lambda o: o.closed_reason, width=30),
]


def _org_listing(request, base=None):
    qs = base if base is not None else Organization.objects.visible_to(request.user)
    form = OrganizationFilterForm(request.GET or None)
    qs = form.apply(qs) if request.GET else qs
    return form, Listing(queryset=qs.select_related("parent"), params=request.GET, sorts=ORG_SORTS)


@staff_view()
def organization_list(request):
    form, listing = _org_listing(request)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Organizations"),
            columns=ORG_COLUMNS,
            rows=listing.ordered().iterator(chunk_size=2000),
            filters=request.GET.dict(),
            object_type="organizations.organization",
        )
    page = listing.page()
    root_depth = request.user.organization.depth if request.user.organization_id else 0
    context = {"form": form, "listing": listing, "page": page, "root_depth": root_depth}
    template = (
        "organizations/_organization_rows.html"
        if request.htmx and request.htmx.target == "list-body"
        else "organizations/organization_list.html"
    )
    return render(request, template, context)


@staff_view(scope_model=Organization)
def organization_detail(request, pk: int):
    org = get_for_user(Organization, request.user, pk=pk)
    user = request.user
    ancestors = (
        [a for a in org.ancestors() if a.path.startswith(user.scope_prefix)]
        if not user.is_superuser
        else org.ancestors()
    )
    children = org.children.order_by("status", "name")[:200]
    subtree_workers = Worker.objects.within(org).count()
    subtree_employers = Employer.objects.within(org).count()
    can_change = user.can(MANAGE_ORGANIZATIONS)
    founding = FoundingRecord.objects.filter(organization=org).first()
    context = {
        "org": org,
        "ancestors": ancestors,
        "children": children,
        "subtree_workers": subtree_workers,
        "subtree_employers": subtree_employers,
        "subtree_orgs": org.descendants().count(),
        "staff_users": org.users.filter(is_active=True).order_by("username"),
        "can_change": can_change,
        # Moving or closing one's own organization is for the level above.
        "can_move": can_change and (user.is_superuser or org.path != user.scope_prefix),
        "founding": founding,
        "founding_note": services.committee_note(founding.founding_members if founding else None),
        "cadres": selectors.organization_cadres(org),
        "elections": Election.objects.filter(organization=org).order_by("-held_on", "-pk")[:20],
        "covered_employers": org.covered_employers.order_by("-headcount", "name")[:20]
        if org.is_grassroots
        else [],
    }
    return render(request, "organizations/organization_detail.html", context)


@staff_view(scope_model=Organization, permission=MANAGE_ORGANIZATIONS)
@require_http_methods(["GET", "POST"])
def organization_create_child(request, pk: int):
    parent = get_for_user(Organization, request.user, pk=pk)
    form = OrganizationForm(request.POST or None, initial={"region_code": parent.region_code})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(by=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": org.name})
            return redirect("organizations:detail", pk=org.pk)
    return render(
        request,
        "organizations/organization_form.html",
        {
            "form": form,
            "parent": parent,
            "title": _("New organization under %(name)s") % {"name": parent.name},
        },
    )


@staff_view(scope_model=Organization, permission=MANAGE_ORGANIZATIONS)
@require_http_methods(["GET", "POST"])
def organization_edit(request, pk: int):
    org = get_for_user(Organization, request.user, pk=pk)
    initial = {f: getattr(org, f) for f in services.EDITABLE_FIELDS}
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(by=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("organizations:detail", pk=org.pk)
    return render(
        request,
        "organizations/organization_form.html",
        {"form": form, "org": org, "title": _("Edit %(name)s") % {"name": org.name}},
    )


@staff_view(scope_model=Organization, permission=MANAGE_ORGANIZATIONS)
@require_http_methods(["GET", "POST"])
def organization_close(request, pk: int):
    org = get_for_user(Organization, request.user, pk=pk)
    form = OrganizationCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_close(by=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s was closed.") % {"name": org.name})
            return redirect("organizations:detail", pk=org.pk)
    # Shown before anything is typed, so nobody writes a reason for a closing that must wait.
    blockers = services.closing_blockers(org) if org.is_active and not form.errors else []
    return render(
        request,
        "organizations/organization_close.html",
        {"form": form, "org": org, "blockers": blockers},
    )


@staff_view(scope_model=Organization, permission=MANAGE_ORGANIZATIONS)
@require_http_methods(["POST"])
def organization_reopen(request, pk: int):
    org = get_for_user(Organization, request.user, pk=pk)
    try:
        services.organization_reopen(by=request.user, organization=org)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("%(name)s was re-opened.") % {"name": org.name})
    return redirect("organizations:detail", pk=org.pk)


@staff_view(scope_model=Organization, permission=MANAGE_ORGANIZATIONS)
@require_http_methods(["GET", "POST"])
def organization_move(request, pk: int):
    """Move an organization and everything under it to a new parent in the user's scope."""
    org = get_for_user(Organization, request.user, pk=pk)
    form = OrganizationMoveForm(request.POST or None, user=request.user, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_move(
                by=request.user, organization=org, new_parent=form.cleaned_data["parent"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s now stands under %(parent)s.")
                % {"name": org.name, "parent": form.cleaned_data["parent"].name},
            )
            return redirect("organizations:detail", pk=org.pk)
    return render(
        request,
        "organizations/organization_move.html",
        {
            "form": form,
            "org": org,
            "subtree_orgs": org.descendants().count(),
            "title": _("Move %(name)s") % {"name": org.name},
        },
    )


FOUNDING_FIELDS = (
    "founded_on",
    "founding_members",
    "approved_by",
    "approval_number",
    "first_committee",
    "notes",
)


@staff_view(scope_model=Organization, permission=MANAGE_ORGANIZATIONS)
@require_http_methods(["GET", "POST"])
def founding_edit(request, pk: int):
    """Record or correct the founding record of a union."""
    org = get_for_user(Organization, request.user, pk=pk)
    record = FoundingRecord.objects.filter(organization=org).first()
    initial = (
        {f: getattr(record, f) for f in FOUNDING_FIELDS}
        if record
        else {"founded_on": org.founded_on, "approved_by": org.parent.name if org.parent else ""}
    )
    form = FoundingRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.founding_record_save(
                by=request.user, organization=org, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The founding record was saved."))
            note = services.committee_note(record.founding_members)
            if note:
                messages.info(request, note)
            return redirect("organizations:detail", pk=org.pk)
    return render(
        request,
        "organizations/simple_form.html",
        {
            "form": form,
            "org": org,
            "title": _("Founding record of %(name)s") % {"name": org.name},
            "cancel_url": reverse("organizations:detail", args=[org.pk]),
        },
    )
