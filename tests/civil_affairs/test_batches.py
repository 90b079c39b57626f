"""The batch engine's liveness (issue 10 finding 6): system runs filed under
the city so the city's staff see them, a heartbeat per chunk, runs whose
worker stopped shown as interrupted and resumable from their page, and a
live run never started twice."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from civil_affairs.batches import run_chunks
from civil_affairs.models import AuditEvent, BatchRun, Role
from civil_affairs.services import DomainError, batchrun_create, batchrun_progress, batchrun_retry

PAYROLL = "relief_payroll"


def _running(*, minutes_since_heartbeat: int, **fields) -> BatchRun:
    """A payroll run the worker last touched `minutes_since_heartbeat` ago (filed under the city)."""
    now = timezone.now()
    run = batchrun_create(kind=PAYROLL, params={"month": "2026-12"}, **fields)
    BatchRun.objects.filter(pk=run.pk).update(
        status=BatchRun.Status.RUNNING,
        done=2,
        total=9,
        started_at=now - dt.timedelta(minutes=60),
        heartbeat_at=now - dt.timedelta(minutes=minutes_since_heartbeat),
    )
    run.refresh_from_db()
    return run


def test_a_system_run_is_filed_under_the_city_and_seen_by_its_staff(regions, users, login, client):
    call_command("generate_payroll", "--month", "2026-12")  # no user: a command, like Celery beat
    run = BatchRun.objects.get(kind=PAYROLL)
    assert run.region_id == regions["city"].code  # not the province row above it
    for role in (Role.BUREAU_ADMIN, Role.AUDITOR):
        client.logout()
        page = login(users[role]).get(f"/work/batches/{run.pk}/")
        assert page.status_code == 200, role
        assert run.pk in [r.pk for r in login(users[role]).get("/work/batches/").context["runs"]]
    client.logout()
    assert login(users[Role.REVIEWER]).get(f"/work/batches/{run.pk}/").status_code == 404  # a district's reviewer


def test_every_chunk_touches_the_heartbeat(regions):
    run = batchrun_create(kind="import_person", params={})
    BatchRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    seen = []

    def step(lo, hi):
        seen.append(BatchRun.objects.values_list("heartbeat_at", flat=True).get(pk=run.pk))
        return {}

    before = timezone.now()
    run_chunks(run_id=run.pk, first=0, end=3, chunk=1, step=step)
    run.refresh_from_db()
    assert seen[0] >= before  # touched at the start
    assert seen[0] <= seen[1] <= seen[2] <= run.heartbeat_at  # and by each chunk's transaction


def test_row_by_row_progress_touches_the_heartbeat_too(regions):
    """Imports and feeds report per chunk of rows, not through run_chunks."""
    run = batchrun_create(kind="import_person", params={})
    before = timezone.now()
    batchrun_progress(run_id=run.pk, done=500)
    assert BatchRun.objects.get(pk=run.pk).heartbeat_at >= before


def test_a_stale_run_shows_interrupted_and_is_resumed_from_its_page(
    regions, users, login, client, django_capture_on_commit_callbacks, settings
):
    settings.BATCH_HEARTBEAT_STALE_MINUTES = 10
    run = _running(minutes_since_heartbeat=11)
    admin = login(users[Role.BUREAU_ADMIN])
    html = admin.get(f"/work/batches/{run.pk}/").content.decode()
    assert "已中断（工作进程无响应）" in html and 'data-status="interrupted"' in html
    assert 'data-testid="batch-resume"' in html and "继续运行" in html
    assert "已中断（工作进程无响应）" in admin.get("/work/batches/").content.decode()
    client.logout()
    auditor = login(users[Role.AUDITOR]).get(f"/work/batches/{run.pk}/").content.decode()
    assert "已中断（工作进程无响应）" in auditor and 'data-testid="batch-resume"' not in auditor  # read-only
    client.logout()

    admin = login(users[Role.BUREAU_ADMIN])
    with django_capture_on_commit_callbacks() as queued:
        response = admin.post(f"/work/batches/{run.pk}/retry/", follow=True)
    assert "任务已重新排队" in response.content.decode()
    assert len(queued) == 1  # the payroll task, queued on commit
    run.refresh_from_db()
    assert (run.status, run.done) == (BatchRun.Status.PENDING, 2)  # resumes after the chunks done
    event = AuditEvent.objects.get(target_type="civil_affairs.batchrun", target_id=str(run.pk))
    assert event.changes == {"retry": True, "done": 2, "total": 9, "was": "running"}


def test_a_live_run_is_not_started_twice(regions, users, login, django_capture_on_commit_callbacks, settings):
    settings.BATCH_HEARTBEAT_STALE_MINUTES = 10
    run = _running(minutes_since_heartbeat=1)
    admin = login(users[Role.BUREAU_ADMIN])
    html = admin.get(f"/work/batches/{run.pk}/").content.decode()
    assert "运行中" in html and "已中断" not in html and 'data-testid="batch-resume"' not in html
    with django_capture_on_commit_callbacks() as queued:
        refused = admin.post(f"/work/batches/{run.pk}/retry/", follow=True).content.decode()
    assert f"任务 #{run.pk} 正在另一工作进程中运行（已处理 2/9），不能重复启动" in refused
    assert not queued
    run.refresh_from_db()
    assert run.status == BatchRun.Status.RUNNING
    with pytest.raises(DomainError, match="正在另一工作进程中运行"):
        batchrun_retry(user=users[Role.BUREAU_ADMIN], run_id=run.pk)


def test_resuming_needs_the_kinds_own_run_capability(regions, users, login, client, django_capture_on_commit_callbacks):
    worker = users[Role.CASEWORKER]  # may import registry files, may not generate a payroll
    payroll_run = batchrun_create(kind=PAYROLL, params={"month": "2026-12"}, user=worker)
    import_run = batchrun_create(kind="import_person", params={"kind": "person"}, user=worker)
    BatchRun.objects.filter(pk__in=[payroll_run.pk, import_run.pk]).update(status=BatchRun.Status.FAILED)
    caseworker = login(worker)
    page = caseworker.get(f"/work/batches/{payroll_run.pk}/").content.decode()
    assert 'data-testid="batch-resume"' not in page
    assert caseworker.post(f"/work/batches/{payroll_run.pk}/retry/").status_code == 403
    with pytest.raises(DomainError, match="权限"):
        batchrun_retry(user=worker, run_id=payroll_run.pk)
    assert 'data-testid="batch-resume"' in caseworker.get(f"/work/batches/{import_run.pk}/").content.decode()
    with django_capture_on_commit_callbacks():
        assert caseworker.post(f"/work/batches/{import_run.pk}/retry/").status_code == 302
    assert BatchRun.objects.get(pk=import_run.pk).status == BatchRun.Status.PENDING
    client.logout()
    # The bureau, which generates payrolls, resumes the payroll run.
    with django_capture_on_commit_callbacks() as queued:
        assert login(users[Role.BUREAU_ADMIN]).post(f"/work/batches/{payroll_run.pk}/retry/").status_code == 302
    assert len(queued) == 1 and BatchRun.objects.get(pk=payroll_run.pk).status == BatchRun.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_run_resumed_while_its_worker_is_alive_leaves_it_alone(regions):
    """Resumed as interrupted, but the first worker was only slow: it still
    holds the month's advisory lock, so the second delivery does nothing and
    the run is shown running again."""
    from relief.services import payroll

    run = _running(minutes_since_heartbeat=30)
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.PENDING)  # what "继续运行" did
    holding, release = threading.Event(), threading.Event()

    def alive_worker():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [payroll._LOCK_CLASS, 202612])
                holding.set()
                release.wait(10)
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [payroll._LOCK_CLASS, 202612])
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=alive_worker)
    thread.start()
    try:
        assert holding.wait(10)
        assert payroll.payroll_generate(month=dt.date(2026, 12, 1), run_id=run.pk) is None
    finally:
        release.set()
        thread.join(10)
    run.refresh_from_db()
    assert (run.status, run.done, run.message) == (BatchRun.Status.RUNNING, 2, "")


def test_migration_0007_files_old_system_runs_under_the_city(regions, users):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("civil_affairs.migrations.0007_system_runs_under_city")
    old = BatchRun.objects.create(kind=PAYROLL, params={"month": "2026-10"}, region=regions["province"])
    mine = BatchRun.objects.create(
        kind="import_person", params={}, region=regions["province"], created_by=users[Role.BUREAU_ADMIN]
    )  # a person's run: left as it was
    migration.system_runs_under_city(apps, None)
    old.refresh_from_db()
    mine.refresh_from_db()
    assert (old.region_id, mine.region_id) == (regions["city"].code, regions["province"].code)
