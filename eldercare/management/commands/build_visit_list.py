"""`manage.py build_visit_list [--date YYYY-MM-DD]`: the visit list (探访关爱名单)
of the day, through the same service the nightly Celery task runs, with a
BatchRun for the record.  Safe to run again: a rerun adds nobody twice."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.services import DomainError, batchrun_create
from eldercare.services import vulnerable


class Command(BaseCommand):
    help = _("生成探访关爱名单（独居、空巢、低保失能/半失能、计生特扶的60周岁以上老人；可重复运行）。")

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help=_("名单日期，格式 YYYY-MM-DD，默认今天"))

    def handle(self, *args, date: str, **options):
        try:
            day = dt.date.fromisoformat(date.strip()) if date.strip() else clock.today()
        except ValueError:
            raise CommandError(_("日期格式应为 YYYY-MM-DD，收到“%(d)s”。") % {"d": date}) from None
        try:
            day = vulnerable.day_checked(day)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        run = batchrun_create(kind=vulnerable.KIND, params={"date": day.isoformat()})
        started = time.monotonic()
        try:
            summary = vulnerable.visit_list_build_run(run_id=run.pk)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if summary is None:
            raise CommandError(_("任务 #%(id)d 已结束。") % {"id": run.pk})
        self.stdout.write(
            self.style.SUCCESS(
                _("%(d)s：新列入 %(a)d 人，变更 %(c)d 人，移出 %(e)d 人；名单共 %(n)d 人；用时 %(s).1f 秒。")
                % {
                    "d": summary["date"],
                    "a": summary["added"],
                    "c": summary["changed"],
                    "e": summary["ended"],
                    "n": summary["listed"],
                    "s": time.monotonic() - started,
                }
            )
        )
