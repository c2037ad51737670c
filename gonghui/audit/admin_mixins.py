"""Changes made in the system administration site go to the audit log like any other."""

from gonghui.audit.models import AuditAction
from gonghui.audit.services import audit_record


class AuditedAdminMixin:
    """Django's admin calls these three for every addition, change (password changes
    included) and deletion it makes; each also writes an entry of our append-only log."""

    def log_addition(self, request, obj, message):
        audit_record(
            by=request.user, action=AuditAction.CREATE, obj=obj, detail=f"admin: {message}"[:255]
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit_record(
            by=request.user, action=AuditAction.UPDATE, obj=obj, detail=f"admin: {message}"[:255]
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_record(by=request.user, action=AuditAction.DELETE, obj=obj, detail="admin")
        return super().log_deletions(request, queryset)
