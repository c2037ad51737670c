from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A day of the State Council's holiday schedule entered by an administrator.

    The chinese_calendar package ships each year's schedule some weeks after it is announced
    (usually in November). Until then an administrator enters the new year's holidays and
    make-up working days here; entries win over the package and mark the year as known.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("holiday name or note"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("official calendar day")
        verbose_name_plural = _("official calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
