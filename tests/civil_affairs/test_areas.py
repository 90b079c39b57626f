"""The area registry: a policy area plugs in without touching the core.

tests/sample_area is a tiny area installed only in the test settings; it
must show up in navigation, the residents' service list and the permission
matrix (tests/sample_area/matrix.py), and run its batch on the real worker.
Person 360, the overview and life events of the sample area: see R3's tests."""

import re
import time
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import path
from rest_framework.views import APIView

from civil_affairs import areas, checks, services
from civil_affairs.areas import Area, AreaConflict, BatchKind, ImportKind
from civil_affairs.batches import batchrun_enqueue, capability_for_kind, kind_label, lock_class
from civil_affairs.errors import DomainError, api_exception_handler
from civil_affairs.models import AuditEvent, BatchRun, Person, Role
from civil_affairs.permissions import capability_table, require


def _nav_keys(response):
    return [area["key"] for area in response.context["nav_areas"]]


def test_the_sample_area_is_in_the_menu_only_for_users_with_its_capability(users, login):
    response = login(users[Role.INSTITUTION_STAFF]).get("/work/")
    assert "sample" in _nav_keys(response) and "relief" not in _nav_keys(response)  # relief_view is not theirs
    assert 'href="/work/sample/"' in response.content.decode()
    response = login(users[Role.CASEWORKER]).get("/work/")
    assert "relief" in _nav_keys(response) and "sample" not in _nav_keys(response)
    assert "/work/sample/" not in response.content.decode()
    keys = _nav_keys(login(users[Role.BUREAU_ADMIN]).get("/work/"))
    order = {area.key: area.order for area in areas.registered()}
    assert {"relief", "sample"} <= set(keys) and keys == sorted(keys, key=order.get)  # menu order


def test_can_covers_every_capability_of_the_core_and_the_areas(users, login):
    can = login(users[Role.BUREAU_ADMIN]).get("/work/").context["can"]
    assert set(can) == set(capability_table())
    assert {"workbench", "payroll_run", "sample_view"} <= set(can)
    assert can["sample_view"] and can["payroll_run"] and not can["relief_handle"]


def test_the_residents_service_list_comes_from_the_registry(users, login, client):
    page = client.get("/").content.decode()
    assert "示例领域" in page and "社会救助" in page  # every area's service, described
    assert 'href="/my/sample/apply/"' not in page  # applying is for verified residents
    page = login(users[Role.RESIDENT]).get("/").content.decode()
    assert 'data-testid="apply-sample"' in page and 'href="/my/sample/apply/"' in page
    assert 'data-testid="apply-relief"' in page and 'href="/my/relief/apply/"' in page


def test_my_applications_goes_to_the_one_area_or_lists_several(users, login, extra_area, monkeypatch):
    client = login(users[Role.RESIDENT])
    # one area with a list of the resident's cases: straight to it
    only_relief = [a for a in areas.registered() if a.key == "relief" or not a.my_applications_url_name]
    monkeypatch.setattr(areas, "registered", lambda: only_relief)
    response = client.get("/my/applications/")
    assert response.status_code == 302 and response["Location"] == "/my/relief/"
    monkeypatch.undo()
    # several: a page linking each, in menu order
    extra_area(Area(key="second", label="第二领域", order=15, my_applications_url_name="sample_portal:apply"))
    response = client.get("/my/applications/")
    assert response.status_code == 200
    links = re.findall(r'href="([^"]+)"[^>]*>([^<]+)</a>', response.content.decode().split("application-lists")[1])
    expected = [str(a.label) for a in areas.registered() if a.my_applications_url_name]
    assert [label for _, label in links][: len(expected)] == expected
    assert links[:2] == [("/my/relief/", "社会救助"), ("/my/sample/apply/", "第二领域")]


def test_the_system_check_passes_for_the_installed_areas():
    assert checks.check_areas() == []


def test_the_system_check_names_an_unknown_capability():
    page = require("no_such_capability")(lambda request: None)

    class Api(APIView):
        capability = "no_such_api_capability"

    known = require("sample_view")(lambda request: None)
    errors = checks.unknown_capabilities([path("page/", page), path("api/", Api.as_view()), path("ok/", known)])
    assert sorted(e.msg for e in errors) == [
        "api/: the view demands the capability 'no_such_api_capability', which no one declares",
        "page/: the view demands the capability 'no_such_capability', which no one declares",
    ]
    assert {e.id for e in errors} == {"civil_affairs.E101"}


def test_the_system_check_catches_a_second_claim_of_a_name(extra_area):
    extra_area(
        Area(
            key="greedy",
            label="冲突领域",
            capabilities={"sample_view": frozenset({Role.AUDITOR}), "registry_view": frozenset()},
            batch_kinds=(BatchKind("sample_count", "又一个", "tests.sample_area.tasks.count_task"),),
            import_kinds=(ImportKind("person", "civil_affairs.resources.PersonResource", "人员", "workbench"),),
        )
    )
    messages = sorted(e.msg for e in checks.check_areas())
    assert messages == [
        "batch kind 'sample_count' is claimed 2 times",
        "capability 'registry_view' is claimed 2 times",
        "capability 'sample_view' is claimed 2 times",
        "import kind 'person' is claimed 2 times",
    ]
    # the same key is refused at once, and the check would name it too
    with pytest.raises(AreaConflict):
        areas.register(Area(key="sample", label="重名"))
    assert [e.msg for e in checks.area_conflicts([areas.get("sample"), Area(key="sample", label="重名")])] == [
        "area key 'sample' is claimed 2 times"
    ]
    # the core's own capability stays the core's
    assert capability_table()["registry_view"] != frozenset()


def test_batch_kinds_come_from_the_registry():
    assert kind_label("sample_count") == "示例批处理"
    assert capability_for_kind("sample_count") == "sample_view"
    assert capability_for_kind("relief_payroll") == "payroll_run"
    assert capability_for_kind("import_relief_benefit") == "relief_configure"
    # the core's own batch kinds are listed with the areas' (the feed import: civil_affairs/feeds.py)
    assert kind_label("feed_import") == "比对数据导入" and capability_for_kind("feed_import") == "feed_import"
    # advisory-lock classes: a stable 31-bit hash of the kind, distinct per kind
    assert lock_class("relief_payroll") == zlib.crc32(b"relief_payroll") & 0x7FFFFFFF
    kinds = ["sample_count", "relief_payroll", "relief_recheck", "relief_price_linkage", "feed_import"]
    assert len({lock_class(k) for k in kinds}) == len(kinds) and all(0 <= lock_class(k) < 2**31 for k in kinds)


@pytest.mark.broker
def test_batchrun_enqueue_runs_the_registered_task_on_the_worker(celery_worker_process, regions, users):
    run = services.batchrun_create(kind="sample_count", params={}, user=users[Role.BUREAU_ADMIN])
    batchrun_enqueue(run)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not run.is_finished:
        time.sleep(0.2)
        run.refresh_from_db()
    assert run.status == BatchRun.Status.SUCCEEDED and run.message == "示例批处理完成"
    assert run.result == {"counts": {"counted": 1}}


def test_a_domain_error_is_a_400_with_its_message():
    response = api_exception_handler(DomainError("花名册已审核。"), {})
    assert response.status_code == 400 and response.data == {"detail": "花名册已审核。"}


def test_audit_rows_writes_one_event_per_row_in_one_statement(households):
    ids = list(Person.objects.values_list("pk", flat=True))
    written = services.audit_rows(
        select_sql="""
        SELECT NULL, 'system', 'update', 'civil_affairs.person', p.id, p.residence_region_id,
               jsonb_build_object('step', 'checked', 'n', %(n)s)
        FROM civil_affairs_person p WHERE p.id = ANY(%(ids)s)""",
        params={"ids": ids, "n": 7},
    )
    assert written == len(ids) == 3
    events = AuditEvent.objects.filter(target_type="civil_affairs.person", changes__step="checked")
    assert sorted(int(e.target_id) for e in events) == sorted(ids)
    assert {(e.actor_id, e.actor_label, e.action, e.changes["n"]) for e in events} == {(None, "system", "update", 7)}
    assert {e.region_code for e in events} == set(Person.objects.values_list("residence_region_id", flat=True))


CORE = Path(settings.BASE_DIR) / "civil_affairs"
AREA_APPS = [Path(settings.BASE_DIR) / "relief"]


def test_the_core_names_no_area():
    """No import of an area and no area's name in the core (settings aside:
    INSTALLED_APPS and the API schema's enum names)."""
    offenders = []
    for file in [*CORE.rglob("*.py"), *(Path(settings.BASE_DIR) / "templates" / d for d in ("portal", "workbench"))]:
        files = file.rglob("*.html") if file.is_dir() else [file]
        for f in files:
            if "migrations" in f.parts or f.name == "settings.py":
                continue
            offenders += [f"{f.name}:{n}" for n, line in enumerate(f.read_text().splitlines(), 1) if "relief" in line]
    assert offenders == []


def test_areas_import_no_private_core_name():
    private = re.compile(r"from civil_affairs\.[a-z_.]* import .*\b_")
    found = [
        f"{f}:{n}"
        for app in AREA_APPS
        for f in app.rglob("*.py")
        for n, line in enumerate(f.read_text().splitlines(), 1)
        if private.search(line)
    ]
    assert found == []


def test_services_never_import_tasks():
    found = [
        str(f)
        for f in [CORE / "services.py", *(Path(settings.BASE_DIR) / "relief" / "services").glob("*.py")]
        if re.search(r"from \.+tasks import|import .*\btasks\b", f.read_text())
    ]
    assert found == []
