from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gonghui.core.decorators import staff_view
from gonghui.core.exports import Column, xlsx_response
from gonghui.core.forms import add_service_errors
from gonghui.core.listing import Listing, Sort
from gonghui.core.scope import get_for_user

from . import services
from .forms import PasswordResetForm, UserCreateForm, UserEditForm
from .models import User
from .roles import MANAGE_USERS


def locked_out(request, credentials, *args, **kwargs):
    """What a locked-out sign-in gets: JSON for the API, the explanation page for people."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        message = _("Too many failed sign-ins: this account is locked for a while.")
        return JsonResponse(
            {"detail": message, "errors": [{"field": "username", "message": message}]}, status=429
        )
    return render(request, "accounts/locked_out.html", status=429)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, gettext_lazy("Your password was changed."))
        return super().form_valid(form)


@staff_view()
def profile(request):
    return render(
        request,
        "accounts/profile.html",
        {"tokens": request.user.api_tokens.active().order_by("-created_at")},
    )


USER_SORTS = [
    Sort("username", "username", gettext_lazy("Username")),
    Sort("joined", "date_joined", gettext_lazy("Creation time"), descending=True),
]


USER_COLUMNS = [
    Column(gettext_lazy("Username"), lambda u: u.username),
    Column(gettext_lazy("Full name"), lambda u: u.full_name),
    Column(gettext_lazy("Role"), lambda u: u.get_role_display(), width=24),
    Column(
        gettext_lazy("Organization"),
        lambda u: u.organization.name if u.organization else "",
        width=36,
    ),
    Column(gettext_lazy("Account active"), lambda u: u.is_active),
    Column(gettext_lazy("Last sign-in"), lambda u: u.last_login),
]


@staff_view(permission=MANAGE_USERS)
def user_list(request):
    qs = User.objects.visible_to(request.user).select_related("organization")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(full_name__contains=q)
    listing = Listing(queryset=qs, params=request.GET, sorts=USER_SORTS)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request=request,
            name=_("Accounts"),
            columns=USER_COLUMNS,
            rows=listing.ordered().iterator(chunk_size=2000),
            filters=request.GET.dict(),
            object_type="accounts.user",
        )
    return render(
        request, "accounts/user_list.html", {"listing": listing, "page": listing.page(), "q": q}
    )


@staff_view(permission=MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.user_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The account %(name)s was created.") % {"name": account.username}
            )
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New account")})


@staff_view(scope_model=User, permission=MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_edit(request, pk: int):
    account = get_for_user(User, request.user, pk=pk)
    initial = {
        "full_name": account.full_name,
        "role": account.role,
        "email": account.email,
        "is_active": account.is_active,
        "organization": account.organization,
    }
    form = UserEditForm(request.POST or None, user=request.user, initial=initial)
    password_form = (
        PasswordResetForm(request.POST or None, prefix="pw")
        if "pw-password" in request.POST
        else PasswordResetForm(prefix="pw")
    )
    if request.method == "POST":
        try:
            if "pw-password" in request.POST:
                if password_form.is_valid():
                    services.user_set_password(
                        by=request.user,
                        user=account,
                        password=password_form.cleaned_data["password"],
                    )
                    messages.success(request, _("The password was reset."))
                    return redirect("accounts:user_list")
            elif form.is_valid():
                services.user_update(by=request.user, user=account, **form.cleaned_data)
                messages.success(request, _("Changes saved."))
                return redirect("accounts:user_list")
        except ValidationError as exc:
            add_service_errors(password_form if "pw-password" in request.POST else form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "accounts/user_edit.html",
        {"form": form, "password_form": password_form, "account": account},
    )
