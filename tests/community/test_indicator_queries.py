"""Each of community's overview indicators is one grouped query."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from civil_affairs.areas import resolve
from community.selectors.indicators import INDICATORS


def test_each_community_indicator_is_one_query(regions):
    for indicator in INDICATORS:
        with CaptureQueriesContext(connection) as queries:
            resolve(indicator.values)(regions["city"], dt.date(2026, 6, 1))
        assert len(queries) == 1, indicator.key
