"""Relief's figures on the bureau overview (civil_affairs.areas.Indicator):
each `values(region, day)` is ONE grouped query over the region's subtree,
by district (the first 6 digits of the community code every relief row
carries), returning {district code: value}."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from civil_affairs.areas import Indicator
from civil_affairs.months import month_start

from ..models import Application, Benefit, Kind, Payment, ReviewTask

DISTRICT_DIGITS = 6


def _by_district(qs: QuerySet, region, value) -> dict[str, object]:
    """One GROUP BY substr(region_id, 1, 6) over the region's subtree."""
    rows = (
        qs.filter(region__code__startswith=region.prefix)
        .order_by()
        .annotate(district=Substr("region_id", 1, DISTRICT_DIGITS))
        .values("district")
        .annotate(value=value)
        .values_list("district", "value")
    )
    return {district.ljust(12, "0"): v for district, v in rows}


def _live_on(kind: str, day: dt.date) -> QuerySet[Benefit]:
    """Benefits of a kind paid for `day`'s month (started, not ended, active or in gradual exit)."""
    month = month_start(day)
    return Benefit.objects.filter(
        Q(last_month__isnull=True) | Q(last_month__gte=month),
        kind=kind,
        status__in=Benefit.PAYABLE,
        start_month__lte=month,
    )


def dibao_households(region, day: dt.date) -> dict[str, int]:
    return _by_district(_live_on(Kind.DIBAO, day), region, Count("id"))


def dibao_persons(region, day: dt.date) -> dict[str, int]:
    return _by_district(_live_on(Kind.DIBAO, day), region, Sum("members"))


def tekun_persons(region, day: dt.date) -> dict[str, int]:
    return _by_district(_live_on(Kind.TEKUN, day), region, Count("id"))


def paid_this_month(region, day: dt.date) -> dict[str, Decimal]:
    """The month's payment lines (any roll state), held lines left out."""
    return _by_district(Payment.objects.filter(month=month_start(day), held=False), region, Sum("amount"))


def applications_overdue(region, day: dt.date) -> dict[str, int]:
    open_cases = Application.objects.filter(state__in=Application.OPEN_STATES, deadline__lt=day)
    return _by_district(open_cases, region, Count("id"))


def review_tasks_open(region, day: dt.date) -> dict[str, int]:
    return _by_district(ReviewTask.objects.filter(status=ReviewTask.Status.OPEN), region, Count("id"))


def relief_indicators() -> tuple[Indicator, ...]:
    here = __name__
    return (
        Indicator("relief_dibao_households", _("低保户数"), _("户"), f"{here}.dibao_households"),
        Indicator("relief_dibao_persons", _("低保人数"), _("人"), f"{here}.dibao_persons"),
        Indicator("relief_tekun_persons", _("特困人员"), _("人"), f"{here}.tekun_persons"),
        Indicator("relief_paid_month", _("本月发放救助金"), _("元"), f"{here}.paid_this_month"),
        Indicator("relief_applications_overdue", _("超期未办结申请"), _("件"), f"{here}.applications_overdue"),
        Indicator("relief_tasks_open", _("待处理核查任务"), _("件"), f"{here}.review_tasks_open"),
    )
