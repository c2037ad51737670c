from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.listing import Listing, Sort
from gonghui.core.scope import get_for_user

from .forms import WorkerFilterForm
from .models import Worker
from .search import is_latin_query

WORKER_SORTS = [
    Sort("name", "name", gettext_lazy("Full name")),
    Sort("created", "created_at", gettext_lazy("Registered"), descending=True),
]

WORKER_COLUMNS = [
    Column(gettext_lazy("Full name"), lambda w: w.name),
    Column(
        gettext_lazy("Resident ID number"),
        lambda w: w.id_number,
        personal_kind="id_number",
        width=22,
    ),
    Column(gettext_lazy("Sex"), lambda w: w.get_sex_display()),
    Column(gettext_lazy("Birth date"), lambda w: w.birth_date),
    Column(gettext_lazy("Mobile phone"), lambda w: w.phone, personal_kind="phone", width=14),
    Column(gettext_lazy("Worker type"), lambda w: w.get_worker_type_display()),
    Column(gettext_lazy("Employer"), lambda w: w.employer.name if w.employer else "", width=36),
    Column(gettext_lazy("Organization"), lambda w: w.organization.name, width=30),
]


@staff_view()
def worker_list(request):
    qs = Worker.objects.visible_to(request.user).select_related("employer", "organization")
    form = WorkerFilterForm(request.GET or None)
    qs = form.apply(qs, request.user) if request.GET else qs
    listing = Listing(
        queryset=qs,
        params=request.GET,
        sorts=WORKER_SORTS,
        sort_after_filter=is_latin_query(request.GET.get("q", "")),
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Workers"),
            columns=WORKER_COLUMNS,
            rows=listing.ordered().iterator(chunk_size=2000),
            filters=request.GET.dict(),
            object_type="members.worker",
        )
    return render(
        request,
        "members/worker_list.html",
        {"form": form, "listing": listing, "page": listing.page()},
    )


@staff_view(scope_model=Worker)
def worker_detail(request, pk: int):
    worker = get_for_user(
        Worker.objects.select_related("employer", "organization"), request.user, pk=pk
    )
    return render(request, "members/worker_detail.html", {"worker": worker})
