"""Tests for gonghui.core.workdays (pure Python, no database).

Calendar facts below were checked against chinesecalendar 1.11.0's data, which follows the
State Council notices for 2025 (国办发明电〔2024〕12号) and 2026.
"""

from __future__ import annotations

import logging
import random
from datetime import date, timedelta

import chinese_calendar
import pytest

from gonghui.core import workdays as wd
from gonghui.core.workdays import (
    add_working_days,
    add_working_days_excluding,
    calendar_deadline,
    day_info,
    holiday_name,
    is_workday,
    known_years,
    library_years,
    next_workday,
    set_override_provider,
    span_is_known,
    working_days_between,
    working_days_elapsed,
    year_is_known,
)

D = date
LOGGER = "gonghui.workdays"
# The first year the installed library does not know (2027 with chinesecalendar 1.11.0).
# Computed, so the tests keep working when the package gains a year.
UNKNOWN = library_years().stop


@pytest.fixture(autouse=True)
def _fresh_calendar():
    set_override_provider(None)
    wd.clear_caches(reset_warnings=True)
    yield
    set_override_provider(None)
    wd.clear_caches(reset_warnings=True)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _fallback_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


# --- what the library knows ----------------------------------------------------------------


def test_library_years_cover_2025_and_2026():
    years = library_years()
    assert years.start == 2004
    assert 2025 in years and 2026 in years
    assert set(years) <= known_years()
    assert year_is_known(2025) and year_is_known(2026)
    assert not year_is_known(UNKNOWN) and not year_is_known(2003)


def test_2025_facts():
    # 2025-01-26 (Sunday) and 2025-02-08 (Saturday): make-up working days for Spring Festival.
    for d in (D(2025, 1, 26), D(2025, 2, 8)):
        assert d.weekday() >= 5
        assert is_workday(d)
        assert holiday_name(d) is None
        assert day_info(d).makeup_for == "春节"
    # Spring Festival 2025-01-28 .. 2025-02-04.
    assert all(holiday_name(d) == "春节" for d in _days(D(2025, 1, 28), D(2025, 2, 4)))
    # National Day + Mid-autumn 2025-10-01 .. 10-08; the library tags 10-06 as 中秋节.
    golden_week = _days(D(2025, 10, 1), D(2025, 10, 8))
    assert not any(is_workday(d) for d in golden_week)
    assert [holiday_name(d) for d in golden_week] == ["国庆节"] * 5 + ["中秋节"] + ["国庆节"] * 2
    # Make-up working days around it: Sunday 09-28 and Saturday 10-11.
    assert is_workday(D(2025, 9, 28)) and is_workday(D(2025, 10, 11))
    assert day_info(D(2025, 10, 11)).makeup_for == "国庆节"
    # Other names are mapped to the official Chinese names.
    assert holiday_name(D(2025, 1, 1)) == "元旦"
    assert holiday_name(D(2025, 4, 4)) == "清明节"
    assert holiday_name(D(2025, 5, 1)) == "劳动节"
    assert holiday_name(D(2025, 5, 31)) == "端午节"
    # An ordinary weekend has no name, an ordinary weekday is a working day.
    assert holiday_name(D(2025, 3, 8)) is None and not is_workday(D(2025, 3, 8))
    assert is_workday(D(2025, 3, 10))
    # Our answers agree with the library's public API for the whole year.
    for d in _days(D(2025, 1, 1), D(2025, 12, 31)):
        assert is_workday(d) == chinese_calendar.is_workday(d), d


def test_2026_facts():
    # Spring Festival 2026-02-15 .. 02-23 (9 days); make-up Saturdays 02-14 and 02-28.
    spring = _days(D(2026, 2, 15), D(2026, 2, 23))
    assert [holiday_name(d) for d in spring] == ["春节"] * 9
    assert not any(is_workday(d) for d in spring)
    for d in (D(2026, 2, 14), D(2026, 2, 28)):
        assert d.weekday() == 5 and is_workday(d)
        assert day_info(d).makeup_for == "春节"
    # New Year 2026-01-01 .. 01-03, make-up Sunday 01-04.
    assert [holiday_name(d) for d in _days(D(2026, 1, 1), D(2026, 1, 3))] == ["元旦"] * 3
    assert is_workday(D(2026, 1, 4))
    # National Day 2026-10-01 .. 10-07, make-up 09-20 (Sunday) and 10-10 (Saturday).
    assert all(holiday_name(d) == "国庆节" for d in _days(D(2026, 10, 1), D(2026, 10, 7)))
    assert is_workday(D(2026, 9, 20)) and is_workday(D(2026, 10, 10))


def test_2015_anti_fascist_day_has_a_chinese_name():
    assert holiday_name(D(2015, 9, 3)) == "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"


def test_day_info_of_a_library_day():
    info = day_info(D(2025, 10, 6))
    assert info == wd.DayInfo(D(2025, 10, 6), False, "中秋节", None, False, False)


# --- counting rules ------------------------------------------------------------------------


def test_deadline_spanning_2025_national_day():
    # Event on Friday 2025-09-26; the period starts the next day (Civil Code art. 201):
    # 09-28 Sun (make-up) 1, 09-29 2, 09-30 3, [10-01..10-08 holiday], 10-09 4, 10-10 5.
    assert add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 10)
    assert working_days_between(D(2025, 9, 26), D(2025, 10, 10)) == 5
    assert add_working_days(D(2025, 9, 26), 4) == D(2025, 10, 9)


def test_make_up_saturday_counts_as_working_day():
    # Sixth working day after 2025-09-26 is Saturday 10-11, a make-up working day.
    assert add_working_days(D(2025, 9, 26), 6) == D(2025, 10, 11)
    assert next_workday(D(2025, 10, 10)) == D(2025, 10, 11)
    # and the ordinary Sunday after it is not: next after 10-11 is Monday 10-13.
    assert next_workday(D(2025, 10, 11)) == D(2025, 10, 13)
    # Before the holiday the make-up Sunday 09-28 is the next working day after Friday 09-26.
    assert next_workday(D(2025, 9, 26)) == D(2025, 9, 28)


def test_n_zero_returns_start_or_next_working_day():
    assert add_working_days(D(2025, 9, 30), 0) == D(2025, 9, 30)  # a working day
    assert add_working_days(D(2025, 9, 28), 0) == D(2025, 9, 28)  # make-up Sunday
    assert add_working_days(D(2025, 10, 1), 0) == D(2025, 10, 9)  # holiday -> after it
    assert add_working_days(D(2025, 3, 8), 0) == D(2025, 3, 10)  # Saturday -> Monday
    with pytest.raises(ValueError):
        add_working_days(D(2025, 3, 8), -1)


def test_start_on_a_holiday_counts_from_the_next_working_day():
    assert add_working_days(D(2025, 10, 3), 1) == D(2025, 10, 9)
    assert add_working_days(D(2025, 10, 3), 2) == D(2025, 10, 10)


def test_year_boundary_uses_both_years():
    # 2025-12-31 Wed; 2026-01-01..03 元旦, 01-04 Sunday make-up working day.
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert working_days_between(D(2025, 12, 31), D(2026, 1, 5)) == 2
    assert working_days_between(D(2024, 12, 31), D(2026, 12, 31)) == sum(
        chinese_calendar.is_workday(d) for d in _days(D(2025, 1, 1), D(2026, 12, 31))
    )


def test_working_days_between_is_negative_when_overdue():
    deadline = D(2025, 10, 10)
    assert working_days_between(D(2025, 10, 10), deadline) == 0
    assert working_days_between(D(2025, 10, 9), deadline) == 1
    # Today 10-13: 10-11 (make-up Saturday) and 10-13 have passed -> overdue by 2.
    assert working_days_between(D(2025, 10, 13), deadline) == -2
    # Over a holiday nothing is lost: 10-08 to 10-01 is zero working days either way.
    assert working_days_between(D(2025, 10, 8), D(2025, 10, 1)) == 0


def test_calendar_deadline_rolls_forward_from_holiday_and_weekend():
    # 2025-09-21 + 10 days = 10-01 (National Day) -> first working day after: 10-09 (art. 203).
    assert calendar_deadline(D(2025, 9, 21), 10) == D(2025, 10, 9)
    # 2025-10-22 + 10 days = Saturday 11-01 -> Monday 11-03.
    assert calendar_deadline(D(2025, 10, 22), 10) == D(2025, 11, 3)
    # Ending on a make-up Saturday (2025-10-11): it is a working day, no roll.
    assert calendar_deadline(D(2025, 10, 1), 10) == D(2025, 10, 11)
    # Ordinary working day: unchanged.
    assert calendar_deadline(D(2025, 3, 3), 15) == D(2025, 3, 18)
    with pytest.raises(ValueError):
        calendar_deadline(D(2025, 3, 3), -1)


def test_matches_brute_force_on_library_data():
    # Reference answers straight from chinese_calendar.is_workday, counted day by day.
    first, last = D(2024, 1, 1), D(2026, 12, 31)
    ref = {d: chinese_calendar.is_workday(d) for d in _days(first, last)}
    rng = random.Random(20251001)
    for _ in range(500):
        start = D.fromordinal(rng.randint(first.toordinal(), D(2026, 9, 30).toordinal()))
        n = rng.randint(0, 60)
        d, count = start, 0
        if n == 0:
            while not ref[d]:
                d += timedelta(days=1)
        while count < n:
            d += timedelta(days=1)
            count += ref[d]
        assert add_working_days(start, n) == d, (start, n)
        end = D.fromordinal(rng.randint(first.toordinal(), last.toordinal()))
        lo, hi = sorted((start, end))
        expected = sum(ref[x] for x in _days(lo + timedelta(days=1), hi))
        assert working_days_between(start, end) == (expected if end >= start else -expected)


# --- fallback for unknown years --------------------------------------------------------------


def test_unknown_year_falls_back_to_weekends_and_warns_once(caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    jan = _days(D(UNKNOWN, 1, 1), D(UNKNOWN, 1, 31))
    for d in jan:
        assert is_workday(d) == (d.weekday() < 5)
        assert holiday_name(d) is None
    deadline = add_working_days(D(UNKNOWN - 1, 12, 20), 20)
    working_days_between(D(UNKNOWN - 1, 12, 1), D(UNKNOWN, 3, 1))
    assert len(_fallback_warnings(caplog)) == 1
    assert str(UNKNOWN) in _fallback_warnings(caplog)[0].getMessage()

    # Flagged as a guess.
    assert not year_is_known(UNKNOWN)
    assert UNKNOWN not in known_years()
    assert day_info(jan[0]).is_fallback
    assert not day_info(D(UNKNOWN - 1, 12, 20)).is_fallback
    assert not span_is_known(D(UNKNOWN - 1, 12, 20), deadline)
    assert span_is_known(D(2025, 1, 1), D(2026, 12, 31))

    # Once per process: clearing the caches (e.g. after an override edit) does not repeat it.
    wd.clear_caches()
    assert is_workday(jan[5]) == (jan[5].weekday() < 5)
    assert len(_fallback_warnings(caplog)) == 1

    # A different unknown year warns on its own, once.
    is_workday(D(2003, 6, 2))
    is_workday(D(2003, 6, 3))
    assert len(_fallback_warnings(caplog)) == 2


# --- administrator overrides ---------------------------------------------------------------


def test_overrides_win_over_library():
    calls = []

    def provider():
        calls.append(1)
        return {
            # Pretend the State Council made 2025-10-08 a working day and 10-09 a holiday.
            D(2025, 10, 8): (True, "国庆节"),
            D(2025, 10, 9): (False, "国庆节"),
        }

    set_override_provider(provider)
    assert is_workday(D(2025, 10, 8))
    assert not is_workday(D(2025, 10, 9)) and holiday_name(D(2025, 10, 9)) == "国庆节"
    info = day_info(D(2025, 10, 8))
    assert info.overridden and info.makeup_for == "国庆节" and not info.is_fallback
    assert not day_info(D(2025, 10, 7)).overridden
    # The deadline over the holiday moves accordingly: 09-28 1, 09-29 2, 09-30 3, 10-08 4.
    assert add_working_days(D(2025, 9, 26), 4) == D(2025, 10, 8)
    assert add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 10)
    # The provider is read once and cached until clear_caches().
    assert len(calls) == 1
    wd.clear_caches()
    assert is_workday(D(2025, 10, 8))
    assert len(calls) == 2


def test_overrides_make_an_unknown_year_known(caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    new_year = D(UNKNOWN, 1, 1)
    schedule = {new_year + timedelta(days=i): (False, "元旦") for i in range(3)}
    set_override_provider(lambda: schedule)

    assert year_is_known(UNKNOWN) and UNKNOWN in known_years()
    assert all(not is_workday(d) and holiday_name(d) == "元旦" for d in schedule)
    # Days not overridden follow the weekend rule, but are not a fallback any more.
    jan10 = D(UNKNOWN, 1, 10)
    assert is_workday(jan10) == (jan10.weekday() < 5)
    assert not day_info(jan10).is_fallback
    assert span_is_known(D(UNKNOWN - 1, 12, 1), D(UNKNOWN, 6, 30))
    assert _fallback_warnings(caplog) == []

    # Removing the provider makes the year a fallback again.
    set_override_provider(None)
    assert not year_is_known(UNKNOWN)
    assert is_workday(new_year) == (new_year.weekday() < 5)
    assert len(_fallback_warnings(caplog)) == 1


def test_bad_override_is_rejected():
    set_override_provider(lambda: {"2025-10-08": (True, "")})
    with pytest.raises(TypeError):
        is_workday(D(2025, 10, 8))
    set_override_provider(lambda: {D(2025, 10, 8): True})
    with pytest.raises(TypeError):
        is_workday(D(2025, 10, 8))


# --- paused case clocks --------------------------------------------------------------------


def test_pause_extends_deadline_by_paused_working_days():
    start = D(2025, 3, 3)  # Monday
    assert add_working_days(start, 10) == D(2025, 3, 17)
    pause = [(D(2025, 3, 5), D(2025, 3, 11))]  # working days 5,6,7,10,11 -> 5
    assert working_days_between(D(2025, 3, 4), D(2025, 3, 11)) == 5
    deadline = add_working_days_excluding(start, 10, pause)
    assert deadline == add_working_days(D(2025, 3, 17), 5) == D(2025, 3, 24)
    assert working_days_elapsed(start, deadline, pause) == 10
    assert working_days_elapsed(start, deadline) == 15
    # Overlapping and duplicated intervals count each paused day once.
    twice = [(D(2025, 3, 5), D(2025, 3, 7)), (D(2025, 3, 6), D(2025, 3, 11)), pause[0]]
    assert add_working_days_excluding(start, 10, twice) == D(2025, 3, 24)


def test_pause_over_a_holiday_only_costs_its_working_days():
    # Pause 09-29..10-10 holds 4 working days (09-29, 09-30, 10-09, 10-10).
    pause = [(D(2025, 9, 29), D(2025, 10, 10))]
    deadline = add_working_days_excluding(D(2025, 9, 26), 5, pause)
    assert deadline == add_working_days(D(2025, 10, 10), 4) == D(2025, 10, 15)


def test_pause_edge_cases():
    start = D(2025, 3, 3)
    # A pause before the start or covering only the start day changes nothing.
    assert add_working_days_excluding(start, 3, [(D(2025, 2, 1), D(2025, 3, 3))]) == D(2025, 3, 6)
    # A pause starting on the day after the start.
    assert add_working_days_excluding(start, 1, [(D(2025, 3, 4), D(2025, 3, 4))]) == D(2025, 3, 5)
    # n == 0: start if it counts, else the first counting day.
    assert add_working_days_excluding(start, 0, []) == start
    assert add_working_days_excluding(start, 0, [(start, D(2025, 3, 4))]) == D(2025, 3, 5)
    with pytest.raises(ValueError):
        add_working_days_excluding(start, 1, [(D(2025, 3, 5), D(2025, 3, 4))])
    with pytest.raises(ValueError):
        add_working_days_excluding(start, -1, [])
    # Elapsed before the clock starts, and with a pause still running (ends "today").
    assert working_days_elapsed(start, start) == 0
    assert working_days_elapsed(start, D(2025, 3, 1)) == 0
    today = D(2025, 3, 12)
    assert working_days_elapsed(start, today, [(D(2025, 3, 10), today)]) == 4


def test_pause_round_trip_random():
    rng = random.Random(7)
    base = D(2024, 1, 1).toordinal()
    for _ in range(300):
        start = D.fromordinal(base + rng.randint(0, 900))
        n = rng.randint(1, 60)
        pauses = []
        for _ in range(rng.randint(0, 3)):
            a = start + timedelta(days=rng.randint(-10, 60))
            pauses.append((a, a + timedelta(days=rng.randint(0, 20))))
        deadline = add_working_days_excluding(start, n, pauses)
        assert is_workday(deadline)
        assert not any(a <= deadline <= b for a, b in pauses)
        assert working_days_elapsed(start, deadline, pauses) == n
        assert working_days_elapsed(start, deadline - timedelta(days=1), pauses) == n - 1
