from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import ScopedQuerySet, register_scoped

from .roles import ROLE_PERMISSIONS, Role


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


@register_scoped
class User(AbstractUser):
    """A staff account: one role at one organization, acting in that organization's subtree."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("office phone"), max_length=32, blank=True)
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)

    scope_path = "organization__path"

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[*Role.values, ""]), name="user_role_valid"
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def scope_prefix(self) -> str:
        """The materialized path whose subtree this user sees; empty means nothing."""
        if self.organization_id is None or not self.role:
            return ""
        return self.organization.path

    @property
    def permissions(self) -> frozenset[str]:
        if self.is_superuser:
            return frozenset().union(*ROLE_PERMISSIONS.values())
        return ROLE_PERMISSIONS.get(self.role, frozenset())

    def can(self, action: str) -> bool:
        return self.is_active and action in self.permissions


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for /api/v1; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def new_raw() -> str:
        return "gh_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)
