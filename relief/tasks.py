"""Celery tasks for relief: thin wrappers over services, taking ids, safe to run twice."""
from celery import shared_task
from django.db import OperationalError

from .services import payroll


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def payroll_task(self, run_id: int) -> dict | None:
    """Generate the BatchRun's month; a retry or a second delivery resumes or does nothing."""
    summary = payroll.payroll_run(run_id=run_id)
    return summary.as_dict() if summary is not None else None
