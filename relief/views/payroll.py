"""Payroll pages: a month's district rolls with totals by kind and a chart,
the 'generate a month' form with its progress bar; a roll's lines, its
approval, held lines and bank file are the core's roll pages
(civil_affairs.rolls.RollViews) for the PAYROLL kind."""
from __future__ import annotations

from django.utils.translation import gettext as _

from civil_affairs.permissions import has_capability
from civil_affairs.rolls import RollViews
from civil_affairs.selectors import batchrun_list_for_user

from ..selectors.applications import benefits_payable_summary
from ..selectors.payroll import PAYROLL
from ..services import payroll as services

views = RollViews(PAYROLL)
roll_detail, roll_approve, roll_line_hold, roll_bank_file = views.detail, views.approve, views.hold, views.bank_file


def _run_and_payable(request, context: dict) -> dict:
    run = None
    if request.GET.get("run", "").isdigit():
        run = batchrun_list_for_user(request.user).filter(pk=request.GET["run"], kind=services.KIND).first()
    # named in the confirmation before generating: what the roll is expected to pay
    payable = benefits_payable_summary(request.user) if has_capability(request.user, "payroll_run") else None
    return {"run": run, "payable": payable}


def roll_list(request):
    return views.month_page(request, template="relief/payroll_list.html", run_capability="payroll_run",
                            start=services.payroll_start, started=_("已开始生成 %(m)s 发放花名册。"),
                            extra=_run_and_payable)
