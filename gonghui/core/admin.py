from django.contrib import admin

from gonghui.audit.admin_mixins import AuditedAdminMixin

from . import calendar
from .models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Next year's holidays and make-up working days, before the calendar package knows them."""

    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        calendar.calendar_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendar.calendar_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        calendar.calendar_changed()
