"""Dated parameters (DESIGN.md "Shared building blocks"): one value per key,
region and effective date, in the Parameter table.  Each area registers its
keys with labels, units and bounds (areas.ParameterKey); a key nobody
registered is refused.  The value in force for a region on a day is the
newest row on or before the day of the nearest region up the tree.

Reads: `parameters_in_force` (one region, one query for all its ancestors),
`parameters_by_region` (every region at once, for set-based batches),
`parameter_list_for_user`.  The one write: `parameter_set` (audited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from . import areas
from .errors import DomainError
from .models import AuditEvent, Parameter, Region
from .rules import region_ancestors
from .selectors import scoped
from .services import audit_record

# ---------------------------------------------------------------- the keys


def parameter_keys() -> dict[str, areas.ParameterKey]:
    """Every registered key, areas in menu order (a key claimed twice is
    reported by the system check; here the first area's wins)."""
    keys: dict[str, areas.ParameterKey] = {}
    for area in areas.registered():
        for key in area.parameters:
            keys.setdefault(key.key, key)
    return keys


def parameter_key(key: str) -> areas.ParameterKey:
    """The registered key, or a DomainError in Chinese."""
    found = parameter_keys().get(key)
    if found is None:
        raise DomainError(_("未登记的参数项目“%(key)s”：各业务领域只能设置自己登记的参数。") % {"key": key})
    return found


def parameter_label(key: str) -> str:
    found = parameter_keys().get(key)
    return str(found.label) if found else key


def value_problem(key: areas.ParameterKey, value: Decimal) -> str | None:
    """What is wrong with `value` for `key`, in Chinese, or None."""
    if value < 0:
        return _("数值不能为负数。")
    if key.kind == "int" and value != value.to_integral_value():
        return _("%(label)s应为整数。") % {"label": key.label}
    if key.kind == "amount" and value != value.quantize(Decimal("0.01")):
        return _("%(label)s应精确到分（两位小数）。") % {"label": key.label}
    low = key.min
    high = key.max if key.max is not None or key.kind != "rate" else Decimal(1)  # a rate is a fraction
    if (low is not None and value < low) or (high is not None and value > high):
        return _("%(label)s应在 %(low)s 至 %(high)s 之间，收到 %(value)s。") % {
            "label": key.label,
            "low": "—" if low is None else low,
            "high": "—" if high is None else high,
            "value": value.normalize(),
        }
    return None


def parameter_check(key: str, value: Decimal) -> None:
    """A DomainError for an unknown key or a value out of its bounds."""
    problem = value_problem(parameter_key(key), Decimal(value))
    if problem:
        raise DomainError(problem)


# ---------------------------------------------------------------- reads


def parameters_in_force(region_code: str, on: dt.date, *, keys=None) -> dict[str, Decimal]:
    """One query: every row of the region's ancestors on or before `on`; per
    key the nearest region wins, then the newest effective date."""
    ancestors = region_ancestors(region_code)
    rank = {code: i for i, code in enumerate(ancestors)}
    rows = Parameter.objects.filter(region_id__in=ancestors, effective_from__lte=on)
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    best: dict[str, tuple[int, int, Decimal]] = {}
    for key, region_id, effective_from, value in rows.values_list("key", "region_id", "effective_from", "value"):
        candidate = (rank[region_id], -effective_from.toordinal(), value)
        if key not in best or candidate[:2] < best[key][:2]:
            best[key] = candidate
    return {key: value for key, (_rank, _day, value) in best.items()}


def parameters_by_region(on: dt.date, *, regions: list[str] | None = None, keys=None) -> dict[str, dict[str, Decimal]]:
    """The values in force on `on` for every region (or the given codes), for
    set-based batches: two queries however many regions, then a walk up each
    code's ancestors in memory (the nearest region wins, then the newest date)."""
    codes = regions if regions is not None else list(Region.objects.values_list("code", flat=True))
    rows = Parameter.objects.filter(effective_from__lte=on)
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    newest: dict[tuple[str, str], tuple[dt.date, Decimal]] = {}
    for key, region_id, effective_from, value in rows.values_list("key", "region_id", "effective_from", "value"):
        if (region_id, key) not in newest or effective_from > newest[(region_id, key)][0]:
            newest[(region_id, key)] = (effective_from, value)
    by_region: dict[str, dict[str, Decimal]] = {}
    for (region_id, key), (_day, value) in newest.items():
        by_region.setdefault(region_id, {})[key] = value
    result: dict[str, dict[str, Decimal]] = {}
    for code in codes:
        values: dict[str, Decimal] = {}
        for ancestor in reversed(region_ancestors(code)):  # farthest first: nearer rows override
            values.update(by_region.get(ancestor, {}))
        result[code] = values
    return result


def parameter_list_for_user(user, *, keys=None) -> QuerySet[Parameter]:
    """Rows of the user's region, its subtree and its ancestors (which apply to it)."""
    rows = Parameter.objects.all() if keys is None else Parameter.objects.filter(key__in=list(keys))
    in_subtree = scoped(rows, user, "region__code")
    return (in_subtree | rows.filter(region_id__in=region_ancestors(user.region_id))).select_related("region")


# ---------------------------------------------------------------- the write


@transaction.atomic
def parameter_set(
    *, actor, region: Region, key: str, value: Decimal, effective_from: dt.date, note: str = ""
) -> Parameter:
    """Set one value for a region from a date (a later row supersedes it from its own date)."""
    parameter_check(key, value)
    parameter, created = Parameter.objects.update_or_create(
        region=region, key=key, effective_from=effective_from, defaults={"value": value, "note": note}
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=parameter,
        region_code=region.code,
        changes={"key": key, "value": value, "effective_from": effective_from},
    )
    return parameter
