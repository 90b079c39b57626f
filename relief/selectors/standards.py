"""The standards in force for a region on a day, found by walking up the region tree."""
from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from civil_affairs.rules import REGION_PREFIX_LEN, region_level_of
from civil_affairs.selectors import scoped
from civil_affairs.services import DomainError

from ..models import CalendarDay, Standard
from ..rules import Standards


def region_ancestors(code: str) -> list[str]:
    """The code itself and every ancestor's code, nearest first."""
    level = region_level_of(code)
    return [code[:REGION_PREFIX_LEN[lv]].ljust(12, "0") for lv in range(level, 0, -1)]


def standards_in_force(region_code: str, on: dt.date) -> Standards:
    """One query: every row of the region's ancestors on or before `on`; per
    key the nearest region wins, then the newest effective date."""
    ancestors = region_ancestors(region_code)
    rank = {code: i for i, code in enumerate(ancestors)}
    best: dict[str, tuple[int, dt.date, object]] = {}
    rows = Standard.objects.filter(region_id__in=ancestors, effective_from__lte=on).values_list(
        "key", "region_id", "effective_from", "value")
    for key, region_id, effective_from, value in rows:
        candidate = (rank[region_id], -effective_from.toordinal(), value)
        if key not in best or candidate[:2] < best[key][:2]:
            best[key] = candidate
    try:
        return Standards.from_values({key: value for key, (_r, _d, value) in best.items()})
    except KeyError as exc:
        labels = ", ".join(str(Standard.Key(k).label) for k in exc.args[0])
        raise DomainError(_("区划 %(code)s 在 %(day)s 缺少救助标准：%(keys)s。请管理员在后台补充。") % {
            "code": region_code, "day": on.isoformat(), "keys": labels}) from None


def standards_by_region(on: dt.date, *, regions: list[str] | None = None) -> dict[str, Standards]:
    """The standards in force on `on` for every region (or the given codes),
    for the set-based batches: two queries however many regions, then a walk
    up each code's ancestors in memory.  Regions missing a value are left out
    (the batches report them); the nearest region wins, then the newest date."""
    from civil_affairs.models import Region

    codes = regions if regions is not None else list(Region.objects.values_list("code", flat=True))
    newest: dict[tuple[str, str], tuple[dt.date, object]] = {}
    for key, region_id, effective_from, value in Standard.objects.filter(effective_from__lte=on).values_list(
            "key", "region_id", "effective_from", "value"):
        if (region_id, key) not in newest or effective_from > newest[(region_id, key)][0]:
            newest[(region_id, key)] = (effective_from, value)
    by_region: dict[str, dict[str, object]] = {}
    for (region_id, key), (_day, value) in newest.items():
        by_region.setdefault(region_id, {})[key] = value
    result: dict[str, Standards] = {}
    for code in codes:
        values: dict[str, object] = {}
        for ancestor in reversed(region_ancestors(code)):  # farthest first: nearer rows override
            values.update(by_region.get(ancestor, {}))
        try:
            result[code] = Standards.from_values(values)
        except KeyError:
            continue
    return result


def calendar_exceptions(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """Holidays and swapped working days between two dates, for rules.add_working_days."""
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_working_day"))


def standard_list_for_user(user) -> QuerySet[Standard]:
    """Standards of the user's region, its subtree and its ancestors (which apply to it)."""
    from civil_affairs.permissions import has_capability

    if not has_capability(user, "relief_view"):
        return Standard.objects.none()
    ancestors = region_ancestors(user.region_id)
    in_subtree = scoped(Standard.objects.all(), user, "region__code")
    return (in_subtree | Standard.objects.filter(region_id__in=ancestors)).select_related("region")
