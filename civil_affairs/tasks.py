"""Celery tasks: thin wrappers over services, taking ids, safe to run twice.
Which task runs which BatchRun kind is in the registry (batches.task_for_kind)."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(name="civil_affairs.ping")
def ping(value: str = "pong") -> str:
    """Round trip through the broker for health checks and tests."""
    return value


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def registry_import_task(self, run_id: int) -> int:
    return services.registry_import_run(run_id=run_id).pk


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def feed_import_task(self, run_id: int) -> int:
    """A data-exchange feed import (civil_affairs.feeds), resumable."""
    from .feeds import feed_import_run

    return feed_import_run(run_id=run_id).pk
