from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gonghui.accounts.roles import CHANGE
from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.forms import add_service_errors, call_service
from gonghui.core.listing import Listing, Sort
from gonghui.core.scope import get_for_user

from . import services, timeline
from .forms import (
    DecisionForm,
    MembershipEndForm,
    MembershipFilterForm,
    TransferRequestForm,
    WorkerFilterForm,
    WorkerForm,
)
from .models import (
    DuplicateCandidate,
    DuplicateStatus,
    Membership,
    MembershipTransfer,
    TransferStatus,
    Worker,
)
from .search import is_latin_query, latin_query_filter

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
    q = request.GET.get("q", "")
    sorts = WORKER_SORTS
    if is_latin_query(q):
        # A pinyin search lists its matches in pinyin order, straight from the index range of
        # the column it filters on (no sort of thousands of matches by their characters).
        column = next(iter(latin_query_filter(q))).removesuffix("__prefix")
        sorts = [Sort("name", column, gettext_lazy("Pinyin")), *WORKER_SORTS[1:]]
    listing = Listing(queryset=qs, params=request.GET, sorts=sorts)
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
        Worker.objects.select_related("employer", "organization", "dispatching_employer"),
        request.user,
        pk=pk,
    )
    memberships = worker.memberships.select_related("union").order_by("-joined_on", "-id")
    events = timeline.for_worker(worker, request.user)
    transfers = worker.transfers.select_related("from_union", "to_union")[:20]
    return render(
        request,
        "members/worker_detail.html",
        {
            "worker": worker,
            "memberships": memberships,
            "events": events,
            "transfers": transfers,
            "can_change": request.user.can(CHANGE),
        },
    )


@staff_view(permission=CHANGE)
@require_http_methods(["GET", "POST"])
def worker_create(request):
    form = WorkerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        union = data.pop("union")
        organization = union or (
            data["employer"].organization if data["employer"] else request.user.organization
        )
        try:
            with transaction.atomic():
                worker = services.worker_create(by=request.user, organization=organization, **data)
                if union is not None:
                    services.membership_join(by=request.user, worker=worker, union=union)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s was registered.") % {"name": worker.name})
            return redirect("members:worker_detail", pk=worker.pk)
    return render(request, "members/worker_form.html", {"form": form})


@staff_view(scope_model=Membership, permission=CHANGE)
@require_http_methods(["GET", "POST"])
def membership_end(request, pk: int):
    membership = get_for_user(
        Membership.objects.select_related("worker", "union"), request.user, pk=pk
    )
    form = MembershipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form,
            services.membership_end,
            by=request.user,
            membership=membership,
            **form.cleaned_data,
        ):
            messages.success(request, _("The membership was ended."))
            return redirect("members:worker_detail", pk=membership.worker_id)
    return render(
        request,
        "members/membership_action.html",
        {"form": form, "membership": membership, "title": _("End the membership")},
    )


@staff_view(scope_model=Membership, permission=CHANGE)
@require_http_methods(["GET", "POST"])
def transfer_request(request, pk: int):
    membership = get_for_user(
        Membership.objects.select_related("worker", "union"), request.user, pk=pk
    )
    form = TransferRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form,
            services.membership_transfer_request,
            by=request.user,
            membership=membership,
            **form.cleaned_data,
        ):
            messages.success(request, _("The transfer was requested; the receiving union decides."))
            return redirect("members:worker_detail", pk=membership.worker_id)
    return render(
        request,
        "members/membership_action.html",
        {"form": form, "membership": membership, "title": _("Transfer the membership")},
    )


TRANSFER_SORTS = [Sort("requested", "requested_at", gettext_lazy("Requested"), descending=True)]


@staff_view()
def transfer_list(request):
    qs = MembershipTransfer.objects.visible_to(request.user).select_related(
        "worker", "from_union", "to_union"
    )
    status = request.GET.get("status", "requested")
    if status:
        qs = qs.filter(status=status)
    listing = Listing(queryset=qs, params=request.GET, sorts=TRANSFER_SORTS)
    return render(
        request,
        "members/transfer_list.html",
        {
            "listing": listing,
            "page": listing.page(),
            "status": status,
            "statuses": TransferStatus.choices,
        },
    )


@staff_view(scope_model=MembershipTransfer)
@require_http_methods(["GET", "POST"])
def transfer_detail(request, pk: int):
    transfer = get_for_user(
        MembershipTransfer.objects.select_related("worker", "from_union", "to_union"),
        request.user,
        pk=pk,
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not request.user.can(CHANGE):
            raise PermissionDenied
        try:
            if request.POST.get("decision") == "approve":
                services.membership_transfer_approve(
                    by=request.user, transfer=transfer, **form.cleaned_data
                )
                messages.success(request, _("The transfer was approved."))
            else:
                services.membership_transfer_reject(
                    by=request.user, transfer=transfer, **form.cleaned_data
                )
                messages.success(request, _("The transfer was refused."))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("members:transfer_detail", pk=transfer.pk)
    # Only the receiving side (or a level above it) decides; the sender sees the request's state.
    user = request.user
    can_decide = user.can(CHANGE) and (
        user.is_superuser or transfer.to_union.path.startswith(user.scope_prefix)
    )
    return render(
        request,
        "members/transfer_detail.html",
        {"transfer": transfer, "form": form, "can_decide": can_decide},
    )


@staff_view()
def duplicate_list(request):
    qs = (
        DuplicateCandidate.objects.visible_to(request.user)
        .filter(status=DuplicateStatus.OPEN)
        .select_related(
            "worker_a__employer",
            "worker_b__employer",
            "worker_a__organization",
            "worker_b__organization",
        )
    )
    listing = Listing(
        queryset=qs,
        params=request.GET,
        sorts=[Sort("found", "found_at", gettext_lazy("Found"), descending=True)],
    )
    page = listing.page()
    for candidate in page.rows:
        candidate.pair = (candidate.worker_a, candidate.worker_b)
    return render(request, "members/duplicate_list.html", {"listing": listing, "page": page})


@staff_view(scope_model=DuplicateCandidate, permission=CHANGE)
@require_http_methods(["POST"])
def duplicate_decide(request, pk: int):
    candidate = get_for_user(
        DuplicateCandidate.objects.select_related("worker_a", "worker_b"), request.user, pk=pk
    )
    try:
        if request.POST.get("keep") in (str(candidate.worker_a_id), str(candidate.worker_b_id)):
            keep = (
                candidate.worker_a
                if request.POST["keep"] == str(candidate.worker_a_id)
                else candidate.worker_b
            )
            survivor = services.worker_merge(by=request.user, candidate=candidate, keep=keep)
            messages.success(
                request, _("The two records were merged into %(name)s.") % {"name": survivor.name}
            )
        else:
            services.duplicate_dismiss(by=request.user, candidate=candidate)
            messages.success(request, _("Marked as two different people."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("members:duplicate_list")


MEMBERSHIP_SORTS = [
    Sort("joined", "joined_on", gettext_lazy("Joined on"), descending=True),
    Sort("card", "card_number", gettext_lazy("Membership card number")),
]

MEMBERSHIP_COLUMNS = [
    Column(gettext_lazy("Full name"), lambda m: m.worker.name),
    Column(
        gettext_lazy("Resident ID number"),
        lambda m: m.worker.id_number,
        personal_kind="id_number",
        width=22,
    ),
    Column(gettext_lazy("Membership card number"), lambda m: m.card_number, width=20),
    Column(gettext_lazy("Grassroots union"), lambda m: m.union.name, width=36),
    Column(gettext_lazy("Joined on"), lambda m: m.joined_on),
    Column(gettext_lazy("Status"), lambda m: m.get_status_display()),
    Column(gettext_lazy("Ended on"), lambda m: m.ended_on),
    Column(gettext_lazy("Worker type"), lambda m: m.worker.get_worker_type_display()),
    Column(
        gettext_lazy("Employer"),
        lambda m: m.worker.employer.name if m.worker.employer else "",
        width=36,
    ),
]


@staff_view()
def membership_list(request):
    """Members of the user's subtree: who belongs to which union since when; exportable."""
    qs = Membership.objects.visible_to(request.user).select_related("worker__employer", "union")
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = "active"
    form = MembershipFilterForm(params)
    qs = form.apply(qs, request.user)
    listing = Listing(queryset=qs, params=params, sorts=MEMBERSHIP_SORTS)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Members"),
            columns=MEMBERSHIP_COLUMNS,
            rows=listing.ordered().iterator(chunk_size=2000),
            filters=params.dict(),
            object_type="members.membership",
        )
    return render(
        request,
        "members/membership_list.html",
        {"form": form, "listing": listing, "page": listing.page()},
    )
