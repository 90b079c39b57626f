"""N+1 detection for list pages and API lists: the same page costs the same
number of queries with 1 row as with a full page of rows."""

import re
from collections import Counter

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

FULL_PAGE = 20


def rows_shown(response) -> int:
    """Rows on a keyset page (workbench lists: context "page") or in an API list ("results")."""
    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        return len(body["results"] if isinstance(body, dict) else body)
    return len(response.context["page"].items)


def _shape(sql: str) -> str:
    """The query without its values, so the same query for another row counts as the same."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def _measure(client, url):
    url = url() if callable(url) else url  # a URL naming a row the rows made (a roll)
    cache.clear()  # cached counts and throttle counters must not make the second request cheaper
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, [q["sql"] for q in queries.captured_queries]


def assert_no_n_plus_one(client, url, make_rows, *, full=FULL_PAGE, rows=rows_shown):
    """GET `url` after `make_rows(1)` and again after `make_rows(full - 1)` more:
    both pages must show the rows they were given and cost the same queries.
    `url` may be a callable, for a page of a record that make_rows creates."""
    make_rows(1)
    one, one_sql = _measure(client, url)
    make_rows(full - 1)
    many, many_sql = _measure(client, url)
    assert rows(many) - rows(one) == full - 1, f"{url}: the rows made are not all on the page"
    extra = Counter(map(_shape, many_sql)) - Counter(map(_shape, one_sql))
    assert len(many_sql) == len(one_sql), (
        f"{url}: {len(one_sql)} queries with 1 row, {len(many_sql)} with {full}; repeated per row:\n"
        + "\n".join(f"{n} × {sql}" for sql, n in extra.items())[:4000]
    )
