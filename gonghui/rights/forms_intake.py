"""Forms of intake: the portal's complaint form and status page, the hotline's quick entry, the
walk-in and letter entry with its rows of workers, and the knowledge base.

The forms check what a form can (required fields, formats, files by content) so that every
mistake is shown at once; the services check everything again and have the last word.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import attachments as attachment_rules
from . import codes
from .catalog import CaseKind, grouped_choices
from .models import Article, Channel
from .services import knowledge
from .services.intake import _money

CHOOSE = [("", _("— choose —"))]


def category_choices():
    return [*CHOOSE, *grouped_choices()]


def kind_choices():
    return [("", _("All kinds")), *CaseKind.choices]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or PDFs in one input; each is checked by its content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/*,application/pdf", "multiple": True}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            return []
        try:
            attachment_rules.check_all(files, field="attachments")
        except ValidationError as exc:
            raise ValidationError(
                [m for messages in exc.message_dict.values() for m in messages]
            ) from None
        return files


def _clean_money(value, field="amount_claimed"):
    errors: dict[str, str] = {}
    amount = _money(value, field, errors)
    if errors:
        raise ValidationError(errors[field])
    return amount


def _clean_mobile(value: str) -> str:
    from gonghui.core import identifiers as ids

    value = (value or "").strip()
    if not value:
        return ""
    try:
        return ids.normalize_mobile(value)
    except ids.IdentifierError as exc:
        raise ValidationError(exc.message) from None


def _clean_id_number(value: str) -> str:
    from gonghui.core import identifiers as ids

    value = (value or "").strip()
    if not value:
        return ""
    try:
        return ids.parse_resident_id(value).number
    except ids.IdentifierError as exc:
        raise ValidationError(exc.message) from None


# --- the portal ---------------------------------------------------------------------------------


class PortalCaseForm(forms.Form):
    """The worker's complaint or help request, on a phone."""

    description = forms.CharField(
        label=_("What happened?"),
        min_length=5,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Who, what, since when. For example: the company has not paid three months of wages."
        ),
        error_messages={
            "required": _("Say in a few words what happened."),
            "min_length": _("Say in a few words what happened (at least 5 characters)."),
        },
    )
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=category_choices,
        error_messages={"required": _("Choose what your request is about.")},
    )
    employer = forms.CharField(
        label=_("Employer"),
        required=False,
        max_length=200,
        help_text=_("The company's name or its unified social credit code, as far as you know it."),
    )
    workers_affected = forms.IntegerField(
        label=_("How many workers are affected?"),
        min_value=1,
        max_value=100_000,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
        error_messages={
            "required": _("Enter how many workers are affected (1 if only you)."),
            "invalid": _("Enter a whole number, such as 1 or 12."),
            "min_value": _("At least 1 (you)."),
        },
    )
    amount_claimed = forms.CharField(
        label=_("Amount owed (yuan)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}),
        help_text=_("Leave empty if no money is owed."),
    )
    attachments = MultipleFileField(
        label=_("Photos or PDF files"),
        help_text=_("Pay slips, contract, chat screenshots: at most 6 files of 10 MB each."),
    )
    anonymous = forms.BooleanField(label=_("I want to stay anonymous"), required=False)
    name = forms.CharField(label=_("Your name"), required=False, max_length=64)
    phone = forms.CharField(
        label=_("Your mobile number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the trade union processes what I entered here, including personal "
            "information, to handle my request."
        ),
        error_messages={"required": _("Your consent is needed to handle the request.")},
    )
    answer = forms.CharField(
        label=_("Result of the sum in the picture"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_amount_claimed(self):
        return _clean_money(self.cleaned_data.get("amount_claimed"))

    def clean_phone(self):
        return _clean_mobile(self.cleaned_data.get("phone"))

    def clean(self):
        data = super().clean()
        if not data.get("anonymous") and not data.get("phone") and self.account is None:
            if "phone" not in self.errors:
                self.add_error(
                    "phone",
                    _(
                        "Leave a mobile number so that we can reach you, or choose to stay anonymous."
                    ),
                )
        return data


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX",
                "class": "code-input tracking-input",
            }
        ),
        error_messages={"required": _("Enter the tracking code you were given.")},
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=12,
        widget=forms.PasswordInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "code-input"}
        ),
        error_messages={"required": _("Enter the 6-digit PIN.")},
    )

    def clean_code(self):
        # Any shape that cannot be a code gets the same answer as a wrong one, later.
        return codes.normalize_code(self.cleaned_data["code"])

    def clean_pin(self):
        pin = self.cleaned_data["pin"]
        return "".join(pin.translate({0xFF10 + n: str(n) for n in range(10)}).split())


class FollowUpForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=_("Has your problem been solved?"),
        choices=[("yes", _("Yes, it is solved")), ("no", _("No, it is not solved"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether your problem has been solved.")},
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with how the union handled it?"),
        choices=[
            ("5", _("5 — very satisfied")),
            ("4", _("4 — satisfied")),
            ("3", _("3 — so-so")),
            ("2", _("2 — dissatisfied")),
            ("1", _("1 — very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are (1 to 5).")},
    )
    comment = forms.CharField(
        label=_("Anything you want to add?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the answers"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=kind_choices)


# --- staff: the hotline -------------------------------------------------------------------------


class HotlineForm(forms.Form):
    """Quick entry while the phone rings. Two endings share the form: "answered on the spot"
    needs the answer; "create a case" needs what a case needs."""

    ANSWERED = "answered"
    CASE = "case"

    caller_phone = forms.CharField(
        label=_("Caller number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "off", "autofocus": True}
        ),
        help_text=_("Empty for a hidden number."),
    )
    called_at = forms.DateTimeField(
        label=_("Call time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    category = forms.ChoiceField(label=_("Category"), choices=category_choices)
    summary = forms.CharField(
        label=_("What the caller asked"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    answer = forms.CharField(
        label=_("Answer given"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    articles = forms.ModelMultipleChoiceField(
        label=_("Answers used"), queryset=Article.objects.none(), required=False
    )
    # for a case
    caller_name = forms.CharField(label=_("Caller's name"), required=False, max_length=64)
    anonymous = forms.BooleanField(label=_("The caller wants to stay anonymous"), required=False)
    employer = forms.CharField(
        label=_("Employer"),
        required=False,
        max_length=200,
        help_text=_("Name or unified social credit code."),
    )
    workers_affected = forms.IntegerField(label=_("Workers affected"), min_value=1, initial=1)
    amount_claimed = forms.CharField(label=_("Amount owed (yuan)"), required=False, max_length=20)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "called_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.fields["articles"].queryset = knowledge.articles_for(user)
        # the answers follow the category too (htmx; the form works without it)
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse("rights:hotline_suggest"),
                "hx-trigger": "change",
                "hx-target": "#kb-hits",
                "hx-swap": "outerHTML",
                "hx-include": "#id_summary, #kb-hits",
            }
        )

    def clean_amount_claimed(self):
        return _clean_money(self.cleaned_data.get("amount_claimed"))

    @property
    def ending(self) -> str:
        return self.CASE if self.data.get("ending") == self.CASE else self.ANSWERED

    def clean(self):
        data = super().clean()
        if self.ending == self.ANSWERED and not (data.get("answer") or "").strip():
            self.add_error("answer", _("Write down the answer given, or create a case instead."))
        return data


# --- staff: walk-in station and letters ----------------------------------------------------------


class WalkInForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(Channel.WALK_IN, Channel.WALK_IN.label), (Channel.LETTER, Channel.LETTER.label)],
        initial=Channel.WALK_IN,
        widget=forms.RadioSelect,
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=_("For a letter: the day it arrived."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=category_choices)
    title = forms.CharField(label=_("Summary"), required=False, max_length=200)
    description = forms.CharField(
        label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    complainant_name = forms.CharField(label=_("Complainant"), required=False, max_length=64)
    complainant_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=32)
    complainant_id_number = forms.CharField(
        label=_("Resident ID number"),
        required=False,
        max_length=32,
        help_text=_("The worker's record is linked when it is known."),
    )
    employer_text = forms.CharField(
        label=_("Employer"),
        required=False,
        max_length=200,
        help_text=_("Name or unified social credit code; matched to the registry."),
    )
    workers_affected = forms.IntegerField(label=_("Workers affected"), min_value=1, initial=1)
    amount_claimed = forms.CharField(
        label=_("Amount owed or claimed (yuan)"),
        required=False,
        max_length=20,
        help_text=_("Empty: the sum of the workers' amounts below."),
    )
    project_name = forms.CharField(label=_("Construction project"), required=False, max_length=200)
    general_contractor = forms.CharField(
        label=_("General contractor"), required=False, max_length=200
    )
    arrears_months = forms.CharField(label=_("Months unpaid"), required=False, max_length=200)
    attachments = MultipleFileField(label=_("Scanned documents"))
    internal_note = forms.CharField(
        label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "received_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)

    def clean_amount_claimed(self):
        value = self.cleaned_data.get("amount_claimed")
        return _clean_money(value) if value not in (None, "") else None

    def clean_complainant_phone(self):
        return _clean_mobile(self.cleaned_data.get("complainant_phone"))

    def clean_complainant_id_number(self):
        return _clean_id_number(self.cleaned_data.get("complainant_id_number"))

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError(_("This time is in the future."))
        return value


class PartyForm(forms.Form):
    name = forms.CharField(label=_("Full name"), required=False, max_length=64)
    phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=32)
    id_number = forms.CharField(label=_("Resident ID number"), required=False, max_length=32)
    months = forms.CharField(label=_("Months unpaid"), required=False, max_length=200)
    amount_claimed = forms.CharField(label=_("Amount owed (yuan)"), required=False, max_length=20)

    def clean_phone(self):
        return _clean_mobile(self.cleaned_data.get("phone"))

    def clean_id_number(self):
        return _clean_id_number(self.cleaned_data.get("id_number"))

    def clean_amount_claimed(self):
        return _clean_money(self.cleaned_data.get("amount_claimed"))

    def clean(self):
        data = super().clean()
        filled = any(data.get(k) for k in ("phone", "id_number", "months")) or (
            self.data.get(self.add_prefix("amount_claimed"), "").strip()
        )
        if filled and not data.get("name") and "name" not in self.errors:
            self.add_error("name", _("Enter the worker's name."))
        return data

    @property
    def is_blank(self) -> bool:
        return not any(
            (self.cleaned_data or {}).get(k) for k in ("name", "phone", "id_number", "months")
        ) and not ((self.cleaned_data or {}).get("amount_claimed"))


PartyFormSet = forms.formset_factory(PartyForm, extra=3, max_num=500, validate_max=True)


# --- staff: the knowledge base --------------------------------------------------------------------


class ArticleForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=255)
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 8}))
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=lambda: [("", _("Any category")), *grouped_choices()],
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=255,
        help_text=_("Other words callers use, separated by spaces: 欠薪 讨薪 工钱"),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    public = forms.BooleanField(
        label=_("Shown to workers on the portal"), required=False, initial=True
    )
    owner = forms.ModelChoiceField(
        label=pgettext_lazy("knowledge", "Owner"), queryset=None, required=False
    )
    review_due = forms.DateField(
        label=_("Review by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: a year from today."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = knowledge.owners_choices(user)
        self.fields["owner"].help_text = _("Who keeps this answer right. Empty: you.")


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=lambda: [("", _("All")), *CaseKind.choices, *grouped_choices()],
    )
