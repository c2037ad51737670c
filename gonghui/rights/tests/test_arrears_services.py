"""Wage arrears on a case (workers owed, recoveries, the construction chain), special inspection
campaigns and joint meetings: outcomes, refusals named per field with nothing saved, scope."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gonghui.audit.models import AuditEntry
from gonghui.rights.models import (
    ActionItem,
    Case,
    CaseEvent,
    CaseParty,
    Inspection,
    InspectionTarget,
    JointMeeting,
    TargetStatus,
)
from gonghui.rights.services import arrears as services
from tests.world import make_employer

D = Decimal


@pytest.fixture
def case(world):
    return world.side_a.case


@pytest.fixture
def staff(world):
    return world.township_staff


def refused(exc) -> dict:
    return exc.value.message_dict


def add(staff, case, name="赵六", claimed="12000", recovered=None, **extra):
    return services.party_add(
        by=staff, case=case, name=name, amount_claimed=claimed, amount_recovered=recovered, **extra
    )


# --- workers owed and recoveries ---------------------------------------------------------------


@pytest.mark.django_db
def test_adding_workers_keeps_the_case_totals_equal_to_theirs(world, staff, case):
    add(staff, case, "赵六", "12000.50")
    add(staff, case, "钱七", "8000", "1000")
    case.refresh_from_db()
    assert case.amount_claimed == D("20000.50")
    assert case.amount_recovered == D("1000.00")
    assert isinstance(case.amount_recovered, Decimal)
    totals = services.case_totals(case)
    assert totals == {
        "workers": 2,
        "claimed": D("20000.50"),
        "recovered": D("1000.00"),
        "outstanding": D("19000.50"),
    }
    # each change is on the timeline (staff only) and in the audit log of the subtree
    assert CaseEvent.objects.filter(case=case, data__arrears="party_add").count() == 2
    entry = AuditEntry.objects.filter(object_type="rights.caseparty").first()
    assert entry.organization_path == case.organization.path
    assert "赵六" not in str(entry.changes)  # names masked in the log


@pytest.mark.django_db
def test_a_worker_is_linked_to_the_registry_by_id_number(world, staff, case):
    party = add(staff, case, world.worker_a.name, "5000", id_number=world.worker_a.id_number)
    assert party.worker == world.worker_a


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Enter an amount in yuan, such as 3500 or 3500.50."),
        ("-5", "The amount cannot be negative."),
        ("10.001", "Amounts have at most two decimal places (fen)."),
        ("1e20", "The amount is too large."),
        ("NaN", "Enter an amount in yuan, such as 3500 or 3500.50."),
    ],
)
@pytest.mark.django_db
def test_a_wrong_amount_is_refused_by_field_and_nothing_saved(world, staff, case, value, message):
    with pytest.raises(ValidationError) as exc:
        add(staff, case, "赵六", value)
    assert refused(exc) == {"amount_claimed": [message]}
    assert not case.parties.exists()
    case.refresh_from_db()
    assert case.amount_claimed == D("60000.00")  # as taken in


@pytest.mark.django_db
def test_name_and_id_number_are_checked_together(world, staff, case):
    with pytest.raises(ValidationError) as exc:
        services.party_add(
            by=staff, case=case, name=" ", amount_claimed="100", id_number="360428199001011234"
        )
    errors = refused(exc)
    assert errors["name"] == ["Enter the worker's name."]
    assert "id_number" in errors
    assert not case.parties.exists()


@pytest.mark.django_db
def test_recovered_above_owed_needs_a_confirmation(world, staff, case):
    with pytest.raises(ValidationError) as exc:
        add(staff, case, "赵六", "1000", "1200")
    assert "more than the 1,000.00 yuan owed" in refused(exc)["amount_recovered"][0]
    assert not case.parties.exists()
    party = add(staff, case, "赵六", "1000", "1200", confirm_over=True)
    assert party.amount_recovered == D("1200.00")


@pytest.mark.django_db
def test_a_recovery_adds_up_writes_an_event_the_worker_reads_and_refuses_too_much(
    world, staff, case
):
    party = add(staff, case, "赵六", "3000")
    services.recovery_record(
        by=staff, party=party, amount="1000", on=dt.date(2026, 11, 25), note="老板先付一部分"
    )
    services.recovery_record(by=staff, party=party, amount=D("1500.50"))
    party.refresh_from_db()
    case.refresh_from_db()
    assert party.amount_recovered == D("2500.50")
    assert case.amount_recovered == D("2500.50")
    event = CaseEvent.objects.filter(case=case, data__arrears="recovery").first()
    assert event.public_text == "1,000.00 yuan of unpaid wages was recovered on 2026-11-25."
    assert event.internal_note == "老板先付一部分"
    assert "赵" not in event.public_text

    with pytest.raises(ValidationError) as exc:
        services.recovery_record(by=staff, party=party, amount="500")
    assert "3,000.50 yuan would be recovered" in refused(exc)["amount"][0]
    party.refresh_from_db()
    assert party.amount_recovered == D("2500.50")
    services.recovery_record(by=staff, party=party, amount="500", confirm_over=True)
    case.refresh_from_db()
    assert case.amount_recovered == D("3000.50")


@pytest.mark.django_db
def test_a_recovery_with_a_bad_amount_or_date_is_refused_per_field(world, staff, case):
    party = add(staff, case, "赵六", "3000")
    with pytest.raises(ValidationError) as exc:
        services.recovery_record(
            by=staff, party=party, amount="0", on=dt.date.today() + dt.timedelta(days=2)
        )
    assert refused(exc) == {
        "amount": ["Enter the amount recovered (more than zero)."],
        "on": ["The date cannot be in the future."],
    }
    with pytest.raises(ValidationError) as exc:
        services.recovery_record(by=staff, party=party, amount="", on=dt.date(2020, 1, 1))
    assert refused(exc) == {
        "amount": ["Enter an amount in yuan."],
        "on": ["The date is before the case was received."],
    }
    party.refresh_from_db()
    assert party.amount_recovered == D("0")


@pytest.mark.django_db
def test_updating_and_removing_a_worker_moves_the_totals(world, staff, case):
    a = add(staff, case, "赵六", "3000")
    b = add(staff, case, "钱七", "2000", "500")
    services.party_update(by=staff, party=a, amount_claimed="3500", months="2026-05 至 2026-07")
    a.refresh_from_db()
    assert a.amount_claimed == D("3500.00") and a.name == "赵六"  # name kept when not given
    with pytest.raises(ValidationError) as exc:
        services.party_update(by=staff, party=b, amount_claimed="400")
    assert "more than the 400.00 yuan owed" in refused(exc)["amount_claimed"][0]
    services.party_remove(by=staff, party=b)
    case.refresh_from_db()
    assert case.amount_claimed == D("3500.00") and case.amount_recovered == D("0.00")
    assert not CaseParty.objects.filter(pk=b.pk).exists()


@pytest.mark.django_db
def test_the_construction_chain_is_kept_top_down(world, staff, case):
    services.construction_update(
        by=staff,
        case=case,
        project_name="东湖安置小区二期",
        general_contractor="江西某建工集团",
        subcontractors=["某劳务分包公司", " ", "张某班组"],
    )
    case.refresh_from_db()
    assert case.subcontractors == ["某劳务分包公司", "张某班组"]
    event = CaseEvent.objects.filter(case=case, data__arrears="construction").get()
    assert "江西某建工集团 → 某劳务分包公司 → 张某班组" in event.internal_note
    with pytest.raises(ValidationError) as exc:
        services.construction_update(by=staff, case=case, project_name="", general_contractor="X")
    assert refused(exc) == {"project_name": ["Name the construction project."]}


@pytest.mark.django_db
def test_others_cannot_touch_the_arrears(world, case):
    for user in (world.outsider, world.auditor):
        with pytest.raises(PermissionDenied):
            add(user, case, "赵六", "100")
    assert not case.parties.exists()


@pytest.mark.django_db
def test_a_merged_case_takes_no_more_arrears(world, staff, case):
    Case.objects.filter(pk=case.pk).update(status="merged")
    with pytest.raises(ValidationError) as exc:
        add(staff, case, "赵六", "100")
    assert "case" in refused(exc)


@pytest.mark.django_db(transaction=True)
def test_two_staff_recording_a_recovery_at_once_cannot_overpay(world):
    """Real concurrent connections on PostgreSQL: the case row lock serializes them."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")
    case = world.side_a.case
    party = add(world.township_staff, case, "赵六", "1000")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def record(user):
        from django.db import connections

        try:
            barrier.wait()
            services.recovery_record(by=user, party=party, amount="800")
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("refused: " + " ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=record, args=(u,)) for u in (world.township_staff, world.admin_a)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"]
    party.refresh_from_db()
    assert party.amount_recovered == D("800.00")


# --- special inspections -----------------------------------------------------------------------


@pytest.fixture
def campaign(world, staff):
    return services.inspection_create(
        by=staff,
        organization=world.township_a,
        name="东湖镇冬季根治欠薪专项检查",
        starts_on=dt.date(2026, 11, 15),
        ends_on=dt.date(2027, 1, 31),
    )


@pytest.mark.django_db
def test_a_campaign_needs_a_name_and_sane_dates(world, staff):
    with pytest.raises(ValidationError) as exc:
        services.inspection_create(
            by=staff,
            organization=world.township_a,
            name="",
            starts_on=dt.date(2026, 12, 1),
            ends_on=dt.date(2026, 11, 1),
        )
    assert refused(exc) == {
        "name": ["Name the campaign."],
        "ends_on": ["The last day cannot be before the first."],
    }
    with pytest.raises(PermissionDenied):
        services.inspection_create(
            by=staff,
            organization=world.township_b,
            name="x",
            starts_on=dt.date(2026, 12, 1),
            ends_on=dt.date(2026, 12, 1),
        )
    with pytest.raises(PermissionDenied):
        services.inspection_create(
            by=world.union_chair,
            organization=world.union_a,
            name="x",
            starts_on=dt.date(2026, 12, 1),
            ends_on=dt.date(2026, 12, 1),
        )
    assert not Inspection.objects.filter(name="x").exists()


@pytest.mark.django_db
def test_employers_are_added_one_by_one_or_by_filter_within_scope(world, staff, campaign):
    builder = make_employer("丁方建筑工程有限公司", world.union_a, world.union_a, 8)
    builder.industry = "E"
    builder.save()
    services.target_add(by=staff, inspection=campaign, employer=world.employer_a)
    with pytest.raises(ValidationError) as exc:
        services.target_add(by=staff, inspection=campaign, employer=world.employer_a)
    assert refused(exc) == {"employer": ["This employer is already on the list."]}
    with pytest.raises(ValidationError) as exc:
        services.target_add(by=staff, inspection=campaign, employer=world.employer_b)
    assert refused(exc) == {"employer": ["This employer is outside your scope."]}
    assert services.targets_add_filtered(by=staff, inspection=campaign, industry="E") == 1
    assert services.targets_add_filtered(by=staff, inspection=campaign, industry="E") == 0
    assert (
        services.targets_add_filtered(by=world.county_admin, inspection=campaign, industry="C")
        == 1  # employer B too for the county, employer A is already on
    )
    added = services.targets_add_filtered(
        by=staff, inspection=campaign, organization=world.township_a
    )
    assert added == 0
    assert set(campaign.targets.values_list("employer__name", flat=True)) == {
        "甲方机械有限公司",
        "丁方建筑工程有限公司",
        "乙方纺织有限公司",
    }
    with pytest.raises(ValidationError) as exc:
        services.targets_add_filtered(by=staff, inspection=campaign)
    assert "industry" in refused(exc)


@pytest.mark.django_db
def test_recording_inspections_and_follow_ups_gives_the_campaign_totals(world, staff, campaign):
    a = services.target_add(by=staff, inspection=campaign, employer=world.employer_a)
    other = make_employer("丙方劳务有限公司", world.union_a, world.union_a, 7)
    b = services.target_add(by=staff, inspection=campaign, employer=other)
    services.target_add(
        by=staff,
        inspection=campaign,
        employer=make_employer("戊方食品有限公司", world.union_a, world.union_a, 9),
    )
    services.target_record(
        by=staff,
        target=a,
        inspected_on=dt.date(2026, 11, 18),
        inspectors="王东湖、李某",
        findings="拖欠12名工人10月工资",
        arrears_found="96000",
        workers_owed=12,
        amount_recovered="40000",
        followup_due=dt.date(2026, 11, 20),
    )
    services.target_record(
        by=staff,
        target=b,
        inspected_on=dt.date(2026, 11, 19),
        inspectors="王东湖",
        findings="工资按时足额发放",
        followup_due=dt.date(2026, 12, 19),
    )
    totals = services.inspection_totals(campaign, today=dt.date(2026, 11, 25))
    assert totals["planned"] == 3 and totals["inspected"] == 2
    assert totals["arrears_found"] == D("96000.00") and totals["recovered"] == D("40000.00")
    assert totals["workers_owed"] == 12 and totals["with_arrears"] == 1
    assert totals["followups_due"] == 1 and totals["followups_overdue"] == 1
    assert totals["outstanding"] == D("56000.00")

    services.target_follow_up(
        by=staff,
        target=a,
        followed_up_on=dt.date(2026, 11, 24),
        notes="已补发",
        amount_recovered="56000",
    )
    a.refresh_from_db()
    assert a.status == TargetStatus.DONE and a.amount_recovered == D("96000.00")
    assert "2026-11-24: 已补发" in a.followup_notes
    totals = services.inspection_totals(campaign, today=dt.date(2026, 11, 25))
    assert totals["recovered"] == D("96000.00") and totals["followups_overdue"] == 0


@pytest.mark.django_db
def test_an_inspection_record_with_wrong_fields_is_refused_and_nothing_saved(
    world, staff, campaign
):
    target = services.target_add(by=staff, inspection=campaign, employer=world.employer_a)
    with pytest.raises(ValidationError) as exc:
        services.target_record(
            by=staff,
            target=target,
            inspected_on=dt.date(2026, 11, 18),
            inspectors="",
            findings="",
            arrears_found="5000",
            workers_owed=0,
            amount_recovered="6000",
            followup_due=dt.date(2026, 11, 10),
        )
    errors = refused(exc)
    assert errors["inspectors"] == ["Name who inspected."]
    assert errors["findings"] == ["Say what was found (or that nothing was owed)."]
    assert errors["workers_owed"] == ["Arrears were found: say how many workers are owed."]
    assert "more than the 5,000.00 yuan owed" in errors["amount_recovered"][0]
    assert errors["followup_due"] == ["The follow-up visit comes after the inspection."]
    target.refresh_from_db()
    assert target.status == TargetStatus.PLANNED and target.arrears_found == D("0")


@pytest.mark.django_db
def test_a_case_is_opened_from_a_finding_and_linked(world, staff, campaign):
    target = services.target_add(by=staff, inspection=campaign, employer=world.employer_a)
    with pytest.raises(ValidationError):
        services.target_open_case(by=staff, target=target)  # nothing recorded yet
    services.target_record(
        by=staff,
        target=target,
        inspected_on=dt.date(2026, 11, 18),
        inspectors="王东湖",
        findings="拖欠5名工人工资",
        arrears_found="30000",
        workers_owed=5,
        amount_recovered="10000",
    )
    case = services.target_open_case(by=staff, target=target)
    target.refresh_from_db()
    assert target.case == case
    assert case.category == "complaint.wage_arrears" and case.channel == "walk_in"
    assert case.employer == world.employer_a and case.workers_affected == 5
    assert case.amount_claimed == D("20000.00")
    assert case.organization == world.township_a
    with pytest.raises(ValidationError) as exc:
        services.target_open_case(by=staff, target=target)
    assert refused(exc) == {"case": ["A case was already opened from this finding."]}


@pytest.mark.django_db
def test_a_sibling_cannot_record_on_anothers_campaign(world, campaign):
    target = InspectionTarget.objects.create(inspection=campaign, employer=world.employer_a)
    with pytest.raises(PermissionDenied):
        services.target_record(
            by=world.outsider,
            target=target,
            inspected_on=dt.date(2026, 11, 18),
            inspectors="x",
            findings="x",
        )
    with pytest.raises(PermissionDenied):
        services.target_add(by=world.outsider, inspection=campaign, employer=world.employer_b)


# --- joint meetings ----------------------------------------------------------------------------


@pytest.fixture
def meeting(world, staff, case):
    return services.meeting_create(
        by=staff,
        organization=world.township_a,
        title="东湖镇劳动关系三方联席会议",
        held_on=dt.date(2026, 11, 10),
        place="镇政府三楼会议室",
        attendees="人社所、住建办、司法所",
        issues="建筑工地欠薪",
        decisions="人社所牵头约谈",
        cases=[case],
    )


@pytest.mark.django_db
def test_a_meeting_links_only_cases_in_scope(world, staff, meeting, case):
    assert list(meeting.cases.all()) == [case]
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            by=staff,
            organization=world.township_a,
            title="x",
            held_on=dt.date(2026, 11, 10),
            attendees="y",
            issues="z",
            cases=[world.side_b.case],
        )
    assert refused(exc) == {"cases": ["One of the cases is outside your scope."]}
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            by=staff, organization=world.township_a, title="", held_on=None, attendees="", issues=""
        )
    assert set(refused(exc)) == {"title", "held_on", "attendees", "issues"}
    assert JointMeeting.objects.filter(title__in=["x", ""]).count() == 0


@pytest.mark.django_db
def test_action_items_are_open_then_overdue_then_done_with_a_result(world, staff, meeting):
    early = services.action_add(
        by=staff,
        meeting=meeting,
        text="约谈某建工集团",
        owner="人社所",
        due_on=dt.date(2026, 11, 20),
    )
    later = services.action_add(
        by=staff, meeting=meeting, text="复查工资专户", owner="住建办", due_on=dt.date(2026, 12, 20)
    )
    with pytest.raises(ValidationError) as exc:
        services.action_add(
            by=staff, meeting=meeting, text="", owner="", due_on=dt.date(2026, 1, 1)
        )
    assert set(refused(exc)) == {"text", "owner", "due_on"}
    items = services.open_action_items(staff, today=dt.date(2026, 11, 25))
    assert [(i.pk, i.overdue) for i in items] == [(early.pk, True), (later.pk, False)]
    assert services.open_action_items(world.outsider) == []

    with pytest.raises(ValidationError) as exc:
        services.action_done(by=staff, action=early, done_on=dt.date(2026, 11, 24), result=" ")
    assert refused(exc) == {"result": ["Say what was done."]}
    services.action_done(by=staff, action=early, done_on=dt.date(2026, 11, 24), result="已约谈")
    early.refresh_from_db()
    assert early.done_on == dt.date(2026, 11, 24) and early.result == "已约谈"
    with pytest.raises(ValidationError):
        services.action_done(by=staff, action=early, done_on=dt.date(2026, 11, 24), result="again")
    assert [i.pk for i in services.open_action_items(staff)] == [later.pk]
    with pytest.raises(PermissionDenied):
        services.action_done(
            by=world.outsider, action=later, done_on=dt.date(2026, 11, 24), result="x"
        )
    assert ActionItem.objects.get(pk=later.pk).done_on is None


# --- a wage-arrears case reaches its deadline on the working-day calendar ----------------------


@pytest.mark.django_db
def test_a_wage_arrears_case_reaches_its_deadline_on_the_working_day_calendar(
    world, staff, case, monkeypatch
):
    """Accepted on 2026-09-29 (general tier, 7 working days): 09-30 is day 1, the National Day
    holiday 10-01 … 10-07 does not count, the make-up Saturday 10-10 does; due 10-14."""
    from gonghui.rights import deadlines
    from gonghui.rights.services.cases import case_accept

    monkeypatch.setattr(deadlines, "today", lambda: dt.date(2026, 9, 29))
    accepted = case_accept(by=staff, case=case, tier="general")
    assert accepted.due_on == dt.date(2026, 10, 14)
    party = add(staff, accepted, "赵六", "3000")
    services.recovery_record(by=staff, party=party, amount="1000", on=dt.date.today())
    accepted.refresh_from_db()
    assert accepted.amount_recovered == D("1000.00")
    assert accepted.due_on == dt.date(2026, 10, 14)  # recording money does not move the clock
    assert not deadlines.is_overdue(accepted, dt.date(2026, 10, 14))
    assert deadlines.is_overdue(accepted, dt.date(2026, 10, 15))
