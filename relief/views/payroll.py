"""Payroll pages: months and district rolls with totals and a chart, a roll's
lines, its approval, and its bank file once approved."""
from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civil_affairs import rules as core_rules
from civil_affairs.exports import xlsx_response
from civil_affairs.pagination import keyset_page
from civil_affairs.permissions import has_capability, require
from civil_affairs.services import DomainError, export_recorded

from ..models import PayrollRoll
from ..selectors import payroll as selectors
from ..services import payroll as services


@require("payroll_view")
@require_http_methods(["GET", "POST"])
def roll_list(request):
    run = None
    if request.method == "POST":
        if not has_capability(request.user, "payroll_run"):
            raise PermissionDenied
        try:
            run = services.payroll_start(user=request.user, month=services.parse_month(request.POST.get("month", "")))
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已开始生成 %(m)s 发放花名册。") % {"m": run.params["month"]})
    rolls = selectors.month_summaries_for_user(request.user)
    chart = [{"name": f"{r.month:%Y-%m} {r.district.name}", "total": float(r.total or 0)} for r in rolls[:24]]
    return render(request, "relief/payroll_list.html", {"rolls": rolls, "run": run, "chart": chart})


@require("payroll_view")
def roll_detail(request, pk: int):
    roll = selectors.roll_get_for_user(request.user, pk)
    payments = selectors.roll_payments_for_user(request.user, roll)
    page = keyset_page(payments, sort="region", allowed=("region",), default="region",
                       cursor=request.GET.get("after"), size=100)
    return render(request, "relief/roll_detail.html", {
        "roll": roll, "page": page, "base_query": "", "totals": selectors.roll_totals(payments),
        "can_approve": has_capability(request.user, "payroll_approve") and roll.status == PayrollRoll.Status.GENERATED,
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


BANK_HEADERS = ("姓名", "身份证号", "银行账号", "金额（元）", "救助类别", "所在社区/村")


@require("payroll_view")
def roll_bank_file(request, pk: int, fmt: str):
    """The bank's file: full ID numbers only for roles that need them."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    roll = selectors.roll_get_for_user(request.user, pk)
    if roll.status != PayrollRoll.Status.APPROVED:
        messages.error(request, _("花名册审核通过后才能下载银行代发文件。"))
        return redirect("relief:roll_detail", pk=roll.pk)
    full = has_capability(request.user, "full_id_number")
    export_recorded(actor=request.user, target_type="relief.payrollroll",
                    filters={"roll": roll.pk, "format": fmt, "full_id_number": full})
    rows = ((p.recipient.name, p.recipient.id_number if full else core_rules.mask_id_number(p.recipient.id_number),
             p.bank_account, p.amount, p.get_kind_display(), p.region.name)
            for p in selectors.roll_payments_for_user(request.user, roll).order_by("region_id", "id")
            .iterator(chunk_size=2000))
    headers = [_(h) for h in BANK_HEADERS]
    name = f"payroll-{roll.month:%Y%m}-{roll.district_id[:6]}"
    if fmt == "xlsx":
        return xlsx_response(filename=name, sheet=_("银行代发"), headers=headers, rows=rows)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 with a BOM
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
