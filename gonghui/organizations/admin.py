from django.contrib import admin

from .models import Employer, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Browsing for system administrators; changes go through the staff pages, whose services
    keep the tree's paths exact and write the audit log."""

    list_display = ("code", "name", "kind", "level", "region_code", "status", "depth")
    list_filter = ("kind", "status", "level")
    search_fields = ("code", "name")
    readonly_fields = [f.name for f in Organization._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("uscc", "name", "ownership", "industry", "headcount", "union")
    list_filter = ("ownership", "industry")
    search_fields = ("uscc", "name")
    readonly_fields = [f.name for f in Employer._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
