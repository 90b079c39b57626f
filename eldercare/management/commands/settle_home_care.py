"""`manage.py settle_home_care --month YYYY-MM`: one settlement line per
provider for a month that is over, from its accepted visits, each elder's
part capped at their allowance; the same service the Celery task runs."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civil_affairs.months import parse_month
from civil_affairs.services import DomainError, batchrun_create
from eldercare.services import settlement


class Command(BaseCommand):
    help = _("结算某月居家养老服务（按服务组织，每人不超过当月服务补贴；可重复运行）。")

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help=_("结算月份，格式 YYYY-MM，须为已结束的月份"))

    def handle(self, *args, month: str, **options):
        try:
            first_day = settlement.month_over(parse_month(month))
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        run = batchrun_create(kind=settlement.KIND, params={"month": first_day.strftime("%Y-%m")})
        started = time.monotonic()
        try:
            summary = settlement.settlement_run(run_id=run.pk)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(m)s：本次新增 %(a)d 家，共 %(n)d 家服务组织，合计 %(t)s 元；待核查未结算 %(f)d 次；用时 %(s).1f 秒。"
                )
                % {
                    "m": summary["month"],
                    "a": summary["added"],
                    "n": summary["providers"],
                    "t": summary["total"],
                    "f": summary["flagged"],
                    "s": time.monotonic() - started,
                }
            )
        )
