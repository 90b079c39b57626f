"""Meal-assistance settlements: the list per month and point (the bureau starts
a month on the batch engine), a settlement's elders, the reviewer's approval
and the bank file (like the home-care settlements, views/homecare.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civil_affairs.months import parse_month
from civil_affairs.permissions import has_capability, require
from civil_affairs.rules import mask_id_number
from civil_affairs.services import DomainError, record_viewed

from ..selectors import meals as selectors
from ..services import meals as services


@require("settlement_view")
def meal_settlement_list(request):
    if request.method == "POST":
        if not has_capability(request.user, "settlement_run"):
            raise PermissionDenied
        try:
            run = services.meal_settlement_start(user=request.user, month=parse_month(request.POST.get("month")))
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已开始结算 %(m)s 助餐补贴。") % {"m": run.params["month"]})
        return redirect("eldercare:meal_settlements")
    rows = list(
        selectors.meal_settlement_list_for_user(request.user).order_by("-month", "district_id", "point_id")[:200]
    )
    return render(
        request,
        "eldercare/meal_settlements.html",
        {"settlements": rows, "may_run": has_capability(request.user, "settlement_run")},
    )


@require("settlement_view")
def meal_settlement_detail(request, pk: int):
    settlement = selectors.meal_settlement_get_for_user(request.user, pk)
    record_viewed(actor=request.user, target=settlement)
    full = has_capability(request.user, "full_id_number")
    elders = selectors.settlement_elders(settlement, limit=selectors.ELDERS_SHOWN)
    for e in elders:
        e["id_number"] = e["id_number"] if full else mask_id_number(e["id_number"])
    return render(
        request,
        "eldercare/meal_settlement_detail.html",
        {
            "settlement": settlement,
            "elders": elders,
            "more": len(elders) >= selectors.ELDERS_SHOWN,
            "may_approve": has_capability(request.user, "settlement_approve") and settlement.status == "generated",
        },
    )


@require("settlement_approve")
@require_POST
def meal_settlement_approve(request, pk: int):
    settlement = selectors.meal_settlement_get_for_user(request.user, pk)
    try:
        services.meal_settlement_approve(actor=request.user, settlement=settlement)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("结算单已审核，可以下载银行代发文件。"))
    return redirect("eldercare:meal_settlement", pk=pk)


@require("settlement_view")
def meal_settlement_bank_file(request, pk: int, fmt: str):
    settlement = selectors.meal_settlement_get_for_user(request.user, pk)
    try:
        return services.meal_settlement_bank_file(user=request.user, settlement=settlement, fmt=fmt)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("eldercare:meal_settlement", pk=pk)
