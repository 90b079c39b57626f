"""`manage.py generate_payroll --month YYYY-MM`: the month's relief payment rolls."""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civil_affairs.services import DomainError, batchrun_create
from relief.services import payroll


class Command(BaseCommand):
    help = _("生成某月社会救助发放花名册（可重复运行，不会重复发放）。")

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help=_("发放月份，格式 YYYY-MM"))

    def handle(self, *args, month: str, **options):
        try:
            first_day = payroll.parse_month(month)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        run = batchrun_create(kind=payroll.KIND, params={"month": month})
        started = time.monotonic()
        result = payroll.payroll_generate(month=first_day, run_id=run.pk)
        self.stdout.write(self.style.SUCCESS(_("%(m)s：新增 %(a)d 条，共 %(n)d 条，合计 %(t)s 元，用时 %(s).1f 秒。") % {
            "m": result["month"], "a": result["added"], "n": result["lines"], "t": result["total"],
            "s": time.monotonic() - started}))
        for row in payroll.month_totals(first_day):
            self.stdout.write(f"  {row['roll__district__name']}  {row['kind']}  {row['lines']}  {row['total']}")
