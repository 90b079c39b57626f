"""`manage.py import_feed KIND FILE`: load a data-exchange feed (CSV or
Excel) through the same service the Celery task runs, with a BatchRun for
the record and its error file."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext as _

from civil_affairs import feeds
from civil_affairs.models import BatchRun, BatchRunError
from civil_affairs.services import DomainError

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = _(
        "导入比对数据文件（CSV 或 Excel .xlsx）。正确的行保存，错误的行列出行号和原因；"
        "同一文件可重复导入，不会产生重复记录。格式见 docs/feeds/README.md。"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", help=_("数据类别：%(k)s") % {"k": ", ".join(feeds.feed_kinds())})
        parser.add_argument("file", help=_("CSV 或 .xlsx 文件路径，第一行为列名"))

    def handle(self, *args, kind: str, file: str, **options):
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(
                _("  进度 %(p)3d%%（第 %(d)d / %(t)d 行）") % {"p": done * 100 // (total or 1), "d": done, "t": total}
            )

        try:
            run = feeds.feed_import_file(kind=kind, path=file, progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:  # the run is marked failed with the reason; say it plainly
            raise CommandError(_("导入失败：%(e)s") % {"e": exc}) from exc
        if run.status == BatchRun.Status.FAILED:
            raise CommandError(_("导入失败（批处理任务 #%(id)d）：%(m)s") % {"id": run.pk, "m": run.message})
        self.stdout.write(
            self.style.SUCCESS(
                _("%(label)s（批处理任务 #%(id)d）%(m)s 用时 %(s).1f 秒。")
                % {
                    "label": feeds.feed_kinds()[kind].label,
                    "id": run.pk,
                    "m": run.message,
                    "s": time.monotonic() - started,
                }
            )
        )
        if run.error_count:
            self.stdout.write(self.style.WARNING(_("错误行（行号：原因）：")))
            for row, reason in (
                BatchRunError.objects.filter(run=run).order_by("row", "id").values_list("row", "reason")[:SHOWN_ERRORS]
            ):
                self.stdout.write(f"  {row}: {reason}")
            if run.error_count > SHOWN_ERRORS:
                self.stdout.write(_("  ……另有 %(n)d 行") % {"n": run.error_count - SHOWN_ERRORS})
            self.stdout.write(
                _("完整错误明细：工作台 %(url)s（共 %(n)d 行）")
                % {"url": reverse("workbench:batch_errors", args=[run.pk]), "n": run.error_count}
            )
