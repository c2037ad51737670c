"""Forms of the wage-arrears pages, inspections, early warnings and joint meetings.

Amounts are taken as text and checked by the services (one place says what a wrong amount is);
the forms only shape what the user typed.
"""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core import identifiers as ids
from gonghui.organizations.models import Employer, Industry, Organization

from .models import Case


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


def amount_field(label, required=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=24,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


CONFIRM_OVER = _("Confirm: more recovered than owed is right (interest or compensation)")


# --- wage arrears on a case ------------------------------------------------------------------


class PartyForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=64)
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=24,
        required=False,
        help_text=_("Links the worker to the registry."),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    months = forms.CharField(
        label=_("Months unpaid"),
        max_length=200,
        required=False,
        help_text=_("e.g. 2026-03 to 2026-06"),
    )
    amount_claimed = amount_field(_("Amount owed (yuan)"))
    amount_recovered = amount_field(_("Amount recovered (yuan)"))
    confirm_over = forms.BooleanField(label=CONFIRM_OVER, required=False)


class PartyEditForm(PartyForm):
    """The worker's name and numbers are never shown in the form: empty keeps what is on file."""

    party = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Full name"),
        max_length=64,
        required=False,
        help_text=_("Leave empty to keep the name on file."),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=24,
        required=False,
        help_text=_("Leave empty to keep the number on file."),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the number on file."),
    )


class RecoveryForm(forms.Form):
    party = forms.TypedChoiceField(label=_("Worker"), coerce=int)
    amount = amount_field(_("Amount recovered (yuan)"), required=True)
    on = forms.DateField(label=_("Recovered on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm_over = forms.BooleanField(label=CONFIRM_OVER, required=False)

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p.pk, p.label) for p in parties]
        self.fields["on"].initial = timezone.localdate()


class ConstructionForm(forms.Form):
    project_name = forms.CharField(label=_("Construction project"), max_length=200, required=False)
    general_contractor = forms.CharField(
        label=_("General contractor"), max_length=200, required=False
    )
    subcontractors = forms.CharField(
        label=_("Subcontractor chain"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, from the top down (the labor subcontractor last)."),
    )
    arrears_months = forms.CharField(label=_("Months unpaid"), max_length=200, required=False)

    def clean_subcontractors(self):
        return [
            line.strip()
            for line in self.cleaned_data["subcontractors"].splitlines()
            if line.strip()
        ]


# --- inspections -------------------------------------------------------------------------------


class InspectionForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organized by"), queryset=Organization.objects.none()
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    description = forms.CharField(
        label=_("Scope and method"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = (
            Organization.objects.visible_to(user)
            .filter(kind__in=["federation", "township", "sector", "park"])
            .order_by("path")
        )
        field.initial = user.organization_id


def find_visible_employer(user, text: str) -> Employer | None:
    """An employer of the user's subtree by credit code, exact name or a unique part of it."""
    text = (text or "").strip()
    if not text:
        return None
    employers = Employer.objects.visible_to(user)
    try:
        code = ids.parse_uscc(text)
    except ids.IdentifierError:
        code = ""
    if code:
        return employers.filter(uscc=code).first()
    exact = list(employers.filter(name=text)[:2])
    if len(exact) == 1:
        return exact[0]
    partial = list(employers.filter(name__contains=text)[:2])
    return partial[0] if len(partial) == 1 else None


class TargetAddForm(forms.Form):
    employer = forms.CharField(
        label=_("Employer"),
        max_length=200,
        help_text=_("Its name or unified social credit code."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_employer(self):
        employer = find_visible_employer(self.user, self.cleaned_data["employer"])
        if employer is None:
            raise forms.ValidationError(
                _("No single employer of your area has this name or code; type more of the name.")
            )
        return employer


class TargetFilterForm(forms.Form):
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", "—"), *Industry.choices]
    )
    organization = forms.ModelChoiceField(
        label=_("Organization and the unions under it"),
        required=False,
        queryset=Organization.objects.none(),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            Organization.objects.visible_to(user).exclude(kind="grassroots").order_by("path")
        )


class TargetRecordForm(forms.Form):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput())
    inspectors = forms.CharField(label=_("Inspectors"), max_length=200)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    arrears_found = amount_field(_("Arrears found (yuan)"))
    workers_owed = forms.IntegerField(label=_("Workers owed"), min_value=0, required=False)
    amount_recovered = amount_field(_("Amount recovered (yuan)"))
    followup_due = forms.DateField(
        label=_("Follow-up visit by"), required=False, widget=DateInput()
    )
    confirm_over = forms.BooleanField(label=CONFIRM_OVER, required=False)


class FollowUpForm(forms.Form):
    followed_up_on = forms.DateField(label=_("Visited on"), widget=DateInput())
    notes = forms.CharField(
        label=_("What the visit found"), widget=forms.Textarea(attrs={"rows": 2})
    )
    amount_recovered = amount_field(
        _("Recovered since (yuan)"), help_text=_("Added to what was recovered before.")
    )
    next_due = forms.DateField(
        label=_("Next visit by"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty when no more visits are needed."),
    )
    confirm_over = forms.BooleanField(label=CONFIRM_OVER, required=False)


# --- early warnings ----------------------------------------------------------------------------


class AlertCloseForm(forms.Form):
    # Required by the service, which says why; the form lets the empty text through to it.
    action_taken = forms.CharField(
        label=_("Action taken"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- joint meetings ----------------------------------------------------------------------------


class MeetingForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Convened by"), queryset=Organization.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=pgettext_lazy("meeting", "Held on"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    attendees = forms.CharField(
        label=_("Attendees (departments and people)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    issues = forms.CharField(label=_("Issues raised"), widget=forms.Textarea(attrs={"rows": 4}))
    case_numbers = forms.CharField(
        label=_("Cases discussed"),
        required=False,
        help_text=_("Case numbers, separated by spaces or commas."),
    )
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["organization"]
        field.queryset = (
            Organization.objects.visible_to(user).exclude(kind="grassroots").order_by("path")
        )
        field.initial = user.organization_id

    def clean_case_numbers(self):
        numbers = [n for n in re.split(r"[\s,，、;；]+", self.cleaned_data["case_numbers"]) if n]
        if len(numbers) > 100:
            raise forms.ValidationError(_("At most 100 cases."))
        found = {c.number: c for c in Case.objects.visible_to(self.user).filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                _("No case of your area has the number: %(numbers)s")
                % {"numbers": ", ".join(missing)}
            )
        return list(dict.fromkeys(found[n] for n in numbers))


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label=_("Owner (department or person)"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())


class ActionDoneForm(forms.Form):
    action = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())
    result = forms.CharField(
        label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
