from django.contrib import admin

from gonghui.audit.admin_mixins import AuditedAdminMixin

from .models import OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "channel", "to", "status", "attempts", "error")
    list_filter = ("channel", "status")
    readonly_fields = [f.name for f in OutboundMessage._meta.concrete_fields]

    def has_add_permission(self, request):
        return False
