"""childcare/rules.py with the numbers of DOMAIN.md "Childcare" and issue 14."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from childcare import rules
from childcare.rules import DEMO, Parent, eligibility
from civil_affairs.months import add_months

D = dt.date
ON = D(2026, 7, 31)
dead = Parent(rules.DEAD, D(2024, 3, 1))


def test_out_of_contact_five_months_thirty_days_is_not_enough():
    parent = Parent(rules.OUT_OF_CONTACT, since=D(2026, 1, 31))
    # 2026-01-31 → 2026-07-30 is 5 months 30 days; 2026-07-31 is six months
    assert not rules.condition_holds(parent, D(2026, 7, 30))
    assert rules.condition_holds(parent, D(2026, 7, 31))
    assert rules.category([dead, parent], D(2026, 7, 30)) is None
    assert rules.category([dead, parent], D(2026, 7, 31)) == rules.UNSUPPORTED


def test_out_of_contact_ended_by_return():
    parent = Parent(rules.OUT_OF_CONTACT, since=D(2025, 1, 1), until=D(2026, 5, 1))
    assert rules.condition_holds(parent, D(2026, 5, 1))
    assert not rules.condition_holds(parent, D(2026, 5, 2))


def test_one_parent_dead_other_in_prison_six_months_qualifies():
    prison = Parent(rules.DEPRIVED, since=D(2026, 3, 10), until=D(2026, 9, 10))  # a six-month sentence
    assert rules.category([dead, prison], D(2026, 3, 10)) == rules.UNSUPPORTED
    short = Parent(rules.DEPRIVED, since=D(2026, 3, 10), until=D(2026, 9, 9))  # one day short of six months
    assert rules.category([dead, short], D(2026, 3, 10)) is None
    # no expected end: counts once it has lasted six months
    open_ended = Parent(rules.DEPRIVED, since=D(2026, 3, 10))
    assert rules.category([dead, open_ended], D(2026, 9, 9)) is None
    assert rules.category([dead, open_ended], D(2026, 9, 10)) == rules.UNSUPPORTED
    # released: the condition ends
    assert rules.category([dead, prison], D(2026, 9, 11)) is None


def test_orphan_and_not_found():
    assert rules.category([dead, Parent(rules.DECLARED_DEAD)], ON) == rules.ORPHAN
    assert rules.category([Parent(rules.NOT_FOUND), Parent(rules.NOT_FOUND)], ON) == rules.ORPHAN
    assert rules.category([dead, Parent(rules.MISSING)], ON) == rules.ORPHAN
    assert rules.category([dead, Parent()], ON) is None  # one parent can care
    assert rules.category([dead], ON) is None  # the other parent's situation must be on record


def test_disability_grades():
    assert rules.condition_holds(Parent(rules.DISABLED, disability_grade=2, disability_type="physical"), ON)
    assert not rules.condition_holds(Parent(rules.DISABLED, disability_grade=3, disability_type="physical"), ON)
    assert rules.condition_holds(Parent(rules.DISABLED, disability_grade=4, disability_type="mental"), ON)
    assert rules.condition_holds(Parent(rules.DISABLED, disability_grade=3, disability_type="intellectual"), ON)
    assert not rules.condition_holds(Parent(rules.DISABLED, disability_grade=0), ON)


def test_both_parents_one_case_each():
    ill = Parent(rules.ILL, since=D(2025, 1, 1))
    revoked = Parent(rules.REVOKED, since=D(2025, 1, 1))
    assert rules.category([ill, revoked], ON) == rules.UNSUPPORTED
    assert rules.category([Parent(rules.DEPORTED), ill], ON) == rules.UNSUPPORTED


def test_eighteenth_birthday_at_a_month_edge():
    # born on the 1st: turns 18 on 2026-07-01, paid to July 2026 inclusive
    assert rules.last_month(D(2008, 7, 1)) == D(2026, 7, 1)
    # born on the last day of June: paid to June 2026
    assert rules.last_month(D(2008, 6, 30)) == D(2026, 6, 1)
    parents = [dead, Parent(rules.DEAD)]
    assert eligibility(birth=D(2008, 6, 30), on=D(2026, 6, 30), parents=parents).eligible
    found = eligibility(birth=D(2008, 6, 30), on=D(2026, 7, 1), parents=parents)
    assert not found.eligible and found.reasons == ("age",)
    assert eligibility(birth=D(2008, 7, 1), on=D(2026, 7, 31), parents=parents).eligible
    # 29 February: the birthday falls on 28 February in a common year
    assert rules.last_month(D(2008, 2, 29)) == D(2026, 2, 1)


def test_school_extension_to_22():
    birth = D(2008, 9, 15)
    assert rules.last_month(birth) == D(2026, 9, 1)
    # in full-time school until June 2029: paid to June 2029
    assert rules.last_month(birth, in_school_until=D(2029, 6, 30)) == D(2029, 6, 1)
    # school past 22: stops at the 22nd birthday's month
    assert rules.last_month(birth, in_school_until=D(2031, 6, 30)) == D(2030, 9, 1)
    # school ending before 18 never shortens the ordinary end
    assert rules.last_month(birth, in_school_until=D(2025, 6, 30)) == D(2026, 9, 1)
    parents = [dead, Parent(rules.DEAD)]
    assert eligibility(birth=birth, on=D(2028, 1, 1), parents=parents, in_school_until=D(2029, 6, 30)).eligible
    assert not eligibility(birth=birth, on=D(2028, 1, 1), parents=parents).eligible


def test_school_age_is_a_parameter():
    twenty = rules.Standards(**{**DEMO.__dict__, "school_age_end": 20})
    assert rules.last_month(D(2008, 9, 15), twenty, in_school_until=D(2031, 6, 30)) == D(2028, 9, 1)


def test_adopted_or_dead_child_not_eligible():
    parents = [dead, Parent(rules.DEAD)]
    assert eligibility(birth=D(2015, 1, 1), on=ON, parents=parents, adopted=True).reasons == ("adopted",)
    assert eligibility(birth=D(2015, 1, 1), on=ON, parents=parents, dead=True).reasons == ("dead",)


def test_rates_by_setting():
    assert rules.rate(rules.ORPHAN, rules.INSTITUTIONAL) == Decimal("2760.00")
    assert rules.rate(rules.ORPHAN, rules.DISPERSED) == Decimal("2200.00")
    assert rules.rate(rules.UNSUPPORTED, rules.INSTITUTIONAL) == Decimal("2200.00")


def test_tekun_exclusion_month():
    # the allowance from next month; the 特困 benefit's last month is this month
    start = rules.first_month(D(2026, 11, 20))
    assert start == D(2026, 12, 1)
    assert rules.tekun_stop_month(start) == D(2026, 11, 1)


def test_visit_rules():
    assert rules.next_visit_due(D(2026, 1, 31), rules.HIGH) == D(2026, 2, 28)
    assert rules.next_visit_due(D(2026, 1, 15), rules.MEDIUM) == D(2026, 4, 15)
    assert rules.next_visit_due(D(2026, 1, 15), rules.LOW) == D(2026, 7, 15)
    assert [rules.first_visit_working_days(r) for r in rules.RISKS] == [2, 5, 10]


def test_standards_from_values_round_trip():
    values = {f"childcare_{k}": Decimal(v) for k, v in DEMO.__dict__.items()}
    assert rules.Standards.from_values(values) == DEMO


# ---------------------------------------------------------------- properties

days = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


@given(since=days, offset=st.integers(min_value=-400, max_value=400))
def test_six_months_to_the_day(since, offset):
    on = add_months(since, 6) + dt.timedelta(days=offset)
    parent = Parent(rules.OUT_OF_CONTACT, since=since)
    assert rules.condition_holds(parent, on) == (offset >= 0)


@given(since=days, a=st.integers(0, 800), b=st.integers(0, 800))
def test_duration_is_monotonic(since, a, b):
    parent = Parent(rules.OUT_OF_CONTACT, since=since)
    early, late = sorted((a, b))
    if rules.condition_holds(parent, since + dt.timedelta(days=early)):
        assert rules.condition_holds(parent, since + dt.timedelta(days=late))


@given(birth=st.dates(min_value=D(2000, 1, 1), max_value=D(2025, 12, 31)), school=st.none() | days)
def test_last_month_bounds(birth, school):
    end = rules.last_month(birth, in_school_until=school)
    assert end.day == 1
    assert D(birth.year + 18, birth.month, 1) == rules.last_month(birth)
    assert rules.last_month(birth) <= end <= D(birth.year + 22, birth.month, 1)
    # on the first day of the last month the child is at most the age limit, and paid
    parents = [Parent(rules.DEAD), Parent(rules.DEAD)]
    assert eligibility(birth=birth, on=end, parents=parents, in_school_until=school).eligible
    assert not eligibility(birth=birth, on=add_months(end, 1), parents=parents, in_school_until=school).eligible


@given(
    start=st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 1)).map(lambda d: d.replace(day=1)),
    months=st.integers(0, 60),
    setting=st.sampled_from([rules.INSTITUTIONAL, rules.DISPERSED]),
    category=st.sampled_from([rules.ORPHAN, rules.UNSUPPORTED]),
)
def test_total_paid_is_rate_times_months(start, months, setting, category):
    end = add_months(start, months - 1) if months else add_months(start, -1)
    n = rules.payable_months(start, end)
    assert n == months
    amount = rules.rate(category, setting)
    assert amount == amount.quantize(Decimal("0.01"))
    total = sum((amount for _ in range(n)), Decimal("0.00"))
    assert total == amount * n


@given(risk=st.sampled_from(rules.RISKS), last=days)
def test_visits_higher_risk_sooner(risk, last):
    due = rules.next_visit_due(last, risk)
    assert due > last
    assert rules.next_visit_due(last, rules.HIGH) <= rules.next_visit_due(last, rules.MEDIUM)
    assert rules.next_visit_due(last, rules.MEDIUM) <= rules.next_visit_due(last, rules.LOW)
