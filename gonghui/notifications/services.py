"""One way to tell someone something: in the app, by e-mail, or by SMS."""

from __future__ import annotations

from django.db import transaction

from gonghui.core.identifiers import mask_mobile, normalize_mobile

from .models import Notification, OutboundMessage


def notification_send(
    *, recipient, title: str, body: str = "", url: str = "", email: bool = False
) -> Notification:
    """An in-app notice, and optionally the same by e-mail when the user has an address."""
    notification = Notification.objects.create(
        recipient=recipient, title=str(title)[:200], body=str(body), url=url
    )
    if email and recipient.email:
        email_send(to=recipient.email, subject=str(title), body=str(body))
    return notification


def notification_mark_read(*, user, ids: list[int] | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def email_send(*, to: str, subject: str, body: str) -> OutboundMessage:
    message = OutboundMessage.objects.create(
        channel=OutboundMessage.Channel.EMAIL, to=to, subject=subject[:200], body=body
    )
    _enqueue_delivery(message.pk)
    return message


def sms_send(*, phone: str, text: str) -> OutboundMessage:
    """Queue an SMS; the task worker delivers it after the transaction commits."""
    phone = normalize_mobile(phone)
    message = OutboundMessage.objects.create(
        channel=OutboundMessage.Channel.SMS, to=phone, body=text
    )
    _enqueue_delivery(message.pk)
    return message


MAX_ATTEMPTS = 5


def _enqueue_delivery(message_id: int, attempt: int = 0) -> None:
    """Queue a delivery after commit; a retry waits 1, 2, 4, 8 minutes (when the queue can
    defer tasks; the immediate test backend cannot, and there a failure stays failed)."""
    import datetime as dt

    from django.utils import timezone

    from .tasks import deliver_message

    def enqueue():
        task = deliver_message
        if attempt and task.get_backend().supports_defer:
            task = task.using(run_after=timezone.now() + dt.timedelta(minutes=2 ** (attempt - 1)))
        elif attempt:
            return
        task.enqueue(message_id)

    transaction.on_commit(enqueue)


def message_deliver(*, message_id: int) -> OutboundMessage:
    """Send one queued message once; safe to run twice (a sent message is not sent again)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.utils import timezone

    from .sms import get_backend

    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().get(pk=message_id)
        if message.status == OutboundMessage.Status.SENT:
            return message
        message.attempts += 1
        try:
            if message.channel == OutboundMessage.Channel.SMS:
                get_backend().send(message.to, settings.SMS_SIGNATURE + message.body)
                message.to = mask_mobile(message.to)
            else:
                send_mail(message.subject, message.body, None, [message.to])
        except Exception as exc:  # the gateway's failure is recorded and retried, not lost
            message.status = OutboundMessage.Status.FAILED
            message.error = str(exc)[:255]
            if message.attempts < MAX_ATTEMPTS:
                _enqueue_delivery(message.pk, attempt=message.attempts)
        else:
            message.status = OutboundMessage.Status.SENT
            message.sent_at = timezone.now()
            message.error = ""
        message.save()
    return message
