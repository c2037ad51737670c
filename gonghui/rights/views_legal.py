"""Staff pages of mediation, referrals and labor-law supervision notices (/rights/…).

Each view loads through the scope (``get_for_user`` / ``visible_to``), binds a form, calls one
service from ``services/legal.py`` and redirects, or renders the form with the service's
refusal on it. PDFs hold personal data: each download is written to the audit log, and the
worker's data are in full only for users with the REVEAL right.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from gonghui.accounts.roles import HANDLE_CASES, REVEAL
from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record
from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.forms import call_service
from gonghui.core.listing import Listing, Sort
from gonghui.core.scope import get_for_user
from gonghui.organizations.models import Employer

from . import pdf
from .forms_legal import (
    AgreementForm,
    ClaimFormSet,
    FailureForm,
    MediationFilterForm,
    MediationOpenForm,
    NoticeFilterForm,
    NoticeForm,
    ReceiptForm,
    ReferralFilterForm,
    ReferralForm,
    ReplyForm,
    SessionForm,
    WithdrawForm,
)
from .models import (
    Case,
    Mediation,
    MediationStatus,
    Referral,
    SupervisionNotice,
)
from .services import legal


def _action_page(request, *, form, title, back, obj=None, button=None, extra=None):
    return render(
        request,
        "rights/legal/action.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url(back),
            "obj": obj,
            "button": button or _("Save"),
            **(extra or {}),
        },
    )


def _pdf_response(request, *, obj, content: bytes, filename: str, reveal: bool) -> HttpResponse:
    """The download, written to the audit log with whether personal data were in full."""
    audit_record(
        by=request.user,
        action=AuditAction.EXPORT,
        obj=obj,
        detail=f"pdf {filename}",
        changes={"format": "pdf", "personal_data": "full" if reveal else "masked"},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _reveal(request) -> bool:
    return request.user.can(REVEAL) and request.GET.get("masked") != "1"


# --- mediation -------------------------------------------------------------------------------

MEDIATION_SORTS = [
    Sort("received", "received_on", gettext_lazy("Received"), descending=True),
    Sort("due", "statutory_due", gettext_lazy("Agreement due by")),
]

MEDIATION_COLUMNS = [
    Column(gettext_lazy("Case"), lambda m: m.case.number, width=14),
    Column(gettext_lazy("Mediation body"), lambda m: m.body, width=30),
    Column(gettext_lazy("Applicant (worker)"), lambda m: m.applicant_name, personal_kind="name"),
    Column(gettext_lazy("Respondent (employer)"), lambda m: m.respondent_name, width=30),
    Column(gettext_lazy("Mediator"), lambda m: str(m.mediator)),
    Column(gettext_lazy("Received on"), lambda m: m.received_on),
    Column(gettext_lazy("Agreement due by"), lambda m: m.statutory_due),
    Column(gettext_lazy("Status"), lambda m: m.get_status_display()),
    Column(gettext_lazy("Amount agreed (yuan)"), lambda m: float(m.amount_agreed)),
    Column(gettext_lazy("To be paid by"), lambda m: m.payment_due),
    Column(gettext_lazy("Limitation runs out on"), lambda m: m.limitation_ends),
]


@staff_view()
def mediation_list(request):
    qs = Mediation.objects.visible_to(request.user).select_related("case", "mediator")
    form = MediationFilterForm(request.GET or None)
    today = timezone.localdate()
    if form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["due"] == "past_due":
            qs = qs.filter(status=MediationStatus.OPEN, statutory_due__lt=today)
        elif form.cleaned_data["due"] == "urgent":
            # Legal Aid Law art. 44: fewer than 7 days left on the limitation period.
            qs = qs.filter(
                status__in=(MediationStatus.FAILED, MediationStatus.TIMED_OUT),
                limitation_ends__gte=today,
                limitation_ends__lt=today + dt.timedelta(days=legal.URGENT_DAYS),
            )
    listing = Listing(queryset=qs, params=request.GET, sorts=MEDIATION_SORTS)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Mediations"),
            columns=MEDIATION_COLUMNS,
            rows=listing.ordered().iterator(chunk_size=1000),
            filters=request.GET.dict(),
            object_type="rights.mediation",
        )
    return render(
        request,
        "rights/legal/mediation_list.html",
        {"form": form, "listing": listing, "page": listing.page(), "with_reveal": True},
    )


@staff_view(scope_model=Case, permission=HANDLE_CASES)
@require_http_methods(["GET", "POST"])
def mediation_create(request, pk: int):
    case = get_for_user(
        Case.objects.select_related("employer", "organization"), request.user, pk=pk
    )
    initial = {
        "body": _("%(org)s Labor Dispute Mediation Committee") % {"org": case.organization.name},
        "received_on": timezone.localdate(),
        "respondent_name": case.employer.name if case.employer_id else case.employer_name_given,
        "respondent_address": case.employer.address if case.employer_id else "",
        "mediator": request.user.pk,
        "facts": case.description,
    }
    form = MediationOpenForm(request.POST or None, case=case, initial=initial)
    claims = ClaimFormSet(
        request.POST or None,
        prefix="claims",
        initial=[{"item": case.get_category_display(), "amount": case.amount_claimed or None}],
    )
    if request.method == "POST" and form.is_valid() and claims.is_valid():
        data = form.cleaned_data
        mediation = call_service(
            form,
            legal.mediation_open,
            by=request.user,
            case=case,
            claims=[c for c in claims.cleaned_data if c],
            **data,
        )
        if mediation:
            messages.success(request, _("The mediation was opened."))
            return redirect("rights:mediation_detail", pk=mediation.pk)
    return render(
        request,
        "rights/legal/mediation_form.html",
        {"form": form, "claims": claims, "case": case},
    )


@staff_view(scope_model=Mediation)
def mediation_detail(request, pk: int):
    mediation = get_for_user(
        Mediation.objects.select_related("case", "mediator", "case__organization"),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "rights/legal/mediation_detail.html",
        {
            "mediation": mediation,
            "case": mediation.case,
            "claims": mediation.claims.all(),
            "sessions": mediation.sessions.all(),
            "can_handle": request.user.can(HANDLE_CASES),
        },
    )


def _mediation_for_action(request, pk):
    return get_for_user(Mediation.objects.select_related("case"), request.user, pk=pk)


@staff_view(scope_model=Mediation, permission=HANDLE_CASES)
@require_http_methods(["GET", "POST"])
def mediation_session_add(request, pk: int):
    mediation = _mediation_for_action(request, pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form,
            legal.mediation_session_add,
            by=request.user,
            mediation=mediation,
            **form.cleaned_data,
        ):
            messages.success(request, _("The session was recorded."))
            return redirect("rights:mediation_detail", pk=mediation.pk)
    return _action_page(
        request,
        form=form,
        title=_("Record a mediation session"),
        back=mediation,
        obj=mediation,
    )


@staff_view(scope_model=Mediation, permission=HANDLE_CASES)
@require_http_methods(["GET", "POST"])
def mediation_agree(request, pk: int):
    mediation = _mediation_for_action(request, pk)
    form = AgreementForm(
        request.POST or None,
        mediation=mediation,
        initial={"signed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("agreed_")}
        if call_service(
            form,
            legal.mediation_agree,
            by=request.user,
            mediation=mediation,
            amounts=form.amounts(),
            **data,
        ):
            messages.success(request, _("The agreement was recorded; print it for signing."))
            return redirect("rights:mediation_detail", pk=mediation.pk)
    return _action_page(
        request,
        form=form,
        title=_("Record the agreement"),
        back=mediation,
        obj=mediation,
    )


@staff_view(scope_model=Mediation, permission=HANDLE_CASES)
@require_http_methods(["GET", "POST"])
def mediation_fail(request, pk: int):
    mediation = _mediation_for_action(request, pk)
    form = FailureForm(
        request.POST or None,
        initial={
            "knew_on": mediation.knew_on,
            "pay_claim": mediation.pay_claim,
            "employment_ended_on": mediation.employment_ended_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, legal.mediation_fail, by=request.user, mediation=mediation, **form.cleaned_data
        ):
            messages.success(
                request,
                _("The mediation was closed as failed; the worker was told the arbitration route."),
            )
            return redirect("rights:mediation_detail", pk=mediation.pk)
    return _action_page(
        request,
        form=form,
        title=_("Mediation failed"),
        back=mediation,
        obj=mediation,
        button=_("Close as failed and tell the worker"),
        extra={"danger": True},
    )


@staff_view(scope_model=Mediation)
def mediation_pdf(request, pk: int):
    mediation = get_for_user(
        Mediation.objects.select_related("case", "mediator"), request.user, pk=pk
    )
    if mediation.status != MediationStatus.AGREED:
        raise Http404
    reveal = _reveal(request)
    content = pdf.mediation_agreement_pdf(mediation, reveal=reveal)
    return _pdf_response(
        request,
        obj=mediation,
        content=content,
        filename=f"mediation-agreement-{mediation.case.number}.pdf",
        reveal=reveal,
    )


# --- referrals -------------------------------------------------------------------------------

REFERRAL_SORTS = [
    Sort("due", "reply_due", gettext_lazy("Reply due by")),
    Sort("sent", "sent_on", pgettext_lazy("referral", "Sent on"), descending=True),
]

REFERRAL_COLUMNS = [
    Column(gettext_lazy("Case"), lambda r: r.case.number, width=14),
    Column(gettext_lazy("Body"), lambda r: r.get_body_display(), width=24),
    Column(gettext_lazy("Name of the body"), lambda r: r.body_name, width=30),
    Column(gettext_lazy("Sent on"), lambda r: r.sent_on),
    Column(gettext_lazy("Reply due by"), lambda r: r.reply_due),
    Column(gettext_lazy("Status"), lambda r: r.get_status_display()),
    Column(gettext_lazy("Overdue"), lambda r: r.is_overdue),
    Column(gettext_lazy("Receipt confirmed on"), lambda r: r.received_on),
    Column(gettext_lazy("Their reference"), lambda r: r.receipt_number),
    Column(gettext_lazy("Replied on"), lambda r: r.replied_on),
    Column(gettext_lazy("Matters referred"), lambda r: r.matters, width=40),
]


@staff_view()
def referral_list(request):
    form = ReferralFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = legal.referral_queryset(request.user, data.get("state") or "", data.get("body") or "")
    listing = Listing(queryset=qs, params=request.GET, sorts=REFERRAL_SORTS)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Referrals"),
            columns=REFERRAL_COLUMNS,
            rows=listing.ordered().iterator(chunk_size=1000),
            filters=request.GET.dict(),
            object_type="rights.referral",
        )
    return render(
        request,
        "rights/legal/referral_list.html",
        {"form": form, "listing": listing, "page": listing.page()},
    )


@staff_view(scope_model=Case, permission=HANDLE_CASES)
@require_http_methods(["GET", "POST"])
def referral_create(request, pk: int):
    case = get_for_user(Case, request.user, pk=pk)
    form = ReferralForm(
        request.POST or None,
        case=case,
        initial={"matters": case.description, "sent_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        referral = call_service(
            form, legal.referral_create, by=request.user, case=case, **form.cleaned_data
        )
        if referral:
            messages.success(
                request,
                _("The case was referred; the reply is due by %(date)s.")
                % {"date": referral.reply_due.isoformat()},
            )
            return redirect("rights:referral_detail", pk=referral.pk)
    return render(request, "rights/legal/referral_form.html", {"form": form, "case": case})


@staff_view(scope_model=Referral)
def referral_detail(request, pk: int):
    referral = get_for_user(Referral.objects.select_related("case", "sent_by"), request.user, pk=pk)
    return render(
        request,
        "rights/legal/referral_detail.html",
        {
            "referral": referral,
            "case": referral.case,
            "attachments": referral.attachments.all(),
            "can_handle": request.user.can(HANDLE_CASES),
            "rule": legal.reply_rule(referral.body),
        },
    )


def _referral_action(request, pk, form_class, service, title, done, button=None):
    referral = get_for_user(Referral.objects.select_related("case"), request.user, pk=pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(form, service, by=request.user, referral=referral, **form.cleaned_data):
            messages.success(request, done)
            return redirect("rights:referral_detail", pk=referral.pk)
    return _action_page(request, form=form, title=title, back=referral, obj=referral, button=button)


@staff_view(scope_model=Referral, permission=HANDLE_CASES)
@require_http_methods(["GET", "POST"])
def referral_receipt(request, pk: int):
    return _referral_action(
        request,
        pk,
        ReceiptForm,
        legal.referral_receipt_record,
        _("Record the body's receipt"),
        _("The receipt was recorded."),
    )


@staff_view(scope_model=Referral, permission=HANDLE_CASES)
@require_http_methods(["GET", "POST"])
def referral_reply(request, pk: int):
    return _referral_action(
        request,
        pk,
        ReplyForm,
        legal.referral_reply_record,
        _("Record the body's reply"),
        _("The reply was recorded."),
    )


@staff_view(scope_model=Referral, permission=HANDLE_CASES)
@require_http_methods(["GET", "POST"])
def referral_withdraw(request, pk: int):
    return _referral_action(
        request,
        pk,
        WithdrawForm,
        legal.referral_withdraw,
        _("Withdraw the referral"),
        _("The referral was withdrawn."),
        button=_("Withdraw"),
    )


@staff_view(scope_model=Referral)
def referral_pdf(request, pk: int):
    referral = get_for_user(
        Referral.objects.select_related("case__organization", "case__employer", "sent_by"),
        request.user,
        pk=pk,
    )
    reveal = _reveal(request)
    return _pdf_response(
        request,
        obj=referral,
        content=pdf.referral_letter_pdf(referral, reveal=reveal),
        filename=f"referral-{referral.case.number}-{referral.pk}.pdf",
        reveal=reveal,
    )


# --- supervision notices ---------------------------------------------------------------------

NOTICE_SORTS = [
    Sort("issued", "issued_on", gettext_lazy("Issued on"), descending=True),
    Sort("due", "reply_due", gettext_lazy("Reply due by")),
]

NOTICE_COLUMNS = [
    Column(gettext_lazy("Notice number"), lambda n: n.number, width=20),
    Column(gettext_lazy("Employer"), lambda n: n.employer.name, width=30),
    Column(gettext_lazy("Issued by"), lambda n: n.organization.name, width=24),
    Column(gettext_lazy("Issued on"), lambda n: n.issued_on),
    Column(gettext_lazy("Reply due by"), lambda n: n.reply_due),
    Column(gettext_lazy("Replied on"), lambda n: n.replied_on),
    Column(gettext_lazy("Overdue"), lambda n: n.is_overdue),
    Column(gettext_lazy("What was found"), lambda n: n.findings, width=40),
    Column(gettext_lazy("What the employer must correct"), lambda n: n.demands, width=40),
]


@staff_view()
def notice_list(request):
    form = NoticeFilterForm(request.GET or None)
    state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    listing = Listing(
        queryset=legal.notice_queryset(request.user, state), params=request.GET, sorts=NOTICE_SORTS
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Supervision notices"),
            columns=NOTICE_COLUMNS,
            rows=listing.ordered().iterator(chunk_size=1000),
            filters=request.GET.dict(),
            object_type="rights.supervisionnotice",
        )
    return render(
        request,
        "rights/legal/notice_list.html",
        {"form": form, "listing": listing, "page": listing.page()},
    )


@staff_view(permission=HANDLE_CASES)
@require_http_methods(["GET", "POST"])
def notice_create(request):
    """A notice to an employer; ``?case=`` issues it from a case (its employer preselected)."""
    case = None
    initial = {"issued_on": timezone.localdate()}
    source = request.POST if request.method == "POST" else request.GET
    if source.get("case"):
        case = get_for_user(Case, request.user, pk=source.get("case"))
        if case.employer_id:
            initial["employer"] = case.employer_id
        initial["findings"] = case.description
    elif request.GET.get("employer"):
        initial["employer"] = get_for_user(Employer, request.user, pk=request.GET["employer"]).pk
    form = NoticeForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        notice = call_service(
            form, legal.notice_issue, by=request.user, case=case, **form.cleaned_data
        )
        if notice:
            messages.success(
                request, _("Notice %(number)s was issued.") % {"number": notice.number}
            )
            return redirect("rights:notice_detail", pk=notice.pk)
    return render(request, "rights/legal/notice_form.html", {"form": form, "case": case})


@staff_view(scope_model=SupervisionNotice)
def notice_detail(request, pk: int):
    notice = get_for_user(
        SupervisionNotice.objects.select_related("employer", "organization", "case", "issued_by"),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "rights/legal/notice_detail.html",
        {"notice": notice, "can_handle": request.user.can(HANDLE_CASES)},
    )


@staff_view(scope_model=SupervisionNotice, permission=HANDLE_CASES)
@require_http_methods(["GET", "POST"])
def notice_reply(request, pk: int):
    notice = get_for_user(SupervisionNotice, request.user, pk=pk)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(
            form, legal.notice_reply_record, by=request.user, notice=notice, **form.cleaned_data
        ):
            messages.success(request, _("The employer's reply was recorded."))
            return redirect("rights:notice_detail", pk=notice.pk)
    return _action_page(
        request,
        form=form,
        title=_("Record the employer's reply"),
        back=notice,
        obj=notice,
    )


@staff_view(scope_model=SupervisionNotice)
def notice_pdf(request, pk: int):
    notice = get_for_user(
        SupervisionNotice.objects.select_related("employer", "organization"), request.user, pk=pk
    )
    return _pdf_response(
        request,
        obj=notice,
        content=pdf.notice_pdf(notice),
        filename=f"supervision-notice-{notice.number}.pdf",
        reveal=False,
    )


def back_url(obj) -> str:
    """Where an action page's Cancel goes."""
    from django.urls import reverse

    names = {
        Mediation: "rights:mediation_detail",
        Referral: "rights:referral_detail",
        SupervisionNotice: "rights:notice_detail",
    }
    return reverse(names[type(obj)], args=[obj.pk])
