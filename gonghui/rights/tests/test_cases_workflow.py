"""The case workflow services: each move's happy path and its refusals (wrong state, wrong role,
outside the scope, stale page), with nothing changed by a refusal."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gonghui.accounts.roles import Role
from gonghui.audit.models import AuditEntry
from gonghui.notifications.models import Notification, OutboundMessage
from gonghui.rights import deadlines
from gonghui.rights.models import (
    Case,
    CaseEvent,
    CaseParty,
    CasePause,
    CaseStatus,
    Channel,
    EventKind,
    RightsSettings,
    Supervision,
)
from gonghui.rights.services import cases as services
from gonghui.rights.services.intake import case_create
from tests.world import make_user


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def state(case) -> tuple:
    c = fresh(case)
    return (c.status, c.version, c.organization_id, c.handler_id, c.events.count())


@pytest.fixture
def case(world):
    return world.side_a.case


@pytest.fixture
def accepted(world, case):
    return services.case_accept(by=world.township_staff, case=case, tier="general")


@pytest.fixture
def assigned(world, accepted):
    return services.case_assign(
        by=world.township_staff,
        case=accepted,
        organization=world.union_a,
        handler=world.union_chair,
    )


@pytest.fixture
def handling(world, assigned):
    return services.case_start_handling(by=world.union_chair, case=assigned, method="coordination")


def conclude(world, case, solved=True):
    return services.case_conclude(
        by=world.union_chair,
        case=case,
        outcome="The employer paid the wages owed.",
        solved=solved,
        amount_recovered="60000.00",
        workers_benefited=3,
    )


# --- accept and decline ----------------------------------------------------------------------


def test_accepting_starts_the_clock_with_the_tiers_limit_and_texts_the_worker(world, case):
    c = services.case_accept(by=world.township_staff, case=case, tier="difficult", note="查证属实")
    c = fresh(c)
    today = deadlines.today()
    assert (c.status, c.tier, c.time_limit_days, c.accepted_on) == (
        "accepted",
        "difficult",
        15,
        today,
    )
    assert c.due_on == deadlines.compute_due(c)
    assert c.version == 2
    event = c.events.get(kind=EventKind.ACCEPTED)
    assert (event.actor, event.from_status, event.to_status) == (
        world.township_staff,
        "received",
        "accepted",
    )
    assert event.internal_note == "查证属实"
    assert "王东湖" not in event.public_text  # no staff names for the worker
    sms = OutboundMessage.objects.filter(channel="sms").order_by("-pk").first()
    assert c.tracking_code[:4] in sms.body
    assert AuditEntry.objects.filter(
        object_type="rights.case", object_id=str(c.pk), action="transition"
    ).exists()


def test_a_settings_change_applies_to_cases_accepted_afterwards_only(world, case):
    services.case_accept(by=world.township_staff, case=case, tier="general")
    services.rights_settings_update(by=world.county_admin, general_days=10)
    assert fresh(case).time_limit_days == 7
    services.case_accept(by=world.outsider, case=world.side_b.case, tier="general")
    assert fresh(world.side_b.case).time_limit_days == 10


def test_accepting_twice_names_the_state_and_changes_nothing(world, accepted):
    before = state(accepted)
    with pytest.raises(ValidationError) as info:
        services.case_accept(by=world.admin_a, case=accepted, tier="general")
    assert info.value.message_dict["status"] == [
        "Only a received case can be accepted; this one is “Accepted”."
    ]
    assert state(accepted) == before


def test_a_role_without_dispatch_may_not_accept(world, case):
    before = state(case)
    with pytest.raises(PermissionDenied, match="may not accept"):
        services.case_accept(by=world.union_chair, case=case, tier="general")
    with pytest.raises(PermissionDenied):
        services.case_accept(by=world.auditor, case=case, tier="general")
    assert state(case) == before


def test_a_sibling_township_may_not_act_on_the_case(world, case):
    before = state(case)
    with pytest.raises(PermissionDenied, match="outside your scope"):
        services.case_accept(by=world.outsider, case=case, tier="general")
    with pytest.raises(PermissionDenied, match="outside your scope"):
        services.case_decline(by=world.admin_b, case=case, reason="不属于本会")
    assert state(case) == before


def test_a_stale_page_is_refused_saying_who_changed_the_case(world, case):
    version = case.version
    services.case_accept(by=world.township_staff, case=case, tier="general", version=version)
    before = state(case)
    with pytest.raises(ValidationError) as info:
        services.case_decline(by=world.admin_a, case=case, reason="重复", version=version)
    assert "王东湖 changed this case at" in info.value.message_dict["version"][0]
    assert state(case) == before


def test_declining_needs_a_reason_and_tells_the_worker(world, case):
    with pytest.raises(ValidationError) as info:
        services.case_decline(by=world.township_staff, case=case, reason="  ")
    assert "reason" in info.value.message_dict
    assert fresh(case).status == "received"
    c = services.case_decline(by=world.township_staff, case=case, reason="属于劳动仲裁受理范围")
    assert fresh(c).status == "declined"
    assert "属于劳动仲裁受理范围" in c.events.get(kind="declined").public_text
    assert "属于劳动仲裁受理范围" in OutboundMessage.objects.filter(channel="sms").latest("pk").body


def test_an_anonymous_case_gets_no_sms(world):
    created = case_create(
        by=world.township_staff,
        channel=Channel.WALK_IN,
        category="complaint.overtime",
        description="每天加班四小时，没有加班费。",
        anonymous=True,
        received_by=world.township_a,
    )
    count = OutboundMessage.objects.count()
    services.case_accept(by=world.township_staff, case=created.case, tier="general")
    assert OutboundMessage.objects.count() == count


# --- assign, return, start -------------------------------------------------------------------


def test_assignment_is_suggested_by_the_employers_union_and_the_category(world, accepted):
    org, handler = services.suggest_assignment(accepted, by=world.township_staff)
    assert (org, handler) == (world.union_a, world.union_chair)
    # without a handler at the union, the organization is still the employer's union
    world.union_chair.is_active = False
    world.union_chair.save()
    assert services.suggest_assignment(accepted, by=world.township_staff) == (world.union_a, None)


def test_a_legal_service_prefers_a_mediator(world):
    mediator = make_user("mediator_a", Role.MEDIATOR, world.township_a)
    created = case_create(
        by=world.township_staff,
        channel=Channel.HOTLINE,
        category="legal.mediation",
        description="请求工会调解与公司的工资争议。",
        complainant_name="赵六",
        received_by=world.township_a,
    )
    assert services.suggest_assignment(created.case, by=world.township_staff) == (
        world.township_a,
        mediator,
    )


def test_assigning_notifies_the_handler(world, accepted):
    c = services.case_assign(
        by=world.township_staff,
        case=accepted,
        organization=world.union_a,
        handler=world.union_chair,
    )
    c = fresh(c)
    assert (c.status, c.organization, c.handler) == ("assigned", world.union_a, world.union_chair)
    notice = Notification.objects.get(recipient=world.union_chair)
    assert c.number in notice.title and notice.url == f"/rights/cases/{c.pk}/"


def test_assigning_outside_ones_subtree_or_to_someone_who_cannot_handle_is_refused(world, accepted):
    before = state(accepted)
    with pytest.raises(ValidationError) as info:
        services.case_assign(by=world.township_staff, case=accepted, organization=world.union_b)
    assert info.value.message_dict["organization"] == ["Choose an organization within your own."]
    with pytest.raises(ValidationError) as info:
        services.case_assign(
            by=world.township_staff,
            case=accepted,
            organization=world.union_a,
            handler=world.auditor,
        )
    assert "cannot handle cases" in info.value.message_dict["handler"][0]
    assert state(accepted) == before


def test_a_received_case_cannot_be_assigned(world, case):
    with pytest.raises(ValidationError, match="this one is “Received”"):
        services.case_assign(by=world.township_staff, case=case, organization=world.union_a)


def test_a_handler_returns_a_wrongly_routed_case_to_the_dispatcher(world, assigned):
    c = services.case_return(by=world.union_chair, case=assigned, reason="该企业已迁至西岭镇")
    c = fresh(c)
    assert (c.status, c.organization, c.handler) == ("accepted", world.township_a, None)
    assert c.events.get(kind="returned").internal_note == "该企业已迁至西岭镇"
    assert Notification.objects.filter(
        recipient=world.township_staff, title__contains="returned"
    ).exists()


def test_returning_needs_the_handle_right_and_a_reason(world, assigned):
    dispatcher_only = make_user("dispatcher", Role.AUDITOR, world.township_a)
    before = state(assigned)
    with pytest.raises(PermissionDenied):
        services.case_return(by=dispatcher_only, case=assigned, reason="x")
    with pytest.raises(ValidationError):
        services.case_return(by=world.union_chair, case=assigned, reason="")
    assert state(assigned) == before


def test_starting_makes_the_starter_the_handler_when_none_was_named(world, accepted):
    services.case_assign(by=world.township_staff, case=accepted, organization=world.union_a)
    c = services.case_start_handling(by=world.union_chair, case=accepted, method="mediation")
    c = fresh(c)
    assert (c.status, c.handler, c.handling_method) == (
        "in_handling",
        world.union_chair,
        "mediation",
    )


def test_starting_before_assignment_is_refused(world, accepted):
    with pytest.raises(ValidationError, match="Handling starts on an assigned case"):
        services.case_start_handling(by=world.township_staff, case=accepted, method="answer")


# --- conclude, follow up, close, re-open -----------------------------------------------------


def test_concluding_records_the_outcome_time_and_follow_up_date_and_texts_the_worker(
    world, handling
):
    c = fresh(conclude(world, handling))
    assert (c.status, c.solved, c.amount_recovered, c.workers_benefited) == (
        "concluded",
        True,
        Decimal("60000.00"),
        3,
    )
    assert c.handling_days == 0 and c.concluded_late is False
    assert c.followup_due > deadlines.today()
    assert "concluded" in OutboundMessage.objects.filter(channel="sms").latest("pk").body


def test_concluding_with_bad_input_names_each_field_and_saves_nothing(world, handling):
    before = state(handling)
    with pytest.raises(ValidationError) as info:
        services.case_conclude(
            by=world.union_chair,
            case=handling,
            outcome="",
            solved=None,
            amount_recovered="-5",
            workers_benefited="many",
        )
    assert set(info.value.message_dict) == {
        "outcome",
        "solved",
        "amount_recovered",
        "workers_benefited",
    }
    assert state(handling) == before


def test_the_worker_says_solved_and_the_case_closes(world, handling):
    conclude(world, handling)
    c = fresh(services.case_follow_up(by=None, case=handling, satisfaction=5, solved=True))
    assert (c.status, c.satisfaction, c.solved) == ("closed", 5, True)
    assert list(c.events.order_by("id").values_list("kind", flat=True))[-2:] == [
        "follow_up",
        "closed",
    ]


def test_the_worker_says_not_solved_and_the_case_is_reopened(world, handling):
    conclude(world, handling)
    c = fresh(
        services.case_follow_up(
            by=world.union_chair, case=handling, satisfaction=2, solved=False, comment="只付了一半"
        )
    )
    assert (c.status, c.reopen_count, c.concluded_at, c.satisfaction) == ("in_handling", 1, None, 2)
    assert c.events.filter(kind="reopened").get().internal_note == "只付了一半"
    assert c.due_on > deadlines.today()


def test_satisfaction_outside_1_to_5_is_refused(world, handling):
    conclude(world, handling)
    with pytest.raises(ValidationError) as info:
        services.case_follow_up(by=None, case=handling, satisfaction=9, solved=True)
    assert info.value.message_dict == {"satisfaction": ["Satisfaction is from 1 to 5."]}
    assert fresh(handling).status == "concluded"


def test_no_answer_keeps_the_case_in_follow_up_until_closed(world, handling):
    conclude(world, handling)
    services.case_follow_up(by=world.union_chair, case=handling, satisfaction=None, solved=None)
    assert fresh(handling).status == "follow_up"
    services.case_close(by=world.township_staff, case=handling)
    assert fresh(handling).status == "closed"
    services.case_reopen(by=world.township_staff, case=handling, reason="工人再次来电")
    assert (fresh(handling).status, fresh(handling).reopen_count) == ("in_handling", 1)


def test_following_up_an_open_case_is_refused(world, handling):
    with pytest.raises(ValidationError, match="Only a concluded case can be followed up"):
        services.case_follow_up(by=None, case=handling, satisfaction=3, solved=True)


# --- notes, merge, supervision ---------------------------------------------------------------


def test_a_note_is_an_event_without_a_change_of_state(world, handling):
    version = fresh(handling).version
    event = services.case_note(by=world.union_chair, case=handling, internal_note="已电话联系企业")
    assert (event.kind, event.public_text) == ("note", "")
    assert fresh(handling).version == version
    with pytest.raises(ValidationError):
        services.case_note(by=world.union_chair, case=handling)


def test_merging_a_duplicate_from_another_worker_lists_them_on_a_collective_case(world, case):
    other = case_create(
        by=world.township_staff,
        channel=Channel.HOTLINE,
        category="complaint.wage_arrears",
        description="甲方机械公司欠我两个月工资。",
        employer=world.employer_a,
        complainant_name="钱七",
        complainant_phone="13900001111",
        amount_claimed="8000",
        received_by=world.township_a,
    ).case
    assert case in services_similar(world, other)
    workers, claimed = case.workers_affected, case.amount_claimed
    services.case_merge(by=world.township_staff, case=other, into=case)
    other, case = fresh(other), fresh(case)
    assert (other.status, other.merged_into) == ("merged", case)
    assert case.workers_affected == workers + 1 and case.collective
    assert case.amount_claimed == claimed + Decimal("8000")
    assert [p.name for p in CaseParty.objects.filter(case=case)] == ["钱七"]
    with pytest.raises(ValidationError, match="Only an open case can be merged"):
        services.case_merge(by=world.township_staff, case=other, into=case)


def services_similar(world, case):
    from gonghui.rights import selectors

    return selectors.similar_open(world.township_staff, case)


def test_merging_the_same_persons_duplicate_counts_nothing_twice(world, case):
    dup = case_create(
        by=world.township_staff,
        channel=Channel.HOTLINE,
        category="complaint.wage_arrears",
        description="又打电话来说工资的事。",
        employer=world.employer_a,
        complainant_name=case.complainant_name,
        complainant_phone=case.complainant_phone,
        received_by=world.township_a,
    ).case
    workers = case.workers_affected
    services.case_merge(by=world.township_staff, case=dup, into=case)
    assert fresh(case).workers_affected == workers
    assert not CaseParty.objects.filter(case=case).exists()


def test_merging_across_townships_is_refused(world, case):
    with pytest.raises(PermissionDenied):
        services.case_merge(by=world.township_staff, case=case, into=world.side_b.case)
    assert fresh(case).status == "received"


def test_supervision_is_flagged_notified_and_reported(world, handling):
    s = services.supervision_flag(
        by=world.county_admin,
        case=handling,
        instructions="三个工作日内报告欠薪追回进展",
        report_due=deadlines.today() + dt.timedelta(days=5),
    )
    assert s.organization == world.county
    assert Notification.objects.filter(
        recipient=world.union_chair, title__contains="supervision"
    ).exists()
    services.supervision_report(by=world.union_chair, supervision=s, report="已追回一半")
    s.refresh_from_db()
    assert s.report == "已追回一半" and s.reported_by == world.union_chair
    assert Notification.objects.filter(recipient=world.county_admin).exists()
    with pytest.raises(ValidationError, match="already reported"):
        services.supervision_report(by=world.union_chair, supervision=s, report="again")


def test_only_a_supervising_role_flags(world, handling):
    count = Supervision.objects.count()
    with pytest.raises(PermissionDenied, match="supervision"):
        services.supervision_flag(
            by=world.township_staff,
            case=handling,
            instructions="x",
            report_due=deadlines.today(),
        )
    assert Supervision.objects.count() == count


def test_other_parts_write_events_through_case_event_add(world, handling):
    event = services.case_event_add(
        case=handling, kind=EventKind.MEDIATION, by=world.mediator, public_text="调解已安排"
    )
    assert (event.kind, event.to_status) == ("mediation", "in_handling")
    with pytest.raises(ValidationError):
        services.case_event_add(case=handling, kind="nonsense")


def test_every_transition_sends_case_changed(world, case):
    from gonghui.rights import signals

    seen = []

    def listener(sender, case, event, **kwargs):
        seen.append(event.kind)

    signals.case_changed.connect(listener)
    try:
        services.case_accept(by=world.township_staff, case=case, tier="general")
        services.case_assign(by=world.township_staff, case=case, organization=world.union_a)
    finally:
        signals.case_changed.disconnect(listener)
    assert seen == ["accepted", "assigned"]


# --- two staff at once (PostgreSQL) ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_staff_accepting_and_assigning_one_case_at_once_one_wins(world):
    """Real concurrent connections on PostgreSQL: the row lock serializes them, and the one who
    comes second is told the state they found."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")
    case = world.side_a.case
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(fn):
        from django.db import connections
        from django.utils import translation

        translation.activate("en")  # a new thread starts in the default language
        try:
            barrier.wait()
            fn()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("refused: " + " ".join(exc.messages))
        except Exception as exc:  # noqa: BLE001 - shown in the assertion
            import traceback

            outcomes.append(f"error: {exc!r} " + traceback.format_exc())
        finally:
            connections.close_all()

    def accept_then(user):
        return lambda: services.case_accept(by=user, case=case, tier="general")

    threads = [
        threading.Thread(target=act, args=(accept_then(world.township_staff),)),
        threading.Thread(target=act, args=(accept_then(world.admin_a),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"]
    refused = next(o for o in outcomes if o.startswith("refused"))
    assert "this one is “Accepted”" in refused
    assert CaseEvent.objects.filter(case=case, kind="accepted").count() == 1

    # two dispatchers assigning the same accepted case from the same page: one wins
    c = fresh(case)
    assert c.status == CaseStatus.ACCEPTED
    outcomes.clear()
    barrier.reset()
    version = c.version

    def assign(user, org):
        return lambda: services.case_assign(by=user, case=c, organization=org, version=version)

    threads = [
        threading.Thread(target=act, args=(assign(world.township_staff, world.union_a),)),
        threading.Thread(target=act, args=(assign(world.admin_a, world.township_a),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"], outcomes
    assert "changed this case" in next(o for o in outcomes if o.startswith("refused"))
    assert fresh(case).version == version + 1


def test_rules_are_one_row(world):
    assert RightsSettings.current().pk == 1
    assert CasePause.objects.count() == 0
