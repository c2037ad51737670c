from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WorkerType
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
        if data["organization"]:
            from gonghui.core.scope import get_for_user
            from gonghui.organizations.models import Organization

            qs = qs.within(get_for_user(Organization, user, pk=data["organization"]))
        return qs
