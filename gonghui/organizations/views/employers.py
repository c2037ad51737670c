from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gonghui.accounts.roles import CHANGE
from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.listing import Listing, Sort
from gonghui.core.scope import get_for_user
from gonghui.members.models import WorkerType

from .. import employer_sections, selectors, services
from ..forms import EmployerFilterForm, EmployerForm, add_errors
from ..models import Employer

EMPLOYER_SORTS = [
    Sort("name", "name", gettext_lazy("Name")),
    Sort("headcount", "headcount", gettext_lazy("Workers employed"), descending=True),
    Sort("uscc", "uscc", gettext_lazy("Credit code")),
]


def _by_type_column(value, label) -> Column:
    return Column(label, lambda e: (e.headcount_by_type or {}).get(value, 0), width=12)


EMPLOYER_COLUMNS = [
    Column(gettext_lazy("Unified social credit code"), lambda e: e.uscc, width=22),
    Column(gettext_lazy("Name"), lambda e: e.name, width=36),
    Column(gettext_lazy("Former names"), lambda e: "、".join(e.former_names or []), width=24),
    Column(gettext_lazy("Ownership"), lambda e: e.get_ownership_display()),
    Column(gettext_lazy("Industry"), lambda e: e.get_industry_display(), width=24),
    Column(gettext_lazy("Size"), lambda e: e.get_size_display()),
    Column(gettext_lazy("Above designated size"), lambda e: e.above_designated_size),
    Column(gettext_lazy("Region code"), lambda e: e.region_code),
    Column(gettext_lazy("Workers employed"), lambda e: e.headcount),
    *[_by_type_column(value, label) for value, label in WorkerType.choices],
    Column(gettext_lazy("Grassroots union"), lambda e: e.union.name if e.union else "", width=30),
    Column(gettext_lazy("Responsible organization"), lambda e: e.organization.name, width=30),
    Column(gettext_lazy("Address"), lambda e: e.address, width=36),
]


@staff_view()
def employer_list(request):
    qs = Employer.objects.visible_to(request.user).select_related("union", "organization")
    form = EmployerFilterForm(request.GET or None)
    qs = form.apply(qs) if request.GET else qs
    listing = Listing(queryset=qs, params=request.GET, sorts=EMPLOYER_SORTS)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Employers"),
            columns=EMPLOYER_COLUMNS,
            rows=listing.ordered().iterator(chunk_size=2000),
            filters=request.GET.dict(),
            object_type="organizations.employer",
        )
    return render(
        request,
        "organizations/employer_list.html",
        {
            "form": form,
            "listing": listing,
            "page": listing.page(),
            "can_change": request.user.can(CHANGE),
        },
    )


@staff_view(scope_model=Employer)
def employer_detail(request, pk: int):
    """Everything the union knows about one employer; other areas add their sections through
    ``employer_sections.register``."""
    employer = get_for_user(
        Employer.objects.select_related("union", "organization"), request.user, pk=pk
    )
    by_type = selectors.employer_workers_by_type(request.user, employer)
    reported_total = sum((employer.headcount_by_type or {}).values())
    return render(
        request,
        "organizations/employer_detail.html",
        {
            "employer": employer,
            "by_type": by_type,
            "reported_total": reported_total,
            "unreported": max(0, employer.headcount - reported_total),
            "on_record_total": sum(row["on_record"] for row in by_type),
            "members_total": sum(row["members"] for row in by_type),
            "sections": employer_sections.render_sections(request, employer),
            "can_change": request.user.can(CHANGE),
        },
    )


# The form calls the parts of the headcount by type headcount_<type>; errors about them
# appear on the total.
_ALIASES = {"headcount_by_type": "headcount"}


@staff_view(permission=CHANGE)
@require_http_methods(["GET", "POST"])
def employer_create(request):
    form = EmployerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            employer = services.employer_create(by=request.user, **form.service_arguments())
        except ValidationError as exc:
            add_errors(form, exc, _ALIASES)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s was added.") % {"name": employer.name})
            return redirect("employers:detail", pk=employer.pk)
    return render(
        request,
        "organizations/employer_form.html",
        {"form": form, "title": _("New employer")},
    )


@staff_view(scope_model=Employer, permission=CHANGE)
@require_http_methods(["GET", "POST"])
def employer_edit(request, pk: int):
    employer = get_for_user(Employer.objects.select_related("organization"), request.user, pk=pk)
    form = EmployerForm(
        request.POST or None, user=request.user, initial=EmployerForm.initial_for(employer)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.employer_update(by=request.user, employer=employer, **form.service_arguments())
        except ValidationError as exc:
            add_errors(form, exc, _ALIASES)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("employers:detail", pk=employer.pk)
    return render(
        request,
        "organizations/employer_form.html",
        {"form": form, "employer": employer, "title": _("Edit %(name)s") % {"name": employer.name}},
    )
