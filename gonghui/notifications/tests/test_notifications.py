import pytest
from django.core import mail
from django.test import Client

from gonghui.core.identifiers import IdentifierError
from gonghui.notifications import services
from gonghui.notifications.models import Notification, OutboundMessage
from gonghui.notifications.sms import LocmemSmsBackend


@pytest.mark.django_db(transaction=True)
def test_an_sms_is_delivered_after_commit_and_only_a_masked_number_is_kept():
    services.sms_send(phone="+86 138-1234-5678", text="您的案件已受理，查询码 ABCD-EFGH-JK")
    assert LocmemSmsBackend.outbox[-1]["to"] == "13812345678"
    assert LocmemSmsBackend.outbox[-1]["text"].startswith("【工会】您的案件已受理")
    message = OutboundMessage.objects.get()
    assert (message.status, message.to) == ("sent", "138****5678")


@pytest.mark.django_db
def test_a_wrong_phone_number_is_refused_before_anything_is_queued():
    with pytest.raises(IdentifierError):
        services.sms_send(phone="010-12345678", text="x")
    assert not OutboundMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_delivering_twice_sends_once():
    message = services.sms_send(phone="13812345678", text="测试")
    services.message_deliver(message_id=message.pk)
    assert len([m for m in LocmemSmsBackend.outbox if m["text"].endswith("测试")]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_gateway_is_recorded_for_retry(settings):
    settings.SMS_BACKEND = "gonghui.notifications.tests.test_notifications.BrokenBackend"
    message = services.sms_send(phone="13812345678", text="测试")
    message.refresh_from_db()
    assert (message.status, message.error, message.attempts) == ("failed", "gateway down", 1)


class BrokenBackend:
    def send(self, phone, text):
        raise RuntimeError("gateway down")


@pytest.mark.django_db(transaction=True)
def test_in_app_notices_show_and_can_be_marked_read(world):
    world.township_staff.email = "staff@example.org"
    world.township_staff.save()
    services.notification_send(
        recipient=world.township_staff, title="新案件分派给您", url="/home/", email=True
    )
    assert mail.outbox[-1].subject == "新案件分派给您"
    client = Client()
    client.force_login(world.township_staff)
    assert "新案件分派给您" in client.get("/notifications/").content.decode()
    client.post("/notifications/read/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_a_worker_process_delivers_the_message(settings):
    """The production path: the task waits in the database until a worker picks it up."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "notifications"],
        }
    }
    message = services.sms_send(phone="13812345678", text="排队测试")
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    message.refresh_from_db()
    assert message.status == "pending"
    call_command("db_worker", queue_name="*", batch=True, no_startup_delay=True, verbosity=0)
    message.refresh_from_db()
    assert message.status == "sent"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_failed_sms_is_retried_later_on_the_database_queue(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "notifications"],
        }
    }
    settings.SMS_BACKEND = "gonghui.notifications.tests.test_notifications.BrokenBackend"
    message = services.sms_send(phone="13812345678", text="重试测试")
    services.message_deliver(message_id=message.pk)
    retry = DBTaskResult.objects.filter(status="READY").order_by("-enqueued_at").first()
    assert retry is not None and retry.run_after is not None  # waits before trying again
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
