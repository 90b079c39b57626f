"""The test suite's own tooling: marks follow fixtures, and Django's guard
against ORM calls from async code stays on outside the browser tests."""

import asyncio
import os

import pytest
from django.core.exceptions import SynchronousOnlyOperation

from civil_affairs.models import Region


def test_orm_calls_from_async_code_are_refused_outside_browser_tests(db):
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ  # set only while tests/browser runs

    async def query():
        return Region.objects.count()

    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(query())


def test_every_test_using_the_worker_is_a_broker_test(request):
    using_worker = [item for item in request.session.items if "celery_worker_process" in item.fixturenames]
    assert all(item.get_closest_marker("broker") for item in using_worker)
    assert not any(item.get_closest_marker("broker") for item in request.session.items if item not in using_worker)
