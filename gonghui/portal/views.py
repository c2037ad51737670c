"""The workers' portal: pages for a phone, signed in with an SMS code (see services.py).

Every page is ``never_cache``: a shared or borrowed phone's back button must not bring back
someone's records. Pages for a signed-in worker load the account from the session and show
only its own records; anything else is "not found".
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gonghui.core import crypto
from gonghui.core.fields import mask
from gonghui.core.forms import add_service_errors
from gonghui.core.middleware import client_ip
from gonghui.members.applications import application_submit
from gonghui.members.models import ApplicationStatus, PortalAccount
from gonghui.organizations.models import Employer

from . import selectors, services
from .forms import ApplyForm, BindForm, CodeForm, PhoneForm

LOGIN_PHONE_KEY = "portal_login_phone"  # between the two steps; encrypted (sessions are not)
NEXT_KEY = "portal_next"


def current_account(request) -> PortalAccount | None:
    pk = request.session.get(services.SESSION_KEY)
    if pk is None:
        return None
    account = PortalAccount.objects.select_related("worker").filter(pk=pk).first()
    if account is None:
        request.session.pop(services.SESSION_KEY, None)
    return account


def portal_login_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        account = current_account(request)
        if account is None:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('portal:login')}?{query}")
        request.portal_account = account
        return view(request, *args, **kwargs)

    return wrapped


def _render(request, template: str, context: dict | None = None, status: int = 200):
    account = getattr(request, "portal_account", None) or current_account(request)
    base = {"account": account, "phone_masked": mask("phone", account.phone) if account else ""}
    return render(request, template, {**base, **(context or {})}, status=status)


def _not_found(request):
    return _render(request, "portal/not_found.html", status=404)


def _safe_next(request, value: str | None) -> str | None:
    if (
        value
        and value.startswith("/portal/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return None


def _login_phone(request) -> str:
    token = request.session.get(LOGIN_PHONE_KEY)
    if not token:
        return ""
    try:
        return crypto.decrypt(token)
    except (crypto.DecryptionError, ValueError):
        request.session.pop(LOGIN_PHONE_KEY, None)
        return ""


# --- public pages ----------------------------------------------------------------------------------


@never_cache
@require_GET
def home(request):
    return _render(request, "portal/home.html")


@never_cache
def login(request):
    """Step 1: the phone number. Every valid number gets the same answer and a code."""
    if current_account(request) is not None:
        return redirect("portal:me")
    if request.method == "GET" and _safe_next(request, request.GET.get("next")):
        request.session[NEXT_KEY] = request.GET["next"]
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            services.code_request(phone=phone, address=client_ip(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session[LOGIN_PHONE_KEY] = crypto.encrypt(phone)
            return redirect("portal:login_code")
    return _render(request, "portal/login.html", {"form": form})


@never_cache
def login_code(request):
    """Step 2: the code. A correct code signs in (a new session key: no fixation)."""
    phone = _login_phone(request)
    if not phone:
        return redirect("portal:login")
    form = CodeForm(request.POST or None)
    resend_errors: list[str] = []
    if request.method == "POST" and "resend" in request.POST:
        form = CodeForm()
        try:
            services.code_request(phone=phone, address=client_ip(request))
        except ValidationError as exc:
            resend_errors = exc.messages
        else:
            messages.success(request, _("A new code is on its way."))
            return redirect("portal:login_code")
    elif request.method == "POST" and form.is_valid():
        try:
            account = services.code_verify(phone=phone, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            next_url = _safe_next(request, request.session.get(NEXT_KEY))
            request.session.cycle_key()
            request.session.pop(LOGIN_PHONE_KEY, None)
            request.session.pop(NEXT_KEY, None)
            request.session[services.SESSION_KEY] = account.pk
            return redirect(next_url or reverse("portal:me"))
    return _render(
        request,
        "portal/login_code.html",
        {"form": form, "sent_to": mask("phone", phone), "resend_errors": resend_errors},
    )


@never_cache
@require_POST
def logout(request):
    account = current_account(request)
    if account is not None:
        services.sign_out_record(account)
    for key in (services.SESSION_KEY, LOGIN_PHONE_KEY, NEXT_KEY):
        request.session.pop(key, None)
    request.session.cycle_key()
    messages.success(request, _("You have signed out."))
    return redirect("portal:home")


@never_cache
@require_GET
def verify(request, token: str):
    """What a phone camera opens from a member card's QR code: valid or not, and whose."""
    membership = services.card_verify(token)
    return _render(
        request,
        "portal/verify.html",
        {
            "membership": membership,
            "name_masked": mask("name", membership.worker.name) if membership else "",
        },
        status=200 if membership else 404,
    )


# --- a signed-in worker's pages -----------------------------------------------------------------


@never_cache
@portal_login_required
def bind(request):
    account = request.portal_account
    if account.worker_id is not None:
        return _render(request, "portal/bind.html", {"already": True})
    form = BindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_bind(by=account, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your record is now linked to this account."))
            return redirect("portal:me")
    return _render(request, "portal/bind.html", {"form": form, "already": False})


@never_cache
@portal_login_required
@require_GET
def me(request):
    account = request.portal_account
    applications = [
        (app, selectors.application_progress(app)) for app in selectors.applications_of(account)
    ]
    active = selectors.active_membership_of(account)
    return _render(
        request,
        "portal/me.html",
        {
            "memberships": selectors.memberships_of(account),
            "transfers": selectors.transfers_of(account),
            "applications": applications,
            "active": active,
            "card_svg": services.card_qr_svg(active) if active and active.card_number else "",
            "has_open_application": any(
                app.status == ApplicationStatus.SUBMITTED for app, _progress in applications
            ),
            # complaints and help requests filed while signed in (gonghui.rights)
            "cases": account.cases.order_by("-received_at", "-pk")[:20],
        },
    )


@never_cache
@portal_login_required
@require_GET
def card(request):
    active = selectors.active_membership_of(request.portal_account)
    return _render(
        request,
        "portal/card.html",
        {
            "active": active,
            "card_svg": services.card_qr_svg(active) if active and active.card_number else "",
        },
    )


@never_cache
@portal_login_required
def apply(request):
    """Join or move a membership. Works without JavaScript: the "Search" button posts the
    form back with every answer kept and the unions found; with htmx the list follows the
    typing (``apply_unions``)."""
    account = request.portal_account
    bound = account.worker_id is not None
    searching = request.method == "POST" and "search" in request.POST
    if request.method == "POST" and not searching:
        form = ApplyForm(request.POST, bound_record=bound)
        if form.is_valid():
            data = form.cleaned_data
            try:
                application = application_submit(
                    by=account,
                    kind=data["kind"],
                    union=data["union"],
                    worker_type=data["worker_type"],
                    consent=data["consent"],
                    name=data.get("name", ""),
                    id_number=data.get("id_number", ""),
                    employer=data["employer"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your application has been submitted."))
                return redirect("portal:application", pk=application.pk)
    else:
        # A first visit (?q= from a link works too) or a search: an unbound form, so that no
        # error shows before the worker has tried to submit.
        initial = request.POST.dict() if searching else {}
        if not searching and selectors.active_membership_of(account) is not None:
            initial["kind"] = "transfer"  # a member moves; joining again is not possible
        if "q" in request.GET:
            initial["union_q"] = request.GET["q"]
        form = ApplyForm(initial=initial, bound_record=bound)
    query = _field_value(form, "union_q")
    selected = _as_int(_field_value(form, "union"))
    return _render(
        request,
        "portal/apply.html",
        {
            "form": form,
            "bound": bound,
            "unions": selectors.unions_matching(query, selected=selected),
            "union_query": query,
            "selected_union": selected,
            "active": selectors.active_membership_of(account),
            "open_application": selectors.applications_of(account)
            .filter(status=ApplicationStatus.SUBMITTED)
            .first(),
        },
    )


def _field_value(form, name: str) -> str:
    if form.is_bound:
        return form.data.get(name, "")
    return str(form.initial.get(name, "") or "")


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@never_cache
@portal_login_required
@require_GET
def apply_unions(request):
    """The union search results as an htmx fragment."""
    query = request.GET.get("union_q", "")
    selected = _as_int(request.GET.get("union"))
    return _render(
        request,
        "portal/apply.html#union-results",
        {
            "unions": selectors.unions_matching(query, selected=selected),
            "union_query": query,
            "selected_union": selected,
        },
    )


@never_cache
@portal_login_required
@require_GET
def apply_employers(request):
    """Employer names for the employer field's suggestions (a datalist), as an htmx fragment."""
    query = " ".join(request.GET.get("employer", "").split())
    employers = []
    if len(query) >= 2:
        employers = list(
            Employer.objects.filter(Q(name__icontains=query) | Q(uscc=query.upper()))
            .order_by("name")
            .values_list("name", flat=True)
            .distinct()[:10]
        )
    return _render(request, "portal/apply.html#employer-options", {"employers": employers})


@never_cache
@portal_login_required
@require_GET
def application(request, pk: int):
    app = selectors.application_of(request.portal_account, pk)
    if app is None:
        return _not_found(request)
    return _render(
        request,
        "portal/application.html",
        {
            "app": app,
            "progress": selectors.application_progress(app),
            "id_masked": mask("id_number", app.id_number),
        },
    )
