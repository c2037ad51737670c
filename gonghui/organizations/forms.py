from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import add_service_errors

from .models import (
    GRASSROOTS_KINDS,
    CadrePosition,
    ElectionKind,
    EmployerSize,
    FederationLevel,
    Industry,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Ownership,
)
from .selectors import TermStatus, has_union_q

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def add_errors(form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """A service's field errors on the form, with service field names that the form calls
    otherwise mapped through ``aliases``."""
    if aliases and hasattr(exc, "error_dict"):
        exc = ValidationError(
            {aliases.get(field, field): errors for field, errors in exc.error_dict.items()}
        )
    add_service_errors(form, exc)


class OrganizationChoiceField(forms.ModelChoiceField):
    """Organizations indented by their depth below the user's own, in tree order."""

    def __init__(self, *args, root_depth: int = 0, **kwargs):
        self.root_depth = root_depth
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return "\u3000" * max(0, obj.depth - self.root_depth) + obj.name


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


def _root_depth(user) -> int:
    return user.organization.depth if getattr(user, "organization_id", None) else 0


class OrganizationMoveForm(forms.Form):
    """Choose the new parent among the active non-grassroots organizations in scope, outside
    the subtree being moved."""

    parent = OrganizationChoiceField(label=_("New parent organization"), queryset=None)

    def __init__(self, *args, user, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        field.root_depth = _root_depth(user)
        field.queryset = (
            Organization.objects.visible_to(user)
            .active()
            .exclude(kind__in=GRASSROOTS_KINDS)
            .exclude(path__subtree=organization.path)
            .exclude(pk=organization.parent_id)
            .order_by("path")
        )


class FoundingRecordForm(forms.Form):
    founded_on = forms.DateField(label=_("Founding date"), **DATE)
    founding_members = forms.IntegerField(
        label=_("Founding members"),
        min_value=1,
        help_text=_(
            "With fewer than 25 members a union may elect one organizer instead of a committee "
            "(Trade Union Law art. 11)."
        ),
    )
    approved_by = forms.CharField(
        label=_("Approving union"),
        max_length=128,
        required=False,
        help_text=_("The higher union that approved the founding (Trade Union Law art. 11)."),
    )
    approval_number = forms.CharField(
        label=_("Approval document number"), max_length=64, required=False
    )
    first_committee = forms.CharField(
        label=_("First committee"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One name and position per line"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ElectionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), **DATE)
    kind = forms.ChoiceField(label=_("Kind of election"), choices=ElectionKind.choices)
    term_years = forms.TypedChoiceField(
        label=_("Term"),
        coerce=int,
        choices=[(5, _("5 years")), (3, _("3 years"))],
        help_text=_("A committee serves 3 or 5 years (Trade Union Law art. 15)."),
    )
    members_total = forms.IntegerField(label=_("Members entitled to vote"), min_value=0)
    members_voting = forms.IntegerField(label=_("Members who voted"), min_value=0)
    approved_by = forms.CharField(
        label=_("Approved by"),
        max_length=128,
        required=False,
        help_text=_("The higher union that approved the result"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ElectedCadreForm(forms.Form):
    """One row of the people elected; empty rows are ignored."""

    name = forms.CharField(label=_("Full name"), max_length=64, required=False)
    position = forms.ChoiceField(
        label=_("Position"), choices=[("", "—"), *CadrePosition.choices], required=False
    )
    rank = forms.CharField(label=_("Rank"), max_length=32, required=False)
    full_time = forms.BooleanField(label=_("Full-time"), required=False)


def elected_formset(data=None, rows: int = 7):
    formset_class = forms.formset_factory(ElectedCadreForm, extra=rows, max_num=60)
    return formset_class(data, prefix="cadres")


class CadreForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=64)
    position = forms.ChoiceField(label=_("Position"), choices=CadrePosition.choices)
    rank = forms.CharField(
        label=_("Rank"), max_length=32, required=False, help_text=_("e.g. 副科级")
    )
    full_time = forms.BooleanField(label=_("Full-time"), required=False)
    term_start = forms.DateField(label=_("Term start"), **DATE)
    term_end = forms.DateField(label=_("Term end"), **DATE)


class CadreEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Left office on"), required=False, **DATE)


class CadreFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, or organization"), required=False)
    position = forms.ChoiceField(
        label=_("Position"), required=False, choices=[("", _("All")), *CadrePosition.choices]
    )
    state = forms.ChoiceField(
        label=_("In office"),
        required=False,
        choices=[("", _("In office")), ("left", _("Left office")), ("all", _("All terms"))],
    )
    full_time = forms.ChoiceField(
        label=_("Full-time"),
        required=False,
        choices=[("", _("All")), ("yes", _("Full-time")), ("no", _("Part-time"))],
    )
    organization = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def apply(self, qs):
        if not self.is_valid():
            return qs.filter(ended_on__isnull=True)
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(name__contains=q) | qs.filter(organization__name__contains=q)
        if data["position"]:
            qs = qs.filter(position=data["position"])
        if data["state"] == "left":
            qs = qs.filter(ended_on__isnull=False)
        elif data["state"] != "all":
            qs = qs.filter(ended_on__isnull=True)
        if data["full_time"]:
            qs = qs.filter(full_time=data["full_time"] == "yes")
        return _within(qs, data["organization"])


class TermsDueFilterForm(forms.Form):
    q = forms.CharField(label=_("Organization name"), required=False)
    status = forms.ChoiceField(
        label=_("Term"), required=False, choices=[("", _("Due and overdue")), *TermStatus.choices]
    )
    position = forms.ChoiceField(
        label=_("Position"), required=False, choices=[("", _("All")), *CadrePosition.choices]
    )
    organization = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def apply(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["q"]:
            qs = qs.filter(organization__name__contains=data["q"].strip())
        if data["status"]:
            qs = qs.filter(is_overdue=data["status"] == TermStatus.OVERDUE)
        if data["position"]:
            qs = qs.filter(position=data["position"])
        return _within(qs, data["organization"])


def _within(qs, organization_id):
    """The subtree of one organization; an id outside the queryset's scope matches nothing
    (the queryset is already ``visible_to`` the user)."""
    if not organization_id:
        return qs
    org = Organization.objects.filter(pk=organization_id).first()
    return qs.within(org) if org else qs.none()


class EmployerFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or credit code"), required=False)
    ownership = forms.ChoiceField(
        label=_("Ownership"), required=False, choices=[("", _("All")), *Ownership.choices]
    )
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", _("All")), *Industry.choices]
    )
    organization = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Only the organization itself, not its subtree (the coverage page's "held by itself" row).
    direct = forms.BooleanField(required=False, widget=forms.HiddenInput)
    has_union = forms.ChoiceField(
        label=_("Union"),
        required=False,
        choices=[("", _("All")), ("yes", _("Has a union")), ("no", _("No union"))],
    )
    min_headcount = forms.IntegerField(
        label=_("At least this many workers"), required=False, min_value=0
    )
    worker_type = forms.ChoiceField(label=_("Employs"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gonghui.members.models import WorkerType

        self.fields["worker_type"].choices = [("", _("Any workers")), *WorkerType.choices]

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
            if data["direct"]:
                qs = qs.filter(organization_id=data["organization"])
            else:
                qs = _within(qs, data["organization"])
        if data["ownership"]:
            qs = qs.filter(ownership=data["ownership"])
        if data["industry"]:
            qs = qs.filter(industry=data["industry"])
        # "Has a union": covered by a union that is not closed (the coverage figures' rule).
        if data["has_union"] == "yes":
            qs = qs.filter(has_union_q())
        elif data["has_union"] == "no":
            qs = qs.exclude(has_union_q())
        if data["min_headcount"] is not None:
            qs = qs.filter(headcount__gte=data["min_headcount"])
        if data["worker_type"]:
            qs = qs.filter(**{f"headcount_by_type__{data['worker_type']}__gt": 0})
        return qs


class EmployerForm(forms.Form):
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=24,
        help_text=_("18 characters (GB 32100-2015)"),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("A new name keeps the old one among the former names."),
    )
    ownership = forms.ChoiceField(label=_("Ownership"), choices=Ownership.choices)
    industry = forms.ChoiceField(
        label=_("Industry"),
        choices=Industry.choices,
        help_text=_("Section of GB/T 4754-2017"),
    )
    size = forms.ChoiceField(
        label=_("Size"), required=False, choices=[("", "—"), *EmployerSize.choices]
    )
    above_designated_size = forms.BooleanField(label=_("Above designated size"), required=False)
    region_code = forms.CharField(
        label=_("Region code"), max_length=12, help_text=_("GB/T 2260, e.g. 360428")
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    headcount = forms.IntegerField(label=_("Workers employed"), min_value=0, initial=0)
    union = OrganizationChoiceField(
        label=_("Grassroots union"),
        queryset=None,
        required=False,
        help_text=_("Its own or joint union; leave empty if it has none."),
    )
    organization = OrganizationChoiceField(
        label=_("Responsible organization"),
        queryset=None,
        required=False,
        help_text=_(
            "For an employer without a union: the township, park or sector union of its place."
        ),
    )

    # headcount_<type> fields are added per worker type, after "headcount".
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from gonghui.members.models import WorkerType

        visible = Organization.objects.visible_to(user).active().order_by("path")
        depth = _root_depth(user)
        self.fields["union"].queryset = visible.filter(kind__in=GRASSROOTS_KINDS)
        self.fields["organization"].queryset = visible.exclude(kind__in=GRASSROOTS_KINDS)
        for field_name in ("union", "organization"):
            self.fields[field_name].root_depth = depth
        ordered = {}
        for name, field in self.fields.items():
            ordered[name] = field
            if name == "headcount":
                for value, label in WorkerType.choices:
                    ordered[f"headcount_{value}"] = forms.IntegerField(
                        label=_("of them: %(type)s") % {"type": label},
                        min_value=0,
                        required=False,
                    )
        self.fields = ordered

    @staticmethod
    def initial_for(employer) -> dict:
        initial = {
            name: getattr(employer, name)
            for name in (
                "uscc",
                "name",
                "ownership",
                "industry",
                "size",
                "above_designated_size",
                "region_code",
                "address",
                "headcount",
            )
        }
        for key, number in (employer.headcount_by_type or {}).items():
            initial[f"headcount_{key}"] = number
        initial["union"] = employer.union_id
        org = employer.organization
        initial["organization"] = org.parent_id if org.is_grassroots else org.pk
        return initial

    def service_arguments(self) -> dict:
        """The cleaned data as the employer services take it."""
        data = dict(self.cleaned_data)
        by_type = {}
        for name in list(data):
            if name.startswith("headcount_"):
                number = data.pop(name)
                if number:
                    by_type[name.removeprefix("headcount_")] = number
        data["headcount_by_type"] = by_type
        data["size"] = data["size"] or ""
        return data
