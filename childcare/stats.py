"""Figures for the childcare dashboard, the coverage page and the bureau
overview, for any region subtree: each a few grouped queries (no per-row work),
aggregate numbers only (no child's name or record)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import Indicator
from civil_affairs.models import Region
from civil_affairs.months import add_months, month_start

from .models import Allowance, AllowancePayment, Child, Director, Referral, Station, Supervisor, Visit
from .selectors import standards_in_force

ZERO = Decimal("0.00")


def _live(prefix: str, month: dt.date):
    return Allowance.objects.filter(region__code__startswith=prefix, start_month__lte=month, last_month__gte=month)


def coverage(prefix: str) -> dict:
    """Villages/communities with and without a child director, streets with and
    without a supervisor, stations per town, under `prefix`."""
    villages = Region.objects.filter(code__startswith=prefix, level=Region.Level.VILLAGE)
    streets = Region.objects.filter(code__startswith=prefix, level=Region.Level.TOWNSHIP)
    v_total = villages.count()
    v_covered = Director.objects.filter(region__code__startswith=prefix).count()
    s_total = streets.count()
    s_covered = Supervisor.objects.filter(region__code__startswith=prefix).count()
    stations = dict(
        Station.objects.filter(region__code__startswith=prefix)
        .values_list("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    return {
        "villages": v_total,
        "villages_covered": v_covered,
        "streets": s_total,
        "streets_covered": s_covered,
        "village_rate": round(v_covered * 100 / v_total, 1) if v_total else None,
        "street_rate": round(s_covered * 100 / s_total, 1) if s_total else None,
        "stations": sum(stations.values()),
        "towns_with_station": len(stations),
    }


def villages_without_director(prefix: str, limit: int | None = 200):
    qs = (
        Region.objects.filter(code__startswith=prefix, level=Region.Level.VILLAGE, child_director__isnull=True)
        .select_related("parent")
        .order_by("code")
    )
    return qs[:limit] if limit else qs


def streets_without_supervisor(prefix: str, limit: int | None = 200):
    qs = Region.objects.filter(
        code__startswith=prefix, level=Region.Level.TOWNSHIP, child_supervisor__isnull=True
    ).order_by("code")
    return qs[:limit] if limit else qs


def stations_by_town(prefix: str, limit: int = 200) -> list[dict]:
    """Towns/streets with their number of minors' protection stations (those with none included)."""
    towns = list(Region.objects.filter(code__startswith=prefix, level=Region.Level.TOWNSHIP).order_by("code")[:limit])
    counts = dict(
        Station.objects.filter(region_id__in=[t.code for t in towns])
        .values_list("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    return [{"region": t, "n": counts.get(t.code, 0)} for t in towns]


def dashboard(region: Region, day: dt.date) -> dict:
    """The dashboard's figures for a region subtree on a day."""
    prefix = region.prefix
    month = month_start(day)
    by_kind = {
        (r["category"], r["setting"]): r["n"]
        for r in _live(prefix, month).values("category", "setting").annotate(n=Count("id")).order_by()
    }
    orphans_inst = by_kind.get(("orphan", "institutional"), 0)
    orphans_disp = by_kind.get(("orphan", "dispersed"), 0)
    unsupported = sum(n for (c, _s), n in by_kind.items() if c == "unsupported")
    children = Child.objects.filter(region__code__startswith=prefix, closed_on__isnull=True)
    risk_rows = children.values("kind", "risk").annotate(n=Count("id")).order_by()
    by_risk = {"distress": {"high": 0, "medium": 0, "low": 0}, "left_behind": {"high": 0, "medium": 0, "low": 0}}
    for r in risk_rows:
        group = "left_behind" if r["kind"] == Child.Kind.LEFT_BEHIND else "distress"
        by_risk[group][r["risk"]] += r["n"]
    paid = AllowancePayment.objects.filter(month=month, region__code__startswith=prefix).aggregate(
        n=Count("id"), total=Sum("amount")
    )
    standards = standards_in_force(region.code, day)
    expected = (
        orphans_inst * standards.rate_institutional
        + orphans_disp * standards.rate_dispersed
        + unsupported * standards.rate_unsupported
    )
    year_ago = add_months(day, -12)
    visits = Visit.objects.filter(child__region__code__startswith=prefix, visited_on__gte=year_ago).aggregate(
        n=Count("id"), on_time=Count("id", filter=Q(on_time=True)), seen=Count("id", filter=Q(seen=True))
    )
    overdue = children.filter(next_visit_due__lt=day).count()
    referrals = Referral.objects.filter(child__region__code__startswith=prefix).aggregate(
        open=Count("id", filter=Q(status="open")), closed=Count("id", filter=Q(status="closed"))
    )
    return {
        "region": region,
        "month": month,
        "orphans_institutional": orphans_inst,
        "orphans_dispersed": orphans_disp,
        "unsupported": unsupported,
        "by_risk": by_risk,
        "paid_lines": paid["n"],
        "paid_total": paid["total"] or ZERO,
        "expected_total": expected,
        "standards": standards,
        "visits": visits["n"],
        "visits_on_time": visits["on_time"],
        "visits_seen": visits["seen"],
        "visit_rate": round(visits["on_time"] * 100 / visits["n"], 1) if visits["n"] else None,
        "overdue": overdue,
        "referrals_open": referrals["open"],
        "referrals_closed": referrals["closed"],
        "coverage": coverage(prefix),
    }


def chart(figures: dict) -> dict:
    """Chart.js data: children in the registry by group and risk."""
    risks = ("high", "medium", "low")
    return {
        "labels": [str(_("高风险")), str(_("中风险")), str(_("低风险"))],
        "datasets": [
            {"label": str(_("困境儿童")), "data": [figures["by_risk"]["distress"][r] for r in risks]},
            {"label": str(_("留守儿童")), "data": [figures["by_risk"]["left_behind"][r] for r in risks]},
        ],
    }


# ---------------------------------------------------------------- bureau overview indicators


def _district_counts(qs, field: str) -> dict[str, int]:
    rows = qs.order_by().annotate(d=Substr(field, 1, 6)).values("d").annotate(n=Count("id")).values_list("d", "n")
    return {d.ljust(12, "0"): n for d, n in rows}


def orphans_by_district(region, day):
    return _district_counts(_live(region.prefix, month_start(day)), "region_id")


def registry_by_district(region, day):
    return _district_counts(
        Child.objects.filter(region__code__startswith=region.prefix, closed_on__isnull=True), "region_id"
    )


def overdue_visits_by_district(region, day):
    return _district_counts(
        Child.objects.filter(region__code__startswith=region.prefix, closed_on__isnull=True, next_visit_due__lt=day),
        "region_id",
    )


def directors_by_district(region, day):
    return _district_counts(Director.objects.filter(region__code__startswith=region.prefix), "region_id")


def indicators() -> tuple[Indicator, ...]:
    return (
        Indicator("childcare_orphans", _("孤儿和事实无人抚养儿童"), _("人"), "childcare.stats.orphans_by_district"),
        Indicator("childcare_registry", _("困境和留守儿童"), _("人"), "childcare.stats.registry_by_district"),
        Indicator("childcare_overdue", _("走访逾期儿童"), _("人"), "childcare.stats.overdue_visits_by_district"),
        Indicator("childcare_directors", _("儿童主任"), _("人"), "childcare.stats.directors_by_district"),
    )
