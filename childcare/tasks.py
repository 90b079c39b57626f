"""Celery tasks for childcare: thin wrappers over services, taking ids, safe to
run twice.  Which task runs which BatchRun kind is registered in registration.py."""

from celery import shared_task
from django.db import OperationalError

from civil_affairs import clock
from civil_affairs.months import month_start

from . import payroll

TRANSIENT = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(bind=True, **TRANSIENT)
def allowance_task(self, run_id: int) -> dict | None:
    """Write the BatchRun's month of the allowance rolls (resumes after `done`)."""
    return payroll.allowance_run(run_id=run_id)


@shared_task(name="childcare.allowance_monthly")
def allowance_monthly() -> int:
    """Celery beat, monthly (editable in the admin): this month's allowance rolls, queued as a BatchRun."""
    return payroll.allowance_start(user=None, month=month_start(clock.today())).pk


@shared_task(name="childcare.conditions_ended_nightly")
def conditions_ended_nightly() -> int:
    """Celery beat, nightly: a task in the director's queue for each paid child whose
    parent's condition (custody, a sentence) was expected to have ended."""
    from .discovery import conditions_ended

    return conditions_ended(clock.today())
