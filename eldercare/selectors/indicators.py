"""Eldercare's figures (DOMAIN.md "Eldercare" indicators) for the bureau
overview and the eldercare dashboard: each `values(region, day)` is one
grouped query over the region's subtree, by district (the first 6 digits),
returning {district code: value}; `by_child` gives the same per child region
(street, community) for the dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import Indicator
from civil_affairs.models import Person, Region
from civil_affairs.months import add_months, month_start, next_month_start

from ..models import Bed, Facility, HomeCareOrder, Institution, Meal, SeniorAllowance
from .vulnerable import VISITS_ON_TIME_SQL

_I, _B, _F = Institution._meta.db_table, Bed._meta.db_table, Facility._meta.db_table
_O, _M, _S, _P = (
    HomeCareOrder._meta.db_table,
    Meal._meta.db_table,
    SeniorAllowance._meta.db_table,
    Person._meta.db_table,
)

# name → (SQL selecting (key, value) grouped by the region column cut to %(digits)s, kind)
_SQL = {
    "institutions": f"SELECT substr(i.region_id, 1, %(digits)s), count(*) FROM {_I} i "
    "WHERE i.region_id LIKE %(prefix)s GROUP BY 1",
    "beds": f"SELECT substr(i.region_id, 1, %(digits)s), count(*) FROM {_B} b JOIN {_I} i ON i.id = b.institution_id "
    "WHERE i.region_id LIKE %(prefix)s GROUP BY 1",
    "nursing_share": f"SELECT substr(i.region_id, 1, %(digits)s), round(100.0 * count(*) FILTER (WHERE b.kind = 'nursing') "
    f"/ count(*), 1) FROM {_B} b JOIN {_I} i ON i.id = b.institution_id WHERE i.region_id LIKE %(prefix)s GROUP BY 1",
    "occupancy": f"SELECT substr(i.region_id, 1, %(digits)s), round(100.0 * count(*) FILTER (WHERE b.status = 'occupied') "
    f"/ count(*), 1) FROM {_B} b JOIN {_I} i ON i.id = b.institution_id WHERE i.region_id LIKE %(prefix)s GROUP BY 1",
    "private_share": f"SELECT substr(i.region_id, 1, %(digits)s), round(100.0 * count(*) FILTER (WHERE i.operator <> "
    f"'public') / count(*), 1) FROM {_B} b JOIN {_I} i ON i.id = b.institution_id WHERE i.region_id LIKE %(prefix)s "
    "GROUP BY 1",
    "medical_share": f"SELECT substr(i.region_id, 1, %(digits)s), round(100.0 * count(*) FILTER (WHERE i.medical <> "
    f"'none') / count(*), 1) FROM {_I} i WHERE i.region_id LIKE %(prefix)s GROUP BY 1",
    "meal_points": f"SELECT substr(f.region_id, 1, %(digits)s), count(*) FROM {_F} f "
    "WHERE f.kind = 'meal_point' AND f.region_id LIKE %(prefix)s GROUP BY 1",
    "meals": f"SELECT substr(f.region_id, 1, %(digits)s), count(*) FROM {_M} m JOIN {_F} f ON f.id = m.point_id "
    "WHERE m.date >= %(month)s AND m.date < %(next)s AND f.region_id LIKE %(prefix)s GROUP BY 1",
    "homecare_people": f"SELECT substr(o.region_id, 1, %(digits)s), count(*) FROM {_O} o "
    "WHERE o.month = %(month)s AND o.region_id LIKE %(prefix)s GROUP BY 1",
    "allowance_people": f"SELECT substr(s.region_id, 1, %(digits)s), count(*) FROM {_S} s "
    "WHERE s.month = %(month)s AND s.region_id LIKE %(prefix)s GROUP BY 1",
}


def _query(name: str, region: Region, day: dt.date, digits: int) -> dict[str, object]:
    month = month_start(day)
    params = {
        "digits": digits,
        "prefix": region.prefix + "%",
        "month": month,
        "next": next_month_start(month),
        "day": day,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SQL[name], params)
        return {key.ljust(12, "0"): value for key, value in cursor.fetchall()}


# Monthly counts that grow to millions of rows (a city's meals, its senior-allowance lines) are
# read from a small summary per community (or meal point's community) and month, kept in the
# cache: one GROUP BY for the whole city, then every region and cut (city, district, street)
# sums it in Python.  Exact: every write that changes them (the meal import, the allowance
# batch, a death) calls `summary_changed`, which starts a new generation of the month's
# summary; other changes (a roll line withdrawn in the core) show within SUMMARY_SECONDS.
SUMMARY_SECONDS = 600
_SUMMARY_SQL = {
    "meals": f"SELECT f.region_id, count(*) FROM {_M} m JOIN {_F} f ON f.id = m.point_id "
    "WHERE m.date >= %(month)s AND m.date < %(next)s GROUP BY 1",
    "allowance_people": f"SELECT s.region_id, count(*) FROM {_S} s WHERE s.month = %(month)s GROUP BY 1",
}


def _generation_key(name: str, month: dt.date) -> str:
    return f"eldercare:summary-generation:{name}:{month.isoformat()}"


def summary_changed(name: str, month: dt.date) -> None:
    """The month's `name` counts changed: the next read computes them again."""
    import time

    cache.set(_generation_key(name, month), time.time_ns(), SUMMARY_SECONDS * 6)


def summary(name: str, day: dt.date) -> dict[str, int]:
    """{community code: count} for the month of `day` (one grouped query, then cached)."""
    month = month_start(day)
    generation = cache.get(_generation_key(name, month), 0)
    key = f"eldercare:summary:{name}:{month.isoformat()}:{generation}"
    found = cache.get(key)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute(_SUMMARY_SQL[name], {"month": month, "next": next_month_start(month)})
            found = dict(cursor.fetchall())
        cache.set(key, found, SUMMARY_SECONDS)
    return found


def values_at(name: str, region: Region, day: dt.date, digits: int) -> dict[str, object]:
    if name in _SUMMARY_SQL:
        prefix, out = region.prefix, {}
        for code, n in summary(name, day).items():
            if code.startswith(prefix):
                key = code[:digits].ljust(12, "0")
                out[key] = out.get(key, 0) + n
        return out
    if name in _PER_AGED_60:
        return _per_aged_60(name, region, day, digits)
    return _query(name, region, day, digits)


# Per 1 000 (or per cent of) residents aged 60+: the figure's own count for the cut, over the aged-60
# population of the same cut, summed from one count per community for the day.  That count reads the
# whole registry (about a second for a city): computed once a day, shared by every region and cut, and
# warmed by the nightly job (tasks.py), not counted on a dashboard request.
_PER_AGED_60 = {"beds_per_1000": ("beds", 1000, "0.1"), "homecare_share": ("homecare_people", 100, "0.01")}
_AGED_60_BY_COMMUNITY = (
    f"SELECT p.residence_region_id, count(*) FROM {_P} p "
    "WHERE p.birth_date <= %(born60)s AND p.death_date IS NULL GROUP BY 1"
)


def aged_60(day: dt.date) -> dict[str, int]:
    """{community code: residents aged 60+ and alive} on `day` (one grouped query a day, then cached)."""
    key = f"eldercare:aged60:{day.isoformat()}"
    found = cache.get(key)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute(_AGED_60_BY_COMMUNITY, {"born60": add_months(day, -720)})
            found = dict(cursor.fetchall())
        cache.set(key, found, 86400)
    return found


def _per_aged_60(name: str, region: Region, day: dt.date, digits: int) -> dict[str, Decimal]:
    base, per, places = _PER_AGED_60[name]
    aged: dict[str, int] = {}
    for code, n in aged_60(day).items():
        if code.startswith(region.prefix):
            cut = code[:digits].ljust(12, "0")
            aged[cut] = aged.get(cut, 0) + n
    counts = _query(base, region, day, digits)
    return {
        cut: (Decimal(counts.get(cut, 0)) * per / n).quantize(Decimal(places), ROUND_HALF_UP)
        for cut, n in aged.items()
        if n
    }


_SQL["visits_on_time"] = VISITS_ON_TIME_SQL


def by_child(name: str, region: Region, day: dt.date) -> dict[str, object]:
    """Per child region of `region` (districts of a city, streets of a district, communities of a street)."""
    return values_at(name, region, day, {1: 4, 2: 6, 3: 9, 4: 12}.get(region.level, 12))


def _district(name: str):
    def values(region, day):  # the overview's figures: per district of the subtree
        return values_at(name, region, day, 6)

    values.__name__ = name
    return values


NAMES = (
    ("institutions", _("养老机构"), _("家")),
    ("beds", _("机构床位"), _("张")),
    ("nursing_share", _("护理型床位占比"), "%"),
    ("beds_per_1000", _("每千名60岁以上老人床位"), _("张")),
    ("occupancy", _("床位入住率"), "%"),
    ("private_share", _("民办（含公建民营）床位占比"), "%"),
    ("medical_share", _("医养结合覆盖率"), "%"),
    ("homecare_share", _("政府购买居家养老服务覆盖率"), "%"),
    ("meal_points", _("助餐点"), _("个")),
    ("meals", _("本月助餐人次"), _("人次")),
    ("allowance_people", _("本月尊老金发放人数"), _("人")),
    ("visits_on_time", _("探访关爱按时率"), "%"),
)

institutions = _district("institutions")
beds = _district("beds")
nursing_share = _district("nursing_share")
beds_per_1000 = _district("beds_per_1000")
occupancy = _district("occupancy")
private_share = _district("private_share")
medical_share = _district("medical_share")
homecare_share = _district("homecare_share")
meal_points = _district("meal_points")
meals = _district("meals")
allowance_people = _district("allowance_people")
visits_on_time = _district("visits_on_time")


# home adaptations done this year (accepted on site) and family care beds in service (accepted, to the day)
from ..models import Adaptation  # noqa: E402

_A = Adaptation._meta.db_table
_SQL["adaptations_done"] = (
    f"SELECT substr(a.region_id, 1, %(digits)s), count(*) FROM {_A} a WHERE a.kind = 'adaptation' "
    "AND a.state IN ('accepted', 'paid') AND a.accepted_at >= date_trunc('year', %(day)s::date) "
    "AND a.accepted_at < %(day)s::date + 1 AND a.region_id LIKE %(prefix)s GROUP BY 1"
)
_SQL["care_beds"] = (
    f"SELECT substr(a.region_id, 1, %(digits)s), count(*) FROM {_A} a WHERE a.kind = 'care_bed' "
    "AND a.state IN ('accepted', 'paid') AND a.accepted_at < %(day)s::date + 1 AND a.region_id LIKE %(prefix)s "
    "GROUP BY 1"
)
NAMES = (
    *NAMES,
    ("adaptations_done", _("本年完成适老化改造"), _("户")),
    ("care_beds", _("家庭养老床位"), _("张")),
)
adaptations_done = _district("adaptations_done")
care_beds = _district("care_beds")


def eldercare_indicators() -> tuple[Indicator, ...]:
    return tuple(Indicator(f"eldercare_{name}", label, unit, f"{__name__}.{name}") for name, label, unit in NAMES)
