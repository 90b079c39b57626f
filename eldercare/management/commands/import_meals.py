"""`manage.py import_meals --point ID FILE`: a meal point's card-reader export
(CSV or Excel), streamed; bad rows reported with row number and reason, good
rows kept; the same file twice adds nothing."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civil_affairs.services import DomainError
from eldercare.models import Facility
from eldercare.services import meals


class Command(BaseCommand):
    help = _("导入助餐点读卡器导出的就餐记录（CSV 或 Excel）。")

    def add_arguments(self, parser):
        parser.add_argument("--point", type=int, required=True, help=_("助餐点编号"))
        parser.add_argument("file")

    def handle(self, *args, point: int, file: str, **options):
        found = Facility.objects.filter(pk=point, kind=Facility.Kind.MEAL_POINT).first()
        if found is None:
            raise CommandError(_("没有编号为 %(p)d 的助餐点。") % {"p": point})
        started = time.monotonic()
        try:
            with open(file, "rb") as handle:
                result = meals.meals_record(
                    actor=None, point=found, rows=meals.rows_from_file(handle), source="file", system=True
                )
        except (DomainError, OSError) as exc:
            raise CommandError(str(exc)) from None
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                _("共 %(n)d 行：新增 %(a)d，已存在 %(d)d，错误 %(b)d；用时 %(s).1f 秒（每秒 %(r)d 行）。")
                % {
                    "n": result.rows,
                    "a": result.added,
                    "d": result.duplicates,
                    "b": result.bad,
                    "s": seconds,
                    "r": result.rows / seconds if seconds else 0,
                }
            )
        )
        for error in result.errors[:20]:
            self.stdout.write(_("  第 %(r)d 行：%(m)s") % {"r": error["row"], "m": error["reason"]})
