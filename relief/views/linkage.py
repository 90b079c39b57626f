"""Price-linkage pages: the published index against the thresholds (chart),
a month's district rolls by group with totals and a chart, the bureau's
'run a month' form with its progress bar and the recent runs, a roll's
lines, its approval, and its bank file once approved."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from civil_affairs.exports import xlsx_response
from civil_affairs.models import BatchRun
from civil_affairs.pagination import keyset_page
from civil_affairs.permissions import has_capability, require
from civil_affairs.selectors import batchrun_list_for_user
from civil_affairs.services import DomainError, export_recorded, record_viewed

from ..models import PriceSubsidy, PriceSubsidyRoll
from ..selectors import payroll as payroll_selectors
from ..selectors import price_linkage as selectors
from ..services import price_linkage as services
from ..services.payroll import parse_month, roll_approvable_by
from .payroll import bank_file_response


def _index_url(month: str, run: BatchRun | None = None) -> str:
    query = {"month": month, **({"run": run.pk} if run else {})}
    return f"{reverse('relief:price_linkage')}?{urlencode(query)}"


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

    return {"labels": [r["month"].strftime("%Y-%m") for r in rows],
            "datasets": [{"key": "cpi", "label": _("CPI 同比（%）"), "data": series("cpi_yoy")},
                         {"key": "food", "label": _("食品价格同比（%）"), "data": series("food_yoy")},
                         {"key": "cpi_threshold", "label": _("CPI 启动条件（%）"), "data": series("cpi_threshold")},
                         {"key": "food_threshold", "label": _("食品启动条件（%）"), "data": series("food_threshold")}]}


SUMMARY_HEADERS = (gettext_lazy("区县"), gettext_lazy("保障群体"), gettext_lazy("人数"), gettext_lazy("金额（元）"),
                   gettext_lazy("花名册状态"))


def _summary_xlsx(request, summary: dict):
    export_recorded(actor=request.user, target_type="relief.pricesubsidyroll",
                    filters={"month": summary["month"].strftime("%Y-%m"), "summary": True})
    rows = []
    for d in summary["districts"]:
        for label, cell in zip(summary["group_labels"], d["groups"]):
            rows.append((d["roll"].district.name, str(label), cell["people"], cell["total"],
                         str(d["roll"].get_status_display())))
        rows.append((d["roll"].district.name, _("小计"), d["people"], d["total"], str(d["roll"].get_status_display())))
    rows.append((_("合计"), "", summary["people"], summary["total"], ""))
    return xlsx_response(filename=f"price-subsidy-{summary['month']:%Y%m}", sheet=_("物价补贴汇总"),
                         headers=[str(h) for h in SUMMARY_HEADERS], rows=rows)


@require("payroll_view")
@require_http_methods(["GET", "POST"])
def linkage_index(request):
    if request.method == "POST":
        if not has_capability(request.user, "price_linkage_run"):
            raise PermissionDenied
        try:
            month = parse_month(request.POST.get("month"))
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("relief:price_linkage")
        try:
            run = services.price_linkage_start(user=request.user, month=month)
        except DomainError as exc:  # no index yet, or the month does not trigger: the figures are in the message
            messages.error(request, str(exc))
            return redirect(_index_url(month.strftime("%Y-%m")))
        messages.success(request, _("已开始发放 %(m)s 物价补贴。") % {"m": run.params["month"]})
        return redirect(_index_url(run.params["month"], run))

    history = selectors.price_index_history()
    months = selectors.subsidy_months_for_user(request.user)
    month = None
    if request.GET.get("month"):
        try:
            month = parse_month(request.GET["month"])
        except DomainError as exc:
            messages.error(request, str(exc))
    # By default the newest month paid, or else the newest month published.
    month = month or (months[0] if months else (history[-1]["month"] if history else None))
    summary = selectors.subsidy_month_summary_for_user(request.user, month) if month else None
    if summary and request.GET.get("export") == "xlsx":
        return _summary_xlsx(request, summary)
    runs = list(selectors.linkage_runs_for_user(request.user)[:10])
    run = None
    if request.GET.get("run", "").isdigit():
        run = selectors.linkage_runs_for_user(request.user).filter(pk=request.GET["run"]).first()
    elif month:  # a run of this month still under way
        run = next((r for r in runs if r.params.get("month") == month.strftime("%Y-%m") and not r.is_finished), None)
    if run is not None and not batchrun_list_for_user(request.user).filter(pk=run.pk).exists():
        run = None  # its live progress is on the batch page, which only the run's jurisdiction may open
    chart = None
    if summary and summary["districts"]:
        districts = summary["districts"]
        # Amounts travel as decimal strings; only the chart turns them into numbers.
        chart = {"labels": [d["roll"].district.name for d in districts],
                 "datasets": [{"label": str(label), "data": [str(d["groups"][i]["total"]) for d in districts]}
                              for i, label in enumerate(summary["group_labels"])]}
    return render(request, "relief/linkage.html", {
        "history": list(reversed(history)), "index_chart": _index_chart(history), "months": months, "month": month,
        "figures": [h for h in history if h["month"] == month],
        "rates": selectors.month_rates(month=month) if month else [],
        "summary": summary, "chart": chart, "run": run, "runs": runs,
    })


LINE_SORTS = ("region", "amount", "group")


@require("payroll_view")
def roll_detail(request, pk: int):
    roll = selectors.subsidy_roll_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=roll)
    subsidies = selectors.roll_subsidies_for_user(request.user, roll)
    group = request.GET.get("group", "")
    group = group if group in PriceSubsidy.Group.values else ""
    shown = subsidies.filter(group=group) if group else subsidies
    page = keyset_page(shown, sort=request.GET.get("sort", "region"), allowed=LINE_SORTS, default="region",
                       cursor=request.GET.get("after"), size=100)
    totals = selectors.subsidy_totals(subsidies)
    may_approve = (roll.status == PriceSubsidyRoll.Status.GENERATED and bool(totals)
                   and roll_approvable_by(request.user, roll))
    # The service refuses too; the page says why beside a disabled button.
    blocker = payroll_selectors.roll_approval_blocker(kind=services.KIND, month=roll.month) if may_approve else ""
    return render(request, "relief/subsidy_roll.html", {
        "roll": roll, "page": page, "totals": totals,
        "people": sum(t["people"] for t in totals), "total": sum((t["total"] for t in totals), selectors.ZERO),
        "group": group, "groups": [(t["group"], t["label"]) for t in totals],
        "base_query": urlencode({"group": group}) if group else "",
        "whole_district": payroll_selectors.roll_sees_whole_district(request.user, roll),
        "can_approve": may_approve and not blocker, "approve_blocker": blocker,
    })


@require("payroll_approve")
@require_POST
def roll_approve(request, pk: int):
    roll = selectors.subsidy_roll_get_for_user(request.user, pk)
    try:
        services.subsidy_roll_approve(actor=request.user, roll=roll)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("花名册已审核，可以下载银行代发文件。"))
    return redirect("relief:subsidy_roll", pk=roll.pk)


BANK_HEADERS = (gettext_lazy("姓名"), gettext_lazy("身份证号"), gettext_lazy("银行账号"), gettext_lazy("金额（元）"),
                gettext_lazy("保障群体"), gettext_lazy("所在社区/村"))


@require("payroll_view")
def roll_bank_file(request, pk: int, fmt: str):
    roll = selectors.subsidy_roll_get_for_user(request.user, pk)
    return bank_file_response(request, roll=roll, fmt=fmt, rows=selectors.subsidy_bank_rows(request.user, roll),
                              headers=BANK_HEADERS, name="price-subsidy", detail="relief:subsidy_roll")
