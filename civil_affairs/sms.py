"""Text messages to residents' phones through a pluggable backend, the way
Django sends e-mail: settings.SMS_BACKEND names a class with
`send(self, *, phone, message)`.  The bureau's SMS gateway is such a class in
its own module; development logs the message, tests keep it in `outbox`.

Callers queue sending with transaction.on_commit, so a message never leaves
for a row that was rolled back."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .rules import mask_phone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    phone: str
    message: str


# Messages LocmemBackend "sent", newest last (like django.core.mail.outbox).
outbox: list[Message] = []


class BaseBackend:
    def send(self, *, phone: str, message: str) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Development: the message goes to the log (`make run` shows it), so the
    developer can read a code there.  The phone is masked; the message is not,
    since reading the code is the point."""

    def send(self, *, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), message)


class LocmemBackend(BaseBackend):
    """Tests: keep each message in `outbox`."""

    def send(self, *, phone: str, message: str) -> None:
        outbox.append(Message(phone=phone, message=message))


def send_sms(*, phone: str, message: str) -> None:
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(phone=phone, message=message)
