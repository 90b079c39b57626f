"""Chunked registry import: good rows kept, bad rows reported with row numbers,
re-import changes nothing; CSV and Excel; the admin links to it."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from civil_affairs import services
from civil_affairs.models import BatchRun, Person, Role
from tests.civil_affairs.factories import GOOD_1, person_csv
from tests.civil_affairs.factories import PERSON_IMPORT_ROWS as ROWS  # the name its tests read


def _run_import(user, name, content, kind="person"):
    run = services.registry_import_start(user=user, kind=kind, uploaded=SimpleUploadedFile(name, content))
    return services.registry_import_run(run_id=run.pk)


def test_bad_rows_are_reported_and_good_rows_kept(regions, users):
    run = _run_import(users[Role.CASEWORKER], "people.csv", person_csv(*ROWS))
    assert run.status == BatchRun.Status.SUCCEEDED
    assert (run.total, run.done, run.error_count) == (4, 4, 3)
    assert [e["row"] for e in run.errors] == [3, 4, 5]
    assert "校验位错误" in run.errors[0]["reason"]
    assert "320699999999" in run.errors[1]["reason"]
    assert "disability_grade" in run.errors[2]["reason"]
    imported = Person.objects.filter(id_number__in=[r[0] for r in ROWS])
    assert list(imported.values_list("id_number", flat=True)) == [GOOD_1]
    person = imported.get()
    assert (person.sex, person.birth_date, person.residence_region_id) == ("M", dt.date(1950, 1, 1), "320612001001")


def test_the_same_file_twice_changes_nothing(regions, users):
    content = person_csv(ROWS[0])
    _run_import(users[Role.CASEWORKER], "people.csv", content)
    before = list(Person.objects.values_list("id", "id_number", "name", "updated_at"))
    run = _run_import(users[Role.CASEWORKER], "people.csv", content)
    assert run.error_count == 0
    assert list(Person.objects.values_list("id", "id_number", "name", "updated_at")) == before


def test_excel_import_with_numeric_cells(regions, users):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "parent", "is_urban"])
    sheet.append([320612001002, "新建社区", 320612001000, 1])
    sheet.append([3206, "坏代码", 320612001000, 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    run = _run_import(users[Role.BUREAU_ADMIN], "regions.xlsx", buffer.getvalue(), kind="region")
    assert run.error_count == 1 and run.errors[0]["row"] == 3, run.errors
    region = regions["jinsha"].children.get(code="320612001002")
    assert (region.level, region.prefix) == (5, "320612001002")


def test_resumes_after_the_rows_already_done(regions, users, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_CHUNK_ROWS", 1)
    run = services.registry_import_start(
        user=users[Role.CASEWORKER], kind="person", uploaded=SimpleUploadedFile("p.csv", person_csv(ROWS[0], ROWS[3]))
    )
    # A worker died after the first chunk: progress says 1 row done.
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.RUNNING, done=1, total=2)
    run = services.registry_import_run(run_id=run.pk)
    assert (run.done, run.total) == (2, 2)
    assert run.error_count == 1 and run.errors[0]["row"] == 3
    assert not Person.objects.filter(id_number=GOOD_1).exists()  # row 2 was "done" before, so it was not re-imported


def test_unsupported_file_is_refused_with_a_message(regions, users):
    import pytest

    with pytest.raises(services.DomainError, match="CSV"):
        services.registry_import_start(
            user=users[Role.CASEWORKER], kind="person", uploaded=SimpleUploadedFile("p.txt", b"x")
        )


def test_import_page_queues_and_shows_progress(regions, users, login, django_capture_on_commit_callbacks):
    client = login(users[Role.CASEWORKER])
    assert client.get("/work/import/?kind=person").status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/work/import/", {"kind": "person", "file": SimpleUploadedFile("p.csv", person_csv(*ROWS))}
        )
    assert response.status_code == 302 and len(callbacks) == 1
    run = BatchRun.objects.get()
    services.registry_import_run(run_id=run.pk)  # what the queued task does
    page = client.get(response["Location"], HTTP_HX_REQUEST="true").text
    assert 'data-status="succeeded"' in page and "hx-trigger" not in page
    errors = b"".join(client.get(f"/work/batches/{run.pk}/errors.csv").streaming_content).decode("utf-8-sig")
    assert errors.splitlines()[0] == "行号,原因" and errors.count("\n") == 4


def test_admin_changelist_offers_import_and_export(regions, users, login):
    html = login(users[Role.BUREAU_ADMIN]).get("/admin/civil_affairs/person/").text
    assert "/work/import/?kind=person" in html
    assert "export" in html
    response = login(users[Role.BUREAU_ADMIN]).post(
        "/admin/civil_affairs/region/export/", {"format": "0", "resource": "0"}
    )
    assert response.status_code in (200, 302)


def test_failed_run_can_be_retried_and_resumes(regions, users, login, django_capture_on_commit_callbacks):
    run = services.registry_import_start(
        user=users[Role.CASEWORKER], kind="person", uploaded=SimpleUploadedFile("p.csv", person_csv(*ROWS))
    )
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.FAILED, done=1, total=4)
    client = login(users[Role.CASEWORKER])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/work/batches/{run.pk}/retry/")
    assert response.status_code == 302 and len(callbacks) == 1
    run = services.registry_import_run(run_id=run.pk)
    assert run.status == BatchRun.Status.SUCCEEDED and (run.done, run.total) == (4, 4)
    assert [e["row"] for e in run.errors] == [3, 4, 5]
    # a finished run is not queued again
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(f"/work/batches/{run.pk}/retry/")
    assert not callbacks
