"""`manage.py calendar_seed`: add the holidays and 调休 working days of the
installed chinese-calendar release that the calendar table lacks (rows
already there, an administrator's changes among them, are kept)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from civil_affairs.calendar import calendar_seed, package_years


class Command(BaseCommand):
    help = _("从 chinese-calendar 补充节假日安排（已有的日期不改动）")

    def handle(self, *args, **options) -> None:
        added = calendar_seed()
        first, last = package_years()
        self.stdout.write(
            _("节假日安排：新增 %(n)d 天（chinese-calendar 覆盖 %(first)d—%(last)d 年）。")
            % {"n": added, "first": first, "last": last}
        )
