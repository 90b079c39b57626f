"""`manage.py generate_payroll --month YYYY-MM`: the month's relief payment rolls,
through the same service the Celery task runs, with a BatchRun for the record."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civil_affairs.services import DomainError, batchrun_create
from relief.models import Kind
from relief.services import payroll


class Command(BaseCommand):
    help = _("生成某月社会救助发放花名册（可重复运行：不会重复发放，已审核的花名册不会改变）。")

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help=_("发放月份，格式 YYYY-MM，例如 2026-12"))

    def handle(self, *args, month: str, **options):
        try:
            first_day = payroll.parse_month(month)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        run = batchrun_create(kind=payroll.KIND, params={"month": first_day.strftime("%Y-%m")})
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(
                _("  进度 %(p)3d%%（待遇编号 %(d)d / %(t)d）")
                % {"p": done * 100 // (total or 1), "d": done, "t": total}
            )

        try:
            summary = payroll.payroll_generate(month=first_day, run_id=run.pk, progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(m)s：本次新增 %(a)d 条，共 %(n)d 条，合计 %(t)s 元；%(r)d 个区县花名册（已审核 %(ok)d 个）；"
                    "用时 %(s).1f 秒。"
                )
                % {
                    "m": summary.label,
                    "a": summary.added,
                    "n": summary.lines,
                    "t": summary.total,
                    "r": summary.rolls,
                    "ok": summary.approved_rolls,
                    "s": time.monotonic() - started,
                }
            )
        )
        if summary.by_district_kind:
            self.stdout.write(_("区县\t救助类别\t人次\t金额（元）"))
        labels = dict(Kind.choices)
        for row in summary.by_district_kind:
            self.stdout.write(
                f"{row['district']}\t{labels.get(row['kind'], row['kind'])}\t{row['lines']}\t{row['total']}"
            )
