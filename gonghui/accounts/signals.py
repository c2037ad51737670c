"""Sign-ins, failures and sign-outs go to the audit log. Django announces them only through
these signals, so this is the one place the project listens to signals."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    audit_record(
        by=user,
        action=AuditAction.LOGIN,
        request=request,
        organization_path=user.scope_prefix,
        object_repr=user.get_username(),
    )


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            by=user,
            action=AuditAction.LOGOUT,
            request=request,
            organization_path=user.scope_prefix,
            object_repr=user.get_username(),
        )


@receiver(user_login_failed)
def record_login_failed(sender, credentials, request=None, **kwargs):
    from .models import User

    username = str(credentials.get("username", ""))[:150]
    user = User.objects.filter(username=username).select_related("organization").first()
    audit_record(
        by=None,
        action=AuditAction.LOGIN_FAILED,
        request=request,
        object_type="accounts.user",
        object_repr=username,
        organization_path=user.scope_prefix if user else "",
    )
