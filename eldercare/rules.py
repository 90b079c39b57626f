"""Eldercare arithmetic: pure functions, no ORM (DOMAIN.md "Eldercare",
policy-rules.md section 7).  The batches compute the same in SQL; the tests
hold the two to each other.

Senior allowance (尊老金), worked examples with the demo bands (80–89: 50,
90–99: 150, 100+: 500 yuan a month):

- born 1946-05-20: turns 80 in May 2026, so is first paid for June 2026
  (the month after the birthday month); May 2026 pays nothing;
- born 1946-05-01 or 1946-05-31: the same (the day inside the month does not
  matter: it is the age reached by the end of the month before);
- born 1936-12-31: turns 90 in December 2026; paid 50 for December 2026,
  150 from January 2027;
- born 1946-02-29 (no such day in most years) is a month, not a day: paid from March 2026;
- died 2026-07-15: paid for July 2026, nothing from August 2026.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from civil_affairs.money import money

MIN_AGE = 80
BANDS: tuple[tuple[int, str], ...] = ((100, "100"), (90, "90"), (80, "80"))  # lowest age of each band, highest first
BAND_KEYS = {"80": "senior_allowance_80", "90": "senior_allowance_90", "100": "senior_allowance_100"}


def month_index(day: dt.date) -> int:
    """Months since year 0: a date's month as one integer (the SQL uses the same)."""
    return day.year * 12 + day.month - 1


def allowance_age(*, birth: dt.date, month: dt.date) -> int:
    """The age reached by the end of the month before `month` (whole years;
    the birthday counts in its month, whatever its day)."""
    return (month_index(month) - 1 - month_index(birth)) // 12


def allowance_band(age: int) -> str | None:
    for lowest, band in BANDS:
        if age >= lowest:
            return band
    return None


def alive_in(*, month: dt.date, death: dt.date | None) -> bool:
    """Paid for the month of death, stopped from the month after."""
    return death is None or month_index(death) >= month_index(month)


def senior_allowance(
    *, birth: dt.date, month: dt.date, death: dt.date | None, amounts: dict[str, Decimal]
) -> tuple[str, Decimal] | None:
    """(band, amount) payable for `month`, or None.  `amounts`: band → yuan
    (the band amounts in force for the person's community on the month's first day)."""
    if not alive_in(month=month, death=death):
        return None
    band = allowance_band(allowance_age(birth=birth, month=month))
    if band is None:
        return None
    amount = money(amounts[band])
    return (band, amount) if amount > 0 else None


def first_paid_month(birth: dt.date) -> dt.date:
    """The first month paid: the month after the 80th birthday's month."""
    index = month_index(birth) + MIN_AGE * 12 + 1
    return dt.date(index // 12, index % 12 + 1, 1)


def born_before_for(month: dt.date) -> dt.date:
    """Everyone born before this day is 80+ by the end of the month before
    `month` (the set-based batch's index range on birth_date)."""
    return dt.date(month.year - MIN_AGE, month.month, 1)
