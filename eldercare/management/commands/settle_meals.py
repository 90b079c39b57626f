"""`manage.py settle_meals --month YYYY-MM`: one settlement line per meal
point for a month that is over, from its meals' subsidies; the same service
the Celery task and the button run (resumable, a rerun adds nothing)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civil_affairs.months import parse_month
from civil_affairs.services import DomainError, batchrun_create
from eldercare.services import meals, settlement


class Command(BaseCommand):
    help = _("结算某月助餐补贴（按助餐点；可重复运行）。")

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help=_("结算月份，格式 YYYY-MM，须为已结束的月份"))

    def handle(self, *args, month: str, **options):
        try:
            first_day = settlement.month_over(parse_month(month))
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        run = batchrun_create(kind=meals.SETTLE_KIND, params={"month": first_day.strftime("%Y-%m")})
        started = time.monotonic()
        try:
            summary = meals.meal_settlement_run(run_id=run.pk)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("%(m)s：本次新增 %(a)d 个，共 %(n)d 个助餐点、%(k)d 人次，合计 %(t)s 元；用时 %(s).1f 秒。")
                % {
                    "m": summary["month"],
                    "a": summary["added"],
                    "n": summary["points"],
                    "k": summary["meals"],
                    "t": summary["total"],
                    "s": time.monotonic() - started,
                }
            )
        )
