"""Pure rules of the service experience (no ORM)."""

from __future__ import annotations

import calendar
import datetime as dt

# 行政复议法 第二十条: 60 days from knowing of the decision; 行政诉讼法 第四十六条: 6 months.
RECONSIDERATION_DAYS = 60
LITIGATION_MONTHS = 6


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has none (8-31 + 6 → 2-28/29)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def appeal_deadlines(decided_on: dt.date) -> tuple[dt.date, dt.date]:
    """The last day to apply for administrative reconsideration (60 days) and to
    sue (6 months), counted from the day after the decision."""
    return decided_on + dt.timedelta(days=RECONSIDERATION_DAYS), add_months(decided_on, LITIGATION_MONTHS)


def staff_masked(name: str) -> str:
    """A member of staff as residents see them: the surname and 工作人员."""
    name = (name or "").strip()
    return f"{name[0]}工作人员" if name else "工作人员"


def street_of(region_code: str) -> str:
    """The street/township code (level 4) of a community's code."""
    return region_code[:9] + "000" if len(region_code) == 12 else region_code
