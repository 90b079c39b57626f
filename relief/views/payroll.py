"""Payroll pages: a month's district rolls with totals by kind and a chart,
the 'generate a month' form with its progress bar, a roll's lines, its
approval, and its bank file once approved."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from civil_affairs.exports import csv_response, xlsx_response
from civil_affairs.models import BatchRun
from civil_affairs.pagination import keyset_page
from civil_affairs.permissions import has_capability, require
from civil_affairs.selectors import batchrun_list_for_user
from civil_affairs.services import DomainError, export_recorded, record_viewed

from ..models import Kind, PayrollRoll
from ..selectors import payroll as selectors
from ..selectors.applications import benefits_payable_summary
from ..services import payroll as services


def _list_url(month: str, run: BatchRun | None = None) -> str:
    query = {"month": month, **({"run": run.pk} if run else {})}
    return f"{reverse('relief:payroll')}?{urlencode(query)}"


@require("payroll_view")
@require_http_methods(["GET", "POST"])
def roll_list(request):
    if request.method == "POST":
        if not has_capability(request.user, "payroll_run"):
            raise PermissionDenied
        try:
            month = services.parse_month(request.POST.get("month"))
            run = services.payroll_start(user=request.user, month=month)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("relief:payroll")
        messages.success(request, _("已开始生成 %(m)s 发放花名册。") % {"m": run.params["month"]})
        return redirect(_list_url(run.params["month"], run))

    months = selectors.payroll_months_for_user(request.user)
    month = None
    if request.GET.get("month"):
        try:
            month = services.parse_month(request.GET["month"])
        except DomainError as exc:
            messages.error(request, str(exc))
    month = month or (months[0] if months else None)
    summary = selectors.month_summary_for_user(request.user, month) if month else None
    run = None
    if request.GET.get("run", "").isdigit():
        run = batchrun_list_for_user(request.user).filter(pk=request.GET["run"], kind=services.KIND).first()
    chart = None
    if summary and summary["districts"]:
        labels = dict(Kind.choices)
        chart = {
            "labels": [d["roll"].district.name for d in summary["districts"]],
            # Amounts travel as decimal strings; only the chart turns them into numbers.
            "datasets": [{"label": str(labels[k]), "data": [str(d["kinds"][i]["total"]) for d in summary["districts"]]}
                         for i, k in enumerate(summary["kinds"])],
        }
    return render(request, "relief/payroll_list.html", {
        "months": months, "month": month, "summary": summary, "run": run, "chart": chart,
        # named in the confirmation before generating: what the roll is expected to pay
        "payable": benefits_payable_summary(request.user) if has_capability(request.user, "payroll_run") else None,
    })


LINE_SORTS = ("region", "amount", "kind")


@require("payroll_view")
def roll_detail(request, pk: int):
    roll = selectors.roll_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=roll)
    payments = selectors.roll_payments_for_user(request.user, roll)
    kind = request.GET.get("kind", "")
    held_only = request.GET.get("held") == "1"
    shown = payments.filter(kind=kind) if kind in Kind.values else payments
    shown = shown.filter(held=True) if held_only else shown
    page = keyset_page(shown, sort=request.GET.get("sort", "region"), allowed=LINE_SORTS, default="region",
                       cursor=request.GET.get("after"), size=100)
    totals, held = selectors.roll_paid_and_held_totals(payments)  # totals: what the bank file pays
    labels = dict(Kind.choices)
    may_approve = (roll.status == PayrollRoll.Status.GENERATED and bool(totals or held["lines"])
                   and services.roll_approvable_by(request.user, roll))
    # The service refuses too; the page says why beside a disabled button.
    blocker = selectors.roll_approval_blocker(kind=services.KIND, month=roll.month) if may_approve else ""
    return render(request, "relief/roll_detail.html", {
        "roll": roll, "page": page, "totals": totals, "held": held, "held_only": held_only,
        "lines": sum(t["lines"] for t in totals), "total": sum((t["total"] for t in totals), selectors.ZERO),
        "kind": kind if kind in Kind.values else "", "kinds": [(k, labels[k]) for k in (t["kind"] for t in totals)],
        "base_query": urlencode({**({"kind": kind} if kind in Kind.values else {}), **({"held": 1} if held_only else {})}),
        "whole_district": selectors.roll_sees_whole_district(request.user, roll),
        "can_approve": may_approve and not blocker, "approve_blocker": blocker,
        "can_review_held": may_approve and held["lines"] > 0,
    })


@require("payroll_approve")
@require_POST
def roll_approve(request, pk: int):
    roll = selectors.roll_get_for_user(request.user, pk)
    try:
        services.payroll_approve(actor=request.user, roll=roll)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("花名册已审核，可以下载银行代发文件。"))
    return redirect("relief:roll_detail", pk=roll.pk)


@require("payroll_approve")
@require_POST
def roll_line_hold(request, pk: int, line: int):
    """A reviewer releases a held line into the bank file, or withdraws it from the roll."""
    roll = selectors.roll_get_for_user(request.user, pk)
    payment = selectors.roll_payments_for_user(request.user, roll).filter(pk=line).first()
    if payment is None:
        raise Http404
    try:
        kept = services.payment_hold_decide(actor=request.user, payment=payment,
                                            decision=request.POST.get("decision", ""),
                                            reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已放行该明细，将列入银行代发文件。") if kept is not None
                         else _("已将该明细撤回，不在本月花名册中发放。"))
    return redirect(f"{reverse('relief:roll_detail', args=[roll.pk])}?held=1")


BANK_HEADERS = (gettext_lazy("姓名"), gettext_lazy("身份证号"), gettext_lazy("银行账号"), gettext_lazy("金额（元）"),
                gettext_lazy("救助类别"), gettext_lazy("所在社区/村"), gettext_lazy("户编号"))


def bank_file_response(request, *, roll, fmt: str, rows, headers, name: str, detail: str):
    """A district roll's bank file, once approved (an audited export; full ID
    numbers only for roles that need them); before that, back to the roll."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    if roll.status != PayrollRoll.Status.APPROVED:
        messages.error(request, _("花名册审核通过后才能下载银行代发文件。"))
        return redirect(detail, pk=roll.pk)
    export_recorded(actor=request.user, target_type=roll._meta.label_lower, target=roll,
                    filters={"roll": roll.pk, "month": roll.month.strftime("%Y-%m"), "district": roll.district_id,
                             "format": fmt, "full_id_number": has_capability(request.user, "full_id_number")})
    headers = [str(h) for h in headers]
    name = f"{name}-{roll.month:%Y%m}-{roll.district_id[:6]}"
    if fmt == "xlsx":
        return xlsx_response(filename=name, sheet=_("银行代发"), headers=headers, rows=rows)
    return csv_response(filename=name, headers=headers, rows=rows)


@require("payroll_view")
def roll_bank_file(request, pk: int, fmt: str):
    roll = selectors.roll_get_for_user(request.user, pk)
    return bank_file_response(request, roll=roll, fmt=fmt, rows=selectors.roll_payment_rows(request.user, roll),
                              headers=BANK_HEADERS, name="payroll", detail="relief:roll_detail")
