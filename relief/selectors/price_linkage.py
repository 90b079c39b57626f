"""Reads for the price-linkage subsidy: the published index with the
thresholds in force, the month's rolls and lines (a district reviewer sees
their district's rolls, a street caseworker their district's rolls with only
their street's lines, the bureau and its auditors the whole city), the month
figures, the bank file and the batch runs.

Month figures are read through the month's rolls (a dozen rows), so each
GROUP BY touches only that month's lines through the (roll, region) index."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from civil_affairs import rules as core_rules
from civil_affairs.models import BatchRun
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import batchrun_with_state, jurisdiction_prefix

from ..models import PriceIndex, PriceSubsidy, PriceSubsidyRate, PriceSubsidyRoll, Standard
from ..rules import price_linkage_rise
from .standards import region_ancestors

ZERO = Decimal("0.00")
GROUP_LABELS = dict(PriceSubsidy.Group.choices)


# ---------------------------------------------------------------- rolls and lines

def subsidy_roll_list_for_user(user) -> QuerySet[PriceSubsidyRoll]:
    """Rolls of the districts that overlap the user's jurisdiction."""
    if not has_capability(user, "payroll_view"):
        return PriceSubsidyRoll.objects.none()
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return PriceSubsidyRoll.objects.none()
    # A district code's first 6 digits name it; a wider prefix (city, province) covers many.
    return (PriceSubsidyRoll.objects.select_related("district", "approved_by")
            .filter(district__code__startswith=prefix[:6]))


def subsidy_roll_get_for_user(user, pk) -> PriceSubsidyRoll:
    roll = subsidy_roll_list_for_user(user).filter(pk=pk).first()
    if roll is None:
        raise Http404
    return roll


def roll_subsidies_for_user(user, roll: PriceSubsidyRoll) -> QuerySet[PriceSubsidy]:
    """The roll's lines within the user's jurisdiction, ready for a page of lines."""
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return PriceSubsidy.objects.none()
    return PriceSubsidy.objects.filter(roll=roll, region__code__startswith=prefix).select_related("person", "region")


def subsidy_totals(subsidies: QuerySet[PriceSubsidy]) -> list[dict]:
    """People and money by group of any set of lines: one GROUP BY.
    Rows: group, label, people, total (Decimal)."""
    rows = (subsidies.order_by().values("group").annotate(people=Count("id"), total=Sum("amount")))
    order = list(PriceSubsidy.Group.values)
    return sorted(({"group": r["group"], "label": GROUP_LABELS.get(r["group"], r["group"]), "people": r["people"],
                    "total": r["total"] or ZERO} for r in rows), key=lambda r: order.index(r["group"]))


def subsidy_month_totals(*, month: dt.date, prefix: str = "", rolls: Iterable[int] | None = None) -> list[dict]:
    """A month's people and money by district and group (unscoped: for the
    services and the command).  Rows: district_id, district, group, people, total."""
    subsidies = PriceSubsidy.objects.filter(roll__month=month)
    if rolls is not None:
        subsidies = subsidies.filter(roll__in=list(rolls))
    if prefix:
        subsidies = subsidies.filter(region__code__startswith=prefix)
    rows = (subsidies.order_by().values("roll__district_id", "roll__district__name", "group")
            .annotate(people=Count("id"), total=Sum("amount")).order_by("roll__district_id", "group"))
    return [{"district_id": r["roll__district_id"], "district": r["roll__district__name"], "group": r["group"],
             "people": r["people"], "total": r["total"] or ZERO} for r in rows]


def subsidy_months_for_user(user, *, limit: int = 36) -> list[dt.date]:
    """Months with rolls in the user's jurisdiction, newest first."""
    return list(subsidy_roll_list_for_user(user).order_by("-month").values_list("month", flat=True)
                .distinct()[:limit])


def subsidy_month_summary_for_user(user, month: dt.date) -> dict:
    """A month across the user's jurisdiction: one row per district roll with
    people and money per group, the groups present, and the grand totals.
    Two queries: the month's rolls, and one GROUP BY of their lines."""
    rolls = list(subsidy_roll_list_for_user(user).filter(month=month).order_by("district_id"))
    prefix = jurisdiction_prefix(user) or ""
    rows = []
    if rolls:
        lines = PriceSubsidy.objects.filter(roll__in=[r.pk for r in rolls])
        if len(prefix) > 6:  # a street's view of its district's rolls; a district or wider sees them whole
            lines = lines.filter(region__code__startswith=prefix)
        rows = lines.order_by().values("roll_id", "group").annotate(people=Count("id"), total=Sum("amount"))
        rows = [{"roll_id": r["roll_id"], "group": r["group"], "people": r["people"], "total": r["total"] or ZERO}
                for r in rows]
    groups = [g for g in PriceSubsidy.Group.values if any(r["group"] == g for r in rows)]
    cells: dict[int, dict[str, dict]] = {}
    for r in rows:
        cells.setdefault(r["roll_id"], {})[r["group"]] = r
    districts = []
    for roll in rolls:
        mine = cells.get(roll.pk, {})
        districts.append({
            "roll": roll,
            "groups": [mine.get(g, {"people": 0, "total": ZERO}) for g in groups],
            "people": sum(c["people"] for c in mine.values()),
            "total": sum((c["total"] for c in mine.values()), ZERO),
        })
    group_totals = [{"group": g, "label": GROUP_LABELS[g], "people": sum(r["people"] for r in rows if r["group"] == g),
                     "total": sum((r["total"] for r in rows if r["group"] == g), ZERO)} for g in groups]
    return {
        "month": month, "districts": districts, "groups": groups, "group_labels": [GROUP_LABELS[g] for g in groups],
        "group_totals": group_totals, "people": sum(d["people"] for d in districts),
        "total": sum((d["total"] for d in districts), ZERO), "rolls": len(rolls),
        "approved": sum(1 for r in rolls if r.status == PriceSubsidyRoll.Status.APPROVED),
    }


def month_rates(*, month: dt.date) -> list[dict]:
    """What one person was paid for the month, per price-index region and
    standard (city data, the same for every viewer): a few rows."""
    rows = (PriceSubsidyRate.objects.filter(month=month).order_by()
            .values("index_region_id", "index_region__name", "cpi_yoy", "food_yoy", "cpi_threshold",
                    "food_threshold", "rise", "standard", "amount")
            .annotate(regions=Count("id")).order_by("index_region_id", "amount"))
    return [{"index_region": r["index_region_id"], "name": r["index_region__name"], "cpi_yoy": r["cpi_yoy"],
             "food_yoy": r["food_yoy"], "cpi_threshold": r["cpi_threshold"], "food_threshold": r["food_threshold"],
             "rise": r["rise"], "standard": r["standard"], "amount": r["amount"], "regions": r["regions"]}
            for r in rows]


BANK_FILE_COLUMNS = ("person__name", "person__id_number", "bank_account", "amount", "group", "region__name")


def subsidy_bank_rows(user, roll: PriceSubsidyRoll) -> Iterator[tuple]:
    """The bank file's rows for the user's part of the roll, streamed: name,
    ID number (full only for roles with `full_id_number`), bank account,
    amount, group, community."""
    full = has_capability(user, "full_id_number")
    rows = (roll_subsidies_for_user(user, roll).order_by("region_id", "id")
            .values_list(*BANK_FILE_COLUMNS).iterator(chunk_size=5000))
    for name, id_number, account, amount, group, community in rows:
        yield (name, id_number if full else core_rules.mask_id_number(id_number), account, amount,
               str(GROUP_LABELS.get(group, group)), community)


# ---------------------------------------------------------------- price index

_THRESHOLD_KEYS = (Standard.Key.PRICE_CPI_THRESHOLD, Standard.Key.PRICE_FOOD_THRESHOLD)


def price_index_history(*, months: int = 24) -> list[dict]:
    """The published figures of the latest months (oldest first), each with
    the thresholds in force at its region on the month's first day and
    whether it triggers there.  Three queries whatever the number of months."""
    recent = list(PriceIndex.objects.order_by("-month").values_list("month", flat=True).distinct()[:months])
    if not recent:
        return []
    rows = list(PriceIndex.objects.filter(month__gte=min(recent)).select_related("region")
                .order_by("month", "region_id"))
    ancestors = {row.region_id: region_ancestors(row.region_id) for row in rows}
    codes = {code for chain in ancestors.values() for code in chain}
    dated: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = {}
    for key, region_id, since, value in (Standard.objects.filter(key__in=_THRESHOLD_KEYS, region_id__in=codes,
                                                                 effective_from__lte=max(recent))
                                         .order_by("-effective_from").values_list("key", "region_id",
                                                                                  "effective_from", "value")):
        dated.setdefault((region_id, key), []).append((since, value))

    def in_force(code: str, key: str, on: dt.date) -> Decimal | None:
        for ancestor in ancestors[code]:  # nearest region first, then its newest row on or before `on`
            for since, value in dated.get((ancestor, key), ()):
                if since <= on:
                    return value.quantize(Decimal("0.01"))
        return None

    history = []
    for row in rows:
        cpi_t = in_force(row.region_id, Standard.Key.PRICE_CPI_THRESHOLD, row.month)
        food_t = in_force(row.region_id, Standard.Key.PRICE_FOOD_THRESHOLD, row.month)
        rise = (price_linkage_rise(cpi=row.cpi_yoy, food=row.food_yoy, cpi_threshold=cpi_t, food_threshold=food_t)
                if cpi_t is not None and food_t is not None else None)
        history.append({"month": row.month, "region_id": row.region_id, "region": row.region.name,
                        "level": row.region.level, "cpi_yoy": row.cpi_yoy, "food_yoy": row.food_yoy,
                        "cpi_threshold": cpi_t, "food_threshold": food_t, "rise": rise,
                        "triggered": rise is not None})
    return history


# ---------------------------------------------------------------- batch runs

def linkage_runs_for_user(user) -> QuerySet[BatchRun]:
    """The price-linkage runs a viewer of the rolls sees: those of their
    jurisdiction and of the regions above it (a city-wide run concerns every
    district), newest first."""
    if not has_capability(user, "payroll_view"):
        return BatchRun.objects.none()
    prefix = jurisdiction_prefix(user)
    if prefix is None:
        return BatchRun.objects.none()
    from ..services.price_linkage import KIND

    runs = (BatchRun.objects.filter(kind=KIND).select_related("created_by")
            .filter(Q(region__isnull=True) | Q(region_id__in=region_ancestors(user.region_id))
                    | Q(region__code__startswith=prefix)).order_by("-created_at", "-pk"))
    return batchrun_with_state(runs, user)
