"""Months for every area: payment months are the first day of the month;
income is assessed over the twelve months before a day."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from django.utils.translation import gettext as _

from .errors import DomainError

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later, clamped to the month's end."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month_start(day: dt.date) -> dt.date:
    return add_months(day.replace(day=1), 1)


def twelve_month_window(on: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 months before `on`: [on − 12 months, on − 1 day]."""
    return add_months(on, -12), on - dt.timedelta(days=1)


def parse_month(value: str | None) -> dt.date:
    """'2026-12' → 2026-12-01, or a DomainError that says what is wrong."""
    text = (value or "").strip()
    match = _MONTH.match(text)
    if not match:
        raise DomainError(_("月份格式应为 YYYY-MM（例如 2026-12），收到“%(v)s”。") % {"v": text})
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise DomainError(_("月份应在 01 至 12 之间，收到“%(v)s”。") % {"v": text})
    if not 2000 <= year <= 2099:
        raise DomainError(_("年份应在 2000 至 2099 之间，收到“%(v)s”。") % {"v": text})
    return dt.date(year, month, 1)
