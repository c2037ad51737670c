"""The SMS interface. A real gateway is one class with a ``send`` method:

    class MyGatewayBackend(BaseSmsBackend):
        def send(self, phone: str, text: str) -> str:
            ...  # call the operator's API; return its message id; raise SmsError on failure

and ``SMS_BACKEND=mypackage.sms.MyGatewayBackend`` in the environment. Phone numbers arrive
normalized to 11 digits; ``text`` already carries the signature (SMS_SIGNATURE).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from gonghui.core.identifiers import mask_mobile

logger = logging.getLogger("gonghui.sms")


class SmsError(Exception):
    pass


class BaseSmsBackend:
    def send(self, phone: str, text: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Logs the message (masked number) — for development."""

    def send(self, phone: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        logger.info("SMS to %s: %s", mask_mobile(phone), text)
        return message_id


class FileSmsBackend(BaseSmsBackend):
    """Appends one JSON line per message to SMS_FILE_PATH — the default, so a demo can read
    the codes it was sent. The number is kept whole here because the file stands in for the
    phone; production uses a gateway backend."""

    _lock = threading.Lock()

    def send(self, phone: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        path = settings.SMS_FILE_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"id": message_id, "at": timezone.now().isoformat(), "to": phone, "text": text},
            ensure_ascii=False,
        )
        with self._lock, open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return message_id


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in ``outbox`` — for tests."""

    outbox: list[dict] = []

    def send(self, phone: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        self.outbox.append({"id": message_id, "to": phone, "text": text})
        return message_id


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
