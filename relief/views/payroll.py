"""Payroll pages: a month's district rolls with totals by kind and a chart,
the 'generate a month' form with its progress bar; a roll's lines, its
approval, held lines and bank file are the core's roll pages
(civil_affairs.rolls.RollViews) for the PAYROLL kind."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from civil_affairs.permissions import has_capability
from civil_affairs.rolls import RollViews, RunForm
from civil_affairs.selectors import batchrun_list_for_user
from civil_affairs.templatetags.minzheng import yuan

from ..selectors.applications import benefits_payable_summary
from ..selectors.payroll import PAYROLL
from ..services import payroll as services

views = RollViews(PAYROLL)
roll_detail, roll_approve, roll_line_hold, roll_bank_file = views.detail, views.approve, views.hold, views.bank_file


def _run_and_payable(request, context: dict) -> dict:
    run = None
    if request.GET.get("run", "").isdigit():
        run = batchrun_list_for_user(request.user).filter(pk=request.GET["run"], kind=services.KIND).first()
    confirm = ""
    if has_capability(request.user, "payroll_run"):  # the confirmation names what the roll is expected to pay
        payable = benefits_payable_summary(request.user)
        confirm = _(
            "确认生成所选月份的发放花名册？按当前在保待遇估算：%(n)s 户，每月合计 %(t)s（以生成结果为准）。"
        ) % {"n": payable["count"], "t": yuan(payable["total"])}
    return {"run": run, "run_confirm": confirm}


GENERATE = RunForm(
    capability="payroll_run",
    start=services.payroll_start,
    started=_lazy("已开始生成 %(m)s 发放花名册。"),
    month_label=_lazy("发放月份"),
    button=_lazy("生成花名册"),
    testid="generate-form",
    help=_lazy(
        "可重复运行：已生成的明细不会重复，已审核的花名册不会改变；生成后由各区县审核人审核，审核后方可下载银行代发文件。"
    ),
)


def roll_list(request):
    return views.month_page(request, template="relief/payroll_list.html", run_form=GENERATE, extra=_run_and_payable)
