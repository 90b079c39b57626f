"""`manage.py seed_demo --households N [--seed S] [--reset | --if-empty]`:
load the demo city (civil_affairs.demo) and print the demo logins."""

from __future__ import annotations

import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civil_affairs import demo
from civil_affairs.batches import analyze
from civil_affairs.calendar import calendar_seed
from civil_affairs.services import DomainError


class Command(BaseCommand):
    help = _("生成演示数据：南通市行政区划、家庭、人员、收入与资产，以及各角色的演示账号。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, required=True, help=_("生成的家庭数（正整数）"))
        parser.add_argument("--seed", type=int, default=2026, help=_("随机种子：同一种子生成相同数据（默认 2026）"))
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--reset", action="store_true", help=_("先清空基础数据表再生成"))
        mode.add_argument("--if-empty", action="store_true", help=_("已有数据时不做任何事"))
        parser.add_argument("--no-logins", action="store_true", help=_("不打印演示账号（make run 自行打印一次）"))

    def handle(
        self, *args, households: int, seed: int, reset: bool, if_empty: bool, no_logins: bool = False, **options
    ) -> None:
        if households < 1:
            raise CommandError(_("--households 须为正整数，当前为 %(n)d。") % {"n": households})
        if if_empty and demo.city_exists():
            self.stdout.write(_("已有演示数据，跳过生成。"))
            return
        started = time.monotonic()
        try:
            result = demo.seed_city(households=households, seed=seed, reset=reset, progress=self.stdout.write)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        # the migration seeded the calendar, but --reset empties every core table
        self.stdout.write(_("节假日安排：新增 %(n)d 天。") % {"n": calendar_seed()})
        for seed_area in demo.area_seeders():
            seed_area(seed=seed, progress=self.stdout.write)
        # Every table the seeders filled (the areas' too) gets fresh statistics now:
        # the first lists people open must not be planned on an empty table's figures.
        analyze(*apps.get_models())
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                _("完成：家庭 %(h)d 户，人员 %(p)d 人，用时 %(s).1f 秒。")
                % {"h": result.households, "p": result.persons, "s": elapsed}
            )
        )
        if not no_logins:
            self._print_logins(result.logins)

    def _print_logins(self, logins: list[demo.Login]) -> None:
        header = (_("账号"), _("密码"), _("角色"), _("管辖区域"))
        rows = [header, *((login.username, login.password, login.role, login.region) for login in logins)]
        widths = [max(_display_width(row[i]) for row in rows) for i in range(len(header))]
        self.stdout.write(_("演示账号："))
        for row in rows:
            self.stdout.write("  ".join(cell + " " * (w - _display_width(cell)) for cell, w in zip(row, widths)))


def _display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
