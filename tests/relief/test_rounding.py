"""Money is rounded once, at the end (issue 12 defect 3): relief's rules
against the same arithmetic done in exact rational numbers."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from math import floor

from hypothesis import given, settings
from hypothesis import strategies as st

from civil_affairs.facts import Member, Record
from civil_affairs.months import twelve_month_window
from relief import rules
from relief.services.standards import DEMO_STANDARDS

S = rules.Standards.from_values({str(k): v for k, v in DEMO_STANDARDS.items()})
ON = dt.date(2026, 11, 2)
START, END = twelve_month_window(ON)


def fen_half_up(x: Fraction) -> Decimal:
    """Round a non-negative exact value to the fen, halves up (as civil_affairs.money.money does)."""
    return Decimal(floor(x * 100 + Fraction(1, 2))) / 100


def test_the_one_fen_example_from_the_issue():
    """800 yuan a month for 3 people: per capita 266.666… shown as 266.67;
    the allowance is 780 × 3 − 800 = 1 540.00, not (780 − 266.67) × 3 = 1 539.99."""
    family = [Member(person_id=i, name=f"成员{i}", birth_date=dt.date(1985, 1, 1)) for i in range(3)]
    pension = Record(person_id=0, kind="transfer", amount=Decimal("9600.00"), period_start=START, period_end=END)
    income = rules.per_capita_income(members=3, incomes=[pension], on=ON, standards=S)
    assert income.per_capita == Decimal("266.67")
    assets = rules.asset_test(members=family, assets=[], on=ON, standards=S)
    result = rules.dibao(members=family, per_capita=income.per_capita_exact, assets=assets, on=ON, standards=S)
    assert result.per_capita == Decimal("266.67")  # shown rounded
    assert result.amount == Decimal("1540.00")


records = st.lists(
    st.tuples(
        st.sampled_from(["wages", "transfer", "business", "disability_allowance"]),
        st.integers(min_value=0, max_value=6_000_000),  # fen
        st.integers(min_value=-200, max_value=330),  # start offset in days from the window start
        st.integers(min_value=0, max_value=500),  # length in days
    ),
    max_size=6,
)


@settings(max_examples=400, deadline=None)
@given(n=st.integers(min_value=1, max_value=6), aged=st.integers(min_value=0, max_value=6), rows=records)
def test_dibao_amount_equals_exact_rational_arithmetic(n, aged, rows):
    aged = min(aged, n)
    members = [
        Member(person_id=i, name=f"成员{i}", birth_date=dt.date(1940 if i < aged else 1985, 1, 1)) for i in range(n)
    ]
    incomes = [
        Record(
            person_id=0,
            kind=kind,
            amount=Decimal(fen) / 100,
            period_start=START + dt.timedelta(days=offset),
            period_end=START + dt.timedelta(days=offset + length),
        )
        for kind, fen, offset, length in rows
    ]
    income = rules.per_capita_income(members=n, incomes=incomes, on=ON, standards=S)
    assets = rules.asset_test(members=members, assets=[], on=ON, standards=S)
    result = rules.dibao(members=members, per_capita=income.per_capita_exact, assets=assets, on=ON, standards=S)

    # the same rule in exact fractions
    counted = {"wages": Fraction(0), "other": Fraction(0)}
    for r in incomes:
        lo, hi = max(r.period_start, START), min(r.period_end, END)
        if hi < lo or r.kind not in rules.COUNTED_INCOME:
            continue
        share = Fraction(r.amount) * ((hi - lo).days + 1) / ((r.period_end - r.period_start).days + 1)
        counted["wages" if r.kind == "wages" else "other"] += share
    annual = max(Fraction(0), counted["wages"] * (1 - Fraction(S.employment_cost_rate)) + counted["other"])
    per_capita = annual / 12 / n
    standard = Fraction(S.dibao_standard)
    if per_capita >= standard:
        assert not result.eligible
        return
    extras = sum(1 for m in members if rules.extra_reason(m, ON))
    total = (standard - per_capita) * n + standard * Fraction(S.extra_rate) * extras
    floor_amount = standard * Fraction(S.floor_rate) * n
    assert result.eligible
    assert result.amount == fen_half_up(max(total, floor_amount))
    assert result.per_capita == fen_half_up(per_capita)
