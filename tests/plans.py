"""Query plans and table statistics, for the tests that keep lists fast under
load (issue 11 item 10): which indexes a page's query reads, and whether a
batch left fresh statistics (ANALYZE) on the tables it wrote."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext


def database_now() -> dt.datetime:
    """The server's wall clock (what pg_stat_user_tables.last_analyze is stamped with)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def analyzed_since(since: dt.datetime, models) -> set[str]:
    """The tables of `models` that an ANALYZE (not autovacuum's) has visited since `since`."""
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # this transaction cached the figures
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s) AND last_analyze >= %s", [tables, since]
        )
        return {row[0] for row in cursor.fetchall()}


def list_query(client, url: str, table: str) -> str:
    """The SQL of the query that reads a page's rows: the one on `table` with a LIMIT."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    found = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"] and "LIMIT" in q["sql"]]
    assert found, f"no query on {table} with a LIMIT for {url}"
    return found[0]


def plan(sql: str) -> tuple[set[str], set[str]]:
    """(index names read, node types) of the plan PostgreSQL chooses for `sql`."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        root = cursor.fetchone()[0][0]["Plan"]
    indexes, nodes, stack = set(), set(), [root]
    while stack:
        node = stack.pop()
        nodes.add(node["Node Type"])
        if "Index Name" in node:
            indexes.add(node["Index Name"])
        stack.extend(node.get("Plans", []))
    return indexes, nodes
