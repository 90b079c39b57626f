"""`manage.py run_senior_allowance --month YYYY-MM`: the month's senior
allowance (尊老金, no application), through the same service the Celery task
runs, with a BatchRun for the record.  Safe to run again: nobody is paid twice."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civil_affairs.months import parse_month
from civil_affairs.services import DomainError, batchrun_create
from eldercare.services import allowance


class Command(BaseCommand):
    help = _("发放某月尊老金（免申即享；可重复运行：同一人同一月只发一次，已审核的花名册不会改变）。")

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help=_("发放月份，格式 YYYY-MM，例如 2026-10"))

    def handle(self, *args, month: str, **options):
        try:
            first_day = allowance.month_checked(parse_month(month))
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        run = batchrun_create(kind=allowance.KIND, params={"month": first_day.strftime("%Y-%m")})
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(
                _("  进度 %(p)3d%%（人员编号 %(d)d / %(t)d）")
                % {"p": done * 100 // (total or 1), "d": done, "t": total}
            )

        try:
            summary = allowance.allowance_run(run_id=run.pk, progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if summary is None:
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
        for band, row in summary["by_band"].items():
            self.stdout.write(f"  {band}+\t{row['people']}\t{row['total']}")
        if summary["blocked"]:
            self.stdout.write(
                self.style.WARNING(_("另有 %(b)d 人因所在区县花名册已审核未能加入。") % {"b": summary["blocked"]})
            )
