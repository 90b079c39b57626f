"""Celery tasks for relief: thin wrappers over services, taking ids, safe to run twice."""
from celery import shared_task
from django.db import OperationalError

from .services import payroll


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def payroll_task(self, run_id: int) -> dict:
    return {k: str(v) for k, v in payroll.payroll_run(run_id=run_id).items()}
