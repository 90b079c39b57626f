"""`manage.py recheck_eligibility [--date YYYY-MM-DD]`: the nightly eligibility
recheck, through the same service the Celery beat task runs, with a BatchRun
for the record.  Running the same night again creates and changes nothing."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.services import DomainError
from relief.models import ReviewTask
from relief.services import recheck


class Command(BaseCommand):
    help = _("资格复核：比对新导入的数据，生成核查任务，处理死亡停发、到期复核和标准调整（可重复运行，不会重复生成）。")

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help=_("复核日期，格式 YYYY-MM-DD，默认今天"))

    def handle(self, *args, date: str | None = None, **options):
        try:
            day = recheck.parse_day(date) if date is not None else clock.today()
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(
                _("  进度 %(p)3d%%（比对数据编号 %(d)d / %(t)d）")
                % {"p": done * 100 // (total or 1), "d": done, "t": total}
            )

        try:
            summary = recheck.recheck_eligibility(day=day, progress=progress)
        except DomainError as exc:  # a run of the same night is under way, or the standards are missing
            raise CommandError(str(exc)) from None
        counts = summary["counts"]
        self.stdout.write(
            self.style.SUCCESS(
                _("%(d)s 资格复核完成：比对数据 %(rows)d 条，命中在享对象 %(hits)d 条；用时 %(s).1f 秒。")
                % {
                    "d": summary["date"],
                    "rows": counts.get("feed_rows", 0),
                    "hits": counts.get("feed_hits", 0),
                    "s": time.monotonic() - started,
                }
            )
        )
        self.stdout.write(_("新增核查任务 %(n)d 件：") % {"n": summary["tasks_total"]})
        for kind, label in ReviewTask.Kind.choices:
            self.stdout.write(f"  {label}\t{summary['tasks'].get(kind, 0)}")
        self.stdout.write(
            _("停发 %(s)d 户，暂停 %(p)d 户，撤回未审核发放明细 %(r)d 条。")
            % {"s": summary["stopped"], "p": summary["suspended"], "r": counts.get("payments_removed", 0)}
        )
        self.stdout.write(
            _("标准调整待生效 %(n)d 户，新金额生效 %(f)d 户，补定复核日期 %(c)d 户，到期复核 %(r)d 件。")
            % {
                "n": summary["pending_set"],
                "f": counts.get("pending_folded", 0),
                "c": counts.get("next_recheck_filled", 0),
                "r": summary["recheck_due"],
            }
        )
