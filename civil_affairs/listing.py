"""List pages, the same way for the core and every area: the filtered queryset
paged by keyset (sort by an allowed field, ?after= or ?before= a cursor, no
OFFSET; the count exact up to a bound, else the planner's estimate),
and ?export=xlsx writing the whole filtered list to Excel as an audited export.
Filters stay the view's own (a FilterSet or a form): they only narrow `qs`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import connections

from .exports import xlsx_response
from .pagination import keyset_page

PAGE_SIZE = 50


def list_page(
    request, qs, *, sorts: Sequence[str], default: str, size: int | None = None, pinyin: Sequence[str] = ()
) -> dict:
    """Context of one page: `page` (items, next and previous cursors, sort in
    force), `count` (the result count, exact or estimated) and `base_query`
    (the filters, for the sort and paging links).  Fields in `pinyin` (Chinese
    names) sort in pinyin order."""
    page = keyset_page(
        qs,
        sort=request.GET.get("sort", default),
        allowed=tuple(sorts),
        default=default,
        cursor=request.GET.get("after"),
        before=request.GET.get("before"),
        size=size or PAGE_SIZE,
        pinyin=tuple(pinyin),
    )
    params = request.GET.copy()
    for key in ("after", "before", "sort"):
        params.pop(key, None)
    return {"page": page, "base_query": params.urlencode(), "count": result_count(qs)}


EXACT_COUNT_LIMIT = 1000


@dataclass(frozen=True)
class ResultCount:
    value: int
    exact: bool


def result_count(qs) -> ResultCount:
    """Counted exactly up to EXACT_COUNT_LIMIT rows (a bounded count: cheap);
    beyond, the planner's row estimate from EXPLAIN (shown as "约 N")."""
    counted = qs.order_by()[: EXACT_COUNT_LIMIT + 1].count()
    if counted <= EXACT_COUNT_LIMIT:
        return ResultCount(counted, True)
    sql, params = qs.order_by().query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return ResultCount(max(int(plan[0]["Plan"]["Plan Rows"]), counted), False)


def export_requested(request) -> bool:
    return request.GET.get("export") == "xlsx"


def xlsx_export(
    request,
    *,
    target_type: str,
    filename: str,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence] | None = None,
    qs=None,
    row: Callable | None = None,
    order: Sequence[str] = ("region_id", "pk"),
):
    """The whole filtered list as an Excel file, recorded in the audit log with the
    filters used.  Give `rows`, or `qs` and `row` (one record → its cells), which
    streams the queryset in `order` (by region, then id: the order people file by)."""
    from .services import export_recorded

    export_recorded(actor=request.user, target_type=target_type, filters=request.GET.dict())
    if rows is None:
        rows = (row(obj) for obj in qs.order_by(*order).iterator(chunk_size=2000))
    return xlsx_response(filename=filename, sheet=sheet, rows=rows, headers=list(headers))
