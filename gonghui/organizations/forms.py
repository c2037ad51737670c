from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    GRASSROOTS_KINDS,
    FederationLevel,
    Industry,
    OrganizationKind,
    OrganizationStatus,
    Ownership,
)


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", _("All kinds")),
            ("grassroots_all", _("All grassroots unions (own and joint)")),
            *OrganizationKind.choices,
        ],
    )
    within = forms.IntegerField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *OrganizationStatus.choices]
    )
    region_code = forms.CharField(label=_("Region code"), required=False, max_length=12)

    def apply(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(name__contains=q) | qs.filter(code__iexact=q)
        if data["kind"] == "grassroots_all":
            qs = qs.filter(kind__in=GRASSROOTS_KINDS)
        elif data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["within"]:
            # the subtree of one organization, itself excluded; ids outside the scope match nothing
            parent = qs.model.objects.filter(pk=data["within"]).first()
            qs = qs.within(parent).exclude(pk=parent.pk) if parent else qs.none()
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["region_code"]:
            qs = qs.filter(region_code__startswith=data["region_code"].strip())
        return qs


class OrganizationForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=128)
    short_name = forms.CharField(label=_("Short name"), max_length=64, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganizationKind.choices)
    level = forms.ChoiceField(
        label=_("Federation level"), required=False, choices=[("", "—"), *FederationLevel.choices]
    )
    region_code = forms.CharField(
        label=_("Region code"), max_length=12, help_text=_("GB/T 2260, e.g. 360428")
    )
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=24, required=False)
    founded_on = forms.DateField(
        label=_("Founding date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    phone = forms.CharField(label=_("Office phone"), max_length=32, required=False)


class OrganizationCloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for closing"), widget=forms.Textarea(attrs={"rows": 3})
    )
    closed_on = forms.DateField(
        label=_("Date closed"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class EmployerFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or credit code"), required=False)
    ownership = forms.ChoiceField(
        label=_("Ownership"), required=False, choices=[("", _("All")), *Ownership.choices]
    )
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", _("All")), *Industry.choices]
    )
    organization = forms.IntegerField(required=False, widget=forms.HiddenInput)
    has_union = forms.ChoiceField(
        label=_("Union"),
        required=False,
        choices=[("", _("All")), ("yes", _("Has a union")), ("no", _("No union"))],
    )

    def apply(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            qs = (
                qs.filter(uscc=q.upper())
                if len(q) == 18 and q.isalnum()
                else qs.filter(name__contains=q)
            )
        if data["organization"]:
            from .models import Organization

            org = Organization.objects.filter(pk=data["organization"]).first()
            qs = qs.within(org) if org else qs.none()
        if data["ownership"]:
            qs = qs.filter(ownership=data["ownership"])
        if data["industry"]:
            qs = qs.filter(industry=data["industry"])
        if data["has_union"] == "yes":
            qs = qs.filter(union__isnull=False)
        elif data["has_union"] == "no":
            qs = qs.filter(union__isnull=True)
        return qs
