"""The bureau overview (民政一张图, /work/overview/): every area's indicators
(civil_affairs.areas.Indicator) by district for the user's region subtree
and a day.  Each indicator is one grouped query of its area; the core only
lays the figures out (districts × indicators, with a total row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from . import areas
from .models import Region
from .permissions import has_capability


@dataclass
class Column:
    area: str
    key: str
    label: object
    unit: object
    values: list  # one per district, in district order (0 where the area has none)
    total: object


def overview_root(user) -> Region | None:
    """The region whose districts the user sees: their own (a reviewer's district, the bureau's city)."""
    if not has_capability(user, "overview_view") or user.region_id is None:
        return None
    return user.region


def overview_districts(root: Region) -> list[Region]:
    """Districts/counties of the subtree (the root itself when it is one)."""
    if root.level >= Region.Level.COUNTY:
        return [root] if root.level == Region.Level.COUNTY else []
    return list(Region.objects.filter(level=Region.Level.COUNTY, code__startswith=root.prefix).order_by("code"))


def _zero(values: list):
    return Decimal("0.00") if any(isinstance(v, Decimal) for v in values) else 0


def overview_table(user, day: dt.date) -> tuple[list[Region], list[Column]]:
    """(districts, one Column per registered indicator) for the user's subtree on `day`."""
    root = overview_root(user)
    if root is None:
        return [], []
    districts = overview_districts(root)
    columns = []
    for area in areas.registered():
        for indicator in area.indicators:
            by_district = areas.resolve(indicator.values)(root, day)
            values = [by_district.get(d.code) for d in districts]
            zero = _zero([v for v in values if v is not None])
            values = [zero if v is None else v for v in values]
            columns.append(
                Column(
                    area=area.key,
                    key=indicator.key,
                    label=indicator.label,
                    unit=indicator.unit,
                    values=values,
                    total=sum(values, zero),
                )
            )
    return districts, columns


def overview_chart_data(districts: list[Region], columns: list[Column]) -> list[dict]:
    """What static/js/charts.js draws: one bar chart per indicator (json_script, no inline script)."""
    labels = [d.name for d in districts]
    return [
        {
            "id": f"overview-{c.key}",
            "label": f"{c.label}（{c.unit}）",
            "labels": labels,
            "data": [str(v) for v in c.values],
        }
        for c in columns
    ]
