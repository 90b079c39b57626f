"""List pages, the same way for the core and every area: the filtered queryset
paged by keyset (sort by an allowed field, ?after=cursor, no OFFSET or COUNT),
and ?export=xlsx writing the whole filtered list to Excel as an audited export.
Filters stay the view's own (a FilterSet or a form): they only narrow `qs`."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .exports import xlsx_response
from .pagination import keyset_page

PAGE_SIZE = 50


def list_page(request, qs, *, sorts: Sequence[str], default: str, size: int = PAGE_SIZE) -> dict:
    """Context of one page: `page` (items, next cursor, sort in force) and
    `base_query` (the filters, for the sort and next-page links)."""
    page = keyset_page(qs, sort=request.GET.get("sort", default), allowed=tuple(sorts), default=default,
                       cursor=request.GET.get("after"), size=size)
    params = request.GET.copy()
    params.pop("after", None)
    params.pop("sort", None)
    return {"page": page, "base_query": params.urlencode()}


def export_requested(request) -> bool:
    return request.GET.get("export") == "xlsx"


def xlsx_export(request, *, target_type: str, filename: str, sheet: str, headers: Sequence[str],
                rows: Iterable[Sequence] | None = None, qs=None, row: Callable | None = None,
                order: Sequence[str] = ("region_id", "pk")):
    """The whole filtered list as an Excel file, recorded in the audit log with the
    filters used.  Give `rows`, or `qs` and `row` (one record → its cells), which
    streams the queryset in `order` (by region, then id: the order people file by)."""
    from .services import export_recorded

    export_recorded(actor=request.user, target_type=target_type, filters=request.GET.dict())
    if rows is None:
        rows = (row(obj) for obj in qs.order_by(*order).iterator(chunk_size=2000))
    return xlsx_response(filename=filename, sheet=sheet, rows=rows, headers=list(headers))
