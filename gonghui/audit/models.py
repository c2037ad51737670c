from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.paths import MaterializedPathField


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    TRANSITION = "transition", _("Status changed")
    REVEAL = "reveal", _("Personal data revealed")
    EXPORT = "export", _("Exported")
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")
    TOKEN = "token", _("API token issued")


class AppendOnlyError(Exception):
    pass


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit log is append-only")

    def delete(self):
        raise AppendOnlyError("the audit log is append-only")

    def visible_to(self, user):
        """Auditors and administrators see the entries about records of their subtree (and
        sign-ins of its users)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not user.can("view_audit") or not user.scope_prefix:
            return self.none()
        return self.filter(organization_path__subtree=user.scope_prefix)


class AuditEntry(models.Model):
    """One thing that happened. Rows are only ever inserted: a database trigger refuses
    UPDATE and DELETE (migration 0002), and the model and queryset refuse them too."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No foreign key: the row must outlive the account, and a cascade would be an update.
    actor_id = models.BigIntegerField(_("user ID"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("user"), max_length=150, blank=True, db_index=True)
    action = models.CharField(
        _("action"), max_length=16, choices=AuditAction.choices, db_index=True
    )
    object_type = models.CharField(_("record type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    organization_path = MaterializedPathField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit log is append-only")
