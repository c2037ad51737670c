from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MembershipStatus, WorkerType
from .search import latin_query_filter


class WorkerFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or pinyin initials"), required=False)
    worker_type = forms.ChoiceField(
        label=_("Worker type"), required=False, choices=[("", _("All types")), *WorkerType.choices]
    )
    organization = forms.IntegerField(
        label=_("Organization"), required=False, widget=forms.HiddenInput
    )
    employer = forms.IntegerField(label=_("Employer"), required=False, widget=forms.HiddenInput)
    # Filters the coverage figures link to (each figure opens the records behind it).
    member = forms.ChoiceField(
        label=_("Membership"),
        required=False,
        choices=[("", _("All")), ("yes", _("Members")), ("no", _("Not members"))],
    )
    industry = forms.CharField(required=False, widget=forms.HiddenInput)
    ownership = forms.CharField(required=False, widget=forms.HiddenInput)
    no_employer = forms.BooleanField(required=False, widget=forms.HiddenInput)
    direct = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def apply(self, qs, user):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        q = (data["q"] or "").strip()
        if q:
            if q.isascii() and q.isalpha():
                qs = qs.filter(**latin_query_filter(q))
            else:
                qs = qs.filter(name__prefix=q)
        if data["worker_type"]:
            qs = qs.filter(worker_type=data["worker_type"])
        if data["employer"]:
            qs = qs.filter(employer_id=data["employer"])  # the scope still applies to qs
        if data["member"] == "yes":
            qs = qs.filter(memberships__status="active")
        elif data["member"] == "no":
            qs = qs.exclude(memberships__status="active")
        if data["industry"]:
            qs = qs.filter(employer__industry=data["industry"])
        if data["ownership"]:
            qs = qs.filter(employer__ownership=data["ownership"])
        if data["no_employer"]:
            qs = qs.filter(employer__isnull=True)
        if data["organization"]:
            from gonghui.core.scope import get_for_user
            from gonghui.organizations.models import Organization

            org = get_for_user(Organization, user, pk=data["organization"])
            qs = qs.filter(organization=org) if data["direct"] else qs.within(org)
        return qs


class WorkerForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=64)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=32)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    worker_type = forms.ChoiceField(label=_("Worker type"), choices=WorkerType.choices)
    employer = forms.ModelChoiceField(label=_("Employer"), queryset=None, required=False)
    union = forms.ModelChoiceField(
        label=_("Join the grassroots union"),
        queryset=None,
        required=False,
        help_text=_("Leave empty to register the worker without membership."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from gonghui.organizations.models import Employer, Organization

        self.fields["employer"].queryset = Employer.objects.visible_to(user).order_by("name")
        self.fields["union"].queryset = (
            Organization.objects.visible_to(user).grassroots().active().order_by("name")
        )


class MembershipEndForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How the membership ends"),
        choices=[
            ("lapsed", _("Lapsed")),
            ("retired", _("Retired")),
            ("deceased", _("Deceased")),
            ("left", _("Left the union")),
        ],
    )
    ended_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class TransferRequestForm(forms.Form):
    to_union = forms.ModelChoiceField(label=_("New grassroots union"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from gonghui.organizations.models import Organization

        # The receiving union may be anywhere in the instance: membership follows the job.
        self.fields["to_union"].queryset = (
            Organization.objects.grassroots().active().order_by("name")
        )


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note on the decision"), max_length=200, required=False)


class MembershipFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or pinyin initials"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        initial="active",
        choices=[("", _("All")), *MembershipStatus.choices],
    )
    worker_type = forms.ChoiceField(
        label=_("Worker type"), required=False, choices=[("", _("All types")), *WorkerType.choices]
    )
    union = forms.IntegerField(required=False, widget=forms.HiddenInput)
    joined_year = forms.IntegerField(
        label=_("Joined in year"), required=False, min_value=1949, max_value=2100
    )

    def apply(self, qs, user):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        q = (data["q"] or "").strip()
        if q:
            if q.isascii() and q.isalpha():
                qs = qs.filter(**{f"worker__{k}": v for k, v in latin_query_filter(q).items()})
            else:
                qs = qs.filter(worker__name__prefix=q)
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["worker_type"]:
            qs = qs.filter(worker__worker_type=data["worker_type"])
        if data["union"]:
            qs = qs.filter(union_id=data["union"])
        if data["joined_year"]:
            qs = qs.filter(joined_on__year=data["joined_year"])
        return qs
