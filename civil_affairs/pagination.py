"""Keyset pagination for workbench lists: no OFFSET, no COUNT(*) over the
registry; the next page starts after the last row shown (sort value, id)."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from rest_framework.pagination import CursorPagination


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None
    sort: str


def _encode(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def _decode(cursor: str):
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        return None


def keyset_page(qs: QuerySet, *, sort: str, allowed: tuple[str, ...], default: str, cursor: str | None,
                size: int = 50) -> KeysetPage:
    """`sort` is a field name, with '-' for descending; unknown sorts fall back to `default`."""
    if sort.lstrip("-") not in allowed:
        sort = default
    field, desc = sort.lstrip("-"), sort.startswith("-")
    model_field = qs.model._meta.get_field(field)
    qs = qs.order_by(f"-{field}" if desc else field, "-pk" if desc else "pk")
    after = _decode(cursor) if cursor else None
    if after and len(after) == 2:
        value = model_field.to_python(after[0]) if after[0] is not None else None
        op = "lt" if desc else "gt"
        qs = qs.filter(Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": after[1]}))
    rows = list(qs[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([getattr(last, model_field.attname), last.pk])
    return KeysetPage(items=rows, next_cursor=next_cursor, sort=sort)



class KeysetPagination(CursorPagination):
    """The API's pagination: DRF's cursor (keyset) pagination, constant time at any depth."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-pk"
