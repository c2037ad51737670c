"""Early warning: the three rules, their thresholds and windows, one alert growing, the Spring
Festival date, acknowledging and closing, and the list of alerts left unacknowledged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.core import workdays
from gonghui.notifications.models import Notification
from gonghui.rights import warning
from gonghui.rights.models import Alert, AlertRule, AlertStatus, RightsSettings
from gonghui.rights.services.intake import case_create
from tests.world import make_employer

TZ = timezone.get_fixed_timezone(480)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TZ)


@pytest.fixture
def employer(world):
    return make_employer("丙方劳务有限公司", world.union_a, world.union_a, 7)


@pytest.fixture
def builder(world):
    employer_e = make_employer("丁方建筑工程有限公司", world.union_a, world.union_a, 8)
    employer_e.industry = "E"
    employer_e.save()
    return employer_e


def complain(world, when, employer=None, **extra):
    extra.setdefault("category", "complaint.wage_arrears")
    extra.setdefault("complainant_name", "王五")
    return case_create(
        by=world.township_staff,
        channel="walk_in",
        description="老板拖欠三个月工资不发。",
        employer=employer,
        received_at=when,
        **extra,
    ).case


BASELINE: set[int] = set()


@pytest.fixture(autouse=True)
def _baseline(request):
    """The test world holds an alert per side already: these tests look only at new ones."""
    BASELINE.clear()
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        BASELINE.update(Alert.objects.values_list("pk", flat=True))


def alerts(rule=None):
    qs = Alert.objects.exclude(pk__in=BASELINE).order_by("pk")
    return list(qs.filter(rule=rule) if rule else qs)


# --- cluster -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cluster_fires_at_exactly_the_threshold_and_not_before(world, employer):
    complain(world, at("2026-03-02"), employer)
    complain(world, at("2026-03-04"), employer)
    assert alerts(AlertRule.CLUSTER) == []
    third = complain(world, at("2026-03-05"), employer)
    (alert,) = alerts(AlertRule.CLUSTER)
    assert alert.employer == employer
    assert set(alert.cases.all()) == set(third.employer.cases.all())
    assert alert.cases.count() == 3
    assert "3" in alert.summary


@pytest.mark.django_db
def test_the_window_counts_days_from_the_day_after_so_the_seventh_day_is_inside(world, employer):
    # Civil Code art. 201: 7 days after 03-02 runs 03-03 … 03-09; 以内 includes the 7th day.
    complain(world, at("2026-03-02", 9), employer)
    complain(world, at("2026-03-05"), employer)
    complain(world, at("2026-03-09", 23), employer)
    assert len(alerts(AlertRule.CLUSTER)) == 1


@pytest.mark.django_db
def test_a_complaint_on_the_eighth_day_is_outside_the_window(world, employer):
    complain(world, at("2026-03-02", 9), employer)
    complain(world, at("2026-03-05"), employer)
    complain(world, at("2026-03-10", 8), employer)
    assert alerts(AlertRule.CLUSTER) == []


@pytest.mark.django_db
def test_the_same_alert_grows_instead_of_a_second_one(world, employer):
    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        complain(world, at(day), employer)
    fourth = complain(world, at("2026-03-05"), employer, workers_affected=4)
    (alert,) = alerts(AlertRule.CLUSTER)
    assert alert.cases.count() == 4
    assert fourth in alert.cases.all()
    assert alert.workers_affected == 1 + 1 + 1 + 4
    # much later, still open: a new complaint joins it, even alone in its window
    late = complain(world, at("2026-05-20"), employer)
    assert alerts(AlertRule.CLUSTER) == [alert]
    assert late in alert.cases.all()


@pytest.mark.django_db
def test_after_an_alert_is_closed_a_new_cluster_raises_a_new_alert(world, employer):
    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        complain(world, at(day), employer)
    (first,) = alerts(AlertRule.CLUSTER)
    warning.alert_close(by=world.county_admin, alert=first, action_taken="约谈企业负责人")
    for day in ("2026-06-01", "2026-06-02", "2026-06-03"):
        complain(world, at(day), employer)
    assert len(alerts(AlertRule.CLUSTER)) == 2


@pytest.mark.django_db
def test_an_unmatched_employer_clusters_by_the_name_given(world):
    for day in ("2026-03-02", "2026-03-03"):
        complain(world, at(day), employer_text="某某无名装修队")
    complain(world, at("2026-03-03"), employer_text="另一家公司")
    assert alerts() == []
    complain(world, at("2026-03-04"), employer_text="某某无名装修队")
    (alert,) = alerts(AlertRule.CLUSTER)
    assert alert.employer is None and alert.employer_name_given == "某某无名装修队"
    # raised where the cases were received when the employer is unknown
    assert alert.organization == world.township_a


@pytest.mark.django_db
def test_consultations_do_not_count_as_complaints(world, employer):
    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        complain(world, at(day), employer, category="consultation.wages")
    assert alerts() == []


@pytest.mark.django_db
def test_the_thresholds_come_from_the_settings(world, employer):
    rules = RightsSettings.current()
    rules.warning_cases = 2
    rules.warning_window_days = 1
    rules.save()
    complain(world, at("2026-03-02"), employer)
    complain(world, at("2026-03-04"), employer)
    assert alerts() == []
    complain(world, at("2026-03-05"), employer)
    assert len(alerts(AlertRule.CLUSTER)) == 1


# --- collective --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_collective_fires_at_ten_workers_not_nine(world, employer):
    complain(world, at("2026-03-02"), employer, workers_affected=9)
    assert alerts(AlertRule.COLLECTIVE) == []
    ten = complain(world, at("2026-04-02"), employer, workers_affected=10)
    (alert,) = alerts(AlertRule.COLLECTIVE)
    assert list(alert.cases.all()) == [ten]
    assert alert.workers_affected == 10


@pytest.mark.django_db
def test_collective_counts_the_listed_workers(world, employer):
    parties = [{"name": f"工人{i}", "amount_claimed": "1000"} for i in range(10)]
    complain(world, at("2026-03-02"), employer, parties=parties)
    assert len(alerts(AlertRule.COLLECTIVE)) == 1


@pytest.mark.django_db
def test_an_alert_is_raised_to_the_federation_above_the_employer_and_its_supervisors_told(
    world, employer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complain(world, at("2026-03-02"), employer, workers_affected=12)
    (alert,) = alerts(AlertRule.COLLECTIVE)
    assert alert.organization == world.county  # the employer sits under township A
    told = Notification.objects.filter(url__endswith=f"/alerts/{alert.pk}/")
    assert {n.recipient for n in told} == {world.county_admin}
    # township staff cannot see an alert raised to the county
    assert alert not in Alert.objects.visible_to(world.township_staff)


# --- festival ----------------------------------------------------------------------------------


def test_lunar_new_year_2027_is_february_6():
    assert warning.spring_festival(2027) == dt.date(2027, 2, 6)


def test_the_lunar_new_year_table_agrees_with_chinese_calendars_holidays():
    known = list(workdays.library_years())
    assert known and known[0] <= 2004 and known[-1] >= 2026
    for year in known:
        block = warning.spring_festival_holiday(year)
        assert block, year
        assert warning.LUNAR_NEW_YEAR[year] in block, year
        assert block[0] <= warning.LUNAR_NEW_YEAR[year] <= block[-1]


def test_the_library_does_not_know_2027_so_the_table_carries_it():
    import chinese_calendar

    assert warning.spring_festival_holiday(2027) == []
    with pytest.raises(NotImplementedError):
        chinese_calendar.get_holiday_detail(dt.date(2027, 2, 6))
    assert warning.next_spring_festival(dt.date(2026, 12, 8)) == dt.date(2027, 2, 6)


def test_every_lunar_new_year_falls_between_january_21_and_february_20():
    for year, day in warning.LUNAR_NEW_YEAR.items():
        assert day.year == year
        assert dt.date(year, 1, 21) <= day <= dt.date(year, 2, 20)


def test_a_year_outside_the_table_switches_the_rule_off(caplog):
    assert warning.spring_festival(2099) is None
    assert warning.next_spring_festival(dt.date(2098, 12, 1)) is None
    assert "2099" in caplog.text


def test_november_and_december_lead_to_the_next_years_festival():
    assert warning.next_spring_festival(dt.date(2026, 11, 1)) == dt.date(2027, 2, 6)
    assert warning.next_spring_festival(dt.date(2026, 1, 10)) == dt.date(2026, 2, 17)
    assert warning.next_spring_festival(dt.date(2026, 2, 18)) is None  # this year's has passed
    assert warning.days_before_festival(dt.date(2026, 12, 8)) == 60


@pytest.mark.django_db
def test_festival_fires_60_days_before_spring_festival_2027_not_61(world, builder):
    complain(world, at("2026-12-07"), builder)  # 61 days before 2027-02-06
    assert alerts(AlertRule.FESTIVAL_ARREARS) == []
    case = complain(world, at("2026-12-08"), builder)  # 60 days
    (alert,) = alerts(AlertRule.FESTIVAL_ARREARS)
    assert list(alert.cases.all()) == [case]
    assert "60" in alert.summary


@pytest.mark.django_db
def test_festival_in_a_year_the_library_knows(world, employer):
    # 2026's Spring Festival is 02-17; a named project makes it construction.
    complain(world, at("2025-12-18"), employer, project_name="东湖安置小区二期")  # 61 days
    assert alerts(AlertRule.FESTIVAL_ARREARS) == []
    complain(world, at("2025-12-19"), employer, project_name="东湖安置小区二期")
    complain(world, at("2026-02-17"), employer, project_name="东湖安置小区二期")  # the day itself
    (alert,) = alerts(AlertRule.FESTIVAL_ARREARS)
    assert alert.cases.count() == 2
    complain(world, at("2026-02-18"), employer, project_name="东湖安置小区二期")  # after it
    assert alerts(AlertRule.FESTIVAL_ARREARS)[0].cases.count() == 2


@pytest.mark.django_db
def test_festival_needs_construction_and_wage_arrears(world, employer, builder):
    complain(world, at("2027-01-10"), employer)  # manufacturing, no project
    complain(world, at("2027-01-10"), builder, category="complaint.overtime")
    assert alerts(AlertRule.FESTIVAL_ARREARS) == []


# --- acting on alerts --------------------------------------------------------------------------


@pytest.fixture
def alert(world, employer):
    complain(world, at("2026-03-02"), employer, workers_affected=15)
    return alerts(AlertRule.COLLECTIVE)[0]


@pytest.mark.django_db
def test_acknowledge_keeps_who_and_when_and_cannot_happen_twice(world, alert):
    done = warning.alert_acknowledge(by=world.county_admin, alert=alert)
    assert done.status == AlertStatus.ACKNOWLEDGED
    assert done.acknowledged_by == world.county_admin and done.acknowledged_at is not None
    with pytest.raises(ValidationError) as exc:
        warning.alert_acknowledge(by=world.county_admin, alert=alert)
    assert "Already acknowledged by" in exc.value.message_dict["status"][0]


@pytest.mark.django_db
def test_closing_needs_the_action_taken(world, alert):
    with pytest.raises(ValidationError) as exc:
        warning.alert_close(by=world.county_admin, alert=alert, action_taken="   ")
    assert exc.value.message_dict == {"action_taken": ["Say what was done about it."]}
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and alert.closed_at is None
    closed = warning.alert_close(
        by=world.county_admin, alert=alert, action_taken="会同人社局约谈，已补发工资"
    )
    assert closed.status == AlertStatus.CLOSED
    assert closed.action_taken == "会同人社局约谈，已补发工资"
    assert closed.closed_by == world.county_admin
    assert closed.acknowledged_by == world.county_admin  # closing acknowledges too
    with pytest.raises(ValidationError):
        warning.alert_close(by=world.county_admin, alert=alert, action_taken="again")


@pytest.mark.django_db
def test_only_supervisors_of_the_alerts_subtree_act_on_it(world, alert):
    for user in (world.township_staff, world.auditor, world.mediator, world.admin_a):
        with pytest.raises(PermissionDenied):
            warning.alert_acknowledge(by=user, alert=alert)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


@pytest.mark.django_db
def test_an_alert_unacknowledged_for_a_working_day_is_listed(world, alert):
    friday = at("2026-11-20", 10)  # a Friday
    Alert.objects.filter(pk=alert.pk).update(raised_at=friday)
    assert list(warning.alerts_unacknowledged(dt.date(2026, 11, 20))) == []
    assert list(warning.alerts_unacknowledged(dt.date(2026, 11, 22))) == []  # the weekend
    assert list(warning.alerts_unacknowledged(dt.date(2026, 11, 23))) == [alert]  # Monday
    warning.alert_acknowledge(by=world.county_admin, alert=alert)
    assert list(warning.alerts_unacknowledged(dt.date(2026, 11, 23))) == []


@pytest.mark.django_db
def test_the_national_day_holiday_is_not_a_working_day_for_the_alert(world, alert):
    # Raised on 2026-09-30 (Wednesday); 10-01 … 10-07 are the National Day holiday.
    Alert.objects.filter(pk=alert.pk).update(raised_at=at("2026-09-30", 16))
    assert list(warning.alerts_unacknowledged(dt.date(2026, 10, 7))) == []
    assert list(warning.alerts_unacknowledged(dt.date(2026, 10, 8))) == [alert]
