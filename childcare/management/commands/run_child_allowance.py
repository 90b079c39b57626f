"""`manage.py run_child_allowance --month YYYY-MM`: the month's orphan and
de-facto-unsupported-child allowance rolls, through the same service the
Celery task runs, with a BatchRun for the record; `--resume RUN` continues a
run that was killed, from its last finished chunk."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from childcare import payroll
from civil_affairs.models import BatchRun
from civil_affairs.months import parse_month
from civil_affairs.services import DomainError, batchrun_create


class Command(BaseCommand):
    help = _("生成某月孤儿、事实无人抚养儿童基本生活费花名册（可重复运行：不会重复发放，已审核的花名册不会改变）。")

    def add_arguments(self, parser):
        parser.add_argument("--month", help=_("发放月份，格式 YYYY-MM，例如 2026-12"))
        parser.add_argument("--resume", type=int, help=_("继续运行被中断的任务（任务编号）"))

    def handle(self, *args, month: str | None = None, resume: int | None = None, **options):
        if resume is not None:
            run = BatchRun.objects.filter(pk=resume, kind=payroll.KIND).first()
            if run is None:
                raise CommandError(_("没有编号为 %(id)d 的儿童基本生活费任务。") % {"id": resume})
            if run.status == BatchRun.Status.SUCCEEDED:
                raise CommandError(_("任务 #%(id)d 已完成。") % {"id": resume})
            BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.PENDING, finished_at=None)
            month = run.params.get("month")
        try:
            first_day = parse_month(month)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if resume is None:
            run = batchrun_create(kind=payroll.KIND, params={"month": f"{first_day:%Y-%m}"})
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(
                _("  进度 %(p)3d%%（待遇编号 %(d)d / %(t)d）")
                % {"p": done * 100 // (total or 1), "d": done, "t": total}
            )

        try:
            summary = payroll.allowance_generate(month=first_day, run_id=run.pk, progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if summary is None:
            raise CommandError(_("任务 #%(id)d 已结束或正在另一进程中运行。") % {"id": run.pk})
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(m)s：任务 #%(id)d，本次新增 %(a)d 人，共 %(n)d 人，合计 %(t)s 元；%(r)d 个区县花名册；用时 %(s).1f 秒。"
                )
                % {
                    "m": summary["month"],
                    "id": run.pk,
                    "a": summary["added"],
                    "n": summary["lines"],
                    "t": summary["total"],
                    "r": summary["rolls"],
                    "s": time.monotonic() - started,
                }
            )
        )
