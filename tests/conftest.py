"""Shared fixtures: a small region tree, one user per role, two households in
two different streets, and a live Celery worker on the real Redis broker."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from civil_affairs import areas
from civil_affairs.devservices import postgres_url
from civil_affairs.models import HouseholdMember, Role
from tests.factories import MemberFactory, PersonFactory, RegionFactory, UserFactory, valid_id_number

PASSWORD = "Minzheng@2026"


@pytest.fixture(autouse=True)
def _chinese_first():
    """Each test starts in the default language (a request may have switched the thread's)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: API throttle counters (and cached
    counts) must not leak from one test into the next in this process."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Text messages stay in memory (like Django's mail.outbox), readable by the
    test and by the in-process live server of the browser tests."""
    from civil_affairs import sms

    settings.SMS_BACKEND = "civil_affairs.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_documents(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents"), "base_url": None},
        },
    }


@pytest.fixture
def regions(db):
    """city → 2 districts → streets → communities, with real-looking codes."""
    province = RegionFactory(code="320000000000", name="江苏省")
    city = RegionFactory(code="320600000000", name="南通市", parent=province)
    tongzhou = RegionFactory(code="320612000000", name="通州区", parent=city)
    chongchuan = RegionFactory(code="320613000000", name="崇川区", parent=city)
    jinsha = RegionFactory(code="320612001000", name="金沙街道", parent=tongzhou)
    xingren = RegionFactory(code="320612002000", name="兴仁镇", parent=tongzhou)
    wenfeng = RegionFactory(code="320613001000", name="文峰街道", parent=chongchuan)
    return {
        "province": province,
        "city": city,
        "tongzhou": tongzhou,
        "chongchuan": chongchuan,
        "jinsha": jinsha,
        "xingren": xingren,
        "wenfeng": wenfeng,
        "jinsha_1": RegionFactory(code="320612001001", name="金沙社区", parent=jinsha),
        "xingren_1": RegionFactory(code="320612002001", name="兴仁村", parent=xingren, is_urban=False),
        "wenfeng_1": RegionFactory(code="320613001001", name="文峰社区", parent=wenfeng),
    }


ROLE_REGION = {
    Role.CASEWORKER: "jinsha",
    Role.REVIEWER: "tongzhou",
    Role.COMMUNITY_WORKER: "jinsha_1",
    Role.INSTITUTION_STAFF: "tongzhou",
    Role.CHARITY_STAFF: "city",
    Role.BUREAU_ADMIN: "city",
    Role.AUDITOR: "city",
}


@pytest.fixture
def households(regions):
    """One household in 金沙社区 (通州区) and one in 文峰社区 (崇川区)."""
    ours = MemberFactory(
        household__region=regions["jinsha_1"],
        household__number="H320612001000001",
        person__name="王建国",
        person__id_number=valid_id_number(male=True),
    ).household
    MemberFactory(
        household=ours,
        relation=HouseholdMember.Relation.SPOUSE,
        person__name="李秀英",
        person__id_number=valid_id_number(male=False),
    )
    theirs = MemberFactory(
        household__region=regions["wenfeng_1"],
        household__number="H320613001000001",
        person__name="陈志强",
        person__id_number=valid_id_number(address_code="320613"),
    ).household
    return {"ours": ours, "theirs": theirs}


@pytest.fixture
def users(regions):
    """One staff user per role (名 = role), plus a caseworker of another street and a resident."""
    made = {
        role: UserFactory(
            username=str(role),
            role=role,
            region=regions[region_key],
            first_name=str(role),
            is_staff=role == Role.BUREAU_ADMIN,
            is_superuser=role == Role.BUREAU_ADMIN,
        )
        for role, region_key in ROLE_REGION.items()
    }
    made["other_caseworker"] = UserFactory(username="other_caseworker", role=Role.CASEWORKER, region=regions["wenfeng"])
    person = PersonFactory(hukou_region=regions["jinsha_1"], name="赵居民")
    made[Role.RESIDENT] = UserFactory(username="13900000001", phone="13900000001", role=Role.RESIDENT, person=person)
    return made


@pytest.fixture
def extra_area():
    """Register a throw-away area for one test, and take it away again."""
    added = []

    def _register(area):
        added.append(area.key)
        return areas.register(area)

    yield _register
    for key in added:
        areas.unregister(key)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marks
def pytest_collection_modifyitems(config, items):
    """Every test that uses the worker (directly or through another fixture) is a
    `broker` test: the mark follows the fixture, so `-m "not broker"` skips them all."""
    for item in items:
        if "celery_worker_process" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.broker)


@pytest.fixture
def celery_worker_process(transactional_db, _celery_worker_session):
    """The session's Celery worker, for a test whose rows it must see: committed
    (transactional_db), with no task left queued by an earlier test."""
    from civil_affairs.celery import app

    app.control.purge()
    return _celery_worker_session


@pytest.fixture(scope="session")
def _celery_worker_session(django_db_setup):
    """A real Celery worker (solo pool) on the real Redis broker, using the test
    database; started once, on first use.  It depends on django_db_setup, so it
    is stopped before pytest-django drops the test database (the worker's
    connection would otherwise block the DROP DATABASE)."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],  # the suite's (tests.settings)
        "DATABASE_TEST_NAME": db["NAME"],
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own thread only
    # The worker connects to the test database by name.
    env["DATABASE_URL"] = postgres_url(
        user=db["USER"],
        password=db.get("PASSWORD") or "",
        host=db["HOST"] or "",
        port=db.get("PORT") or "",
        name=db["NAME"],
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "civil_affairs",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    from civil_affairs.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            break
        if proc.poll() is not None:
            raise RuntimeError("Celery worker exited during start-up")
    else:
        proc.terminate()
        raise RuntimeError("Celery worker did not answer a ping within 60 s")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
