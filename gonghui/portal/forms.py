from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core import identifiers as ids
from gonghui.members.models import ApplicationKind, WorkerType


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "inputmode": "tel",
                "autocomplete": "tel",
                "placeholder": _("11-digit mobile number"),
                "autofocus": True,
            }
        ),
    )

    def clean_phone(self):
        try:
            return ids.normalize_mobile(self.cleaned_data["phone"])
        except ids.IdentifierError as exc:
            raise forms.ValidationError(exc.message) from None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9０-９ ]*",
                "class": "code-input",
                "autofocus": True,
            }
        ),
    )


class BindForm(forms.Form):
    name = forms.CharField(
        label=_("Full name"),
        max_length=64,
        help_text=_("Exactly as on your ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_id_number(self):
        try:
            return ids.parse_resident_id(self.cleaned_data["id_number"]).number
        except ids.IdentifierError as exc:
            raise forms.ValidationError(exc.message) from None


class ApplyForm(forms.Form):
    """The application. The union is picked from search results (radio buttons rendered by
    the template, since the list depends on the search); name and ID number are asked only
    of an account not linked to its record yet."""

    kind = forms.ChoiceField(
        label=_("I want to"),
        choices=ApplicationKind.choices,
        initial=ApplicationKind.JOIN,
        widget=forms.RadioSelect,
    )
    union_q = forms.CharField(label=_("Find the union"), required=False, max_length=64)
    union = forms.IntegerField(
        label=_("Union"),
        error_messages={"required": _("Search for the union and choose it from the list.")},
    )
    name = forms.CharField(
        label=_("Full name"), max_length=64, help_text=_("Exactly as on your ID card.")
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    worker_type = forms.ChoiceField(
        label=_("I work as"),
        choices=WorkerType.choices,
        initial=WorkerType.REGULAR,
        widget=forms.RadioSelect,
    )
    employer = forms.CharField(
        label=_("Employer"),
        required=False,
        max_length=200,
        help_text=_("The company's name or its unified social credit code."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the trade union processes my name, ID number, mobile number and "
            "employer to handle this application."
        ),
        error_messages={"required": _("Your consent is needed to process the application.")},
    )

    def __init__(self, *args, bound_record: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.bound_record = bound_record
        if bound_record:
            del self.fields["name"]
            del self.fields["id_number"]

    def clean_id_number(self):
        try:
            return ids.parse_resident_id(self.cleaned_data["id_number"]).number
        except ids.IdentifierError as exc:
            raise forms.ValidationError(exc.message) from None
