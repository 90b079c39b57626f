"""Celery tasks for relief: thin wrappers over services, taking ids, safe to
run twice (a retry or a second delivery resumes a run or does nothing).
Which task runs which BatchRun kind is registered in relief/apps.py."""

from celery import shared_task
from django.db import OperationalError

from .services import payroll, price_linkage, recheck

TRANSIENT = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(bind=True, **TRANSIENT)
def payroll_task(self, run_id: int) -> dict | None:
    """Generate the BatchRun's month."""
    summary = payroll.payroll_run(run_id=run_id)
    return summary.as_dict() if summary is not None else None


@shared_task(bind=True, **TRANSIENT)
def recheck_task(self, run_id: int) -> dict | None:
    """Match new feed rows and due rechecks against live benefits for the BatchRun's date."""
    return recheck.recheck_run(run_id=run_id)


@shared_task(bind=True, **TRANSIENT)
def price_linkage_task(self, run_id: int) -> dict | None:
    """Pay the BatchRun's month of price-linkage subsidy."""
    return price_linkage.price_linkage_run(run_id=run_id)


@shared_task(name="relief.recheck_nightly")
def recheck_nightly() -> int:
    """Celery beat, 02:00 (editable in the admin): tonight's recheck, queued as a BatchRun."""
    return recheck.recheck_nightly().pk


@shared_task(name="relief.price_linkage_monthly")
def price_linkage_monthly() -> int | None:
    """Celery beat, monthly (editable in the admin): last month's price-linkage batch."""
    run = price_linkage.price_linkage_monthly()
    return run.pk if run is not None else None
