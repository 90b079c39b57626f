"""The working-day calendar every area counts deadlines with.

Monday to Friday are working days, except where the CalendarDay table says
otherwise: public holidays, and the weekend days worked in exchange (调休).
The table is seeded from the `chinese-calendar` package (the State Council's
arrangements for the years its release knows) by a data migration and by
`manage.py calendar_seed` (run by seed_demo, and after upgrading the package
for a new year).  Seeding only adds dates the table lacks, so an
administrator's row always wins over the package.

The first three functions are pure (the exceptions come in as a mapping);
`calendar_exceptions` and `deadline_after` read the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping


def is_working_day(day: dt.date, exceptions: Mapping[dt.date, bool]) -> bool:
    """Monday–Friday unless the calendar says otherwise (holidays, 调休 weekends)."""
    return exceptions.get(day, day.weekday() < 5)


def add_working_days(start: dt.date, n: int, exceptions: Mapping[dt.date, bool]) -> dt.date:
    """The n-th working day after `start` (start itself not counted)."""
    day, left = start, n
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, exceptions):
            left -= 1
    return day


def working_days_left(today: dt.date, deadline: dt.date, exceptions: Mapping[dt.date, bool]) -> int:
    """Working days after today up to and including the deadline; negative once overdue."""
    if deadline >= today:
        return sum(
            1 for i in range(1, (deadline - today).days + 1) if is_working_day(today + dt.timedelta(days=i), exceptions)
        )
    return -sum(
        1 for i in range(0, (today - deadline).days) if is_working_day(deadline + dt.timedelta(days=i + 1), exceptions)
    )


# ---------------------------------------------------------------- the table


def calendar_exceptions(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """Holidays and swapped working days between two dates (inclusive)."""
    from .models import CalendarDay

    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_working_day"))


def deadline_after(start: dt.date, working_days: int) -> dt.date:
    """`working_days` working days after `start`, by the calendar table."""
    # a generous window: twice the days plus the longest holiday (Spring Festival) and more
    exceptions = calendar_exceptions(start, start + dt.timedelta(days=working_days * 2 + 60))
    return add_working_days(start, working_days, exceptions)


def package_days() -> dict[dt.date, tuple[bool, str]]:
    """Every day the installed chinese-calendar release names: date → (is a
    working day, what it is).  Holidays keep their weekend days too, so the
    admin lists a holiday's whole period."""
    from chinese_calendar import constants

    names = {holiday.value: holiday.chinese for holiday in constants.Holiday}
    days = {day: (False, names[value]) for day, value in constants.holidays.items()}
    # stored data, not a page's words: the same whatever language is active
    days.update({day: (True, f"{names[value]}调休上班") for day, value in constants.workdays.items()})
    return days


def calendar_seed(model=None) -> int:
    """Add the package's days the table lacks (never changes a row already
    there); returns how many were added.  `model` is the historical model
    when a migration calls it."""
    if model is None:
        from .models import CalendarDay as model
    days = package_days()
    known = set(model.objects.filter(date__in=list(days)).values_list("date", flat=True))
    rows = [
        model(date=day, is_working_day=working, name=name, source="package")
        for day, (working, name) in sorted(days.items())
        if day not in known
    ]
    model.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def package_years() -> tuple[int, int]:
    """The first and last year the installed chinese-calendar release knows."""
    years = [day.year for day in package_days()]
    return min(years), max(years)
