from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditAction


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *AuditAction.choices]
    )
    object_type = forms.CharField(label=_("Record type"), required=False)
    object_id = forms.CharField(label=_("Record ID"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def apply(self, qs):
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d["user"]:
            qs = qs.filter(actor_username=d["user"].strip())
        if d["action"]:
            qs = qs.filter(action=d["action"])
        if d["object_type"]:
            qs = qs.filter(object_type=d["object_type"].strip())
        if d["object_id"]:
            qs = qs.filter(object_id=d["object_id"].strip())
        if d["date_from"]:
            qs = qs.filter(at__date__gte=d["date_from"])
        if d["date_to"]:
            qs = qs.filter(at__date__lte=d["date_to"])
        return qs
