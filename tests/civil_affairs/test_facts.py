"""Household facts and the month and money helpers in the core (issue 11 item 3)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from civil_affairs.errors import DomainError
from civil_affairs.facts import HouseholdFacts, Member, Record, household_facts
from civil_affairs.models import AssetRecord, IncomeRecord
from civil_affairs.money import exact_decimal, money
from civil_affairs.months import add_months, next_month_start, parse_month, twelve_month_window
from tests.civil_affairs.factories import IncomeFactory, MemberFactory


def test_household_facts_are_plain_values_of_the_living_members(regions, django_assert_num_queries):
    head = MemberFactory(household__region=regions["jinsha_1"])
    household = head.household
    gone = MemberFactory(household=household, relation="spouse", person__death_date=dt.date(2026, 3, 1))
    IncomeFactory(
        household=household,
        person=head.person,
        kind=IncomeRecord.Kind.WAGES,
        amount=Decimal("14400"),
        period_start=dt.date(2025, 11, 2),
        period_end=dt.date(2026, 11, 1),
    )
    AssetRecord.objects.create(
        household=household,
        person=head.person,
        kind="deposit",
        amount=Decimal("5000"),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 1),
    )
    with django_assert_num_queries(4):
        facts = household_facts(household, dt.date(2026, 11, 2))
    assert isinstance(facts, HouseholdFacts)
    assert [m.person_id for m in facts.members] == [head.person_id]  # the dead member is left out
    assert isinstance(facts.members[0], Member) and facts.members[0].birth_date == head.person.birth_date
    assert facts.incomes == [
        Record(head.person_id, "wages", Decimal("14400.00"), dt.date(2025, 11, 2), dt.date(2026, 11, 1))
    ]
    assert [r.kind for r in facts.assets] == ["deposit"] and facts.expenditures == []
    # before the death, both were members
    assert len(household_facts(household, dt.date(2026, 2, 28)).members) == 2
    assert gone.person_id in [m.person_id for m in household_facts(household, dt.date(2026, 2, 28)).members]


def test_money_and_months():
    assert money(Fraction(800, 3)) == Decimal("266.67") and money(Decimal("0.005")) == Decimal("0.01")
    assert exact_decimal(Fraction(1, 3), places=4) == Decimal("0.3333")
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert next_month_start(dt.date(2026, 12, 15)) == dt.date(2027, 1, 1)
    assert twelve_month_window(dt.date(2026, 11, 2)) == (dt.date(2025, 11, 2), dt.date(2026, 11, 1))
    assert parse_month(" 2026-3 ") == dt.date(2026, 3, 1)
    with pytest.raises(DomainError, match="月份应在 01 至 12 之间"):
        parse_month("2026-13")
