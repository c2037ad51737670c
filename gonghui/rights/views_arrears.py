"""Pages of wage arrears (workers owed on a case), special inspections, early warnings and
joint meetings. Each view: load through the scope gate, bind a form, call one service, redirect
or render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.accounts.roles import DISPATCH_CASES, HANDLE_CASES, REVEAL, SUPERVISE_CASES
from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record
from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.fields import mask
from gonghui.core.forms import add_service_errors, call_service
from gonghui.core.listing import Listing, Sort
from gonghui.core.scope import get_for_user

from . import forms_arrears as f
from . import warning
from .models import (
    ActionItem,
    Alert,
    AlertStatus,
    Case,
    Inspection,
    InspectionTarget,
    JointMeeting,
    TargetStatus,
)
from .services import arrears as services

# --- wage arrears on a case --------------------------------------------------------------------


def _load_case(request, pk: int) -> Case:
    return get_for_user(
        Case.objects.select_related("employer", "organization"), request.user, pk=pk
    )


def _parties(case: Case, reveal: bool) -> list:
    parties = list(case.parties.select_related("worker").order_by("id"))
    for party in parties:
        party.shown_name = party.name if reveal else mask("name", party.name)
        party.label = f"{party.shown_name} · {party.amount_claimed:,.2f}"
        party.outstanding = max(party.amount_claimed - party.amount_recovered, services.ZERO)
    return parties


def _arrears_page(request, case: Case, *, reveal=False, forms=None, status=200):
    parties = _parties(case, reveal)
    forms = forms or {}
    context = {
        "case": case,
        "parties": parties,
        "totals": services.case_totals(case),
        "revealed": reveal,
        "can_handle": request.user.can(HANDLE_CASES),
        "can_reveal": request.user.can(REVEAL),
        "add_form": forms.get("add") or f.PartyForm(),
        "edit_form": forms.get("edit"),
        "edit_party": forms.get("edit_party"),
        "recovery_form": forms.get("recovery") or f.RecoveryForm(parties=parties),
        "construction_form": forms.get("construction")
        or f.ConstructionForm(
            initial={
                "project_name": case.project_name,
                "general_contractor": case.general_contractor,
                "subcontractors": "\n".join(case.subcontractors or []),
                "arrears_months": case.arrears_months,
            }
        ),
        "alerts": Alert.objects.visible_to(request.user).filter(cases=case),
    }
    return render(request, "rights/arrears/case_arrears.html", context, status=status)


@staff_view(scope_model=Case)
def case_arrears(request, pk: int):
    """The workers owed on a case, what each was recovered, and the construction chain."""
    case = _load_case(request, pk)
    forms = {}
    party_id = request.GET.get("edit")
    if party_id and request.user.can(HANDLE_CASES):
        party = case.parties.filter(pk=party_id if party_id.isdigit() else 0).first()
        if party is not None:
            forms["edit_party"] = party
            forms["edit"] = f.PartyEditForm(
                initial={
                    "party": party.pk,
                    "months": party.months,
                    "amount_claimed": party.amount_claimed,
                    "amount_recovered": party.amount_recovered,
                }
            )
    return _arrears_page(request, case, forms=forms)


@staff_view(scope_model=Case, permission=REVEAL)
@require_POST
def case_arrears_reveal(request, pk: int):
    case = _load_case(request, pk)
    audit_record(
        by=request.user,
        action=AuditAction.REVEAL,
        obj=case,
        detail="arrears parties",
        changes={"field": "parties", "count": case.parties.count()},
    )
    return _arrears_page(request, case, reveal=True)


def _done(request, case, message):
    messages.success(request, message)
    return redirect("rights:case_arrears", pk=case.pk)


@staff_view(scope_model=Case, permission=HANDLE_CASES)
@require_POST
def party_add(request, pk: int):
    case = _load_case(request, pk)
    form = f.PartyForm(request.POST)
    if form.is_valid() and call_service(
        form, services.party_add, by=request.user, case=case, **form.cleaned_data
    ):
        return _done(request, case, _("The worker was added."))
    return _arrears_page(request, case, forms={"add": form})


@staff_view(scope_model=Case, permission=HANDLE_CASES)
@require_POST
def party_edit(request, pk: int):
    case = _load_case(request, pk)
    form = f.PartyEditForm(request.POST)
    party = None
    if form.is_valid():
        party = case.parties.filter(pk=form.cleaned_data["party"]).first()
        if party is None:
            raise Http404
        data = dict(form.cleaned_data)
        data.pop("party")
        confirm = data.pop("confirm_over")
        # Empty name and numbers keep what is on file.
        for key in ("name", "id_number", "phone"):
            if not data.get(key):
                data.pop(key, None)
        if call_service(
            form, services.party_update, by=request.user, party=party, confirm_over=confirm, **data
        ):
            return _done(request, case, _("The worker's wage arrears were changed."))
    return _arrears_page(request, case, forms={"edit": form, "edit_party": party})


@staff_view(scope_model=Case, permission=HANDLE_CASES)
@require_POST
def party_remove(request, pk: int):
    case = _load_case(request, pk)
    party = (
        case.parties.filter(pk=request.POST.get("party") or 0).first()
        if (request.POST.get("party", "").isdigit())
        else None
    )
    if party is None:
        raise Http404
    try:
        services.party_remove(by=request.user, party=party)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("rights:case_arrears", pk=case.pk)
    return _done(request, case, _("The worker was taken off the list."))


@staff_view(scope_model=Case, permission=HANDLE_CASES)
@require_POST
def recovery_add(request, pk: int):
    case = _load_case(request, pk)
    parties = _parties(case, reveal=False)
    form = f.RecoveryForm(request.POST, parties=parties)
    if form.is_valid():
        party = case.parties.get(pk=form.cleaned_data["party"])
        data = {k: v for k, v in form.cleaned_data.items() if k != "party"}
        if call_service(form, services.recovery_record, by=request.user, party=party, **data):
            return _done(request, case, _("The recovery was recorded."))
    return _arrears_page(request, case, forms={"recovery": form})


@staff_view(scope_model=Case, permission=HANDLE_CASES)
@require_POST
def construction_edit(request, pk: int):
    case = _load_case(request, pk)
    form = f.ConstructionForm(request.POST)
    if form.is_valid() and call_service(
        form, services.construction_update, by=request.user, case=case, **form.cleaned_data
    ):
        return _done(request, case, _("The construction project was saved."))
    return _arrears_page(request, case, forms={"construction": form})


# --- special inspections -----------------------------------------------------------------------

INSPECTION_SORTS = [
    Sort("starts", "starts_on", gettext_lazy("Starts on"), descending=True),
    Sort("name", "name", gettext_lazy("Name")),
]


def _with_totals(inspection, today):
    inspection.totals = services.inspection_totals(inspection, today)
    return inspection


INSPECTION_COLUMNS = [
    Column(gettext_lazy("Name"), lambda i: i.name, width=36),
    Column(gettext_lazy("Organized by"), lambda i: i.organization.name, width=30),
    Column(gettext_lazy("Starts on"), lambda i: i.starts_on),
    Column(gettext_lazy("Ends on"), lambda i: i.ends_on),
    Column(gettext_lazy("Employers planned"), lambda i: i.totals["planned"]),
    Column(gettext_lazy("Employers inspected"), lambda i: i.totals["inspected"]),
    Column(gettext_lazy("Arrears found (yuan)"), lambda i: float(i.totals["arrears_found"])),
    Column(gettext_lazy("Workers owed"), lambda i: i.totals["workers_owed"]),
    Column(gettext_lazy("Amount recovered (yuan)"), lambda i: float(i.totals["recovered"])),
    Column(gettext_lazy("Follow-up visits due"), lambda i: i.totals["followups_due"]),
    Column(gettext_lazy("Follow-up visits overdue"), lambda i: i.totals["followups_overdue"]),
]


@staff_view()
def inspection_list(request):
    qs = Inspection.objects.visible_to(request.user).select_related("organization")
    listing = Listing(queryset=qs, params=request.GET, sorts=INSPECTION_SORTS)
    today = timezone.localdate()
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Special inspections"),
            columns=INSPECTION_COLUMNS,
            rows=(_with_totals(i, today) for i in listing.ordered().iterator(chunk_size=500)),
            filters=request.GET.dict(),
            object_type="rights.inspection",
        )
    page = listing.page()
    for inspection in page.rows:
        inspection.totals = services.inspection_totals(inspection, today)
    return render(
        request,
        "rights/arrears/inspection_list.html",
        {
            "listing": listing,
            "page": page,
            "can_create": request.user.can(DISPATCH_CASES),
        },
    )


@staff_view(permission=DISPATCH_CASES)
@require_http_methods(["GET", "POST"])
def inspection_create(request):
    form = f.InspectionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        inspection = call_service(
            form, services.inspection_create, by=request.user, **form.cleaned_data
        )
        if inspection:
            messages.success(request, _("The campaign was created; add the employers to inspect."))
            return redirect("rights:inspection_detail", pk=inspection.pk)
    return render(
        request,
        "rights/arrears/form.html",
        {"form": form, "title": _("New special inspection")},
    )


TARGET_COLUMNS = [
    Column(gettext_lazy("Employer"), lambda t: t.employer.name, width=36),
    Column(gettext_lazy("Unified social credit code"), lambda t: t.employer.uscc, width=22),
    Column(gettext_lazy("Status"), lambda t: t.get_status_display()),
    Column(gettext_lazy("Inspected on"), lambda t: t.inspected_on),
    Column(gettext_lazy("Inspectors"), lambda t: t.inspectors, width=20),
    Column(gettext_lazy("Findings"), lambda t: t.findings, width=40),
    Column(gettext_lazy("Arrears found (yuan)"), lambda t: float(t.arrears_found)),
    Column(gettext_lazy("Workers owed"), lambda t: t.workers_owed),
    Column(gettext_lazy("Amount recovered (yuan)"), lambda t: float(t.amount_recovered)),
    Column(gettext_lazy("Follow-up visit by"), lambda t: t.followup_due),
    Column(gettext_lazy("Followed up on"), lambda t: t.followed_up_on),
    Column(gettext_lazy("Case"), lambda t: t.case.number if t.case_id else ""),
]


def _load_inspection(request, pk):
    return get_for_user(Inspection.objects.select_related("organization"), request.user, pk=pk)


@staff_view(scope_model=Inspection)
def inspection_detail(request, pk: int):
    inspection = _load_inspection(request, pk)
    targets = inspection.targets.select_related("employer", "case").order_by(
        "status", "employer__name", "id"
    )
    status = request.GET.get("status", "")
    if status in TargetStatus.values:
        targets = targets.filter(status=status)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=inspection.name,
            columns=TARGET_COLUMNS,
            rows=targets.iterator(chunk_size=2000),
            filters={"inspection": inspection.pk, "status": status},
            object_type="rights.inspectiontarget",
        )
    return _inspection_page(request, inspection, targets)


def _inspection_page(request, inspection, targets=None, *, forms=None, status=200):
    forms = forms or {}
    today = timezone.localdate()
    if targets is None:
        targets = inspection.targets.select_related("employer", "case").order_by(
            "status", "employer__name", "id"
        )
    targets = list(targets[:1000])
    for target in targets:
        target.overdue = (
            target.status == TargetStatus.FOLLOW_UP
            and target.followup_due is not None
            and target.followup_due < today
        )
    return render(
        request,
        "rights/arrears/inspection_detail.html",
        {
            "inspection": inspection,
            "totals": services.inspection_totals(inspection, today),
            "targets": targets,
            "statuses": TargetStatus.choices,
            "status": request.GET.get("status", ""),
            "can_dispatch": request.user.can(DISPATCH_CASES),
            "add_form": forms.get("add") or f.TargetAddForm(user=request.user),
            "filter_form": forms.get("filter") or f.TargetFilterForm(user=request.user),
        },
        status=status,
    )


@staff_view(scope_model=Inspection, permission=DISPATCH_CASES)
@require_POST
def inspection_target_add(request, pk: int):
    inspection = _load_inspection(request, pk)
    form = f.TargetAddForm(request.POST, user=request.user)
    if form.is_valid() and call_service(
        form,
        services.target_add,
        by=request.user,
        inspection=inspection,
        employer=form.cleaned_data["employer"],
    ):
        messages.success(request, _("The employer was added to the list."))
        return redirect("rights:inspection_detail", pk=inspection.pk)
    return _inspection_page(request, inspection, forms={"add": form})


@staff_view(scope_model=Inspection, permission=DISPATCH_CASES)
@require_POST
def inspection_targets_add_filtered(request, pk: int):
    inspection = _load_inspection(request, pk)
    form = f.TargetFilterForm(request.POST, user=request.user)
    if form.is_valid():
        added = call_service(
            form,
            services.targets_add_filtered,
            by=request.user,
            inspection=inspection,
            **form.cleaned_data,
        )
        if added is not None:
            messages.success(request, _("%(n)d employers were added to the list.") % {"n": added})
            return redirect("rights:inspection_detail", pk=inspection.pk)
    return _inspection_page(request, inspection, forms={"filter": form})


def _load_target(request, pk):
    return get_for_user(
        InspectionTarget.objects.select_related("inspection__organization", "employer", "case"),
        request.user,
        pk=pk,
    )


def _target_page(request, target, *, record_form=None, followup_form=None, status=200):
    initial = {
        "inspected_on": target.inspected_on or timezone.localdate(),
        "inspectors": target.inspectors,
        "findings": target.findings,
        "arrears_found": target.arrears_found if target.inspected_on else "",
        "workers_owed": target.workers_owed,
        "amount_recovered": target.amount_recovered if target.inspected_on else "",
        "followup_due": target.followup_due,
    }
    return render(
        request,
        "rights/arrears/target_detail.html",
        {
            "target": target,
            "inspection": target.inspection,
            "record_form": record_form or f.TargetRecordForm(initial=initial),
            "followup_form": followup_form
            or f.FollowUpForm(initial={"followed_up_on": timezone.localdate()}),
            "can_handle": request.user.can(HANDLE_CASES),
            "can_dispatch": request.user.can(DISPATCH_CASES),
            "overdue": target.status == TargetStatus.FOLLOW_UP
            and target.followup_due is not None
            and target.followup_due < timezone.localdate(),
        },
        status=status,
    )


@staff_view(scope_model=InspectionTarget)
@require_http_methods(["GET", "POST"])
def inspection_target_detail(request, pk: int):
    """One employer of a campaign: record what the inspection found."""
    target = _load_target(request, pk)
    if request.method == "POST":
        if not request.user.can(HANDLE_CASES):
            raise PermissionDenied
        form = f.TargetRecordForm(request.POST)
        if form.is_valid() and call_service(
            form, services.target_record, by=request.user, target=target, **form.cleaned_data
        ):
            messages.success(request, _("The inspection was recorded."))
            return redirect("rights:inspection_target_detail", pk=target.pk)
        return _target_page(request, target, record_form=form)
    return _target_page(request, target)


@staff_view(scope_model=InspectionTarget, permission=HANDLE_CASES)
@require_POST
def inspection_target_follow_up(request, pk: int):
    target = _load_target(request, pk)
    form = f.FollowUpForm(request.POST)
    if form.is_valid() and call_service(
        form, services.target_follow_up, by=request.user, target=target, **form.cleaned_data
    ):
        messages.success(request, _("The follow-up visit was recorded."))
        return redirect("rights:inspection_target_detail", pk=target.pk)
    return _target_page(request, target, followup_form=form)


@staff_view(scope_model=InspectionTarget, permission=DISPATCH_CASES)
@require_POST
def inspection_target_open_case(request, pk: int):
    target = _load_target(request, pk)
    try:
        case = services.target_open_case(by=request.user, target=target)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("rights:inspection_target_detail", pk=target.pk)
    messages.success(request, _("Case %(number)s was opened.") % {"number": case.number})
    return redirect("rights:case_detail", pk=case.pk)


# --- early warnings ----------------------------------------------------------------------------

ALERT_SORTS = [Sort("raised", "raised_at", gettext_lazy("Raised at"), descending=True)]


@staff_view()
def alert_list(request):
    """Open alerts first (those left unacknowledged for a working day marked), then those
    acknowledged and awaiting action, then closed ones page by page."""
    visible = Alert.objects.visible_to(request.user).select_related(
        "organization", "employer", "acknowledged_by"
    )
    today = timezone.localdate()
    cutoff = warning.acknowledge_cutoff(today)
    open_alerts = list(visible.filter(status=AlertStatus.OPEN).order_by("-raised_at", "-id")[:200])
    for alert in open_alerts:
        alert.late = alert.raised_at < cutoff
    acknowledged = list(
        visible.filter(status=AlertStatus.ACKNOWLEDGED).order_by("-raised_at", "-id")[:200]
    )
    listing = Listing(
        queryset=visible.filter(status=AlertStatus.CLOSED), params=request.GET, sorts=ALERT_SORTS
    )
    return render(
        request,
        "rights/arrears/alert_list.html",
        {
            "open_alerts": open_alerts,
            "acknowledged": acknowledged,
            "listing": listing,
            "page": listing.page(),
        },
    )


def _load_alert(request, pk):
    return get_for_user(
        Alert.objects.select_related("organization", "employer", "acknowledged_by", "closed_by"),
        request.user,
        pk=pk,
    )


def _alert_page(request, alert, *, close_form=None, status=200):
    cases = (
        Case.objects.visible_to(request.user)
        .filter(alerts=alert)
        .select_related("organization", "employer")
        .order_by("received_at", "id")
    )
    return render(
        request,
        "rights/arrears/alert_detail.html",
        {
            "alert": alert,
            "cases": cases,
            "hidden_cases": alert.cases.count() - cases.count(),
            "close_form": close_form or f.AlertCloseForm(),
            "can_act": request.user.can(SUPERVISE_CASES),
            "late": alert.status == AlertStatus.OPEN
            and alert.raised_at < warning.acknowledge_cutoff(timezone.localdate()),
        },
        status=status,
    )


@staff_view(scope_model=Alert)
def alert_detail(request, pk: int):
    return _alert_page(request, _load_alert(request, pk))


@staff_view(scope_model=Alert, permission=SUPERVISE_CASES)
@require_POST
def alert_acknowledge(request, pk: int):
    alert = _load_alert(request, pk)
    try:
        warning.alert_acknowledge(by=request.user, alert=alert)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The early warning was acknowledged."))
    return redirect("rights:alert_detail", pk=alert.pk)


@staff_view(scope_model=Alert, permission=SUPERVISE_CASES)
@require_POST
def alert_close(request, pk: int):
    alert = _load_alert(request, pk)
    form = f.AlertCloseForm(request.POST)
    if form.is_valid() and call_service(
        form, warning.alert_close, by=request.user, alert=alert, **form.cleaned_data
    ):
        messages.success(request, _("The early warning was closed."))
        return redirect("rights:alert_detail", pk=alert.pk)
    return _alert_page(request, alert, close_form=form)


# --- joint meetings ----------------------------------------------------------------------------

MEETING_SORTS = [Sort("held", "held_on", pgettext_lazy("meeting", "Held on"), descending=True)]


@staff_view()
def meeting_list(request):
    qs = JointMeeting.objects.visible_to(request.user).select_related("organization")
    listing = Listing(queryset=qs, params=request.GET, sorts=MEETING_SORTS)
    return render(
        request,
        "rights/arrears/meeting_list.html",
        {
            "listing": listing,
            "page": listing.page(),
            "actions": services.open_action_items(request.user)[:200],
            "can_create": request.user.can(DISPATCH_CASES),
        },
    )


def _meeting_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["cases"] = data.pop("case_numbers")
    return data


@staff_view(permission=DISPATCH_CASES)
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    form = f.MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = call_service(
            form, services.meeting_create, by=request.user, **_meeting_data(form)
        )
        if meeting:
            messages.success(request, _("The meeting was recorded; add its action items."))
            return redirect("rights:meeting_detail", pk=meeting.pk)
    return render(
        request, "rights/arrears/form.html", {"form": form, "title": _("Record a joint meeting")}
    )


def _load_meeting(request, pk):
    return get_for_user(JointMeeting.objects.select_related("organization"), request.user, pk=pk)


@staff_view(scope_model=JointMeeting, permission=DISPATCH_CASES)
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    meeting = _load_meeting(request, pk)
    visible_cases = Case.objects.visible_to(request.user).filter(joint_meetings=meeting)
    initial = {
        "organization": meeting.organization_id,
        "title": meeting.title,
        "held_on": meeting.held_on,
        "place": meeting.place,
        "attendees": meeting.attendees,
        "issues": meeting.issues,
        "decisions": meeting.decisions,
        "case_numbers": " ".join(c.number for c in visible_cases),
    }
    form = f.MeetingForm(request.POST or None, user=request.user, initial=initial)
    form.fields["organization"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = _meeting_data(form)
        data.pop("organization")
        if call_service(form, services.meeting_update, by=request.user, meeting=meeting, **data):
            messages.success(request, _("The meeting was saved."))
            return redirect("rights:meeting_detail", pk=meeting.pk)
    return render(
        request, "rights/arrears/form.html", {"form": form, "title": _("Edit the joint meeting")}
    )


def _meeting_page(
    request, meeting, *, action_form=None, done_form=None, done_action=None, status=200
):
    today = timezone.localdate()
    actions = list(meeting.actions.order_by("due_on", "id"))
    for action in actions:
        action.overdue = action.done_on is None and action.due_on < today
    return render(
        request,
        "rights/arrears/meeting_detail.html",
        {
            "meeting": meeting,
            "cases": Case.objects.visible_to(request.user)
            .filter(joint_meetings=meeting)
            .order_by("received_at", "id"),
            "actions": actions,
            "action_form": action_form or f.ActionItemForm(),
            "done_form": done_form,
            "done_action": done_action,
            "today": today,
            "can_change": request.user.can(DISPATCH_CASES),
        },
        status=status,
    )


@staff_view(scope_model=JointMeeting)
def meeting_detail(request, pk: int):
    return _meeting_page(request, _load_meeting(request, pk))


@staff_view(scope_model=JointMeeting, permission=DISPATCH_CASES)
@require_POST
def meeting_action_add(request, pk: int):
    meeting = _load_meeting(request, pk)
    form = f.ActionItemForm(request.POST)
    if form.is_valid() and call_service(
        form, services.action_add, by=request.user, meeting=meeting, **form.cleaned_data
    ):
        messages.success(request, _("The action item was added."))
        return redirect("rights:meeting_detail", pk=meeting.pk)
    return _meeting_page(request, meeting, action_form=form)


@staff_view(scope_model=JointMeeting, permission=DISPATCH_CASES)
@require_POST
def meeting_action_done(request, pk: int):
    meeting = _load_meeting(request, pk)
    form = f.ActionDoneForm(request.POST)
    action = None
    if form.is_valid():
        action = ActionItem.objects.filter(meeting=meeting, pk=form.cleaned_data["action"]).first()
        if action is None:
            raise Http404
        try:
            services.action_done(
                by=request.user,
                action=action,
                done_on=form.cleaned_data["done_on"],
                result=form.cleaned_data["result"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The action item was marked done."))
            return redirect("rights:meeting_detail", pk=meeting.pk)
    return _meeting_page(request, meeting, done_form=form, done_action=action)
