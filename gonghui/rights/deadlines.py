"""A case's clocks, counted in working days on the official calendar (``core.workdays``).

Two clocks (DOMAIN-RULES "Complaints, 12351 and petitions": three tiers, day limits
unpublished [U], defaults general 7, difficult 15, especially complex 30 working days, all
configurable in ``RightsSettings``):

- acceptance: a received case is accepted or declined within ``accept_days`` working days of
  its receipt (``Case.accept_due``, set by intake);
- handling: from acceptance the case has its tier's limit. The limit is copied onto the case
  when it is accepted (``Case.time_limit_days``), so an administrator's change applies to cases
  accepted afterwards only. ``due_on`` = the limit-th working day after ``accepted_on`` (Civil
  Code art. 201: the day of acceptance is not counted), moved on by every working day the clock
  stood still.

Pauses (``CasePause``): the clock stops on the day of the pause and runs again on the day it is
resumed, so a pause from ``started_on`` to ``ended_on`` stops the working days
``started_on … ended_on - 1``; a pause still running stops every day up to today. A case
re-opened after its conclusion gets a fresh period of its limit from the day it was re-opened.

``today()`` is the one place the date is read, so that tests can set it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import workdays

from .models import OPEN_STATUSES, CaseStatus, EventKind, RightsSettings

ONE_DAY = dt.timedelta(days=1)
# States in which the handling clock runs (a received case runs the acceptance clock instead).
HANDLING_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.ASSIGNED, CaseStatus.IN_HANDLING)


def today() -> dt.date:
    return timezone.localdate()


def limit_days(tier: str, rules: RightsSettings | None = None) -> int:
    """The time limit of a tier under the settings in force now (for a case being accepted)."""
    return (rules or RightsSettings.current()).days_for(tier)


def due_soon_until(on: dt.date | None = None, rules: RightsSettings | None = None) -> dt.date:
    """Cases due on or before this day (and not yet overdue) are "due soon"."""
    rules = rules or RightsSettings.current()
    return workdays.add_working_days(on or today(), rules.due_soon_days)


def pause_spans(case, on: dt.date | None = None, pauses=None) -> list[tuple[dt.date, dt.date]]:
    """The days the clock stood still, as inclusive (first, last) spans for
    ``workdays.add_working_days_excluding``; a running pause counts up to ``on`` (today)."""
    on = on or today()
    pauses = list(case.pauses.all()) if pauses is None else pauses
    spans = []
    for pause in pauses:
        last = (pause.ended_on - ONE_DAY) if pause.ended_on else on
        if last >= pause.started_on:
            spans.append((pause.started_on, last))
    return spans


def clock_start(case) -> dt.date | None:
    """The day the handling period counts from: acceptance, or the last re-opening."""
    if case.reopen_count:
        event = case.events.filter(kind=EventKind.REOPENED).order_by("-at", "-id").first()
        if event is not None:
            return timezone.localdate(event.at)
    return case.accepted_on


def compute_due(case, *, start: dt.date | None = None, pauses=None) -> dt.date | None:
    """``due_on`` from the clock start, the case's own limit and its finished pauses."""
    start = start or clock_start(case)
    if start is None or not case.time_limit_days:
        return None
    finished = [p for p in (list(case.pauses.all()) if pauses is None else pauses) if p.ended_on]
    spans = [s for s in pause_spans(case, pauses=finished) if s[1] > start]
    return workdays.add_working_days_excluding(start, case.time_limit_days, spans)


def working_days_used(case, on: dt.date | None = None) -> int:
    """Working days of the handling clock used up by ``on`` (today), pauses not counted; a
    concluded case stops counting on the day it was concluded."""
    on = on or today()
    if case.accepted_on is None:
        return 0
    end = timezone.localdate(case.concluded_at) if case.concluded_at else on
    return workdays.working_days_elapsed(case.accepted_on, end, pause_spans(case, on=end))


def working_days_left(case, on: dt.date | None = None) -> int | None:
    """Working days until ``due_on`` (0 on the day itself, negative once overdue). While the
    clock stands still the due date is not final, so what is left is the limit minus the days
    used."""
    on = on or today()
    if case.paused and case.time_limit_days and case.status in HANDLING_STATUSES:
        return case.time_limit_days - working_days_used(case, on)
    if case.due_on is None:
        return None
    if case.due_on >= on:
        return workdays.working_days_between(on, case.due_on)
    return -workdays.working_days_between(case.due_on, on)


def is_overdue(case, on: dt.date | None = None) -> bool:
    on = on or today()
    if case.status == CaseStatus.RECEIVED:
        return case.accept_due is not None and case.accept_due < on
    return (
        case.status in HANDLING_STATUSES
        and not case.paused
        and case.due_on is not None
        and case.due_on < on
    )


def is_due_soon(case, on: dt.date | None = None, rules: RightsSettings | None = None) -> bool:
    on = on or today()
    due = case.accept_due if case.status == CaseStatus.RECEIVED else case.due_on
    if case.status not in OPEN_STATUSES or case.paused or due is None:
        return False
    return on <= due <= due_soon_until(on, rules)


@dataclass(frozen=True)
class Clock:
    """What the case page shows about the deadlines."""

    state: str  # "accept", "running", "paused", "stopped", "none"
    due: dt.date | None
    used: int
    limit: int | None
    left: int | None
    overdue: bool
    due_soon: bool
    calendar_note: str


def calendar_note(start: dt.date | None, end: dt.date | None) -> str:
    """A warning when a deadline was counted over a year whose holiday schedule is unknown."""
    if start is None or end is None or workdays.span_is_known(start, end):
        return ""
    years = [
        str(y)
        for y in range(min(start, end).year, max(start, end).year + 1)
        if not workdays.year_is_known(y)
    ]
    return _(
        "The official holiday schedule for %(years)s is not known yet: weekends alone were "
        "counted as rest days, so this date may move when the schedule is entered."
    ) % {"years": ", ".join(years)}


def clock(case, on: dt.date | None = None) -> Clock:
    on = on or today()
    if case.status == CaseStatus.RECEIVED:
        received = timezone.localdate(case.received_at)
        return Clock(
            state="accept",
            due=case.accept_due,
            used=workdays.working_days_elapsed(received, on),
            limit=None,
            left=None,
            overdue=is_overdue(case, on),
            due_soon=is_due_soon(case, on),
            calendar_note=calendar_note(received, case.accept_due),
        )
    if case.accepted_on is None:
        return Clock("none", None, 0, None, None, False, False, "")
    if case.status in HANDLING_STATUSES:
        state = "paused" if case.paused else "running"
    else:
        state = "stopped"
    return Clock(
        state=state,
        due=case.due_on,
        used=working_days_used(case, on),
        limit=case.time_limit_days,
        left=working_days_left(case, on) if state != "stopped" else None,
        overdue=is_overdue(case, on),
        due_soon=is_due_soon(case, on),
        calendar_note=calendar_note(case.accepted_on, case.due_on),
    )
