"""Forms of the staff case pages: the list's filters, one form per transition, the settings."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.roles import HANDLE_CASES, ROLE_PERMISSIONS
from gonghui.organizations.models import GRASSROOTS_KINDS, Organization

from .catalog import CaseKind, grouped_choices
from .models import CaseStatus, Channel, HandlingMethod, PauseReason, RightsSettings, Tier

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


def _all():
    return [("", _("All"))]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Words in the description"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("All")),
            ("overdue", _("Overdue")),
            ("due_soon", _("Due soon")),
            ("accept_overdue", _("Not accepted in time")),
        ],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", _("Open")),
            ("concluded", _("Concluded")),
            ("solved", _("Concluded, problem solved")),
            ("not_solved", _("Concluded, problem not solved")),
        ],
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    tier = forms.ChoiceField(label=_("Complexity"), required=False)
    organization = forms.IntegerField(
        label=_("Organization (with those below)"), required=False, widget=forms.Select
    )
    direct = forms.BooleanField(
        label=_("Held by the organization itself (not those below)"), required=False
    )
    handler = forms.CharField(label=_("Handler"), required=False, widget=forms.Select)
    employer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DATE)
    received_to = forms.DateField(label=_("Received until"), required=False, widget=DATE)
    merged = forms.BooleanField(
        label=_("Include duplicates merged into another case"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _all() + list(CaseStatus.choices)
        self.fields["channel"].choices = _all() + list(Channel.choices)
        self.fields["kind"].choices = _all() + list(CaseKind.choices)
        self.fields["category"].choices = _all() + grouped_choices()
        self.fields["tier"].choices = _all() + list(Tier.choices)
        self.user = user
        # Not every organization of the scope (a province holds about 100,000): the user's own,
        # and the non-grassroots ones one and two levels below (down to the townships of a
        # county); any other organization of the scope is reached by its id in the query
        # string (the figures' drill-down links), shown as chosen.
        if user.organization_id:
            top = Q(pk=user.organization_id)
            near = (
                top | Q(parent_id=user.organization_id) | Q(parent__parent_id=user.organization_id)
            )
            base = user.organization.depth
        else:  # a superuser without an organization: the roots and their children
            near = Q(parent__isnull=True) | Q(parent__parent__isnull=True)
            base = 0
        orgs = list(
            Organization.objects.visible_to(user)
            .filter(near)
            .exclude(kind__in=GRASSROOTS_KINDS)
            .order_by("path")
            .values_list("pk", "name", "depth")
        )
        chosen = self._chosen_id("organization")
        if chosen is not None and chosen not in {pk for pk, _n, _d in orgs}:
            org = Organization.objects.visible_to(user).filter(pk=chosen).first()
            if org is not None:
                orgs.append((org.pk, org.name, base))
        self.fields["organization"].widget.choices = _all() + [
            (pk, "\u3000" * max(0, depth - base) + name) for pk, name, depth in orgs
        ]
        handlers = [("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody yet"))]
        chosen = self._chosen_id("handler")
        if chosen is not None:
            from gonghui.accounts.models import User

            handler = User.objects.visible_to(user).filter(pk=chosen).first()
            if handler is not None:
                handlers.append((str(handler.pk), str(handler)))
        self.fields["handler"].widget.choices = handlers

    def _chosen_id(self, name: str) -> int | None:
        value = str(self.data.get(name) or "").strip() if self.is_bound else ""
        return int(value) if value.isdigit() and len(value) < 12 else None

    def clean_organization(self):
        pk = self.cleaned_data.get("organization")
        if pk is not None and not Organization.objects.visible_to(self.user).filter(pk=pk).exists():
            raise forms.ValidationError(_("Choose an organization from the list."))
        return pk

    def clean_handler(self):
        value = (self.cleaned_data.get("handler") or "").strip()
        if value and value not in ("me", "none") and not value.isdigit():
            raise forms.ValidationError(_("Choose a handler from the list."))
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", _("The end is before the start."))
        return data

    def filters(self) -> dict:
        """The filters for ``selectors.case_list`` (empty when the form is not valid)."""
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        if data.get("handler", "").isdigit():
            data["handler"] = int(data["handler"])
        return {k: v for k, v in data.items() if v not in (None, "")}


class VersionedForm(forms.Form):
    """Carries the case version the page was drawn from (a stale page is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AcceptForm(VersionedForm):
    tier = forms.ChoiceField(
        label=_("Complexity"),
        choices=Tier.choices,
        initial=Tier.GENERAL,
        help_text=_("Sets the time limit in working days."),
    )
    note = forms.CharField(label=_("Internal note"), required=False, widget=SHORT_TEXT)


class DeclineForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason (told to the worker)"), widget=SHORT_TEXT, max_length=1000
    )


def handler_queryset(user):
    from gonghui.accounts.models import User

    roles = [r for r, perms in ROLE_PERMISSIONS.items() if HANDLE_CASES in perms]
    return (
        User.objects.visible_to(user)
        .filter(is_active=True, role__in=roles)
        .select_related("organization")
        .order_by("organization__path", "username")
    )


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.get_role_display()} · {obj.organization}"


class AssignForm(VersionedForm):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    handler = HandlerChoiceField(label=_("Handler"), queryset=None, required=False)
    note = forms.CharField(label=_("Internal note"), required=False, widget=SHORT_TEXT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            Organization.objects.visible_to(user).active().order_by("path")
        )
        self.fields["handler"].queryset = handler_queryset(user)


class ReturnForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why the case does not belong here"), widget=SHORT_TEXT, max_length=1000
    )


class StartForm(VersionedForm):
    method = forms.ChoiceField(label=_("Handling method"), choices=HandlingMethod.choices)
    note = forms.CharField(label=_("Internal note"), required=False, widget=SHORT_TEXT)


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Waiting on"), choices=PauseReason.choices)
    note = forms.CharField(label=_("What is awaited"), required=False, max_length=255)
    on = forms.DateField(label=_("Paused from"), required=False, widget=DATE)


class ResumeForm(forms.Form):
    on = forms.DateField(label=_("Resumed on"), required=False, widget=DATE)


class NoteForm(forms.Form):
    internal_note = forms.CharField(label=_("Internal note"), required=False, widget=SHORT_TEXT)
    public_text = forms.CharField(
        label=_("Message shown to the worker"),
        required=False,
        widget=SHORT_TEXT,
        help_text=_("Plain words; no staff names."),
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class ConcludeForm(VersionedForm):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    solved = forms.TypedChoiceField(
        label=_("Was the worker's problem solved?"),
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
    )
    amount_recovered = forms.DecimalField(
        label=_("Amount recovered (yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        initial=0,
    )
    workers_benefited = forms.IntegerField(
        label=_("Workers benefited"), min_value=0, required=False, initial=0
    )
    public_text = forms.CharField(
        label=_("Message shown to the worker"), required=False, widget=SHORT_TEXT
    )


class FollowUpForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=_("Does the worker say the problem is solved?"),
        choices=[*YES_NO, ("unknown", _("Not reached / no answer yet"))],
        coerce=_yes_no,
        widget=forms.RadioSelect,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[("", "—"), *[(str(i), str(i)) for i in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(label=_("What the worker said"), required=False, widget=SHORT_TEXT)


class CloseForm(forms.Form):
    pass


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why re-open"), widget=SHORT_TEXT, max_length=1000)


class MergeForm(forms.Form):
    into = forms.IntegerField(widget=forms.HiddenInput)


class SuperviseForm(forms.Form):
    instructions = forms.CharField(
        label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 3})
    )
    report_due = forms.DateField(label=_("Report by"), widget=DATE)


class SupervisionReportForm(forms.Form):
    report = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 3}))


class SettingsForm(forms.ModelForm):
    class Meta:
        model = RightsSettings
        fields = [
            "general_days",
            "difficult_days",
            "complex_days",
            "accept_days",
            "due_soon_days",
            "followup_days",
            "warning_cases",
            "warning_window_days",
            "warning_workers",
            "festival_days",
        ]
