"""The workers' side of rights protection on the portal (``/portal/cases/``): file a complaint or
help request from a phone, follow it with the tracking code and PIN, answer the follow-up
question, and read the public answers of the knowledge base.

Anyone may file, signed in or not (a signed-in worker's account is linked and their cases are
listed on their page without a code). Pages are ``never_cache``: a shared phone's back button
must not bring back someone's case.

Following a case: the tracking code and PIN, once right, grant this browser session the case
(``ACCESS_KEY``); the page itself is then a plain GET that a refresh does not re-post. A wrong
code or PIN gets one message whatever was wrong, and failures are counted per client address
and per code (``ratelimit``: track_address, track_code) with a retry time once locked.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.core.fields import hash_for, mask
from gonghui.core.middleware import client_ip
from gonghui.organizations.models import Employer
from gonghui.portal.views import current_account

from . import captcha, codes, ratelimit
from .forms_intake import AnswerSearchForm, FollowUpForm, PortalCaseForm, TrackForm
from .models import Article, Case, CaseStatus
from .services.intake import case_create

CREATED_KEY = "rights_created"  # the code and PIN, between the form and the page showing them once
ACCESS_KEY = "rights_case_access"  # ids of cases this session proved the code and PIN of
MAX_ACCESS = 10

PORTAL_FIELDS = {
    "employer_text": "employer",
    "complainant_phone": "phone",
    "complainant_name": "name",
    "uploads": "attachments",
}


def _render(request, template: str, context: dict | None = None, status: int = 200):
    account = current_account(request)
    base = {"account": account, "phone_masked": mask("phone", account.phone) if account else ""}
    return render(request, template, {**base, **(context or {})}, status=status)


def add_errors(form, exc: ValidationError, names: dict[str, str]) -> None:
    """A service's errors on the form's fields (its field names translated by ``names``)."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        field = names.get(field, field)
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def _granted(request) -> list[int]:
    return [int(pk) for pk in request.session.get(ACCESS_KEY, [])]


def _grant(request, case: Case) -> None:
    granted = [pk for pk in _granted(request) if pk != case.pk]
    request.session[ACCESS_KEY] = [case.pk, *granted][:MAX_ACCESS]


def _case_for(request, pk: int) -> Case | None:
    """The case if this session proved its code and PIN, or it belongs to the signed-in
    worker's account; else None (shown as "not found", like any other refusal)."""
    account = current_account(request)
    condition = Q(pk__in=_granted(request))
    if account is not None:
        condition |= Q(portal_account=account)
    return Case.objects.filter(condition, pk=pk).select_related("organization").first()


# --- filing ----------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def case_new(request):
    account = current_account(request)
    status = 200
    files_lost = False
    if request.method == "POST":
        form = PortalCaseForm(request.POST, request.FILES, account=account)
        human_error = captcha.verify(
            request,
            answer=request.POST.get("answer", ""),
            honeypot=request.POST.get(captcha.HONEYPOT, ""),
        )
        form.is_valid()
        if human_error:
            form.add_error("answer", human_error)
        if not form.errors:
            created = _file(request, form, account)
            if created is not None:
                return redirect("portal:case_created")
            status = 429 if getattr(form, "rate_limited", False) else 200
        files_lost = bool(request.FILES)
    else:
        form = PortalCaseForm(account=account, initial={"workers_affected": 1})
    return _render(
        request,
        "rights/portal/case_new.html",
        {
            "form": form,
            "challenge": captcha.new_challenge(request),
            "honeypot": captcha.honeypot_html(),
            "files_lost": files_lost,
        },
        status=status,
    )


def _file(request, form, account):
    data = form.cleaned_data
    anonymous = data["anonymous"]
    phone = "" if anonymous else (data["phone"] or (account.phone if account else ""))
    pairs = [("submit_address", client_ip(request) or "unknown")]
    if phone:
        pairs.append(("submit_phone", hash_for("phone", phone)))
    try:
        ratelimit.check(pairs)
    except ratelimit.RateLimited as exc:
        form.add_error(None, exc.message)
        form.rate_limited = True
        return None
    try:
        created = case_create(
            by=None,
            channel="portal",
            category=data["category"],
            description=data["description"],
            employer_text=data["employer"],
            workers_affected=data["workers_affected"],
            amount_claimed=data["amount_claimed"],
            anonymous=anonymous,
            complainant_name="" if anonymous else data["name"],
            complainant_phone=phone if data["phone"] else "",
            portal_account=None if anonymous else account,
            uploads=data["attachments"],
        )
    except ValidationError as exc:
        add_errors(form, exc, PORTAL_FIELDS)
        return None
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return None
    ratelimit.hit(pairs)
    _grant(request, created.case)
    request.session[CREATED_KEY] = {
        "pk": created.case.pk,
        "code": created.tracking_code,
        "pin": created.pin,
    }
    return created


@never_cache
@require_GET
def case_created(request):
    """The tracking code and PIN, shown once: a reload or a later visit shows them no more."""
    shown = request.session.pop(CREATED_KEY, None)
    if not shown:
        return redirect("portal:case_track")
    case = _case_for(request, shown["pk"])
    return _render(
        request,
        "rights/portal/case_created.html",
        {
            "code": shown["code"],
            "code_spoken": " ".join(shown["code"].replace("-", "")),
            "pin": shown["pin"],
            "case": case,
        },
    )


@never_cache
@require_GET
def case_employers(request):
    """Employer names matching what the worker types (name or credit code), as the options of
    a datalist for htmx. Only names: they are public (the registry holds nothing secret in an
    employer's name)."""
    typed = request.GET.get("employer") or request.GET.get("employer_text") or ""  # staff form
    query = " ".join(typed.split())[:100]
    names: list[str] = []
    if len(query) >= 2:
        names = list(
            Employer.objects.filter(Q(name__icontains=query) | Q(uscc=query.upper()))
            .order_by("name")
            .values_list("name", flat=True)
            .distinct()[:10]
        )
    return render(request, "rights/portal/case_new.html#employer-options", {"employers": names})


# --- following ---------------------------------------------------------------------------------------


def status_explained(case: Case) -> str:
    """What the case's state means for the worker, in plain words."""
    if case.status == CaseStatus.RECEIVED:
        if case.accept_due:
            return _(
                "We have received your request. By %(day)s it will be accepted, or you will be "
                "told why it cannot be."
            ) % {"day": date_format(case.accept_due, "DATE_FORMAT")}
        return _(
            "We have received your request. It will be accepted soon, or you will be told why it cannot be."
        )
    if case.status == CaseStatus.ACCEPTED:
        return _(
            "Your request has been accepted and is being passed to the union that will handle it."
        )
    if case.status == CaseStatus.DECLINED:
        return _("Your request could not be accepted. The reason is below.")
    if case.status == CaseStatus.ASSIGNED:
        return _("A union has been given your case and will get in touch with you.")
    if case.status == CaseStatus.IN_HANDLING:
        if case.paused:
            return _(
                "Your case is being handled. It is waiting for information, from you or from another office."
            )
        return _(
            "Your case is being handled: for example by mediation, legal aid or talks with the employer."
        )
    if case.status in (CaseStatus.CONCLUDED, CaseStatus.FOLLOW_UP):
        return _(
            "The handling of your case is finished. Please tell us below whether your problem was solved."
        )
    if case.status == CaseStatus.CLOSED:
        return _("Your case is closed.")
    if case.status == CaseStatus.MERGED:
        return _(
            "Your request was joined with another request about the same matter, and is handled "
            "together with it."
        )
    return case.get_status_display()


def public_events(case: Case) -> list[dict]:
    """The steps the worker may see: dates and the public text only (never who did it, never
    the internal notes)."""
    return [
        {"at": at, "text": text}
        for at, text in case.events.exclude(public_text="")
        .order_by("at", "pk")
        .values_list("at", "public_text")
    ]


# --- following (the views) ---------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def case_track(request):
    form = TrackForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code, pin = form.cleaned_data["code"], form.cleaned_data["pin"]
        pairs = [("track_address", client_ip(request) or "unknown"), ("track_code", code)]
        try:
            ratelimit.check(pairs)
        except ratelimit.RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        else:
            case = Case.objects.filter(tracking_code=code).first() if code else None
            # The PIN is hashed whether or not the code exists: the answer takes as long.
            stored = case.pin_hash if case else codes.pin_hash("0" * codes.LENGTH, "x")
            if case is not None and codes.pin_matches(code, pin, stored):
                _grant(request, case)
                return redirect("portal:case_status", pk=case.pk)
            codes.pin_matches(code or "0" * codes.LENGTH, pin, stored)
            ratelimit.hit(pairs)
            form.add_error(
                None,
                _(
                    "The tracking code or the PIN is not right. Check both and try again, or "
                    "call 12351."
                ),
            )
    return _render(request, "rights/portal/track.html", {"form": form}, status=status)


@never_cache
@require_GET
def case_status(request, pk: int):
    case = _case_for(request, pk)
    if case is None:
        return _render(request, "rights/portal/not_found.html", status=404)
    return _status_page(request, case, FollowUpForm())


def _asks_follow_up(case: Case) -> bool:
    """Concluded, or in follow-up without the worker's answer yet (an answer closes the case
    or re-opens it, so a case still in these states is waiting for one)."""
    return case.status in (CaseStatus.CONCLUDED, CaseStatus.FOLLOW_UP)


def _status_page(request, case: Case, form, status: int = 200):
    return _render(
        request,
        "rights/portal/status.html",
        {
            "case": case,
            "code": codes.format_code(case.tracking_code),
            "explained": status_explained(case),
            "events": public_events(case),
            "asks_follow_up": _asks_follow_up(case),
            "form": form,
        },
        status=status,
    )


@never_cache
@require_POST
def case_follow_up(request, pk: int):
    """The worker's answer to "is your problem solved?" after the case was concluded."""
    case = _case_for(request, pk)
    if case is None:
        return _render(request, "rights/portal/not_found.html", status=404)
    form = FollowUpForm(request.POST)
    if not _asks_follow_up(case):
        messages.info(request, _("Thank you: your answer has already been recorded."))
        return redirect("portal:case_status", pk=case.pk)
    if form.is_valid():
        from .services import cases as case_services

        try:
            case_services.case_follow_up(
                by=None,
                case=case,
                satisfaction=form.cleaned_data["satisfaction"],
                solved=form.cleaned_data["solved"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_errors(form, exc, {})
        else:
            if form.cleaned_data["solved"]:
                messages.success(request, _("Thank you. We are glad your problem was solved."))
            else:
                messages.success(
                    request,
                    _("Thank you. Your case has been opened again and will be handled further."),
                )
            return redirect("portal:case_status", pk=case.pk)
    return _status_page(request, case, form)


# --- answers -----------------------------------------------------------------------------------------


def _public_answers():
    return Article.objects.filter(public=True)


@never_cache
@require_GET
def answers(request):
    from .services.knowledge import article_search

    form = AnswerSearchForm(request.GET or None)
    found = _public_answers()
    query = kind = ""
    if form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
        found = article_search(found, q=query, category=kind)
    found = found.order_by("question", "pk")[:30]
    return _render(
        request,
        "rights/portal/answers.html",
        {"form": form, "articles": list(found), "query": query},
    )


@never_cache
@require_GET
def answer(request, pk: int):
    article = _public_answers().filter(pk=pk).first()
    if article is None:
        return _render(request, "rights/portal/not_found.html", status=404)
    return _render(
        request,
        "rights/portal/answer.html",
        {"article": article, "new_case_url": reverse("portal:case_new")},
    )
