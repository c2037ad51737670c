"""Forms of mediation, referrals and supervision notices. They only shape the input; every rule
is checked by the service (``services/legal.py``), whose refusals land on these fields."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.accounts.models import User
from gonghui.accounts.roles import HANDLE_CASES, ROLE_PERMISSIONS
from gonghui.core.fields import mask

from .models import Attachment, Body, MediationStatus, ReferralStatus
from .services import legal

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AREA = forms.Textarea(attrs={"rows": 4})


def _date_field(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DATE, help_text=help_text)


def mediators_for(case):
    """Case handlers who can see the case: active accounts at the case's organization or above
    it (a county mediator takes a township's case)."""
    path = case.organization.path
    ancestors = [path[:i] for i in range(len(path), 0, -1)]
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if HANDLE_CASES in perms]
    return (
        User.objects.filter(is_active=True, role__in=roles)
        .filter(Q(organization__path__in=ancestors))
        .select_related("organization")
        .order_by("organization__path", "full_name", "username")
    )


class MediationOpenForm(forms.Form):
    body = forms.CharField(label=_("Mediation body"), max_length=200)
    mediator = forms.ModelChoiceField(label=_("Mediator"), queryset=User.objects.none())
    received_on = _date_field(_("Application received on"))
    applicant_name = forms.CharField(label=_("Applicant (worker)"), max_length=64, required=False)
    applicant_id_number = forms.CharField(
        label=_("Applicant's resident ID number"), max_length=32, required=False
    )
    applicant_address = forms.CharField(
        label=_("Applicant's address"), max_length=255, required=False
    )
    respondent_name = forms.CharField(label=_("Respondent (employer)"), max_length=200)
    respondent_representative = forms.CharField(
        label=_("Legal representative"), max_length=64, required=False
    )
    respondent_address = forms.CharField(
        label=_("Respondent's address"), max_length=255, required=False
    )
    knew_on = _date_field(
        _("Worker knew of the infringement on"),
        required=False,
        help_text=_("The one-year limitation period for arbitration runs from this day (art. 27)."),
    )
    pay_claim = forms.BooleanField(label=_("Claim for pay during employment"), required=False)
    employment_ended_on = _date_field(
        _("Employment ended on"),
        required=False,
        help_text=_(
            "For pay during employment the year runs from the end of employment; leave empty "
            "while the worker is still employed."
        ),
    )
    facts = forms.CharField(label=_("Facts of the dispute"), widget=AREA, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediator"].queryset = mediators_for(case)
        self.fields["mediator"].label_from_instance = lambda u: f"{u} · {u.organization}"
        # The worker's data stay masked on screen: an empty field takes the case's value.
        if case.complainant_name:
            self.fields["applicant_name"].help_text = _(
                "Leave empty to use the complainant of the case: %(name)s"
            ) % {"name": mask("name", case.complainant_name)}
        if case.complainant_id_number:
            self.fields["applicant_id_number"].help_text = _(
                "Leave empty to use the ID number on the case: %(id)s"
            ) % {"id": mask("id_number", case.complainant_id_number)}


class ClaimForm(forms.Form):
    item = forms.CharField(label=_("Claim"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )


ClaimFormSet = forms.formset_factory(ClaimForm, extra=5, max_num=30)


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("Held at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    attendees = forms.CharField(label=_("Attendees"), widget=AREA, required=False)
    record = forms.CharField(label=_("Record"), widget=forms.Textarea(attrs={"rows": 6}))


class AgreementForm(forms.Form):
    terms = forms.CharField(label=_("Terms agreed"), widget=forms.Textarea(attrs={"rows": 6}))
    performance = forms.CharField(
        label=_("How it is carried out"),
        widget=AREA,
        required=False,
        help_text=_("e.g. paid in one sum by bank transfer to the worker's account"),
    )
    payment_due = _date_field(_("To be paid by"))
    signed_on = _date_field(_("Signed on"))

    def __init__(self, *args, mediation, **kwargs):
        super().__init__(*args, **kwargs)
        self.claims = list(mediation.claims.all())
        for claim in self.claims:
            self.fields[f"agreed_{claim.pk}"] = forms.DecimalField(
                label=_("Agreed for “%(item)s” (claimed %(amount)s yuan)")
                % {"item": claim.item, "amount": f"{claim.amount:,.2f}"},
                min_value=0,
                max_digits=14,
                decimal_places=2,
                initial=claim.amount_agreed or claim.amount,
            )

    def amounts(self) -> dict:
        return {c.pk: self.cleaned_data.get(f"agreed_{c.pk}") for c in self.claims}


class FailureForm(forms.Form):
    reason = forms.CharField(label=_("Why it failed"), widget=AREA)
    knew_on = _date_field(_("Worker knew of the infringement on"), required=False)
    pay_claim = forms.BooleanField(label=_("Claim for pay during employment"), required=False)
    employment_ended_on = _date_field(_("Employment ended on"), required=False)


class MediationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *MediationStatus.choices]
    )
    due = forms.ChoiceField(
        label=_("Deadlines"),
        required=False,
        choices=[
            ("", _("All")),
            ("past_due", _("Open past the 15 days")),
            ("urgent", _("Urgent for legal aid (under 7 days left)")),
        ],
    )


class ReferralForm(forms.Form):
    body = forms.ChoiceField(label=_("Body"), choices=Body.choices)
    body_name = forms.CharField(
        label=_("Name of the body"),
        max_length=200,
        required=False,
        help_text=_("e.g. 都昌县劳动保障监察大队; empty: the kind of body"),
    )
    matters = forms.CharField(label=_("Matters referred"), widget=AREA)
    asked = forms.CharField(label=_("What the body is asked to do"), widget=AREA, required=False)
    attachments = forms.ModelMultipleChoiceField(
        label=_("Attachments sent"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sent_on = _date_field(
        pgettext_lazy("referral", "Sent on"), required=False, help_text=_("Empty: today.")
    )
    reply_due = _date_field(_("Reply due by"), required=False)
    pause_clock = forms.BooleanField(
        label=_("Pause the case clock until the reply"),
        required=False,
        help_text=_("The case's time limit stands still while the body is awaited."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].queryset = case.attachments.all()
        rules = "; ".join(
            f"{label}: {legal.reply_rule(value).source}" for value, label in Body.choices
        )
        self.fields["reply_due"].help_text = _("Empty: the default for the body (%(rules)s).") % {
            "rules": rules
        }


class ReceiptForm(forms.Form):
    received_on = _date_field(_("Receipt confirmed on"))
    receipt_number = forms.CharField(label=_("Their reference"), max_length=64, required=False)


class ReplyForm(forms.Form):
    replied_on = _date_field(_("Replied on"))
    reply = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 5}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why the referral is withdrawn"), widget=AREA)


class ReferralFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All")),
            ("awaiting", _("Awaiting reply")),
            ("overdue", _("Overdue replies")),
            *[(f"status:{v}", label) for v, label in ReferralStatus.choices],
        ],
    )
    body = forms.ChoiceField(
        label=_("Body"), required=False, choices=[("", _("All")), *Body.choices]
    )


class NoticeForm(forms.Form):
    employer = forms.ModelChoiceField(label=_("Employer"), queryset=None)
    issued_on = _date_field(_("Issued on"), required=False, help_text=_("Empty: today."))
    findings = forms.CharField(label=_("What was found"), widget=AREA)
    legal_basis = forms.CharField(label=_("Legal basis"), widget=AREA, required=False)
    demands = forms.CharField(label=_("What the employer must correct"), widget=AREA)
    reply_due = _date_field(_("Reply due by"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reply_due"].help_text = _(
            "Empty: %(n)d days after issue (a platform default, not confirmed)."
        ) % {"n": legal.NOTICE_REPLY_DAYS}
        from gonghui.organizations.models import Employer

        self.fields["employer"].queryset = Employer.objects.visible_to(user).order_by("name")


class NoticeFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All")),
            ("awaiting", _("Awaiting reply")),
            ("overdue", _("Overdue replies")),
            ("replied", _("Replied")),
        ],
    )
