from django.contrib import admin

from .models import Cadre, Election, Employer, FoundingRecord, Organization


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


class _ReadOnly(admin.ModelAdmin):
    """Browsing only: founding records, elections and cadres change through the staff pages,
    whose services check the rules (terms of 3 or 5 years, voters within members) and audit."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FoundingRecord)
class FoundingRecordAdmin(_ReadOnly):
    list_display = ("organization", "founded_on", "founding_members", "approval_number")
    search_fields = ("organization__name", "approval_number")


@admin.register(Election)
class ElectionAdmin(_ReadOnly):
    list_display = ("organization", "held_on", "kind", "term_years", "members_total")
    list_filter = ("kind", "term_years")
    search_fields = ("organization__name",)


@admin.register(Cadre)
class CadreAdmin(_ReadOnly):
    list_display = ("name", "position", "organization", "term_start", "term_end", "ended_on")
    list_filter = ("position", "full_time")
    search_fields = ("name", "organization__name")
