"""Community's figures on the bureau overview (civil_affairs.areas.Indicator):
each `values(region, day)` is one grouped query by district over the subtree."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import Indicator

from .. import rules
from ..models import Election, SocialOrg, Topic

DISTRICT = 6


def _grouped(qs: QuerySet, region, field: str = "region_id", **values) -> list[dict]:
    return list(
        qs.filter(region__code__startswith=region.prefix)
        .order_by()
        .annotate(district=Substr(field, 1, DISTRICT))
        .values("district")
        .annotate(**values)
    )


def execution_rate(region, day: dt.date) -> dict:
    rows = _grouped(
        Topic.objects.filter(due_on__isnull=False, due_on__lte=day),
        region,
        due=Count("id"),
        on_time=Count("id", filter=Q(completed_on__lte=F("due_on"))),
    )
    return {r["district"].ljust(12, "0"): rules.execution_rate(r["on_time"], r["due"]) for r in rows}


def topics_this_year(region, day: dt.date) -> dict:
    rows = _grouped(Topic.objects.filter(proposed_on__year=day.year), region, n=Count("id"))
    return {r["district"].ljust(12, "0"): r["n"] for r in rows}


def turnout(region, day: dt.date) -> dict:
    since = rules.add_years(day, -rules.TERM_YEARS)
    rows = _grouped(
        Election.objects.filter(election_day__gt=since, election_day__lte=day, registered__isnull=False),
        region,
        registered=Sum("registered"),
        voted=Sum("voted"),
    )
    return {r["district"].ljust(12, "0"): rules.percent(r["voted"] or 0, r["registered"] or 0) for r in rows}


def rated_share(region, day: dt.date) -> dict:
    rows = _grouped(
        SocialOrg.objects.all(), region, n=Count("id"), rated=Count("id", filter=~Q(grade="") & Q(grade_until__gte=day))
    )
    return {r["district"].ljust(12, "0"): rules.percent(r["rated"], r["n"]) for r in rows}


INDICATORS = (
    Indicator(
        "community_execution_rate", _("协商意见按期执行率"), "%", "community.selectors.indicators.execution_rate"
    ),
    Indicator("community_topics", _("本年协商议题"), _("个"), "community.selectors.indicators.topics_this_year"),
    Indicator("community_turnout", _("换届选举参选率"), "%", "community.selectors.indicators.turnout"),
    Indicator("community_rated_share", _("社会组织参评率"), "%", "community.selectors.indicators.rated_share"),
)
