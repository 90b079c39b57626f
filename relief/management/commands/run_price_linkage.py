"""`manage.py run_price_linkage --month YYYY-MM`: the month's price-linkage
subsidy, through the same service the Celery task runs, with a BatchRun for
the record.  Refused, with the figures, when the month does not trigger."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civil_affairs.services import DomainError, batchrun_create
from relief.services import price_linkage
from relief.services.payroll import parse_month


class Command(BaseCommand):
    help = _("发放某月物价上涨价格临时补贴（可重复运行：同一人同一月只发一次，已审核的花名册不会改变）。")

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help=_("补贴月份，格式 YYYY-MM，例如 2026-10"))

    def handle(self, *args, month: str, **options):
        try:
            first_day = parse_month(month)
            evaluation = price_linkage.price_linkage_evaluate(month=first_day)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("%(m)s 启动条件：%(f)s") % {"m": evaluation.label, "f": evaluation.describe()})
        run = batchrun_create(kind=price_linkage.KIND, params={"month": evaluation.label})
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(
                _("  进度 %(p)3d%%（人员编号 %(d)d / %(t)d）")
                % {"p": done * 100 // (total or 1), "d": done, "t": total}
            )

        try:
            summary = price_linkage.price_linkage_run(run_id=run.pk, progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if summary is None:  # cannot happen for a fresh run; kept for clarity
            raise CommandError(_("任务 #%(id)d 已结束。") % {"id": run.pk})
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(m)s：本次新增 %(a)d 人，共 %(n)d 人，合计 %(t)s 元；%(r)d 个区县花名册（已审核 %(ok)d 个）；"
                    "用时 %(s).1f 秒。"
                )
                % {
                    "m": summary["month"],
                    "a": summary["added"],
                    "n": summary["people"],
                    "t": summary["total"],
                    "r": summary["rolls"],
                    "ok": summary["approved_rolls"],
                    "s": time.monotonic() - started,
                }
            )
        )
        for rate in summary["rates"]:
            self.stdout.write(
                _("  %(name)s：低保标准 %(std)s 元 × 涨幅 %(rise)s%% = 每人 %(amt)s 元（%(n)d 个区划）")
                % {
                    "name": rate["name"],
                    "std": rate["standard"],
                    "rise": rate["rise"],
                    "amt": rate["amount"],
                    "n": rate["regions"],
                }
            )
        if summary["by_district"]:
            self.stdout.write(_("区县\t人数\t金额（元）"))
            for row in summary["by_district"]:
                self.stdout.write(f"{row['district']}\t{row['people']}\t{row['total']}")
            self.stdout.write(_("保障群体\t人数\t金额（元）"))
            for row in summary["by_group"]:
                self.stdout.write(f"{row['label']}\t{row['people']}\t{row['total']}")
