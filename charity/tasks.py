"""Celery tasks for charity: thin wrappers over the batch services, taking run ids,
safe to run twice (a second delivery resumes or does nothing)."""

from celery import shared_task
from django.db import OperationalError

from . import batch

TRANSIENT = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(bind=True, **TRANSIENT)
def receipts_task(self, run_id: int) -> dict | None:
    """The BatchRun's yearly receipts of one organisation."""
    return batch.receipts_run(run_id=run_id)


@shared_task(bind=True, **TRANSIENT)
def statement_task(self, run_id: int) -> dict:
    """Import the BatchRun's bank or platform statement."""
    return batch.statement_import(run_id=run_id)
