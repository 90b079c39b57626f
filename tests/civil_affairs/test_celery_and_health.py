"""A real Celery worker on the real Redis broker, and /healthz."""

from django.core.files.uploadedfile import SimpleUploadedFile

from civil_affairs import services, tasks
from civil_affairs.models import BatchRun, Person, Role


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_reports_a_broken_broker(client, db, settings):
    from civil_affairs.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503 and response.json()["broker"].startswith("error")


def test_task_round_trip_through_the_broker(celery_worker_process):
    assert tasks.ping.delay("你好").get(timeout=30) == "你好"


def test_import_runs_on_the_worker(celery_worker_process, regions, users):
    from tests.civil_affairs.factories import PERSON_IMPORT_ROWS as ROWS
    from tests.civil_affairs.factories import person_csv

    run = services.registry_import_start(
        user=users[Role.CASEWORKER], kind="person", uploaded=SimpleUploadedFile("p.csv", person_csv(*ROWS))
    )
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.2)
    assert run.status == BatchRun.Status.SUCCEEDED and run.error_count == 3
    assert Person.objects.filter(id_number=ROWS[0][0]).exists()
