"""Staff pages of cases: the list, the deadlines, the case page and one form per transition.

Every page loads through the scope gate (``selectors`` / ``get_for_user``) and every change
goes through ``services.cases``; a transition form is a plain POST that works without
JavaScript and carries the case's ``version``, so a stale page is refused with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, F, Min, Q, Window
from django.db.models.functions import RowNumber
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.accounts.models import User
from gonghui.accounts.roles import (
    DISPATCH_CASES,
    HANDLE_CASES,
    MANAGE_SETTINGS,
    REVEAL,
    SUPERVISE_CASES,
    VIEW,
)
from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record
from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.fields import mask
from gonghui.core.forms import call_service
from gonghui.core.listing import Listing, Sort, decode_cursor
from gonghui.core.scope import get_for_user
from gonghui.organizations.models import Organization

from . import case_sections, deadlines, search, selectors
from . import forms_cases as f
from .models import Attachment, Case, RightsSettings, Supervision
from .services import cases as services

CASE_SORTS = [Sort("received", "received_at", gettext_lazy("Received"), descending=True)]

CASE_COLUMNS = [
    Column(gettext_lazy("Case number"), lambda c: c.number),
    Column(gettext_lazy("Received at"), lambda c: c.received_at),
    Column(gettext_lazy("Channel"), lambda c: c.get_channel_display()),
    Column(gettext_lazy("Kind"), lambda c: c.get_kind_display()),
    Column(gettext_lazy("Category"), lambda c: c.get_category_display(), width=22),
    Column(gettext_lazy("Summary"), lambda c: c.title, width=40),
    Column(gettext_lazy("Status"), lambda c: c.get_status_display()),
    Column(gettext_lazy("Complexity"), lambda c: c.get_tier_display()),
    Column(gettext_lazy("Organization handling"), lambda c: c.organization.name, width=30),
    Column(gettext_lazy("Handler"), lambda c: str(c.handler) if c.handler_id else ""),
    Column(
        gettext_lazy("Employer"),
        lambda c: c.employer.name if c.employer_id else c.employer_name_given,
        width=30,
    ),
    Column(gettext_lazy("Complainant"), lambda c: c.complainant_name, personal_kind="name"),
    Column(gettext_lazy("Contact phone"), lambda c: c.complainant_phone, personal_kind="phone"),
    Column(gettext_lazy("Workers affected"), lambda c: c.workers_affected),
    Column(gettext_lazy("Amount claimed (yuan)"), lambda c: c.amount_claimed),
    Column(gettext_lazy("Accepted on"), lambda c: c.accepted_on),
    Column(gettext_lazy("Due on"), lambda c: c.due_on),
    Column(gettext_lazy("Concluded at"), lambda c: c.concluded_at),
    Column(gettext_lazy("Problem solved"), lambda c: c.solved),
    Column(gettext_lazy("Amount recovered (yuan)"), lambda c: c.amount_recovered),
    Column(gettext_lazy("Workers benefited"), lambda c: c.workers_benefited),
    Column(gettext_lazy("Satisfaction"), lambda c: c.satisfaction),
]

LIST_RELATED = ("organization", "handler", "employer")


@staff_view()
def case_list(request):
    form = f.CaseFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else {}
    found = selectors.case_list(request.user, filters)
    qs = found.select_related(*LIST_RELATED)
    listing = Listing(queryset=qs, params=request.GET, sorts=CASE_SORTS)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Cases"),
            columns=CASE_COLUMNS,
            rows=listing.ordered().iterator(chunk_size=2000),
            filters=request.GET.dict(),
            object_type="rights.case",
        )
    # The page's rows in two steps: the ids of the page alone (sorted, then cut, without the
    # joins: the planner may otherwise join every matching case before sorting), then those
    # rows with their organization, handler and employer — neither the personal data
    # (decrypted per row) nor the long texts, which the page does not show.
    sort_field = listing.sort.field
    page = None
    if filters.get("q") and _recent_first_applies(listing, request.GET):
        # A word found in many cases: the GIN index finds tens of thousands, all read to sort
        # them by date. The newest cases (other filters applied) are searched first; when they
        # hold a whole page, it is the right page (every case outside is older).
        # The words are tested on the newest rows only (a condition outside the LIMIT, which
        # the planner cannot push into the GIN index): a walk of the date index.
        others = selectors.case_list(request.user, {**filters, "q": None})
        recent = (
            others.order_by("-" + sort_field, "-pk")
            .extra(select={"sv": '"rights_case"."search_vector"'})
            .values("pk", "sv")[:SEARCH_RECENT_FIRST]
        )
        recent_sql, recent_params = recent.query.sql_with_params()
        match = search.vector_match("t.sv", filters["q"])
        if match is not None:
            listing.queryset = others.extra(
                where=[
                    # only Django's own compiled SQL; every value is a parameter
                    f'"rights_case"."id" IN (SELECT t.pk FROM ({recent_sql}) t WHERE {match[0]})'  # noqa: S608
                ],
                params=[*recent_params, *match[1]],
            ).only("pk", sort_field)
            page = listing.page()
            if not page.next_cursor:
                page = None  # fewer than a page among the newest: search them all
    if page is None:
        listing.queryset = found.only("pk", sort_field)
        page = listing.page()
    full = qs.defer(*selectors.LIST_DEFERRED).in_bulk([c.pk for c in page.rows])
    page.rows = [full[c.pk] for c in page.rows if c.pk in full]
    listing.queryset = qs
    today = deadlines.today()
    rows = [(case, deadlines.is_overdue(case, today)) for case in page.rows]
    return render(
        request,
        "rights/cases/case_list.html",
        {"form": form, "listing": listing, "page": page, "rows": rows},
    )


SEARCH_RECENT_FIRST = 3000  # cases searched first, the newest, before the whole index


def _recent_first_applies(listing: Listing, params) -> bool:
    """The newest-first search holds for the default order, on the first page or going on."""
    if connection.vendor != "postgresql" or not listing.descending:
        return False
    cursor = decode_cursor(params.get("cursor", "")) if params.get("cursor") else None
    return cursor is None or cursor[2] == "after"


DEADLINE_GROUPS = 100  # groups shown per list, the largest first
DEADLINE_PER_GROUP = 10  # cases shown per group, the oldest deadline first
DEADLINE_FIELDS = (
    "number",
    "title",
    "status",
    "paused",
    "escalated_at",
    "collective",
    "due_on",
    "accept_due",
    "organization_id",
    "handler_id",
)


def _deadline_block(request, slug, title, qs, group: str, today) -> dict:
    """One list of the deadlines page: the groups counted by the database (one grouped query),
    the oldest cases of each shown group (one UNION ALL of a small query per group), never a
    loop over every case."""
    key = "organization_id" if group == "organization" else "handler_id"
    due = "accept_due" if slug == "accept_overdue" else "due_on"
    qs = qs.order_by()
    counts = list(
        qs.values(key)
        .annotate(n=Count("pk"), oldest=Min(due))
        .order_by("-n", "oldest", key)[: DEADLINE_GROUPS + 1]
    )
    more_groups = len(counts) > DEADLINE_GROUPS
    counts = counts[:DEADLINE_GROUPS]
    total = sum(c["n"] for c in counts)
    if more_groups:
        total = qs.count()
    keys = [c[key] for c in counts]
    # the oldest deadlines of each group: one small query per group (served by the partial
    # indexes case_open_handler_due / case_open_org_due), sent as one UNION ALL
    parts = [
        qs.filter(**({key: k} if k is not None else {f"{key}__isnull": True}))
        .only(*DEADLINE_FIELDS)
        .order_by(due, "pk")[:DEADLINE_PER_GROUP]
        for k in keys
    ]
    if not parts:
        cases = []
    elif connection.features.supports_slicing_ordering_in_compound:
        cases = list(parts[0].union(*parts[1:], all=True))
    else:  # SQLite: one query numbering each group's rows
        condition = Q(**{f"{key}__in": [k for k in keys if k is not None]})
        if None in keys:
            condition |= Q(**{f"{key}__isnull": True})
        cases = list(
            qs.filter(condition)
            .annotate(
                rank=Window(
                    RowNumber(), partition_by=[F(key)], order_by=[F(due).asc(), F("pk").asc()]
                )
            )
            .filter(rank__lte=DEADLINE_PER_GROUP)
            .only(*DEADLINE_FIELDS)
        )
    by_key: dict = {}
    for case in sorted(cases, key=lambda c: (getattr(c, due), c.pk)):
        by_key.setdefault(getattr(case, key), []).append(case)
    if group == "organization":
        owners = Organization.objects.in_bulk([k for k in keys if k is not None])
        others = {c.handler_id for cs in by_key.values() for c in cs if c.handler_id}
        people = User.objects.in_bulk(others)
    else:
        owners = User.objects.in_bulk([k for k in keys if k is not None])
        people = Organization.objects.in_bulk(
            {c.organization_id for cs in by_key.values() for c in cs}
        )
    list_url = reverse("rights:case_list")
    groups = []
    for entry in counts:
        k = entry[key]
        rows = by_key.get(k, [])
        for case in rows:
            # the other column, without a join per case
            case.other = people.get(
                case.handler_id if group == "organization" else case.organization_id
            )
        if group == "organization":
            link = f"{list_url}?due={slug}&organization={k}&direct=1"
        else:
            link = f"{list_url}?due={slug}&handler={k if k is not None else 'none'}"
        groups.append(
            {
                "owner": owners.get(k),
                "cases": rows,
                "count": entry["n"],
                "more": entry["n"] > len(rows),
                "url": link,
            }
        )
    return {
        "slug": slug,
        "title": title,
        "groups": groups,
        "count": total,
        "more_groups": more_groups,
    }


@staff_view()
def case_deadlines(request):
    """Overdue and due-soon cases, grouped per handler or per organization."""
    group = request.GET.get("group") if request.GET.get("group") == "organization" else "handler"
    today = deadlines.today()
    lists = [
        ("overdue", _("Overdue"), selectors.overdue(request.user, today)),
        ("due_soon", _("Due soon"), selectors.due_soon(request.user, today)),
        (
            "accept_overdue",
            _("Not accepted in time"),
            selectors.accept_overdue(request.user, today),
        ),
    ]
    blocks = [_deadline_block(request, slug, title, qs, group, today) for slug, title, qs in lists]
    return render(
        request,
        "rights/cases/case_deadlines.html",
        {
            "blocks": blocks,
            "group": group,
            "today": today,
            "per_group": DEADLINE_PER_GROUP,
            "max_groups": DEADLINE_GROUPS,
        },
    )


# --- transitions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str  # URL segment; the URL name is rights:case_<name>
    state_key: str  # key in services.ALLOWED_FROM
    title: Any
    button: Any
    form: type
    permission: str
    service: Callable
    arguments: Callable[[dict, Case, Any], dict]
    danger: bool = False

    @property
    def url_name(self) -> str:
        return "rights:case_" + self.name.replace("-", "_")

    def available(self, case: Case, user) -> bool:
        if self.name == "note" and not (user.can(HANDLE_CASES) or user.can(DISPATCH_CASES)):
            return False
        if not user.can(self.permission) or not services.allowed(self.state_key, case):
            return False
        if self.name == "pause":
            return not case.paused
        if self.name == "resume":
            return case.paused
        return True

    def make_form(self, request, case: Case, data=None, prefix_ids=False):
        kwargs: dict[str, Any] = {}
        if self.form is f.AssignForm:
            kwargs["user"] = request.user
        if prefix_ids:
            kwargs["auto_id"] = f"id_{self.name}_%s"
        initial: dict[str, Any] = {"version": case.version}
        if self.form is f.AssignForm and data is None:
            org, handler = services.suggest_assignment(case, by=request.user)
            initial.update(organization=org.pk, handler=handler.pk if handler else None)
        return self.form(data, initial=initial, **kwargs)


def _args(*names):
    def build(data, case, request):
        return {n: data.get(n) for n in names}

    return build


ACTIONS = [
    Action("accept", "accept", gettext_lazy("Accept the case"), pgettext_lazy("case action", "Accept"),
           f.AcceptForm, DISPATCH_CASES, services.case_accept, _args("tier", "note", "version")),
    Action("decline", "decline", gettext_lazy("Decline the case"), pgettext_lazy("case action", "Decline"),
           f.DeclineForm, DISPATCH_CASES, services.case_decline, _args("reason", "version"),
           danger=True),
    Action("assign", "assign", gettext_lazy("Assign"), gettext_lazy("Assign"),
           f.AssignForm, DISPATCH_CASES, services.case_assign,
           _args("organization", "handler", "note", "version")),
    Action("return", "return", gettext_lazy("Return to the dispatcher"),
           gettext_lazy("Return"), f.ReturnForm, HANDLE_CASES, services.case_return,
           _args("reason", "version"), danger=True),
    Action("start", "start_handling", gettext_lazy("Start handling"),
           gettext_lazy("Start handling"), f.StartForm, HANDLE_CASES,
           services.case_start_handling, _args("method", "note", "version")),
    Action("pause", "pause", gettext_lazy("Pause the clock"), gettext_lazy("Pause"),
           f.PauseForm, HANDLE_CASES, services.case_pause, _args("reason", "note", "on")),
    Action("resume", "resume", gettext_lazy("Resume the clock"), gettext_lazy("Resume"),
           f.ResumeForm, HANDLE_CASES, services.case_resume, _args("on")),
    Action("conclude", "conclude", gettext_lazy("Conclude"), gettext_lazy("Conclude"),
           f.ConcludeForm, HANDLE_CASES, services.case_conclude,
           lambda d, c, r: {
               "outcome": d["outcome"],
               "solved": d["solved"],
               "amount_recovered": d.get("amount_recovered") or 0,
               "workers_benefited": d.get("workers_benefited") or 0,
               "public_text": d.get("public_text", ""),
               "version": d.get("version"),
           }),
    Action("follow-up", "follow_up", gettext_lazy("Record the follow-up"),
           gettext_lazy("Save the follow-up"), f.FollowUpForm, HANDLE_CASES,
           services.case_follow_up, _args("satisfaction", "solved", "comment")),
    Action("close", "close", gettext_lazy("Close without an answer"), pgettext_lazy("case action", "Close"),
           f.CloseForm, HANDLE_CASES, services.case_close, lambda d, c, r: {}),
    Action("reopen", "reopen", pgettext_lazy("case action", "Re-open"), pgettext_lazy("case action", "Re-open"),
           f.ReopenForm, HANDLE_CASES, services.case_reopen, _args("reason"), danger=True),
    Action("note", "note", gettext_lazy("Add a note"), gettext_lazy("Add"), f.NoteForm,
           VIEW, services.case_note, _args("internal_note", "public_text")),
    Action("supervise", "supervise", gettext_lazy("Flag for supervision"),
           gettext_lazy("Flag"), f.SuperviseForm, SUPERVISE_CASES, services.supervision_flag,
           _args("instructions", "report_due")),
]  # fmt: skip
ACTIONS_BY_NAME = {a.name: a for a in ACTIONS}


def _load_case(request, pk: int) -> Case:
    return selectors.case_get_for_user(user=request.user, pk=pk)


def _action_view(action: Action):
    @staff_view(scope_model=Case, permission=action.permission)
    @require_http_methods(["GET", "POST"])
    def view(request, pk: int):
        case = _load_case(request, pk)
        if request.method == "POST":
            form = action.make_form(request, case, data=request.POST)
            if form.is_valid():
                result = call_service(
                    form,
                    action.service,
                    by=request.user,
                    case=case,
                    **action.arguments(form.cleaned_data, case, request),
                )
                if result is not None:
                    messages.success(request, _("Saved: %(what)s.") % {"what": action.title})
                    return redirect("rights:case_detail", pk=case.pk)
                # a stale page or a state found changed is about the whole form, not a field
                for key in ("version", "status"):
                    for message in form.errors.pop(key, []):
                        form.add_error(None, message)
        else:
            form = action.make_form(request, case)
        return render(
            request,
            "rights/cases/action.html",
            {"case": case, "form": form, "action": action},
            status=400 if request.method == "POST" else 200,
        )

    view.__name__ = f"case_{action.name.replace('-', '_')}"
    return view


ACTION_VIEWS = {a.name: _action_view(a) for a in ACTIONS}


@staff_view(scope_model=Case, permission=DISPATCH_CASES)
@require_POST
def case_merge(request, pk: int):
    """Merge this case (a duplicate) into the case named in ``into``."""
    case = _load_case(request, pk)
    form = f.MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the case to merge into."))
        return redirect("rights:case_detail", pk=case.pk)
    into = _load_case(request, form.cleaned_data["into"])
    if call_service(form, services.case_merge, by=request.user, case=case, into=into):
        messages.success(
            request,
            _("Case %(a)s was merged into %(b)s.") % {"a": case.number, "b": into.number},
        )
        return redirect("rights:case_detail", pk=into.pk)
    messages.error(
        request,
        " ".join(str(e) for e in form.errors.get("__all__", []))
        or " ".join(str(m) for errs in form.errors.values() for m in errs),
    )
    return redirect("rights:case_detail", pk=case.pk)


@staff_view(scope_model=Supervision, permission=HANDLE_CASES)
@require_http_methods(["GET", "POST"])
def supervision_report(request, pk: int):
    supervision = get_for_user(
        Supervision.objects.select_related("case", "organization"), request.user, pk=pk
    )
    case = selectors.case_get_for_user(user=request.user, pk=supervision.case_id)
    form = f.SupervisionReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form,
            services.supervision_report,
            by=request.user,
            supervision=supervision,
            report=form.cleaned_data["report"],
        ):
            messages.success(request, _("The report was sent to the supervising organization."))
            return redirect("rights:case_detail", pk=case.pk)
    return render(
        request,
        "rights/cases/action.html",
        {
            "case": case,
            "form": form,
            "action": {"title": _("Report on the supervision"), "button": _("Send the report")},
            "supervision": supervision,
        },
    )


# --- the case page ---------------------------------------------------------------------------


def _detail_context(request, case: Case, parties_revealed: bool = False) -> dict:
    user = request.user
    today = deadlines.today()
    events = list(case.events.select_related("actor").order_by("at", "id"))
    available = [a for a in ACTIONS if a.available(case, user)]
    forms = [
        (a, a.make_form(request, case, prefix_ids=True), reverse(a.url_name, args=[case.pk]))
        for a in available
    ]
    similar = (
        selectors.similar_open(user, case) if case.is_open and user.can(DISPATCH_CASES) else []
    )
    parties = list(case.parties.select_related("worker"))
    for party in parties:
        party.name_masked = mask("name", party.name)
        party.phone_masked = mask("phone", party.phone) if party.phone else ""
        party.id_number_masked = mask("id_number", party.id_number) if party.id_number else ""
    clock = deadlines.clock(case, today)
    return {
        "case": case,
        "clock": clock,
        "overdue_days": -clock.left if clock.left is not None and clock.left < 0 else 0,
        "events": events,
        "pauses": list(case.pauses.select_related("created_by")),
        "parties": parties,
        "parties_revealed": parties_revealed,
        "attachments": list(case.attachments.all()),
        "supervisions": list(
            case.supervisions.select_related("organization", "flagged_by", "reported_by")
        ),
        "merged_cases": list(case.merged_cases.all()),
        "similar": similar,
        "forms": forms,
        "sections": case_sections.render_sections(request, case),
        "can_reveal": user.can(REVEAL),
        "can_handle": user.can(HANDLE_CASES),
        "today": today,
    }


@staff_view(scope_model=Case)
def case_detail(request, pk: int):
    case = _load_case(request, pk)
    return render(request, "rights/cases/case_detail.html", _detail_context(request, case))


@staff_view(scope_model=Case, permission=REVEAL)
@require_POST
def case_parties_reveal(request, pk: int):
    """The parties of a case with full names, phones and id numbers (audited)."""
    case = _load_case(request, pk)
    audit_record(
        by=request.user,
        action=AuditAction.REVEAL,
        obj=case,
        detail="parties",
        changes={"field": "parties", "count": case.parties.count()},
    )
    context = _detail_context(request, case, parties_revealed=True)
    if request.htmx:
        return render(request, "rights/cases/_parties.html", context)
    return render(request, "rights/cases/case_detail.html", context)


@staff_view(scope_model=Attachment)
def attachment_download(request, pk: int):
    """A case's file, for users whose scope holds the case; every download is logged."""
    attachment = (
        Attachment.objects.filter(case__in=Case.objects.visible_to(request.user))
        .select_related("case__organization")
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    audit_record(
        by=request.user,
        action=AuditAction.EXPORT,
        obj=attachment.case,
        object_type="rights.attachment",
        object_repr=attachment.original_name,
        detail=f"attachment {attachment.pk}",
        changes={"attachment": attachment.pk, "sha256": attachment.sha256},
    )
    inline = attachment.content_type.startswith("image/") or attachment.content_type.endswith("pdf")
    return FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


# --- settings --------------------------------------------------------------------------------


@staff_view(permission=MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    rules = RightsSettings.current()
    form = f.SettingsForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in f.SettingsForm.Meta.fields}
        if call_service(form, services.rights_settings_update, by=request.user, **values):
            messages.success(request, _("Saved. New limits apply to cases accepted from now on."))
            return redirect("rights:settings")
    if not request.user.can(MANAGE_SETTINGS):  # pragma: no cover - the decorator refuses first
        raise PermissionDenied
    return render(request, "rights/cases/settings.html", {"form": form, "rules": rules})
