"""Senior allowance (尊老金) rules with the numbers of DOMAIN.md: bands
80–89 50, 90–99 150, 100+ 500 yuan; from the month after the birthday month;
paid for the month of death, stopped from the month after."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eldercare import rules

AMOUNTS = {"80": Decimal("50"), "90": Decimal("150"), "100": Decimal("500")}
D = dt.date


def pay(birth, month, death=None):
    return rules.senior_allowance(birth=birth, month=month, death=death, amounts=AMOUNTS)


@pytest.mark.parametrize(
    "birth, month, expected",
    [
        (D(1946, 5, 20), D(2026, 5, 1), None),  # the birthday month itself: nothing yet
        (D(1946, 5, 20), D(2026, 6, 1), ("80", Decimal("50.00"))),  # the month after
        (D(1946, 5, 1), D(2026, 5, 1), None),  # born on the 1st: still the month after
        (D(1946, 5, 1), D(2026, 6, 1), ("80", Decimal("50.00"))),
        (D(1946, 5, 31), D(2026, 6, 1), ("80", Decimal("50.00"))),  # born on the last day
        (D(1946, 12, 31), D(2026, 12, 1), None),  # December birthday: paid from January
        (D(1946, 12, 31), D(2027, 1, 1), ("80", Decimal("50.00"))),
        (D(1947, 1, 1), D(2026, 12, 1), None),  # turns 80 on 2027-01-01: from February 2027
        (D(1947, 1, 1), D(2027, 2, 1), ("80", Decimal("50.00"))),
        (D(1944, 2, 29), D(2024, 2, 1), None),  # leap-day birthday: a month, not a day
        (D(1944, 2, 29), D(2024, 3, 1), ("80", Decimal("50.00"))),
        (D(1936, 12, 31), D(2026, 12, 1), ("80", Decimal("50.00"))),  # turns 90 in December: 50 still
        (D(1936, 12, 31), D(2027, 1, 1), ("90", Decimal("150.00"))),  # 150 from January
        (D(1926, 7, 4), D(2026, 7, 1), ("90", Decimal("150.00"))),  # 100th birthday month: 150
        (D(1926, 7, 4), D(2026, 8, 1), ("100", Decimal("500.00"))),  # 500 from August
        (D(1920, 1, 15), D(2026, 8, 1), ("100", Decimal("500.00"))),  # 106
        (D(1960, 3, 3), D(2026, 8, 1), None),  # 66
    ],
)
def test_bands_at_month_edges(birth, month, expected):
    assert pay(birth, month) == expected


@pytest.mark.parametrize(
    "death, month, paid",
    [
        (D(2026, 7, 15), D(2026, 7, 1), True),  # died mid-July: July is paid
        (D(2026, 7, 15), D(2026, 8, 1), False),  # stopped from August
        (D(2026, 7, 1), D(2026, 7, 1), True),  # died on the 1st: that month still paid
        (D(2026, 6, 30), D(2026, 7, 1), False),  # died on the last day of June: nothing for July
        (D(2026, 7, 31), D(2026, 8, 1), False),
    ],
)
def test_death_mid_month(death, month, paid):
    assert (pay(D(1940, 1, 10), month, death) is not None) is paid


def test_first_paid_month_and_cutoff():
    assert rules.first_paid_month(D(1946, 5, 20)) == D(2026, 6, 1)
    assert rules.first_paid_month(D(1946, 12, 31)) == D(2027, 1, 1)
    assert rules.born_before_for(D(2026, 6, 1)) == D(1946, 6, 1)


def test_zero_amount_band_pays_nothing():
    assert (
        rules.senior_allowance(
            birth=D(1940, 1, 1), month=D(2026, 1, 1), death=None, amounts={**AMOUNTS, "80": Decimal("0")}
        )
        is None
    )


births = st.dates(min_value=D(1900, 1, 1), max_value=D(2000, 12, 31))
months = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 1)).map(lambda d: d.replace(day=1))


@given(birth=births, month=months)
def test_paid_exactly_from_first_paid_month(birth, month):
    """Paid iff the month is on or after the month after the 80th birthday's month; the cut-off agrees."""
    paid = pay(birth, month) is not None
    assert paid == (month >= rules.first_paid_month(birth))
    assert paid == (birth < rules.born_before_for(month))


@given(birth=births, month=months)
def test_band_follows_the_age_and_amount_is_to_the_fen(birth, month):
    result = pay(birth, month)
    if result is None:
        return
    band, amount = result
    age = rules.allowance_age(birth=birth, month=month)
    assert age >= 80
    assert band == ("100" if age >= 100 else "90" if age >= 90 else "80")
    assert amount == AMOUNTS[band] and amount.as_tuple().exponent == -2


@given(birth=births, month=months)
def test_age_never_falls_month_to_month(birth, month):
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    assert 0 <= rules.allowance_age(birth=birth, month=nxt) - rules.allowance_age(birth=birth, month=month) <= 1
