import datetime as dt

import pytest

from gonghui.core import calendar, workdays
from gonghui.core.models import CalendarDay


@pytest.fixture
def fresh_calendar():
    calendar.calendar_changed()
    yield
    calendar.calendar_changed()


@pytest.mark.django_db
def test_days_entered_by_an_administrator_win_over_the_fallback(fresh_calendar):
    year = max(workdays.library_years()) + 1
    new_year = dt.date(year, 1, 1)
    assert not workdays.year_is_known(year)
    CalendarDay.objects.create(date=new_year, is_workday=False, name="元旦")
    calendar.calendar_changed()
    assert workdays.year_is_known(year)
    assert workdays.is_workday(new_year) is False or new_year.weekday() >= 5
    assert workdays.holiday_name(new_year) == "元旦"


@pytest.mark.django_db
def test_a_deadline_counts_working_days_across_national_day(fresh_calendar):
    # 2025-09-30 (Tuesday) + 3 working days: Oct 1–8 are the holiday, so Oct 9, 10 and the
    # make-up Saturday Oct 11.
    assert workdays.add_working_days(dt.date(2025, 9, 30), 3) == dt.date(2025, 10, 11)
