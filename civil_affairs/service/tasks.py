"""Celery tasks of the service experience: thin wrappers taking ids."""

from celery import shared_task

from . import services


@shared_task(name="service.message_sms")
def message_sms_task(message_ids: list[int]) -> int:
    return services.messages_texted(message_ids=message_ids)
