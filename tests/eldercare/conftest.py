"""Eldercare fixtures: today fixed in December 2026 and the city's default parameters."""

import datetime as dt

import pytest

from civil_affairs.models import Parameter
from eldercare.parameters import DEFAULTS

TODAY = dt.date(2026, 12, 15)


@pytest.fixture
def today(settings):
    settings.MINZHENG_TODAY = TODAY
    return TODAY


@pytest.fixture
def elder_params(regions):
    """The defaults at city level, as the data migration ships them for an existing city."""
    for key, value in DEFAULTS.items():
        Parameter.objects.create(region=regions["city"], key=key, value=value, effective_from=dt.date(2020, 1, 1))
    return regions
