"""Price-linkage pages: the published index against the thresholds (chart),
a month's district rolls by group with totals and a chart, the bureau's
'run a month' form with its progress bar and the recent runs; a roll's
lines, its approval and its bank file are the core's roll pages
(civil_affairs.rolls.RollViews) for the PRICE_SUBSIDY kind."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from civil_affairs.rolls import RollViews, RunForm
from civil_affairs.selectors import batchrun_list_for_user

from ..models import PriceIndex
from ..selectors import price_linkage as selectors
from ..services import price_linkage as services

views = RollViews(selectors.PRICE_SUBSIDY)
roll_detail, roll_approve, roll_bank_file = views.detail, views.approve, views.bank_file


def _index_chart(history: list[dict]) -> dict | None:
    """Per month the widest region's figures (the city's, normally) against its thresholds."""
    widest: dict = {}
    for row in history:
        if row["month"] not in widest or row["level"] < widest[row["month"]]["level"]:
            widest[row["month"]] = row
    if not widest:
        return None
    rows = [widest[m] for m in sorted(widest)]

    def series(key):  # decimal strings; only the chart turns them into numbers
        return [str(r[key]) if r[key] is not None else None for r in rows]

    return {
        "labels": [r["month"].strftime("%Y-%m") for r in rows],
        "datasets": [
            {"key": "cpi", "label": _("CPI 同比（%）"), "data": series("cpi_yoy")},
            {"key": "food", "label": _("食品价格同比（%）"), "data": series("food_yoy")},
            {"key": "cpi_threshold", "label": _("CPI 启动条件（%）"), "data": series("cpi_threshold")},
            {"key": "food_threshold", "label": _("食品启动条件（%）"), "data": series("food_threshold")},
        ],
    }


def _linkage_parts(request, context: dict) -> dict:
    """The index against the thresholds, the month's figures and rates, the recent runs."""
    history = selectors.price_index_history()
    month = context["month"]
    runs = list(selectors.linkage_runs_for_user(request.user)[:10])
    run = None
    if request.GET.get("run", "").isdigit():
        run = selectors.linkage_runs_for_user(request.user).filter(pk=request.GET["run"]).first()
    elif month:  # a run of this month still under way
        run = next((r for r in runs if r.params.get("month") == month.strftime("%Y-%m") and not r.is_finished), None)
    if run is not None and not batchrun_list_for_user(request.user).filter(pk=run.pk).exists():
        run = None  # its live progress is on the batch page, which only the run's jurisdiction may open
    return {
        "history": list(reversed(history)),
        "index_chart": _index_chart(history),
        "figures": [h for h in history if h["month"] == month],
        "rates": selectors.month_rates(month=month) if month else [],
        "run": run,
        "runs": runs,
    }


def _newest_published():
    """Without rolls yet, the page opens on the newest month published."""
    return PriceIndex.objects.order_by("-month").values_list("month", flat=True).first()


RUN_MONTH = RunForm(
    capability="price_linkage_run",
    start=services.price_linkage_start,
    started=_lazy("已开始发放 %(m)s 物价补贴。"),
    month_label=_lazy("补贴月份"),
    button=_lazy("运行该月联动"),
    testid="linkage-run-form",
    prefill=True,
    help=_lazy(
        "按该月价格指数和各区划在月初执行的启动条件、低保标准计发；未达到启动条件的月份不予运行。"
        "可重复运行：同一人同一月只发一次，已审核的花名册不会改变。每月20日系统也会自动运行上月联动。"
    ),
)


def linkage_index(request):
    return views.month_page(
        request, template="relief/linkage.html", run_form=RUN_MONTH, fallback=_newest_published, extra=_linkage_parts
    )
