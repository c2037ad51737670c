"""Connects the working-day calendar to the days administrators enter (CalendarDay).

Each process caches the calendar; a change bumps a version in the shared cache, and each
process re-reads the table when it sees a new version (checked at most every 30 seconds).
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import DatabaseError

from . import workdays

VERSION_KEY = "gonghui:calendar-version"
_state = {"version": None, "checked": 0.0}


def _provider():
    from .models import CalendarDay

    try:
        return {d.date: (d.is_workday, d.name) for d in CalendarDay.objects.all()}
    except DatabaseError:
        return {}  # before migrations: the package's calendar alone


def install() -> None:
    workdays.set_override_provider(_provider)


def refresh_if_changed() -> None:
    now = time.monotonic()
    if now - _state["checked"] < 30:
        return
    _state["checked"] = now
    try:
        version = cache.get(VERSION_KEY)
    except DatabaseError:
        return
    if version != _state["version"]:
        _state["version"] = version
        workdays.clear_caches()


def calendar_changed() -> None:
    cache.set(VERSION_KEY, time.time(), None)
    _state["checked"] = 0.0
    workdays.clear_caches()
