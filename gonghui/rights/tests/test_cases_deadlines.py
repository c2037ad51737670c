"""Deadlines on the official calendar: National Day 2026 and its make-up Saturday, pauses,
due-soon and overdue lists, escalation once, and the daily run's reminders once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from gonghui.notifications.models import Notification
from gonghui.rights import deadlines, selectors
from gonghui.rights.models import Case, CaseEvent, EventKind
from gonghui.rights.services import cases as services
from gonghui.rights.tasks_cases import rights_daily_run

D = dt.date


@pytest.fixture
def day(monkeypatch):
    """Set the date the services and the daily run read."""

    class Clock:
        def set(self, value: dt.date):
            monkeypatch.setattr(deadlines, "today", lambda: value)

    return Clock()


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def accepted(world, day):
    # 2026-09-30 is the last working day before National Day (1–7 Oct); Saturday 10 Oct is a
    # make-up working day (State Council notice for 2026).
    day.set(D(2026, 9, 30))
    return services.case_accept(by=world.township_staff, case=world.side_a.case, tier="general")


def test_seven_working_days_from_30_september_skip_national_day_and_count_its_saturday(accepted):
    c = fresh(accepted)
    assert (c.accepted_on, c.time_limit_days) == (D(2026, 9, 30), 7)
    # 8, 9, 10 (make-up Saturday), 12, 13, 14, 15 October
    assert c.due_on == D(2026, 10, 15)
    assert deadlines.working_days_used(c, D(2026, 10, 7)) == 0
    assert deadlines.working_days_used(c, D(2026, 10, 10)) == 3


def test_a_pause_moves_the_due_date_by_the_working_days_it_stood_still(world, accepted, day):
    day.set(D(2026, 10, 9))
    services.case_pause(by=world.township_staff, case=accepted, reason="worker", note="等工资条")
    c = fresh(accepted)
    assert c.paused and c.due_on == D(2026, 10, 15)
    assert deadlines.clock(c, D(2026, 10, 11)).state == "paused"
    assert deadlines.working_days_used(c, D(2026, 10, 11)) == 1  # only 8 October ran
    day.set(D(2026, 10, 12))
    services.case_resume(by=world.township_staff, case=accepted)
    c = fresh(accepted)
    # 9 and 10 October (a Friday and the make-up Saturday) did not count: two days later
    assert (c.paused, c.due_on) == (False, D(2026, 10, 19))
    pause = c.pauses.get()
    assert (pause.reason, pause.started_on, pause.ended_on, pause.note) == (
        "worker",
        D(2026, 10, 9),
        D(2026, 10, 12),
        "等工资条",
    )
    assert deadlines.working_days_used(c, D(2026, 10, 12)) == 2
    resumed = c.events.get(kind=EventKind.RESUMED)
    assert resumed.data["due_before"] == "2026-10-15" and resumed.data["due_on"] == "2026-10-19"


def test_pausing_twice_or_resuming_a_running_clock_is_refused(world, accepted, day):
    from django.core.exceptions import ValidationError

    day.set(D(2026, 10, 9))
    with pytest.raises(ValidationError, match="not paused"):
        services.case_resume(by=world.township_staff, case=accepted)
    services.case_pause(by=world.township_staff, case=accepted, reason="outside")
    with pytest.raises(ValidationError, match="already paused"):
        services.case_pause(by=world.township_staff, case=accepted, reason="worker")
    with pytest.raises(ValidationError, match="before 2026-10-09"):
        services.case_resume(by=world.township_staff, case=accepted, on=D(2026, 10, 8))
    with pytest.raises(ValidationError, match="future"):
        services.case_resume(by=world.township_staff, case=accepted, on=D(2026, 10, 20))
    assert fresh(accepted).paused


def test_due_soon_then_overdue_lists_and_a_paused_case_is_neither(world, accepted, day):
    user = world.township_staff
    assert list(selectors.due_soon(user, D(2026, 10, 13))) == [accepted]  # due 15th, within 2
    assert not selectors.due_soon(user, D(2026, 10, 9)).exists()
    assert not selectors.overdue(user, D(2026, 10, 15)).exists()  # the due day itself is on time
    assert list(selectors.overdue(user, D(2026, 10, 16))) == [accepted]
    assert not selectors.overdue(world.outsider, D(2026, 10, 16)).exists()
    assert deadlines.clock(fresh(accepted), D(2026, 10, 19)).left == -2
    day.set(D(2026, 10, 16))
    services.case_pause(by=world.township_staff, case=accepted, reason="outside")
    assert not selectors.overdue(user, D(2026, 10, 16)).exists()


def test_an_overdue_case_is_escalated_to_the_parent_once(world, accepted, day):
    day.set(D(2026, 10, 16))
    first = rights_daily_run(today=D(2026, 10, 16))
    assert first["escalated"] == 1
    c = fresh(accepted)
    assert c.escalated_at is not None
    event = c.events.get(kind=EventKind.ESCALATED)
    assert world.county.name in event.internal_note and event.public_text == ""
    # the county's dispatchers are told; a mediator (no dispatch right) is not
    assert Notification.objects.filter(
        recipient=world.county_admin, title__contains=c.number
    ).exists()
    assert not Notification.objects.filter(recipient=world.mediator).exists()
    second = rights_daily_run(today=D(2026, 10, 19))
    assert second["escalated"] == 0
    assert CaseEvent.objects.filter(case=c, kind=EventKind.ESCALATED).count() == 1


def test_due_soon_notices_go_to_the_handler_once(world, accepted, day):
    services.case_assign(
        by=world.township_staff,
        case=accepted,
        organization=world.union_a,
        handler=world.union_chair,
    )
    Notification.objects.all().delete()
    assert rights_daily_run(today=D(2026, 10, 13))["due_soon_notices"] == 1
    assert rights_daily_run(today=D(2026, 10, 14))["due_soon_notices"] == 0
    notice = Notification.objects.get(recipient=world.union_chair)
    assert "2026-10-15" in notice.title


def test_an_overdue_supervision_report_is_reminded_once(world, day):
    call_command("rights_daily", today="2026-12-03", stdout=open("/dev/null", "w"))
    handler_notices = Notification.objects.filter(title__contains="Supervision report overdue")
    assert handler_notices.filter(recipient=world.admin_a).exists()  # who flagged it
    # township B's staff hear of their own case only
    outsider_titles = " ".join(
        handler_notices.filter(recipient=world.outsider).values_list("title", flat=True)
    )
    assert world.side_b.case.number in outsider_titles
    assert world.side_a.case.number not in outsider_titles
    count = handler_notices.count()
    call_command("rights_daily", today="2026-12-04", stdout=open("/dev/null", "w"))
    assert handler_notices.count() == count


def test_a_case_not_accepted_in_time_is_listed_and_escalated(world):
    case = world.side_a.case
    Case.objects.filter(pk=case.pk).update(accept_due=D(2026, 10, 1))
    assert list(selectors.accept_overdue(world.township_staff, D(2026, 10, 8))) == [fresh(case)]
    assert deadlines.is_overdue(fresh(case), D(2026, 10, 8))
    assert rights_daily_run(today=D(2026, 10, 8))["escalated"] >= 1
    assert fresh(case).escalated_at is not None


def test_concluding_after_the_due_date_is_marked_late_with_the_working_days_used(
    world, accepted, day
):
    services.case_assign(by=world.township_staff, case=accepted, organization=world.union_a)
    services.case_start_handling(by=world.union_chair, case=accepted, method="coordination")
    day.set(D(2026, 10, 19))
    services.case_conclude(
        by=world.union_chair, case=accepted, outcome="已协调", solved=True, workers_benefited=3
    )
    c = fresh(accepted)
    # 8, 9, 10, 12, 13, 14, 15, 16, 19 October
    assert (c.handling_days, c.concluded_late) == (9, True)
    assert c.followup_due == D(2026, 10, 26)  # five working days


def test_a_deadline_in_a_year_without_a_known_schedule_carries_a_note(world, day):
    day.set(D(2026, 12, 28))
    c = fresh(services.case_accept(by=world.township_staff, case=world.side_a.case, tier="complex"))
    assert c.due_on.year == 2027
    note = deadlines.clock(c, D(2026, 12, 28)).calendar_note
    assert "2027" in note and "not known" in note
    assert deadlines.calendar_note(D(2026, 9, 30), D(2026, 10, 15)) == ""
