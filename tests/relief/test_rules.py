"""relief/rules.py: worked examples with the arithmetic written out, and
properties checked by hypothesis.  Pure functions: no database."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relief import rules
from relief.services.standards import DEMO_STANDARDS

S = rules.Standards.from_values({str(k): v for k, v in DEMO_STANDARDS.items()})
ON = dt.date(2026, 11, 2)
WINDOW = rules.twelve_month_window(ON)  # 2025-11-02 .. 2026-11-01
D = Decimal


def member(pid, born=dt.date(1980, 1, 1), **extra):
    return rules.Member(person_id=pid, name=f"成员{pid}", birth_date=born, **extra)


def income(pid, kind, total, start=WINDOW[0], end=WINDOW[1]):
    return rules.Record(person_id=pid, kind=kind, amount=D(total), period_start=start, period_end=end)


def asset(pid, kind, amount, on=ON):
    return rules.Record(person_id=pid, kind=kind, amount=D(amount), period_start=on, period_end=on)


FAMILY = [member(1), member(2, dt.date(1982, 3, 3)), member(3, dt.date(1996, 6, 6))]
PASS = rules.asset_test(members=FAMILY, assets=[], on=ON, standards=S)


def dibao_for(members, incomes, assets=()):
    working = rules.per_capita_income(members=len(members), incomes=incomes, on=ON, standards=S)
    test = rules.asset_test(members=members, assets=list(assets), on=ON, standards=S)
    return working, rules.dibao(members=members, per_capita=working.per_capita, assets=test, on=ON, standards=S)


# ---------------------------------------------------------------- standards

def test_demo_standards_derived_lines():
    assert S.marginal_line == D("1170.00")  # 780 × 1.5
    assert S.tekun_basic == D("1014.00")    # 780 × 1.3
    assert (S.recheck_months_stable, S.recheck_months_other, S.gradual_exit_months) == (12, 6, 6)


def test_missing_standard_is_named():
    with pytest.raises(KeyError) as info:
        rules.Standards.from_values({"dibao_standard": D(780)})
    assert "care_full" in info.value.args[0]


# ---------------------------------------------------------------- dibao: the worked example

def test_three_members_on_1200_wages():
    # 1 200 × 12 = 14 400; employment cost 20 % = 2 880; 11 520 / 12 = 960; / 3 = 320.00
    # (780 − 320) × 3 = 1 380.00, nobody qualifies for an extra
    working, result = dibao_for(FAMILY, [income(1, "wages", "14400")])
    assert working.employment_cost == D("2880")
    assert working.per_capita == D("320.00")
    assert result.eligible and result.base == D("1380.00") and result.amount == D("1380.00")
    assert not result.extras and not result.floored


def test_classified_extra_for_a_member_aged_70():
    # + 20 % × 780 = 156.00 → 1 536.00
    family = FAMILY[:2] + [member(3, dt.date(1955, 1, 1))]
    _w, result = dibao_for(family, [income(1, "wages", "14400")])
    assert result.extras == {"成员3": "aged_70"} and result.extra_amount == D("156.00")
    assert result.amount == D("1536.00")


def test_one_extra_per_member_even_with_two_reasons():
    # aged 72 and grade-1 disabled: one extra (156.00), not two
    family = FAMILY[:2] + [member(3, dt.date(1954, 1, 1), disability_grade=1)]
    _w, result = dibao_for(family, [income(1, "wages", "14400")])
    assert result.extra_amount == D("156.00") and result.amount == D("1536.00")


def test_each_extra_category():
    assert rules.extra_reason(member(1, dt.date(1956, 11, 2)), ON) == "aged_70"     # 70 today
    assert rules.extra_reason(member(1, dt.date(1956, 11, 3)), ON) is None          # 69 until tomorrow
    assert rules.extra_reason(member(1, disability_grade=2), ON) == "severe_disability"
    assert rules.extra_reason(member(1, disability_grade=3), ON) is None
    assert rules.extra_reason(member(1, dt.date(2010, 1, 1)), ON) == "minor"
    assert rules.extra_reason(member(1, seriously_ill=True), ON) == "serious_illness"


def test_floor_five_percent_per_member():
    # 1 member: per-capita 770 (monthly counted 770 → 9 240 a year of property income, no deduction)
    # base (780 − 770) × 1 = 10.00 < floor 5 % × 780 × 1 = 39.00 → 39.00
    one = [member(1)]
    _w, result = dibao_for(one, [income(1, "property", "9240")])
    assert result.base == D("10.00") and result.floor == D("39.00")
    assert result.floored and result.amount == D("39.00")


def test_extra_lifts_above_the_floor():
    # same, aged 75: 10.00 + 156.00 = 166.00 > 39.00, not floored
    _w, result = dibao_for([member(1, dt.date(1950, 1, 1))], [income(1, "property", "9240")])
    assert result.amount == D("166.00") and not result.floored


def test_excluded_income_does_not_count():
    base, _r = dibao_for(FAMILY, [income(1, "wages", "14400")])
    more = [income(1, "wages", "14400")] + [income(2, kind, "5000") for kind in rules.EXCLUDED_INCOME]
    working, _r = dibao_for(FAMILY, more)
    assert working.per_capita == base.per_capita == D("320.00")
    assert set(working.excluded) == rules.EXCLUDED_INCOME


def test_part_of_a_record_outside_the_window_is_prorated_by_days():
    # a 24 000 pension over 2025-05-02..2026-05-01 (365 days): inside the window 2025-11-02..2026-05-01
    # = 181 days → 24 000 × 181 / 365 = 11 901.37; / 12 / 1 = 991.78
    record = income(1, "transfer", "24000", dt.date(2025, 5, 2), dt.date(2026, 5, 1))
    working = rules.per_capita_income(members=1, incomes=[record], on=ON, standards=S)
    assert rules.money(working.counted["transfer"]) == D("11901.37")
    assert working.per_capita == D("991.78")


def test_no_counted_income_gets_the_full_standard():
    _w, result = dibao_for([member(1)], [])
    assert result.amount == D("780.00")


# ---------------------------------------------------------------- marginal band and expenditure-type

@pytest.mark.parametrize("per_capita, dibao, marginal", [
    ("779.99", True, False),
    ("780.00", False, True),     # exactly the standard: not dibao, marginal
    ("1170.00", False, True),    # exactly 1.5 ×: still marginal
    ("1170.01", False, False),
])
def test_marginal_band_edges(per_capita, dibao, marginal):
    pc = D(per_capita)
    assert rules.dibao(members=FAMILY, per_capita=pc, assets=PASS, on=ON, standards=S).eligible is dibao
    assert rules.is_marginal(per_capita=pc, assets=PASS, standards=S) is marginal


def test_assets_failing_rules_out_both():
    car = rules.asset_test(members=FAMILY, assets=[asset(1, "vehicle", "50000")], on=ON, standards=S)
    assert not rules.dibao(members=FAMILY, per_capita=D("100"), assets=car, on=ON, standards=S).eligible
    assert not rules.is_marginal(per_capita=D("900"), assets=car, standards=S)


def test_expenditure_type_hardship():
    # counted 36 000 a year for 3: 1 000 a month each, above 780; medical 12 000 → (36 000 − 12 000) / 12 / 3
    # = 666.67 < 780 → expenditure-type hardship
    incomes = [income(1, "transfer", "36000")]
    spending = [rules.Record(1, "medical", D("12000"), WINDOW[0], WINDOW[1])]
    plain = rules.per_capita_income(members=3, incomes=incomes, on=ON, standards=S)
    after = rules.per_capita_income(members=3, incomes=incomes, on=ON, standards=S, expenditures=spending)
    assert plain.per_capita == D("1000.00") and after.per_capita == D("666.67")
    assert rules.is_expenditure_hardship(per_capita_after_spending=after.per_capita, assets=PASS, standards=S)
    assert not rules.is_expenditure_hardship(per_capita_after_spending=plain.per_capita, assets=PASS, standards=S)


# ---------------------------------------------------------------- assets

def _assets(records, members=FAMILY):
    return rules.asset_test(members=members, assets=records, on=ON, standards=S)


def test_financial_assets_limit_per_person():
    # 24 × 780 = 18 720 per person; 3 members → 56 160 passes, 56 160.03 fails (18 720.01 each)
    assert _assets([asset(1, "deposit", "56160")]).passed
    failed = _assets([asset(1, "deposit", "56160.03")])
    assert not failed.passed and failed.financial_per_capita == D("18720.01")


def test_latest_balance_counts_not_every_statement():
    old = rules.Record(1, "deposit", D("50000"), dt.date(2026, 1, 1), dt.date(2026, 1, 1))
    assert _assets([old, asset(1, "deposit", "1000")]).financial_per_capita == D("333.33")


def test_vehicles_homes_businesses():
    assert not _assets([asset(1, "vehicle", "30000")]).passed
    assert not _assets([asset(1, "mobility_vehicle", "3000")]).passed
    disabled = FAMILY[:2] + [member(3, disability_grade=2)]
    assert _assets([asset(1, "mobility_vehicle", "3000")], disabled).passed
    assert _assets([asset(1, "house", "500000")]).passed
    assert not _assets([asset(1, "house", "500000"), asset(2, "house", "300000")]).passed
    assert _assets([asset(1, "business", "50000")]).passed
    assert not _assets([asset(1, "business", "50000.01")]).passed


# ---------------------------------------------------------------- extremely poor

@pytest.mark.parametrize("care_level, amount", [("self", "1164.00"), ("partial", "1614.00"), ("full", "2214.00")])
def test_tekun_amount_by_care_level(care_level, amount):
    # 1 014 basic + 150 / 600 / 1 200 care
    elder = member(1, dt.date(1950, 1, 1), labour_capacity="none")
    result = rules.tekun(person=elder, own_monthly_income=D("0"), has_capable_supporter=False,
                         care_level=care_level, on=ON, standards=S)
    assert result.eligible and result.amount == D(amount)


@pytest.mark.parametrize("person, eligible", [
    (member(1, dt.date(1966, 11, 2), labour_capacity="none"), True),           # 60 today
    (member(1, dt.date(1966, 11, 3), labour_capacity="none"), False),          # 59
    (member(1, disability_grade=2, labour_capacity="none"), True),
    (member(1, disability_grade=3, disability_type="intellectual", labour_capacity="none"), True),
    (member(1, disability_grade=3, disability_type="physical", labour_capacity="none"), False),
    (member(1, dt.date(2011, 1, 1)), True),                                    # minor under 16, labour no matter
    (member(1, dt.date(2009, 1, 1)), False),                                   # 17
])
def test_tekun_categories(person, eligible):
    result = rules.tekun(person=person, own_monthly_income=D("0"), has_capable_supporter=False, care_level="self",
                         on=ON, standards=S)
    assert result.eligible is eligible


def test_tekun_refusal_reasons():
    elder = member(1, dt.date(1950, 1, 1))
    result = rules.tekun(person=elder, own_monthly_income=D("780"), has_capable_supporter=True, care_level="self",
                         on=ON, standards=S)
    assert not result.eligible and result.amount == 0
    assert [r[:4] for r in result.reasons] == ["具有劳动", "月收入 ", "有法定赡"]


# ---------------------------------------------------------------- temporary assistance

@pytest.mark.parametrize("amount, level", [
    ("2340.00", "street"), ("2340.01", "district"), ("4680.00", "district"), ("4680.01", "bureau")])
def test_temporary_approval_levels(amount, level):
    # street ≤ 3 × 780 = 2 340; district ≤ 6 × 780 = 4 680; above: the bureau
    assert rules.temporary_approval_level(amount=D(amount), standards=S) == level


# ---------------------------------------------------------------- periods and working days

def test_add_months_clamps_to_month_end():
    assert rules.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert rules.add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert rules.add_months(dt.date(2026, 11, 2), -12) == dt.date(2025, 11, 2)


def test_recheck_interval_and_gradual_exit():
    start = dt.date(2026, 12, 1)
    elders = [member(1, dt.date(1950, 1, 1)), member(2, disability_grade=1)]
    assert rules.stable_household(elders, ON) and not rules.stable_household(FAMILY, ON)
    assert rules.next_recheck(start=start, stable=True, standards=S) == dt.date(2027, 12, 1)
    assert rules.next_recheck(start=start, stable=False, standards=S) == dt.date(2027, 6, 1)
    # six months of gradual exit from December: December … May
    assert rules.gradual_exit_last_month(first_exit_month=start, standards=S) == dt.date(2027, 5, 1)


def test_working_days_skip_weekends_and_holidays_count_swapped_saturdays():
    friday = dt.date(2026, 11, 6)
    assert rules.add_working_days(friday, 1, {}) == dt.date(2026, 11, 9)            # over the weekend
    holidays = {dt.date(2026, 11, 9): False, dt.date(2026, 11, 7): True}             # Monday off, Saturday worked
    assert rules.add_working_days(friday, 1, holidays) == dt.date(2026, 11, 7)
    assert rules.add_working_days(friday, 2, holidays) == dt.date(2026, 11, 10)
    assert rules.working_days_left(friday, dt.date(2026, 11, 13), {}) == 5
    assert rules.working_days_left(friday, friday, {}) == 0
    # overdue since Monday the 9th: 9, 10, 11, 12, 13 and 16 November are six working days late
    assert rules.working_days_left(dt.date(2026, 11, 16), friday, {}) == -6


# ---------------------------------------------------------------- properties

household_sizes = st.integers(min_value=1, max_value=8)
wages = st.decimals(min_value=0, max_value=30000, places=2)
births = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2026, 1, 1))
people = st.lists(st.builds(lambda b, g, ill: rules.Member(0, "x", b, disability_grade=g, seriously_ill=ill),
                            births, st.integers(0, 4), st.booleans()), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(people, wages)
def test_eligible_amount_is_never_below_the_floor_and_in_fen(members, monthly_wage):
    _w, result = dibao_for(members, [income(1, "wages", monthly_wage * 12)])
    if result.eligible:
        assert result.amount >= S.dibao_standard * S.floor_rate * len(members)
        assert result.amount == result.amount.quantize(D("0.01"))
        assert result.amount.as_tuple().exponent == -2


@settings(max_examples=200, deadline=None)
@given(household_sizes, wages, wages)
def test_more_wages_never_raise_the_allowance(n, low, high):
    low, high = min(low, high), max(low, high)
    members = [member(i) for i in range(1, n + 1)]
    _a, poorer = dibao_for(members, [income(1, "wages", low * 12)])
    _b, richer = dibao_for(members, [income(1, "wages", high * 12)])
    assert richer.amount <= poorer.amount


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=3000, places=2))
def test_eligible_exactly_below_the_standard_when_assets_pass(per_capita):
    result = rules.dibao(members=FAMILY, per_capita=per_capita, assets=PASS, on=ON, standards=S)
    assert result.eligible is (per_capita < S.dibao_standard)


@settings(max_examples=200, deadline=None)
@given(household_sizes, wages, st.sampled_from(sorted(rules.EXCLUDED_INCOME)), wages)
def test_excluded_income_never_changes_per_capita(n, wage, kind, extra):
    base = rules.per_capita_income(members=n, incomes=[income(1, "wages", wage * 12)], on=ON, standards=S)
    more = rules.per_capita_income(members=n, incomes=[income(1, "wages", wage * 12), income(2, kind, extra)],
                                   on=ON, standards=S)
    assert more.per_capita == base.per_capita


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=20000, places=2), st.decimals(min_value=0, max_value=20000, places=2))
def test_approval_level_is_monotone(a, b):
    order = {"street": 0, "district": 1, "bureau": 2}
    low, high = min(a, b), max(a, b)
    assert order[rules.temporary_approval_level(amount=low, standards=S)] <= order[
        rules.temporary_approval_level(amount=high, standards=S)]


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)), st.integers(0, 60))
def test_add_working_days_lands_on_a_working_day_n_days_on(start, n):
    end = rules.add_working_days(start, n, {})
    if n:
        assert rules.is_working_day(end, {})
    assert rules.working_days_left(start, end, {}) == n
