"""Household facts: a household's living members and its income, asset and
expenditure records on a day, as plain values, so every area's rules read a
household the same way (no ORM in rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Member:
    person_id: int
    name: str
    birth_date: dt.date
    disability_grade: int = 0
    disability_type: str = ""
    labour_capacity: str = "full"
    seriously_ill: bool = False


@dataclass(frozen=True)
class Record:
    """An income, asset or expenditure record: `amount` is the total over the period."""

    person_id: int
    kind: str
    amount: Decimal
    period_start: dt.date
    period_end: dt.date


@dataclass(frozen=True)
class HouseholdFacts:
    members: list[Member]  # living on the day, in the order they joined
    incomes: list[Record]
    assets: list[Record]
    expenditures: list[Record]


def household_facts(household, on: dt.date) -> HouseholdFacts:
    """What the rules need of a household on `on`: four queries."""
    from .models import AssetRecord, ExpenditureRecord, HouseholdMember, IncomeRecord

    people = [
        m.person
        for m in HouseholdMember.objects.filter(household=household).select_related("person").order_by("id")
        if not (m.person.death_date and m.person.death_date <= on)
    ]
    members = [
        Member(
            person_id=p.pk,
            name=p.name,
            birth_date=p.birth_date,
            disability_grade=p.disability_grade,
            disability_type=p.disability_type,
            labour_capacity=p.labour_capacity,
            seriously_ill=p.serious_illness,
        )
        for p in people
    ]

    def records(model) -> list[Record]:
        return [
            Record(
                person_id=r.person_id,
                kind=r.kind,
                amount=r.amount,
                period_start=r.period_start,
                period_end=r.period_end,
            )
            for r in model.objects.filter(household=household).only(
                "person_id", "kind", "amount", "period_start", "period_end"
            )
        ]

    return HouseholdFacts(
        members=members,
        incomes=records(IncomeRecord),
        assets=records(AssetRecord),
        expenditures=records(ExpenditureRecord),
    )
