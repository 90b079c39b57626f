"""The monthly beat row, the Celery tasks, and the allowance run on the real
worker (broker tests)."""

import datetime as dt

import pytest
from django_celery_beat.models import PeriodicTask

from childcare import payroll, tasks
from childcare.models import AllowancePayment
from civil_affairs.celery import app
from civil_affairs.models import BatchRun, Parameter, Region, Role
from tests.childcare.factories import approved, family, submitted


def test_monthly_beat_row_names_a_task_the_worker_knows(db):
    import importlib

    from django.apps import apps

    app.loader.import_default_modules()
    if not PeriodicTask.objects.filter(task="childcare.allowance_monthly").exists():
        # a transactional test earlier in the run flushed the migration's rows: run its function again
        importlib.import_module("childcare.migrations.0002_defaults_and_schedule").add(apps, None)
    row = PeriodicTask.objects.select_related("crontab").get(task="childcare.allowance_monthly")
    assert (row.enabled, row.crontab.day_of_month, row.crontab.hour) == (True, "5", "4")
    assert {"childcare.allowance_monthly", "childcare.tasks.allowance_task"} <= set(app.tasks)


def test_defaults_shipped_for_a_fresh_install(db):
    """The data migration's defaults apply to any region, even one created later (code defaults)."""
    from childcare.selectors import standards_in_force
    from tests.civil_affairs.factories import RegionFactory

    RegionFactory(code="320000000000", name="江苏省")
    standards = standards_in_force("320000000000", dt.date(2026, 1, 1))
    assert (standards.rate_institutional, standards.rate_dispersed, standards.age_end) == (2760, 2200, 18)
    Parameter.objects.create(
        region=Region.objects.get(code="320000000000"),
        key="childcare_rate_dispersed",
        value=2300,
        effective_from=dt.date(2026, 7, 1),
    )
    assert standards_in_force("320000000000", dt.date(2026, 7, 1)).rate_dispersed == 2300
    assert standards_in_force("320000000000", dt.date(2026, 6, 30)).rate_dispersed == 2200


def test_beat_task_queues_this_months_run(cc, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.allowance_task, "delay", lambda run_id: queued.append(run_id))
    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.allowance_monthly()
    run = BatchRun.objects.get(pk=run_id)
    assert run.kind == payroll.KIND and run.params == {"month": "2026-11"} and queued == [run_id]


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_allowance(celery_worker_process, regions, users, settings):
    from childcare.models import Director, Staff, Supervisor

    settings.MINZHENG_TODAY = dt.date(2026, 11, 2)
    Director.objects.create(user=users[Role.COMMUNITY_WORKER], region=regions["jinsha_1"])
    Supervisor.objects.create(user=users[Role.CASEWORKER], region=regions["jinsha"])
    Staff.objects.create(user=users[Role.REVIEWER])
    guardian, child = family(regions["jinsha_1"])
    approved(submitted(users[Role.CASEWORKER], child, guardian=guardian), users[Role.CASEWORKER], users[Role.REVIEWER])
    import time

    run = payroll.allowance_start(user=users[Role.BUREAU_ADMIN], month=dt.date(2026, 12, 1))  # queued on commit
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.5)
    assert run.status == BatchRun.Status.SUCCEEDED, run.message
    assert AllowancePayment.objects.get().amount == 2200
    # a second delivery of the same run does nothing
    assert tasks.allowance_task.delay(run.pk).get(timeout=60) is None
    assert AllowancePayment.objects.count() == 1


def test_each_overview_indicator_is_one_query(cc, django_assert_num_queries):
    from childcare import stats

    guardian, child = family(cc["regions"]["jinsha_1"])
    approved(submitted(cc[Role.CASEWORKER], child, guardian=guardian), cc[Role.CASEWORKER], cc[Role.REVIEWER])
    for indicator in stats.indicators():
        with django_assert_num_queries(1):
            values = indicator_values(indicator, cc["regions"]["city"])
        assert all(code.endswith("000000") for code in values)
    assert stats.orphans_by_district(cc["regions"]["city"], dt.date(2026, 12, 1)) == {"320612000000": 1}


def indicator_values(indicator, region):
    from civil_affairs.areas import resolve

    return resolve(indicator.values)(region, dt.date(2026, 12, 1))
