"""Working-day arithmetic on China's official calendar.

Deadlines in the platform (case handling, replies to workers' letters, statutory periods)
are counted on the official calendar published every year by the General Office of the
State Council (国务院办公厅关于××年部分节假日安排的通知): public holidays plus the
weekend make-up working days (调休上班). A make-up Saturday or Sunday is a working day; a
weekday inside a holiday block is not.

Sources of truth, in order of precedence:

1. **Overrides** entered by administrators, supplied through :func:`set_override_provider`.
   They let the federation enter a new year's schedule as soon as the State Council
   publishes it, before the ``chinesecalendar`` package is updated. An override wins over
   the library for its day, and a year with at least one override counts as *known*.
2. **The chinesecalendar library** (``chinese_calendar.get_holiday_detail``), which raises
   ``NotImplementedError`` outside the years it ships data for (2004-2026 in 1.11.0; see
   :func:`library_years`).
3. **Fallback**: for any other year the plain weekend rule (Monday-Friday working) is used, a
   warning is logged on ``gonghui.workdays`` once per year per process, and the answer is
   flagged (:func:`year_is_known`, :func:`span_is_known`, :attr:`DayInfo.is_fallback`).

Counting rules (中华人民共和国民法典, Civil Code):

* Art. 201: a period counted in days starts on the day *after* the triggering event (开始的当日
  不计入，自下一日开始计算). Hence ``add_working_days(start, n)`` returns the n-th working day
  *after* ``start`` and ``working_days_between`` counts the half-open interval (start, end].
* Art. 203: if the last day of a period is a statutory rest day, the period ends on the day
  after the rest ends (以法定休假日结束的次日为期间的最后一日). Rest days are judged on the
  actual schedule including 调休, so a period ending on a make-up Saturday is not moved
  (:func:`calendar_deadline`).

Speed: each year is turned once into a table (working-day flag per day, running count, sorted
ordinals of working days), so ``add_working_days`` is a couple of list lookups regardless of n.
Tables are per process; call :func:`clear_caches` when overrides change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import NamedTuple

import chinese_calendar

__all__ = [
    "DayInfo",
    "OverrideMapping",
    "OverrideProvider",
    "add_working_days",
    "add_working_days_excluding",
    "calendar_deadline",
    "clear_caches",
    "day_info",
    "holiday_name",
    "is_workday",
    "known_years",
    "library_years",
    "next_workday",
    "set_override_provider",
    "span_is_known",
    "working_days_between",
    "working_days_elapsed",
    "year_is_known",
]

logger = logging.getLogger("gonghui.workdays")

OverrideMapping = Mapping[date, tuple[bool, str]]
"""``{day: (is_workday, name)}``; ``name`` is the holiday (for a rest day) or the holiday a
make-up working day belongs to (for a 调休 working day); it may be empty."""

OverrideProvider = Callable[[], OverrideMapping]

# Chinese names of chinese_calendar's Holiday enum members. The library's own ``.chinese``
# attribute uses short forms (清明, 端午, 中秋); the platform shows the names used in the
# State Council notices. getattr() keeps this working if a member is absent in some version.
_HOLIDAY_NAMES_ZH: dict[str, str] = {}
for _member_name, _zh in (
    ("new_years_day", "元旦"),
    ("spring_festival", "春节"),
    ("tomb_sweeping_day", "清明节"),
    ("labour_day", "劳动节"),
    ("dragon_boat_festival", "端午节"),
    ("mid_autumn_festival", "中秋节"),
    ("national_day", "国庆节"),
    # One-off day off on 3-4 Sep 2015 (70th anniversary of the victory in the War of Resistance).
    ("anti_fascist_70th_day", "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"),
):
    _member = getattr(chinese_calendar.Holiday, _member_name, None)
    if _member is not None:
        _HOLIDAY_NAMES_ZH[_member.value] = _zh
# Any member added by a future library version: use its own Chinese name.
for _member in chinese_calendar.Holiday:
    _HOLIDAY_NAMES_ZH.setdefault(_member.value, getattr(_member, "chinese", _member.value))
del _member, _member_name, _zh


def _zh_name(name: str | None) -> str | None:
    """Map a library (English) holiday name to Chinese; pass Chinese names through."""
    if not name:
        return None
    return _HOLIDAY_NAMES_ZH.get(name, name)


def _compute_library_years() -> range:
    # chinese_calendar validates a date against min/max year of its ``holidays`` table
    # (utils._validate_date); mirror that, then confirm both ends with the public API.
    years = sorted({d.year for d in chinese_calendar.holidays})
    if not years:  # pragma: no cover - defensive, the library always ships data
        return range(0)
    first, last = years[0], years[-1]
    for y in (first, last):
        try:
            chinese_calendar.is_workday(date(y, 6, 1))
        except NotImplementedError:  # pragma: no cover - defensive
            return range(0)
    return range(first, last + 1)


_LIBRARY_YEARS: range = _compute_library_years()


class DayInfo(NamedTuple):
    """Everything the calendar knows about one day."""

    date: date
    is_workday: bool
    holiday: str | None
    """Chinese holiday name if the day is a rest day belonging to a holiday, else ``None``."""
    makeup_for: str | None
    """For a 调休 make-up working day: the holiday it compensates (e.g. ``"春节"``)."""
    overridden: bool
    """The answer comes from an administrator's override."""
    is_fallback: bool
    """The year is unknown: the answer is the plain weekend rule, not the official schedule."""


class _Year:
    """Precomputed calendar of one year (built once, then read-only)."""

    __slots__ = (
        "year",
        "first",
        "flags",
        "cum",
        "wd",
        "total",
        "holidays",
        "makeup",
        "overridden",
        "known",
    )

    def __init__(self, year: int, overrides: Mapping[date, tuple[bool, str]]) -> None:
        self.year = year
        self.first = date(year, 1, 1).toordinal()
        ndays = date(year, 12, 31).toordinal() - self.first + 1
        in_library = year in _LIBRARY_YEARS
        self.known = in_library or bool(overrides)
        flags = bytearray(ndays)
        cum: list[int] = [0] * ndays
        wd: list[int] = []
        holidays: dict[int, str] = {}
        makeup: dict[int, str] = {}
        overridden: set[int] = set()
        count = 0
        for i in range(ndays):
            o = self.first + i
            d = date.fromordinal(o)
            if d in overrides:
                working, name = overrides[d]
                overridden.add(o)
            elif in_library:
                rest, name = chinese_calendar.get_holiday_detail(d)
                working = not rest
            else:
                working, name = d.weekday() < 5, None
            zh = _zh_name(name)
            if zh is not None:
                (makeup if working else holidays)[o] = zh
            if working:
                flags[i] = 1
                wd.append(o)
                count += 1
            cum[i] = count
        self.flags = bytes(flags)
        self.cum = cum  # cum[i]: working days among the first i+1 days of the year
        self.wd = wd  # ordinals of the working days, ascending
        self.total = count
        self.holidays = holidays
        self.makeup = makeup
        self.overridden = frozenset(overridden)


# ---------------------------------------------------------------------------------------------
# Process-wide state. Readers take plain dict lookups (atomic under the GIL); building and
# resetting happen under _lock, and resetting swaps in fresh objects.

_lock = threading.RLock()
_provider: OverrideProvider | None = None
_overrides: dict[int, dict[date, tuple[bool, str]]] | None = None  # by year; None = not loaded
_tables: dict[int, _Year] = {}
_warned_years: set[int] = set()


def _load_overrides() -> dict[int, dict[date, tuple[bool, str]]]:
    """Call the provider (once per cache lifetime) and index its answer by year."""
    global _overrides
    if _overrides is not None:
        return _overrides
    by_year: dict[int, dict[date, tuple[bool, str]]] = {}
    if _provider is not None:
        # Errors from the provider propagate: silently ignoring administrator-entered
        # holidays would produce wrong deadlines. Nothing is cached, so the next call retries.
        for key, value in _provider().items():
            if isinstance(key, datetime):
                key = key.date()
            if not isinstance(key, date):
                raise TypeError(f"override key must be a date, got {key!r}")
            try:
                working, name = value
            except (TypeError, ValueError):
                raise TypeError(
                    f"override for {key} must be (is_workday, name), got {value!r}"
                ) from None
            by_year.setdefault(key.year, {})[key] = (bool(working), name or "")
    _overrides = by_year
    return by_year


def _build(year: int) -> _Year:
    with _lock:
        table = _tables.get(year)
        if table is not None:
            return table
        table = _Year(year, _load_overrides().get(year, {}))
        if not table.known and year not in _warned_years:
            _warned_years.add(year)
            logger.warning(
                "No official holiday schedule for %d (chinesecalendar %s covers %s, and no "
                "administrator overrides exist for that year): counting Monday-Friday as "
                "working days. Enter the State Council schedule for %d as overrides.",
                year,
                chinese_calendar.__version__,
                f"{_LIBRARY_YEARS.start}-{_LIBRARY_YEARS.stop - 1}"
                if _LIBRARY_YEARS
                else "nothing",
                year,
            )
        _tables[year] = table
        return table


def _table(year: int) -> _Year:
    table = _tables.get(year)
    return table if table is not None else _build(year)


def _check_date(d: date) -> None:
    if not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__}")


# ---------------------------------------------------------------------------------------------
# Configuration


def set_override_provider(fn: OverrideProvider | None) -> None:
    """Install (or with ``None`` remove) the source of administrator overrides.

    ``fn()`` must return a mapping ``{date: (is_workday, name)}``; it is called lazily, once,
    the first time a calendar answer is needed, and again only after :func:`clear_caches`.
    Overrides win over the library, and a year with at least one override counts as known
    (no fallback warning). Days of such a year that are not overridden follow the library if
    it knows the year, else the weekend rule, so enter the whole notice (holidays and 调休
    working days) for a year the library does not know. Installing a provider clears caches.
    """
    global _provider
    with _lock:
        _provider = fn
        clear_caches()


def clear_caches(*, reset_warnings: bool = False) -> None:
    """Forget the loaded overrides and the per-year tables of this process.

    Call it when overrides change (they are re-read from the provider on next use).
    ``reset_warnings=True`` also forgets which unknown years were already warned about, so
    the once-per-process fallback warning fires again (meant for tests).
    """
    global _overrides, _tables
    with _lock:
        _overrides = None
        _tables = {}
        if reset_warnings:
            _warned_years.clear()


# ---------------------------------------------------------------------------------------------
# Years


def library_years() -> range:
    """Years the installed chinesecalendar package has official data for (2004-2026 in 1.11.0)."""
    return _LIBRARY_YEARS


def known_years() -> frozenset[int]:
    """Years answered from the official schedule: library years plus years with overrides."""
    with _lock:
        return frozenset(_LIBRARY_YEARS) | frozenset(_load_overrides())


def year_is_known(year: int) -> bool:
    """``True`` if ``year`` follows the official schedule, ``False`` if it is a weekend-rule guess."""
    if year in _LIBRARY_YEARS:
        return True
    with _lock:
        return year in _load_overrides()


def span_is_known(start: date, end: date) -> bool:
    """``True`` if every year from ``start`` to ``end`` (either order) is known.

    Use it to flag a computed deadline as provisional: ``span_is_known(start, deadline)``.
    """
    lo, hi = sorted((start.year, end.year))
    return all(year_is_known(y) for y in range(lo, hi + 1))


# ---------------------------------------------------------------------------------------------
# Single days


def is_workday(d: date) -> bool:
    """``True`` if ``d`` is a working day (including a 调休 make-up weekend working day)."""
    t = _tables.get(d.year) or _build(d.year)
    return bool(t.flags[d.toordinal() - t.first])


def holiday_name(d: date) -> str | None:
    """Chinese name of the holiday ``d`` is a rest day of (e.g. ``"春节"``), else ``None``.

    Ordinary weekends, working days and make-up working days give ``None``.
    """
    t = _tables.get(d.year) or _build(d.year)
    return t.holidays.get(d.toordinal())


def day_info(d: date) -> DayInfo:
    """Full answer for one day, including whether it is overridden or a fallback guess."""
    _check_date(d)
    t = _table(d.year)
    o = d.toordinal()
    return DayInfo(
        date=date.fromordinal(o),
        is_workday=bool(t.flags[o - t.first]),
        holiday=t.holidays.get(o),
        makeup_for=t.makeup.get(o),
        overridden=o in t.overridden,
        is_fallback=not t.known,
    )


def next_workday(d: date) -> date:
    """The first working day strictly after ``d`` (same as ``add_working_days(d, 1)``)."""
    return add_working_days(d, 1)


# ---------------------------------------------------------------------------------------------
# Periods


def add_working_days(start: date, n: int) -> date:
    """Date of the n-th working day after ``start`` (Civil Code art. 201: ``start`` not counted).

    ``n == 0`` returns ``start`` itself if it is a working day, otherwise the next working
    day; i.e. "the first working day on or after ``start``". ``n < 0`` raises ``ValueError``.
    Whether ``start`` is a working day does not matter for ``n >= 1``: an event on a Saturday
    with n=1 gives the Monday (or the make-up working day if that comes first).
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    o = start.toordinal()
    year = start.year
    t = _tables.get(year) or _build(year)
    i = o - t.first
    if n == 0:
        if t.flags[i]:
            return date.fromordinal(o)
        n = 1
    k = t.cum[i] + n - 1  # index in t.wd of the answer; t.cum[i] working days are <= start
    while k >= t.total:
        k -= t.total
        year += 1
        t = _tables.get(year) or _build(year)
    return date.fromordinal(t.wd[k])


def working_days_between(start: date, end: date) -> int:
    """Working days in the half-open interval (start, end] (Civil Code art. 201).

    ``end == start`` gives 0. For ``end < start`` the result is negative: minus the working
    days in (end, start]. So ``working_days_between(today, deadline)`` is the number of working
    days left, and ``-working_days_between(today, deadline)`` how many the case is overdue.
    """
    so, eo = start.toordinal(), end.toordinal()
    if eo == so:
        return 0
    if eo < so:
        return -working_days_between(end, start)
    ts = _tables.get(start.year) or _build(start.year)
    te = _tables.get(end.year) or _build(end.year)
    if ts is te:
        return te.cum[eo - te.first] - ts.cum[so - ts.first]
    count = ts.total - ts.cum[so - ts.first] + te.cum[eo - te.first]
    for y in range(start.year + 1, end.year):
        count += _table(y).total
    return count


def calendar_deadline(start: date, days: int) -> date:
    """Last day of a statutory period of ``days`` calendar days triggered on ``start``.

    Civil Code art. 201: the period runs from the day after ``start``, so its nominal last day
    is ``start + days``. Art. 203: if that day is a rest day (public holiday or weekend on the
    official calendar), the period ends on the first working day after it. A last day falling
    on a 调休 make-up working day stays put. ``days == 0`` gives ``start`` (rolled forward if
    it is a rest day); ``days < 0`` raises ``ValueError``.
    """
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    return add_working_days(start + timedelta(days=days), 0)


def _merge_pauses(paused: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Sort and merge inclusive date intervals; overlapping or adjacent ones become one."""
    spans: list[tuple[date, date]] = []
    for a, b in sorted(paused):
        if b < a:
            raise ValueError(f"pause ends before it starts: {a} .. {b}")
        if spans and a.toordinal() <= spans[-1][1].toordinal() + 1:
            if b > spans[-1][1]:
                spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def _in_pauses(d: date, spans: list[tuple[date, date]]) -> bool:
    return any(a <= d <= b for a, b in spans)


def add_working_days_excluding(
    start: date, n: int, paused: Iterable[tuple[date, date]] = ()
) -> date:
    """Deadline n working days after ``start`` when the case clock was stopped during ``paused``.

    ``paused`` holds ``(first_day, last_day)`` intervals, both inclusive (overlaps allowed);
    working days inside them do not count, so each paused working day pushes the deadline
    back by one working day. The deadline itself is never a paused day. ``n == 0`` returns
    the first working, non-paused day on or after ``start``. ``n < 0`` raises ``ValueError``.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    spans = _merge_pauses(paused)
    if n == 0:
        if is_workday(start) and not _in_pauses(start, spans):
            return date.fromordinal(start.toordinal())
        n = 1
    remaining = n
    cursor = start  # counting resumes on the day after the cursor
    for a, b in spans:
        if b <= cursor:
            continue
        # Working days available before this pause: (cursor, a - 1].
        before = a - timedelta(days=1)
        available = working_days_between(cursor, before) if before > cursor else 0
        if available >= remaining:
            return add_working_days(cursor, remaining)
        remaining -= available
        cursor = b
    return add_working_days(cursor, remaining)


def working_days_elapsed(start: date, today: date, paused: Iterable[tuple[date, date]] = ()) -> int:
    """Working days of a case clock used up from ``start`` (exclusive) to ``today`` (inclusive).

    Working days inside ``paused`` intervals (inclusive; for a pause still running pass
    ``today`` as its last day) are not counted. ``today <= start`` gives 0: the clock has not
    started yet. Inverse of :func:`add_working_days_excluding`: for n >= 1,
    ``working_days_elapsed(s, add_working_days_excluding(s, n, p), p) == n``.
    """
    if today <= start:
        return 0
    elapsed = working_days_between(start, today)
    for a, b in _merge_pauses(paused):
        lo = max(a - timedelta(days=1), start)
        hi = min(b, today)
        if hi > lo:
            elapsed -= working_days_between(lo, hi)
    return elapsed
