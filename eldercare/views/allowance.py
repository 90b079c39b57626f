"""Senior-allowance pages: a month's district rolls by age band with totals
and a chart, the bureau's "run a month" button with its progress bar and
the recent runs; a roll's lines, its approval and its bank file are the
core's roll pages (civil_affairs.rolls.RollViews) for SENIOR_ALLOWANCE."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy

from civil_affairs import clock
from civil_affairs.rolls import RollViews, RunForm
from civil_affairs.selectors import batchrun_list_for_user

from ..selectors import allowance as selectors
from ..services import allowance as services

views = RollViews(selectors.SENIOR_ALLOWANCE)
roll_detail, roll_approve, roll_bank_file = views.detail, views.approve, views.bank_file

RUN_MONTH = RunForm(
    capability="allowance_run",
    start=services.allowance_start,
    started=_lazy("已开始发放 %(m)s 尊老金。"),
    month_label=_lazy("发放月份"),
    button=_lazy("发放该月尊老金"),
    testid="allowance-run-form",
    prefill=True,
    help=_lazy(
        "户籍在本市、上月末年满80周岁且在世的老人，按所在社区该月1日执行的年龄段标准发放，无需申请。"
        "可重复运行：同一人同一月只发一次，已审核的花名册不会改变。每月1日系统也会自动运行当月发放。"
    ),
)


def _parts(request, context: dict) -> dict:
    month = context["month"]
    runs = list(selectors.allowance_runs_for_user(request.user)[:10])
    run = None
    if request.GET.get("run", "").isdigit():
        run = selectors.allowance_runs_for_user(request.user).filter(pk=request.GET["run"]).first()
    elif month:
        run = next((r for r in runs if r.params.get("month") == month.strftime("%Y-%m") and not r.is_finished), None)
    if run is not None and not batchrun_list_for_user(request.user).filter(pk=run.pk).exists():
        run = None
    return {"run": run, "runs": runs}


def allowance_index(request):
    return views.month_page(
        request,
        template="eldercare/allowance.html",
        run_form=RUN_MONTH,
        fallback=lambda: clock.today().replace(day=1),
        extra=_parts,
    )
