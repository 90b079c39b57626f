"""`manage.py issue_receipts --org ID --year YYYY`: one yearly receipt per donor
for the year's donations not yet receipted, on the shared batch engine (the
same service the Celery task runs); rerunning adds nothing."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from charity import batch
from charity.models import Organisation
from civil_affairs.errors import DomainError


class Command(BaseCommand):
    help = _("为慈善组织开具某年度的年度汇总捐赠票据（可重复运行：已开票的捐赠不会重复开票）。")

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help=_("慈善组织编号"))
        parser.add_argument("--year", required=True, help=_("年度，格式 YYYY，例如 2026"))

    def handle(self, *args, org: str, year: str, **options):
        try:
            year_n = batch.parse_year(year)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        found = Organisation.objects.filter(pk=int(org)).first() if str(org).isdigit() else None
        if found is None:
            raise CommandError(_("慈善组织不存在：%(o)s") % {"o": org})
        run = batch.receipts_start(org=found, year=year_n)
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(_("  进度 %(p)3d%%") % {"p": done * 100 // (total or 1)})

        try:
            counts = batch.receipts_run(run_id=run.pk, progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if counts is None:
            raise CommandError(_("该批处理已在运行或已完成。"))
        self.stdout.write(
            self.style.SUCCESS(
                _("%(org)s %(y)d年度：开具票据 %(r)d 张，涵盖捐赠 %(d)d 笔；用时 %(s).1f 秒。")
                % {
                    "org": found.name,
                    "y": year_n,
                    "r": counts.get("receipts", 0),
                    "d": counts.get("donations", 0),
                    "s": time.monotonic() - started,
                }
            )
        )
