"""Staff pages for workers' applications: the list of one's scope, one application with what
the registry knows of the applicant, and the two decisions (accept, decline with a reason)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.accounts.roles import CHANGE
from gonghui.core.decorators import staff_view
from gonghui.core.forms import add_service_errors
from gonghui.core.listing import Listing, Sort
from gonghui.core.scope import get_for_user

from . import applications as services
from .models import ApplicationKind, ApplicationStatus, JoinApplication

APPLICATION_SORTS = [
    Sort("submitted", "submitted_at", gettext_lazy("Submitted on"), descending=True),
]


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *ApplicationStatus.choices],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All")), *ApplicationKind.choices],
    )

    def apply(self, qs):
        if not self.is_valid():
            return qs
        if self.cleaned_data["status"]:
            qs = qs.filter(status=self.cleaned_data["status"])
        if self.cleaned_data["kind"]:
            qs = qs.filter(kind=self.cleaned_data["kind"])
        return qs


class AcceptForm(forms.Form):
    card_number = forms.CharField(
        label=gettext_lazy("Membership card number"),
        required=False,
        max_length=32,
        help_text=gettext_lazy("Leave empty to number the card automatically."),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason told to the worker"),
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "The worker reads this in the portal. Say what to do next; name no member of staff."
        ),
    )


def _load(request, pk: int) -> JoinApplication:
    return get_for_user(
        JoinApplication.objects.select_related("union", "employer", "decided_by"),
        request.user,
        pk=pk,
    )


@staff_view()
def application_list(request):
    qs = JoinApplication.objects.visible_to(request.user).select_related("union", "employer")
    form = ApplicationFilterForm(request.GET or None)
    qs = form.apply(qs) if request.GET else qs
    listing = Listing(queryset=qs, params=request.GET, sorts=APPLICATION_SORTS)
    return render(
        request,
        "members/applications/list.html",
        {"form": form, "listing": listing, "page": listing.page()},
    )


def _detail(request, app: JoinApplication, accept_form=None, decline_form=None, status=200):
    may_decide = app.status == ApplicationStatus.SUBMITTED and request.user.can(CHANGE)
    # Decided meanwhile (by someone else): the forms are gone, their errors are shown on top.
    errors = (
        []
        if may_decide
        else [
            str(e)
            for f in (accept_form, decline_form)
            if f is not None
            for e in f.non_field_errors()
        ]
    )
    return render(
        request,
        "members/applications/detail.html",
        {
            "app": app,
            "match": services.application_record_match(app, request.user),
            "may_decide": may_decide,
            "decision_errors": errors,
            "accept_form": accept_form or AcceptForm(),
            "decline_form": decline_form or DeclineForm(),
        },
        status=status,
    )


@staff_view(scope_model=JoinApplication)
def application_detail(request, pk: int):
    return _detail(request, _load(request, pk))


@staff_view(scope_model=JoinApplication, permission=CHANGE)
@require_POST
def application_accept(request, pk: int):
    app = _load(request, pk)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.application_accept(
                by=request.user, application=app, card_number=form.cleaned_data["card_number"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The application was accepted; the worker gets an SMS."))
            return redirect("applications:detail", pk=app.pk)
    app.refresh_from_db()
    return _detail(request, app, accept_form=form, status=400)


@staff_view(scope_model=JoinApplication, permission=CHANGE)
@require_POST
def application_decline(request, pk: int):
    app = _load(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.application_decline(
                by=request.user, application=app, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The application was declined; the worker gets an SMS."))
            return redirect("applications:detail", pk=app.pk)
    app.refresh_from_db()
    return _detail(request, app, decline_form=form, status=400)
