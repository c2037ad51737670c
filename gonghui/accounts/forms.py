from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.organizations.models import Organization

from .roles import Role


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u3000" * max(0, obj.depth - self.root_depth) + obj.name


def _organization_field(user):
    qs = Organization.objects.visible_to(user).active().order_by("path")
    field = OrganizationChoiceField(label=_("Organization"), queryset=qs)
    field.root_depth = user.organization.depth if user.organization_id else 0
    return field


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=64)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        help_text=_("At least 10 characters; the user should change it after signing in."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = _organization_field(user)
        self.order_fields(["username", "full_name", "organization", "role", "email", "password"])


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=64)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_active = forms.BooleanField(label=_("Account active"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = _organization_field(user)
        self.order_fields(["full_name", "organization", "role", "email", "is_active"])


class PasswordResetForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
