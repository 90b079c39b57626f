"""Keyset pagination for workbench lists: no OFFSET, no COUNT(*) over the
registry; the next page starts after the last row shown (sort value, id)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from django.db import connections
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Collate
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None
    sort: str
    prev_cursor: str | None = None  # ?before=: the page before this one


def _encode(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def _decode(cursor: str):
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, list) and len(values) == 2 else None


PINYIN_COLLATION = "zh-x-icu"
_has_pinyin: dict[str, bool] = {}


def pinyin_collation_available(using: str = "default") -> bool:
    """Whether the server has ICU's Chinese collation (pinyin order).  The
    embedded PostgreSQL of `make run` is built without ICU: names there sort
    by code point (the C-collated `name` index)."""
    if using not in _has_pinyin:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [PINYIN_COLLATION])
            _has_pinyin[using] = cursor.fetchone() is not None
    return _has_pinyin[using]


def sort_expression(qs: QuerySet, field: str, *, pinyin: bool):
    """What a list orders by: the field, or for Chinese names the field in pinyin
    order (`name COLLATE "zh-x-icu"`, the expression of the index person_name_pinyin_id)."""
    if pinyin and pinyin_collation_available(qs.db):
        return Collate(F(field), PINYIN_COLLATION)
    return F(field)


def keyset_page(
    qs: QuerySet,
    *,
    sort: str,
    allowed: tuple[str, ...],
    default: str,
    cursor: str | None,
    size: int = 50,
    before: str | None = None,
    pinyin: tuple[str, ...] = (),
) -> KeysetPage:
    """`sort` is a field name, with '-' for descending; unknown sorts fall back to
    `default`.  `cursor` (?after=) pages forwards from a row, `before` (?before=)
    backwards; fields in `pinyin` sort in pinyin order."""
    if sort.lstrip("-") not in allowed:
        sort = default
    field, desc = sort.lstrip("-"), sort.startswith("-")
    model_field = qs.model._meta.get_field(field)
    qs = qs.alias(_sort_key=sort_expression(qs, model_field.attname, pinyin=field in pinyin))
    backwards = bool(before) and not cursor
    start = _decode(before if backwards else cursor) if (cursor or before) else None
    # walking backwards is walking forwards in the opposite order, then turning the rows round
    ascending = desc == backwards
    qs = qs.order_by("_sort_key" if ascending else "-_sort_key", "pk" if ascending else "-pk")
    if start:
        value = model_field.to_python(start[0]) if start[0] is not None else None
        op = "gt" if ascending else "lt"
        # (key >= v) is the index condition; the OR only settles ties on the id
        qs = qs.filter(
            Q(**{f"_sort_key__{op}e": value}),
            Q(**{f"_sort_key__{op}": value}) | Q(**{"_sort_key": value, f"pk__{op}": start[1]}),
        )
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def cursor_of(row):
        return _encode([getattr(row, model_field.attname), row.pk])

    if backwards:
        prev_cursor = cursor_of(rows[0]) if more and rows else None
        next_cursor = cursor_of(rows[-1]) if rows else None
    else:
        prev_cursor = cursor_of(rows[0]) if start and rows else None
        next_cursor = cursor_of(rows[-1]) if more else None
    return KeysetPage(items=rows, next_cursor=next_cursor, sort=sort, prev_cursor=prev_cursor)


class KeysetPagination(CursorPagination):
    """The API's pagination: DRF's cursor (keyset) pagination, constant time at any depth."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-pk"


class FieldKeysetPagination(KeysetPagination):
    """API pages in (`field`, id) order, paged by keyset_page as the workbench lists
    are: ?cursor= (next) and ?before= (previous) carry one row's (field, id), so any
    page is one range scan of the (field, id) index, however many rows share a value
    (DRF's cursor counts an offset among equal values instead, capped at 1000)."""

    field = "region_id"
    before_query_param = "before"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = keyset_page(
            queryset,
            sort=self.field,
            allowed=(self.field,),
            default=self.field,
            cursor=request.query_params.get(self.cursor_query_param),
            before=request.query_params.get(self.before_query_param),
            size=self.get_page_size(request),
        )
        return self.page.items

    def _link(self, param: str, value: str | None) -> str | None:
        if value is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.before_query_param)
        return replace_query_param(remove_query_param(url, self.cursor_query_param), param, value)

    def get_next_link(self):
        return self._link(self.cursor_query_param, self.page.next_cursor)

    def get_previous_link(self):
        return self._link(self.before_query_param, self.page.prev_cursor)

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.before_query_param,
                "required": False,
                "in": "query",
                "description": "The page before this one (the `previous` link).",
                "schema": {"type": "string"},
            },
        ]
