"""Re-election reminders: who is told, when, and never twice for one term and threshold."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.notifications.models import Notification
from gonghui.organizations import services
from gonghui.organizations.services.reminders import REMINDER_RECORD_TYPE
from gonghui.organizations.tasks import remind_reelections
from tests.world import make_user

from .factories import CadreFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def due(world):
    """The chair of union A, whose term ends 60 days after TODAY."""
    cadre = world.extra_a[6]
    cadre.term_end = TODAY + dt.timedelta(days=60)
    cadre.save()
    return cadre


def told(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_the_union_and_its_township_are_told_once(world, due):
    """Told: accounts at the union and at its township whose role manages organizations."""
    sent = services.reelection_reminders_send(today=TODAY)
    assert sent == 3
    for user in (world.union_chair, world.township_staff, world.admin_a):
        assert len(told(user)) == 1
    # not the county, not the sibling township, not the auditor
    for user in (world.county_admin, world.outsider, world.auditor, world.admin_b):
        assert told(user) == []
    notice = Notification.objects.get(recipient=world.union_chair)
    assert world.union_a.name in notice.title and "甲方主席" in notice.body
    assert notice.url == f"/organizations/{world.union_a.pk}/#cadres"

    assert services.reelection_reminders_send(today=TODAY) == 0
    assert services.reelection_reminders_send(today=TODAY + dt.timedelta(days=30)) == 0
    assert Notification.objects.count() == 3
    assert (
        AuditEntry.objects.filter(
            object_type=REMINDER_RECORD_TYPE, object_id=str(due.pk), detail__startswith="due "
        ).count()
        == 1
    )


def test_an_overdue_term_is_told_once_more(world, due):
    services.reelection_reminders_send(today=TODAY)
    later = due.term_end + dt.timedelta(days=1)
    assert services.reelection_reminders_send(today=later) == 3
    assert services.reelection_reminders_send(today=later + dt.timedelta(days=40)) == 0
    assert len(told(world.union_chair)) == 2


def test_a_term_already_overdue_at_the_first_run_is_told_only_as_overdue(world, due):
    assert services.reelection_reminders_send(today=due.term_end + dt.timedelta(days=5)) == 3
    assert services.reelection_reminders_send(today=due.term_end + dt.timedelta(days=6)) == 0
    assert AuditEntry.objects.filter(object_type=REMINDER_RECORD_TYPE).count() == 1


def test_a_changed_term_end_is_a_new_term_to_remind(world, due):
    services.reelection_reminders_send(today=TODAY)
    services.cadre_update(by=None, cadre=due, term_end=TODAY + dt.timedelta(days=80))
    assert services.reelection_reminders_send(today=TODAY) == 3


def test_one_notice_per_person_lists_every_cadre_of_the_union(world, due):
    CadreFactory(organization=world.union_a, name="同届委员", term_end=due.term_end)
    assert services.reelection_reminders_send(today=TODAY) == 3
    body = Notification.objects.get(recipient=world.union_chair).body
    assert "甲方主席" in body and "同届委员" in body


@pytest.mark.parametrize("what", ["far", "ended", "closed"])
def test_nobody_is_told_about_terms_far_off_ended_or_of_closed_unions(world, due, what):
    if what == "far":
        due.term_end = TODAY + dt.timedelta(days=91)
        due.save()
    elif what == "ended":
        services.cadre_end(by=None, cadre=due, ended_on=TODAY)
    else:
        from gonghui.members.models import Membership

        Membership.objects.filter(union=world.union_a).update(
            status="left", ended_on=dt.date(2025, 1, 1)
        )
        services.organization_close(by=None, organization=world.union_a, reason="注销")
    assert services.reelection_reminders_send(today=TODAY) == 0


def test_a_union_without_staff_is_told_when_its_first_account_exists(world):
    orphan = world.extra_b[0]  # 乙方第二工会, under township B
    CadreFactory(organization=orphan, term_end=TODAY + dt.timedelta(days=10))
    world.outsider.is_active = False
    world.outsider.save()
    world.admin_b.is_active = False
    world.admin_b.save()
    assert services.reelection_reminders_send(today=TODAY) == 0
    newcomer = make_user("b_chair", "grassroots_chair", orphan)
    assert services.reelection_reminders_send(today=TODAY) == 1
    assert len(told(newcomer)) == 1


def test_the_command_and_the_task_send_the_same_reminders_once(world):
    today = timezone.localdate()
    cadre = world.extra_a[6]
    cadre.term_end = today + dt.timedelta(days=5)
    cadre.save()
    out = io.StringIO()
    call_command("remind_reelections", stdout=out)
    assert "3 notification(s) sent." in out.getvalue()
    result = remind_reelections.enqueue()  # the immediate backend of the tests runs it now
    assert result.return_value == 0
    call_command("remind_reelections", "--enqueue", stdout=out)
    assert Notification.objects.count() == 3
