"""Celery tasks for eldercare: thin wrappers over services, taking ids, safe
to run twice (a retry or a second delivery resumes a run or does nothing).
Which task runs which BatchRun kind is registered in eldercare/apps.py."""

from celery import shared_task
from django.db import OperationalError

from .services import allowance

TRANSIENT = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(bind=True, **TRANSIENT)
def senior_allowance_task(self, run_id: int) -> dict | None:
    """Pay the BatchRun's month of senior allowance."""
    return allowance.allowance_run(run_id=run_id)


@shared_task(name="eldercare.senior_allowance_monthly")
def senior_allowance_monthly() -> int | None:
    """Celery beat, the 1st of each month (editable in the admin): this month's senior allowance."""
    run = allowance.allowance_monthly()
    return run.pk if run is not None else None


@shared_task(bind=True, **TRANSIENT)
def homecare_settlement_task(self, run_id: int) -> dict | None:
    """Settle the BatchRun's month of home care."""
    from .services import settlement

    return settlement.settlement_run(run_id=run_id)


@shared_task(bind=True, **TRANSIENT)
def meal_settlement_task(self, run_id: int) -> dict | None:
    """Settle the BatchRun's month of meal assistance."""
    from .services import meals

    return meals.meal_settlement_run(run_id=run_id)


@shared_task(name="eldercare.beds_check_nightly")
def beds_check_nightly() -> int:
    """Celery beat, nightly: beds and residents that disagree, recorded in the audit log; and the
    day's aged-60 population per community counted ahead for the dashboards and the overview."""
    from civil_affairs import clock

    from .selectors.indicators import aged_60
    from .services import institutions

    aged_60(clock.today())
    return institutions.beds_check_nightly()


@shared_task(bind=True, **TRANSIENT)
def vulnerable_list_task(self, run_id: int) -> dict | None:
    """Build the BatchRun's day of the visit list (探访关爱名单)."""
    from .services import vulnerable

    return vulnerable.visit_list_build_run(run_id=run_id)


@shared_task(name="eldercare.vulnerable_list_nightly")
def vulnerable_list_nightly() -> int | None:
    """Celery beat, nightly (editable in the admin): today's visit list."""
    from .services import vulnerable

    run = vulnerable.visit_list_nightly()
    return run.pk if run is not None else None
