"""System administration of the rights area (superusers). Cases change state only through the
workflow services, so the case admin is read-only; the settings are edited on /rights/settings/
(audited), shown here for reference."""

from django.contrib import admin

from .models import Case, CaseEvent, RightsSettings


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "kind", "actor", "from_status", "to_status", "public_text", "internal_note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "status", "channel", "category", "organization", "due_on")
    list_filter = ("status", "channel", "kind", "tier")
    search_fields = ("number", "tracking_code")
    list_select_related = ("organization",)
    exclude = ("pin_hash", "search_text")
    inlines = [CaseEventInline]


@admin.register(RightsSettings)
class RightsSettingsAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "general_days", "difficult_days", "complex_days", "updated_at")
