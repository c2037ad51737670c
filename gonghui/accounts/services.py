"""Accounts made and changed by federation administrators within their subtree."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_create, audit_record, audit_update, snapshot

from .models import User
from .roles import MANAGE_USERS, ROLE_PERMISSIONS, Role


def _check_manager(by: User, organization, role: str) -> None:
    if not by.can(MANAGE_USERS):
        raise PermissionDenied(_("Your role may not manage accounts."))
    if by.is_superuser:
        return
    if organization is None or not organization.path.startswith(by.scope_prefix):
        raise PermissionDenied(_("This organization is outside your scope."))
    # Nobody hands out more rights than they hold themselves.
    if not ROLE_PERMISSIONS.get(role, frozenset()) <= by.permissions:
        raise PermissionDenied(_("You cannot give a role with more rights than your own."))


@transaction.atomic
def user_create(
    *,
    by: User,
    username: str,
    full_name: str,
    role: str,
    organization,
    password: str,
    email: str = "",
) -> User:
    _check_manager(by, organization, role)
    errors: dict[str, list[str]] = {}
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken.")]
    if role not in Role.values:
        errors["role"] = [_("Choose a role.")]
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=role,
        organization=organization,
        email=email.strip(),
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    audit_create(by=by, obj=user)
    return user


def _check_target(by: User, target: User) -> None:
    if target.is_superuser and not by.is_superuser:
        raise PermissionDenied(
            _("Only a system administrator can change a system administrator's account.")
        )


@transaction.atomic
def user_update(
    *,
    by: User,
    user: User,
    full_name: str,
    role: str,
    organization,
    is_active: bool,
    email: str = "",
) -> User:
    target = User.objects.select_for_update().get(pk=user.pk)
    _check_target(by, target)
    _check_manager(by, target.organization, target.role)
    _check_manager(by, organization, role)
    if target.pk == by.pk and (
        not is_active or role != target.role or organization != target.organization
    ):
        raise ValidationError(
            {"role": [_("You cannot change your own role, organization or access.")]}
        )
    before = snapshot(target)
    target.full_name, target.role, target.organization, target.is_active, target.email = (
        full_name.strip(),
        role,
        organization,
        is_active,
        email.strip(),
    )
    target.save()
    audit_update(by=by, obj=target, before=before)
    return target


@transaction.atomic
def user_set_password(*, by: User, user: User, password: str) -> User:
    target = User.objects.select_for_update().get(pk=user.pk)
    _check_target(by, target)
    _check_manager(by, target.organization, target.role)
    try:
        validate_password(password, target)
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc
    target.set_password(password)
    target.save(update_fields=["password"])
    audit_record(
        by=by,
        action="update",
        obj=target,
        changes={"password": ["***", "***"]},
        detail="password reset",
    )
    return target
