"""Reads for the price-linkage subsidy: the published index with the
thresholds in force, the month's rates, the batch runs; its district rolls
are a kind of the core's rolls (PRICE_SUBSIDY: reads, approval, bank file
and pages in civil_affairs/rolls.py), paid to the covered groups every area
registers (civil_affairs.areas.CoveredGroup)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from civil_affairs.areas import price_linkage_groups
from civil_affairs.models import BatchRun, Parameter
from civil_affairs.permissions import has_capability
from civil_affairs.rolls import RollKind
from civil_affairs.selectors import batchrun_with_state, jurisdiction_prefix

from ..models import PriceIndex, PriceSubsidy, PriceSubsidyRate, PriceSubsidyRoll
from ..rules import price_linkage_rise
from .standards import region_ancestors

# ---------------------------------------------------------------- rolls


def group_labels() -> dict[str, str]:
    """The covered groups of every area (the registry), key → label, in priority order."""
    return {g.key: g.label for g in price_linkage_groups()}


def _month_caption() -> str:
    order = "、".join(str(label) for label in group_labels().values())
    return _("人数与金额按区县、保障群体统计；一人同时属于多个群体的只计一次（按%(order)s的顺序归类）。") % {
        "order": order
    }


# The price subsidy's district rolls, read, approved and paid through the core (civil_affairs/rolls.py).
PRICE_SUBSIDY = RollKind(
    key="relief_price_subsidy",
    label=_lazy("物价补贴花名册"),
    roll_model=PriceSubsidyRoll,
    line_model=PriceSubsidy,
    run_kind="relief_price_linkage",
    view_capability="payroll_view",
    approve_capability="payroll_approve",
    person="person",
    beneficiary="person",
    category="group",
    category_label=_lazy("保障群体"),
    category_labels=group_labels,
    count_unit=_lazy("人"),
    count_label=_lazy("人数"),
    url_names={
        "list": "relief:price_linkage",
        "detail": "relief:subsidy_roll",
        "approve": "relief:subsidy_roll_approve",
        "bank_file": "relief:subsidy_roll_bank_file",
    },
    bank_file_name="price-subsidy",
    slug="subsidy",
    list_label=_lazy("物价补贴联动"),
    run_label=_lazy("物价补贴联动"),
    totals_caption=_lazy("按保障群体合计（一人只发一次，归入其首个群体）"),
    month_caption=_month_caption,
)


def month_rates(*, month: dt.date) -> list[dict]:
    """What one person was paid for the month, per price-index region and
    standard (city data, the same for every viewer): a few rows."""
    rows = (
        PriceSubsidyRate.objects.filter(month=month)
        .order_by()
        .values(
            "index_region_id",
            "index_region__name",
            "cpi_yoy",
            "food_yoy",
            "cpi_threshold",
            "food_threshold",
            "rise",
            "standard",
            "amount",
        )
        .annotate(regions=Count("id"))
        .order_by("index_region_id", "amount")
    )
    return [
        {
            "index_region": r["index_region_id"],
            "name": r["index_region__name"],
            "cpi_yoy": r["cpi_yoy"],
            "food_yoy": r["food_yoy"],
            "cpi_threshold": r["cpi_threshold"],
            "food_threshold": r["food_threshold"],
            "rise": r["rise"],
            "standard": r["standard"],
            "amount": r["amount"],
            "regions": r["regions"],
        }
        for r in rows
    ]


# ---------------------------------------------------------------- price index

_THRESHOLD_KEYS = ("price_cpi_threshold", "price_food_threshold")


def price_index_history(*, months: int = 24) -> list[dict]:
    """The published figures of the latest months (oldest first), each with
    the thresholds in force at its region on the month's first day and
    whether it triggers there.  Three queries whatever the number of months."""
    recent = list(PriceIndex.objects.order_by("-month").values_list("month", flat=True).distinct()[:months])
    if not recent:
        return []
    rows = list(
        PriceIndex.objects.filter(month__gte=min(recent)).select_related("region").order_by("month", "region_id")
    )
    ancestors = {row.region_id: region_ancestors(row.region_id) for row in rows}
    codes = {code for chain in ancestors.values() for code in chain}
    dated: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = {}
    for key, region_id, since, value in (
        Parameter.objects.filter(key__in=_THRESHOLD_KEYS, region_id__in=codes, effective_from__lte=max(recent))
        .order_by("-effective_from")
        .values_list("key", "region_id", "effective_from", "value")
    ):
        dated.setdefault((region_id, key), []).append((since, value))

    def in_force(code: str, key: str, on: dt.date) -> Decimal | None:
        for ancestor in ancestors[code]:  # nearest region first, then its newest row on or before `on`
            for since, value in dated.get((ancestor, key), ()):
                if since <= on:
                    return value.quantize(Decimal("0.01"))
        return None

    history = []
    for row in rows:
        cpi_t = in_force(row.region_id, "price_cpi_threshold", row.month)
        food_t = in_force(row.region_id, "price_food_threshold", row.month)
        rise = (
            price_linkage_rise(cpi=row.cpi_yoy, food=row.food_yoy, cpi_threshold=cpi_t, food_threshold=food_t)
            if cpi_t is not None and food_t is not None
            else None
        )
        history.append(
            {
                "month": row.month,
                "region_id": row.region_id,
                "region": row.region.name,
                "level": row.region.level,
                "cpi_yoy": row.cpi_yoy,
                "food_yoy": row.food_yoy,
                "cpi_threshold": cpi_t,
                "food_threshold": food_t,
                "rise": rise,
                "triggered": rise is not None,
            }
        )
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

    runs = (
        BatchRun.objects.filter(kind=KIND)
        .select_related("created_by")
        .filter(
            Q(region__isnull=True)
            | Q(region_id__in=region_ancestors(user.region_id))
            | Q(region__code__startswith=prefix)
        )
        .order_by("-created_at", "-pk")
    )
    return batchrun_with_state(runs, user)
