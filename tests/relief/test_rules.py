"""relief/rules.py against DOMAIN.md "Relief": worked examples with the
arithmetic written out by hand, and properties checked by hypothesis.
Pure functions on plain values: no database."""

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civil_affairs.calendar import add_working_days, is_working_day, working_days_left
from civil_affairs.facts import Member, Record
from civil_affairs.money import money
from civil_affairs.months import add_months, month_start, next_month_start, twelve_month_window
from relief import rules
from relief.services.standards import DEMO_STANDARDS

D = Decimal
S = rules.Standards.from_values({str(k): v for k, v in DEMO_STANDARDS.items()})
ON = dt.date(2026, 11, 2)  # a Monday
WINDOW = twelve_month_window(ON)  # 2025-11-02 .. 2026-11-01, 365 days
EXTRA = D("156.00")  # 20 % × 780


def member(pid, born=dt.date(1980, 1, 1), name=None, **extra):
    return Member(person_id=pid, name=name or f"成员{pid}", birth_date=born, **extra)


def income(pid, kind, total, start=WINDOW[0], end=WINDOW[1]):
    return Record(person_id=pid, kind=kind, amount=D(total), period_start=start, period_end=end)


def asset(pid, kind, amount, on=ON):
    """A balance or registration as seen on one day."""
    return Record(person_id=pid, kind=kind, amount=D(amount), period_start=on, period_end=on)


def spending(kind, total):
    return Record(person_id=1, kind=kind, amount=D(total), period_start=WINDOW[0], period_end=WINDOW[1])


# three members aged 30–50 (46, 44, 30 on ON), nobody disabled or ill
FAMILY = [member(1), member(2, dt.date(1982, 3, 3)), member(3, dt.date(1996, 6, 6))]
PASS = rules.asset_test(members=FAMILY, assets=[], on=ON, standards=S)
CAR = rules.asset_test(members=FAMILY, assets=[asset(1, "vehicle", "50000")], on=ON, standards=S)


def per_capita(members, incomes, expenditures=()):
    return rules.per_capita_income(members=len(members), incomes=incomes, on=ON, standards=S, expenditures=expenditures)


def assets_of(records, members=FAMILY):
    return rules.asset_test(members=members, assets=list(records), on=ON, standards=S)


def dibao_for(members, incomes, assets=()):
    working = per_capita(members, incomes)
    result = rules.dibao(
        members=members, per_capita=working.per_capita_exact, assets=assets_of(assets, members), on=ON, standards=S
    )
    return working, result


def tekun_for(person, income="0", supporter=False, care_level="self"):
    return rules.tekun(
        person=person,
        own_monthly_income=D(income),
        has_capable_supporter=supporter,
        care_level=care_level,
        on=ON,
        standards=S,
    )


def in_fen(value):
    return isinstance(value, Decimal) and value.as_tuple().exponent == -2


# ---------------------------------------------------------------- standards and money


def test_demo_standards_and_derived_lines():
    # marginal line 780 × 1.5 = 1 170.00; tekun basic 780 × 1.3 = 1 014.00
    assert S.dibao_standard == D("780")
    assert S.marginal_line == D("1170.00") and S.tekun_basic == D("1014.00")
    assert [S.care_amount(level) for level in ("self", "partial", "full")] == [D("150"), D("600"), D("1200")]
    assert (S.recheck_months_stable, S.recheck_months_other, S.gradual_exit_months) == (12, 6, 6)
    assert isinstance(S.notice_days, int) and S.deadline_working_days == 30


def test_standards_from_the_str_enum_keys_directly():
    assert rules.Standards.from_values(DEMO_STANDARDS) == S
    assert sorted(rules.Standards.keys()) == sorted(str(k) for k in DEMO_STANDARDS)


def test_missing_standard_is_named():
    with pytest.raises(KeyError) as info:
        rules.Standards.from_values({"dibao_standard": D(780)})
    assert "care_full" in info.value.args[0] and "dibao_standard" not in info.value.args[0]


def test_money_rounds_half_up_to_the_fen():
    # 2.675 → 2.68 (half up, from the decimal string, not a float's 2.67499…); 0.005 → 0.01; 1 → 1.00
    assert money("2.675") == D("2.68")
    assert money("0.005") == D("0.01") and money("0.0049") == D("0.00")
    assert str(money(1)) == "1.00"


# ---------------------------------------------------------------- periods


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)  # leap year
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)  # over the year end
    assert add_months(dt.date(2026, 11, 2), -12) == dt.date(2025, 11, 2)


def test_month_start_and_next_month_start():
    assert month_start(dt.date(2026, 11, 17)) == dt.date(2026, 11, 1)
    assert next_month_start(dt.date(2026, 1, 31)) == dt.date(2026, 2, 1)
    assert next_month_start(dt.date(2026, 12, 15)) == dt.date(2027, 1, 1)


def test_twelve_month_window():
    assert WINDOW == (dt.date(2025, 11, 2), dt.date(2026, 11, 1))
    # on 29 Feb 2024: from 28 Feb 2023 (clamped) to 28 Feb 2024
    assert twelve_month_window(dt.date(2024, 2, 29)) == (dt.date(2023, 2, 28), dt.date(2024, 2, 28))


# ---------------------------------------------------------------- income


def test_three_members_on_1200_wages_working():
    # 1 200 × 12 = 14 400 wages; employment cost 20 % = 2 880; 14 400 − 2 880 = 11 520 a year
    # 11 520 / 12 = 960 a month; 960 / 3 = 320.00 per head
    working = per_capita(FAMILY, [income(1, "wages", "14400")])
    assert working.counted == {"wages": D("14400")}
    assert working.employment_cost == D("2880")
    assert working.annual_total == D("11520") and working.monthly_total == D("960")
    assert working.per_capita == D("320.00")
    assert working.as_dict() == {
        "window": ["2025-11-02", "2026-11-01"],
        "members": 3,
        "counted": {"wages": "14400.00"},
        "excluded": {},
        "employment_cost": "2880.00",
        "expenditure": "0.00",
        "annual_total": "11520.00",
        "monthly_total": "960.00",
        "per_capita": "320.00",
        "per_capita_exact": "320",
        "monthly_total_exact": "960",
    }
    json.dumps(working.as_dict())


def test_employment_cost_is_deducted_from_wages_only():
    # business 12 000 a year for 1 member: nothing deducted, 12 000 / 12 / 1 = 1 000.00
    working = per_capita([member(1)], [income(1, "business", "12000")])
    assert working.employment_cost == 0 and working.per_capita == D("1000.00")


def test_excluded_income_kinds_do_not_count():
    # 5 000 of each excluded kind on top of the 14 400 wages: per-capita stays 320.00
    more = [income(1, "wages", "14400")] + [income(2, kind, "5000") for kind in sorted(rules.EXCLUDED_INCOME)]
    working = per_capita(FAMILY, more)
    assert working.per_capita == D("320.00")
    assert (
        set(working.excluded)
        == rules.EXCLUDED_INCOME
        == {"veteran_allowance", "one_child_award", "bravery_award", "disability_allowance", "care_service"}
    )
    assert set(working.counted) == {"wages"}


def test_partial_period_record_is_prorated_by_days():
    # a 24 000 transfer over 2025-05-02 .. 2026-05-01 = 365 days; inside the window 2025-11-02 .. 2026-05-01:
    # Nov 29 + Dec 31 + Jan 31 + Feb 28 + Mar 31 + Apr 30 + May 1 = 181 days
    # 24 000 × 181 / 365 = 11 901.37; / 12 = 991.78 for 1 member (no employment cost on transfers)
    record = income(1, "transfer", "24000", dt.date(2025, 5, 2), dt.date(2026, 5, 1))
    working = per_capita([member(1)], [record])
    assert money(working.counted["transfer"]) == D("11901.37")
    assert working.per_capita == D("991.78")


def test_partial_period_wages_are_prorated_before_the_employment_cost():
    # 6 000 wages over 2026-10-02 .. 2026-11-30 = 30 + 30 = 60 days (100 a day);
    # inside the window 2026-10-02 .. 2026-11-01 = 31 days → 3 100; cost 20 % = 620; 2 480 a year
    # 2 480 / 12 = 206.666…; / 2 members = 103.33
    record = income(1, "wages", "6000", dt.date(2026, 10, 2), dt.date(2026, 11, 30))
    working = per_capita(FAMILY[:2], [record])
    assert working.counted["wages"] == D("3100") and working.employment_cost == D("620")
    assert working.per_capita == D("103.33")


def test_window_edges():
    before = income(1, "transfer", "3650", dt.date(2024, 11, 2), dt.date(2025, 11, 1))  # ends the day before
    today = income(1, "transfer", "500", ON, ON)  # `on` is outside
    straddle = income(1, "transfer", "730", dt.date(2025, 11, 1), dt.date(2025, 11, 2))  # 2 days, 1 inside
    assert per_capita([member(1)], [before, today]).counted == {}
    # 730 × 1 / 2 = 365 a year; / 12 = 30.416… → 30.42
    working = per_capita([member(1)], [before, today, straddle])
    assert working.counted == {"transfer": D("365")} and working.per_capita == D("30.42")


def test_rigid_spending_is_deducted_for_the_expenditure_test_only():
    # 36 000 transfer for 3: 36 000 / 12 / 3 = 1 000.00; less 12 000 medical: 24 000 / 12 / 3 = 666.67
    incomes = [income(1, "transfer", "36000")]
    assert per_capita(FAMILY, incomes).per_capita == D("1000.00")
    after = per_capita(FAMILY, incomes, [spending("medical", "12000")])
    assert after.expenditure == D("12000") and after.per_capita == D("666.67")
    # education counts too (6 000 + 6 000 = 12 000 → 666.67); "other" spending does not
    assert per_capita(FAMILY, incomes, [spending("medical", "6000"), spending("education", "6000")]).per_capita == D(
        "666.67"
    )
    assert per_capita(FAMILY, incomes, [spending("other", "12000")]).per_capita == D("1000.00")
    # spending above income: 36 000 − 50 000 < 0 → 0.00, never negative
    assert per_capita(FAMILY, incomes, [spending("medical", "50000")]).per_capita == D("0.00")


def test_a_household_has_at_least_one_member():
    with pytest.raises(ValueError):
        rules.per_capita_income(members=0, incomes=[], on=ON, standards=S)


# ---------------------------------------------------------------- assets


@pytest.mark.parametrize(
    "members, deposit, passed",
    [
        (1, "18720", True),  # 24 × 780 = 18 720 per person: at the limit passes
        (1, "18720.01", False),
        (3, "56160", True),  # 3 × 18 720 = 56 160
        (3, "56160.03", False),  # 18 720.01 a head
        (3, "56160.01", False),  # 18 720.0033… a head is still over 18 720
    ],
)
def test_financial_assets_limit_per_person(members, deposit, passed):
    people = FAMILY[:members]
    result = assets_of([asset(1, "deposit", deposit)], people)
    assert result.passed is passed and result.financial_limit == D("18720.00")
    assert bool(result.reasons) is not passed


def test_deposits_and_securities_add_up():
    # 10 000 + 8 720.01 = 18 720.01 for 1 member: over
    result = assets_of([asset(1, "deposit", "10000"), asset(1, "securities", "8720.01")], [member(1)])
    assert not result.passed and result.financial_per_capita == D("18720.01")
    assert result.reasons == ("人均金融资产 18720.01 元超过上限 18720.00 元",)


def test_latest_balance_counts_and_old_records_drop_out():
    # January's 50 000 is superseded by today's 1 000: 1 000 / 3 = 333.33
    old = Record(1, "deposit", D("50000"), dt.date(2026, 1, 1), dt.date(2026, 1, 1))
    assert assets_of([old, asset(1, "deposit", "1000")]).financial_per_capita == D("333.33")
    # a 100 000 balance last seen before the window is not current
    stale = asset(1, "deposit", "100000", on=dt.date(2025, 10, 1))
    assert assets_of([stale]).passed


def test_vehicles():
    assert not assets_of([asset(1, "vehicle", "30000")]).passed
    assert not assets_of([asset(1, "mobility_vehicle", "3000")]).passed  # nobody disabled
    for grade in (2, 4):
        disabled = FAMILY[:2] + [member(3, disability_grade=grade)]
        assert assets_of([asset(1, "mobility_vehicle", "3000")], disabled).passed


def test_homes_and_businesses():
    assert assets_of([asset(1, "house", "500000")]).passed
    assert not assets_of([asset(1, "house", "500000"), asset(2, "house", "300000")]).passed
    assert assets_of([asset(1, "business", "50000")]).passed
    assert not assets_of([asset(1, "business", "50000.01")]).passed


def test_every_failed_limit_is_a_reason():
    result = assets_of([asset(1, "vehicle", "30000"), asset(1, "house", "1"), asset(2, "house", "1")])
    assert not result.passed and result.reasons == ("家庭拥有机动车辆", "家庭拥有两套及以上住房")
    assert result.as_dict() == {
        "passed": False,
        "financial_per_capita": "0.00",
        "financial_limit": "18720.00",
        "reasons": ["家庭拥有机动车辆", "家庭拥有两套及以上住房"],
    }


# ---------------------------------------------------------------- dibao amount


def test_three_members_on_1200_wages():
    # per-capita 320.00 (above); (780 − 320) × 3 = 460 × 3 = 1 380.00; nobody qualifies for an extra;
    # floor 5 % × 780 × 3 = 117.00 < 1 380.00
    _w, result = dibao_for(FAMILY, [income(1, "wages", "14400")])
    assert result.eligible and result.base == D("1380.00") and result.amount == D("1380.00")
    assert result.extras == {} and result.extra_amount == 0
    assert result.floor == D("117.00") and not result.floored
    assert result.as_dict()["amount"] == "1380.00"


def test_classified_extra_for_a_member_aged_72():
    # 1 380.00 + 20 % × 780 = 1 380.00 + 156.00 = 1 536.00
    family = FAMILY[:2] + [member(3, dt.date(1954, 6, 1))]
    _w, result = dibao_for(family, [income(1, "wages", "14400")])
    assert result.extras == {"成员3": "aged_70"} and result.extra_amount == EXTRA
    assert result.amount == D("1536.00")


def test_one_extra_per_member_even_with_two_reasons():
    # aged 72 and grade-1 disabled: one extra of 156.00, not 312.00 → 1 536.00
    family = FAMILY[:2] + [member(3, dt.date(1954, 6, 1), disability_grade=1)]
    _w, result = dibao_for(family, [income(1, "wages", "14400")])
    assert result.extras == {"成员3": "aged_70"}
    assert result.extra_amount == EXTRA and result.amount == D("1536.00")


def test_namesakes_each_get_their_extra():
    # two members both called 王伟, both 72: 1 380.00 + 2 × 156.00 = 1 692.00
    family = [member(1), member(2, dt.date(1954, 6, 1), name="王伟"), member(3, dt.date(1953, 6, 1), name="王伟")]
    _w, result = dibao_for(family, [income(1, "wages", "14400")])
    assert result.extra_amount == D("312.00") and result.amount == D("1692.00")
    assert len(result.extras) == 2


@pytest.mark.parametrize(
    "person, reason",
    [
        (member(1, dt.date(1956, 11, 2)), "aged_70"),  # 70 today
        (member(1, dt.date(1956, 11, 3)), None),  # 69 until tomorrow
        (member(1, disability_grade=1), "severe_disability"),
        (member(1, disability_grade=2), "severe_disability"),
        (member(1, disability_grade=3), None),
        (member(1, dt.date(2008, 11, 3)), "minor"),  # 17
        (member(1, dt.date(2008, 11, 2)), None),  # 18 today
        (member(1, seriously_ill=True), "serious_illness"),
        (member(1), None),
    ],
)
def test_extra_categories(person, reason):
    assert rules.extra_reason(person, ON) == reason


def test_floor_for_one_member():
    # 770 a month of property income: 9 240 a year, no deduction → per-capita 770.00
    # base (780 − 770) × 1 = 10.00 < floor 5 % × 780 × 1 = 39.00 → paid 39.00
    _w, result = dibao_for([member(1)], [income(1, "property", "9240")])
    assert result.per_capita == D("770.00") and result.base == D("10.00") and result.floor == D("39.00")
    assert result.floored and result.amount == D("39.00")


def test_extra_lifts_above_the_floor():
    # the same member aged 76: 10.00 + 156.00 = 166.00 > 39.00 → 166.00, not floored
    _w, result = dibao_for([member(1, dt.date(1950, 1, 1))], [income(1, "property", "9240")])
    assert result.amount == D("166.00") and not result.floored


def test_floor_is_compared_after_the_extras():
    # 5 members at 775: property 775 × 5 × 12 = 46 500; base (780 − 775) × 5 = 25.00
    # one member aged 76: 25.00 + 156.00 = 181.00 < floor 5 % × 780 × 5 = 195.00 → 195.00
    family = [member(i) for i in range(1, 5)] + [member(5, dt.date(1950, 1, 1))]
    _w, result = dibao_for(family, [income(1, "property", "46500")])
    assert result.base == D("25.00") and result.extra_amount == EXTRA and result.floor == D("195.00")
    assert result.floored and result.amount == D("195.00")


def test_no_counted_income_gets_the_full_standard():
    # (780 − 0) × 1 = 780.00
    _w, result = dibao_for([member(1)], [income(1, "disability_allowance", "3000")])
    assert result.amount == D("780.00")


def test_not_eligible_pays_nothing_and_says_why():
    result = rules.dibao(members=FAMILY, per_capita=D("780.00"), assets=CAR, on=ON, standards=S)
    assert not result.eligible and result.amount == D("0.00") and in_fen(result.amount)
    assert result.reasons == ("人均月收入 780.00 元不低于低保标准 780.00 元", "家庭拥有机动车辆")
    assert result.as_dict()["amount"] == "0.00"


# ---------------------------------------------------------------- marginal band and expenditure-type


@pytest.mark.parametrize(
    "per_capita, dibao, marginal",
    [
        ("779.99", True, False),
        ("780.00", False, True),  # exactly the standard: not dibao, marginal
        ("1170.00", False, True),  # exactly 1.5 × 780: still marginal
        ("1170.01", False, False),
    ],
)
def test_marginal_band_edges(per_capita, dibao, marginal):
    pc = D(per_capita)
    assert rules.dibao(members=FAMILY, per_capita=pc, assets=PASS, on=ON, standards=S).eligible is dibao
    assert rules.is_marginal(per_capita=pc, assets=PASS, standards=S) is marginal


@pytest.mark.parametrize("per_capita", ["100.00", "779.99", "780.00", "900.00", "1170.00"])
def test_assets_failing_rules_out_every_kind(per_capita):
    pc = D(per_capita)
    assert not rules.dibao(members=FAMILY, per_capita=pc, assets=CAR, on=ON, standards=S).eligible
    assert not rules.is_marginal(per_capita=pc, assets=CAR, standards=S)
    assert not rules.is_expenditure_hardship(per_capita_after_spending=pc, assets=CAR, standards=S)


def test_expenditure_type_hardship():
    # 36 000 a year for 3 = 1 000.00 a head, above 780; after 12 000 medical: 666.67 < 780 → eligible
    incomes = [income(1, "transfer", "36000")]
    plain = per_capita(FAMILY, incomes)
    after = per_capita(FAMILY, incomes, [spending("medical", "12000")])
    assert rules.is_expenditure_hardship(per_capita_after_spending=after.per_capita, assets=PASS, standards=S)
    assert not rules.is_expenditure_hardship(per_capita_after_spending=plain.per_capita, assets=PASS, standards=S)
    # the edge: 780.00 after spending is not below the standard
    assert not rules.is_expenditure_hardship(per_capita_after_spending=D("780.00"), assets=PASS, standards=S)


# ---------------------------------------------------------------- dynamic management


def test_stable_household():
    elder, severe, ill = member(1, dt.date(1954, 1, 1)), member(2, disability_grade=1), member(3, seriously_ill=True)
    assert rules.stable_household([elder, severe, ill], ON)
    assert rules.stable_household([member(1, dt.date(1966, 11, 2))], ON)  # 60 today
    assert not rules.stable_household([member(1, dt.date(1966, 11, 3))], ON)  # 59
    assert not rules.stable_household([elder, member(2, disability_grade=3)], ON)
    assert not rules.stable_household([elder, severe, FAMILY[0]], ON)
    assert not rules.stable_household([], ON)


def test_recheck_interval():
    start = dt.date(2026, 12, 1)
    assert rules.next_recheck(start=start, stable=True, standards=S) == dt.date(2027, 12, 1)  # + 12 months
    assert rules.next_recheck(start=start, stable=False, standards=S) == dt.date(2027, 6, 1)  # + 6 months
    assert rules.next_recheck(start=dt.date(2026, 8, 31), stable=False, standards=S) == dt.date(2027, 2, 28)


def test_gradual_exit_last_month():
    # six months from December, December included: Dec, Jan, Feb, Mar, Apr, May
    assert rules.gradual_exit_last_month(first_exit_month=dt.date(2026, 12, 15), standards=S) == dt.date(2027, 5, 1)
    one = dataclasses.replace(S, gradual_exit_months=1)
    assert rules.gradual_exit_last_month(first_exit_month=dt.date(2026, 12, 15), standards=one) == dt.date(2026, 12, 1)


# ---------------------------------------------------------------- extremely poor (tekun)

ELDER = member(1, dt.date(1950, 1, 1), labour_capacity="none")


@pytest.mark.parametrize(
    "care_level, care, amount",
    [
        ("self", "150.00", "1164.00"),  # 1 014 + 150
        ("partial", "600.00", "1614.00"),  # 1 014 + 600
        ("full", "1200.00", "2214.00"),  # 1 014 + 1 200
    ],
)
def test_tekun_amount_by_care_level(care_level, care, amount):
    result = tekun_for(ELDER, care_level=care_level)
    assert result.eligible and result.basic == D("1014.00") and result.care == D(care)
    assert result.amount == D(amount) and in_fen(result.amount)
    assert result.as_dict() == {"eligible": True, "amount": amount, "basic": "1014.00", "care": care, "reasons": []}


@pytest.mark.parametrize(
    "person, category",
    [
        (member(1, dt.date(1966, 11, 2)), "aged_60"),  # 60 today
        (member(1, dt.date(1966, 11, 3)), None),  # 59
        (member(1, disability_grade=1), "severe_disability"),
        (member(1, disability_grade=2, disability_type="physical"), "severe_disability"),
        (member(1, disability_grade=3, disability_type="intellectual"), "severe_disability"),
        (member(1, disability_grade=3, disability_type="mental"), "severe_disability"),
        (member(1, disability_grade=3, disability_type="physical"), None),
        (member(1, disability_grade=4, disability_type="mental"), None),
        (member(1, dt.date(2010, 11, 3)), "minor_under_16"),  # 15
        (member(1, dt.date(2010, 11, 2)), None),  # 16 today
    ],
)
def test_tekun_categories(person, category):
    assert rules.tekun_category(person, ON) == category
    result = tekun_for(dataclasses.replace(person, labour_capacity="none"))
    assert result.eligible is (category is not None)


def test_tekun_minor_needs_no_labour_condition():
    child = member(1, dt.date(2015, 5, 5))  # labour capacity left at "full"
    assert tekun_for(child).eligible
    assert not tekun_for(member(1, dt.date(1950, 1, 1))).eligible  # an elder with full capacity is refused


@pytest.mark.parametrize(
    "person, income, supporter, reason",
    [
        (member(1, dt.date(1950, 1, 1), labour_capacity="partial"), "0", False, "具有劳动能力"),
        (ELDER, "780", False, "月收入 780.00 元不低于低保标准"),  # income equal to the standard
        (ELDER, "0", True, "有法定赡养、抚养、扶养义务人且具备履行能力"),
        (member(1, labour_capacity="none"), "0", False, "不属于老年人、重度残疾人或未满16周岁未成年人"),
    ],
)
def test_tekun_refusal_reasons(person, income, supporter, reason):
    result = tekun_for(person, income=income, supporter=supporter, care_level="partial")
    assert not result.eligible and result.reasons == (reason,)
    assert result.amount == D("0.00") and in_fen(result.amount)
    assert result.basic == D("1014.00") and result.care == D("600.00")  # still shown in the working


def test_tekun_income_just_below_the_standard_passes():
    assert tekun_for(ELDER, income="779.99").eligible


def test_tekun_every_reason_is_listed():
    result = tekun_for(member(1, dt.date(1950, 1, 1)), income="800", supporter=True)
    assert [r[:4] for r in result.reasons] == ["具有劳动", "月收入 ", "有法定赡"]


# ---------------------------------------------------------------- temporary assistance


@pytest.mark.parametrize(
    "amount, level",
    [
        ("0.01", "street"),
        ("2340.00", "street"),  # 3 × 780 = 2 340: the street decides
        ("2340.01", "district"),
        ("4680.00", "district"),  # 6 × 780 = 4 680: the district approves
        ("4680.01", "bureau"),  # above: case by case at the bureau
    ],
)
def test_temporary_approval_levels(amount, level):
    assert rules.temporary_approval_level(amount=D(amount), standards=S) == level


# ---------------------------------------------------------------- working days

FRIDAY = dt.date(2026, 11, 6)
# Monday 9 November a holiday, Saturday 7 November worked in exchange (调休)
SWAP = {dt.date(2026, 11, 9): False, dt.date(2026, 11, 7): True}


def test_is_working_day():
    assert is_working_day(FRIDAY, {}) and not is_working_day(dt.date(2026, 11, 7), {})
    assert is_working_day(dt.date(2026, 11, 7), SWAP) and not is_working_day(dt.date(2026, 11, 9), SWAP)


def test_add_working_days_across_a_weekend():
    assert add_working_days(FRIDAY, 1, {}) == dt.date(2026, 11, 9)  # Sat, Sun skipped → Monday
    assert add_working_days(FRIDAY, 5, {}) == dt.date(2026, 11, 13)  # Mon … Fri
    assert add_working_days(FRIDAY, 0, {}) == FRIDAY


def test_add_working_days_across_a_holiday_with_a_swapped_saturday():
    assert add_working_days(FRIDAY, 1, SWAP) == dt.date(2026, 11, 7)  # the worked Saturday
    assert add_working_days(FRIDAY, 2, SWAP) == dt.date(2026, 11, 10)  # Sun off, Mon holiday → Tue


def test_working_days_left():
    assert working_days_left(FRIDAY, dt.date(2026, 11, 13), {}) == 5  # 9, 10, 11, 12, 13
    assert working_days_left(FRIDAY, dt.date(2026, 11, 10), {}) == 2  # 9, 10
    assert working_days_left(FRIDAY, dt.date(2026, 11, 10), {dt.date(2026, 11, 9): False}) == 1
    assert working_days_left(FRIDAY, FRIDAY, {}) == 0
    assert working_days_left(dt.date(2026, 11, 9), FRIDAY, {}) == -1  # the weekend is not overdue time
    # overdue since Friday the 6th: 9, 10, 11, 12, 13 and 16 November are six working days late
    assert working_days_left(dt.date(2026, 11, 16), FRIDAY, {}) == -6


# ---------------------------------------------------------------- properties

sizes = st.integers(min_value=1, max_value=8)
monthly_wages = st.decimals(min_value=0, max_value=30000, places=2)
per_capitas = st.decimals(min_value=0, max_value=3000, places=2)
amounts = st.decimals(min_value=0, max_value=20000, places=2)
people = st.lists(
    st.builds(
        lambda i, name, born, grade, ill: Member(i, name, born, disability_grade=grade, seriously_ill=ill),
        st.integers(1, 3),
        st.sampled_from(["王伟", "李娜", "张敏"]),
        st.dates(min_value=dt.date(1920, 1, 1), max_value=ON),
        st.integers(0, 4),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1))
record_dates = st.dates(min_value=dt.date(2024, 6, 1), max_value=dt.date(2027, 6, 1))


@st.composite
def records(draw, kinds):
    a, b = sorted([draw(record_dates), draw(record_dates)])
    return Record(draw(st.integers(1, 3)), draw(st.sampled_from(sorted(kinds))), draw(amounts), a, b)


@settings(max_examples=200, deadline=None)
@given(people, monthly_wages, st.booleans())
def test_amount_is_in_fen_and_never_below_the_floor(members, wage, has_car):
    _w, result = dibao_for(members, [income(1, "wages", wage * 12)], [asset(1, "vehicle", "1")] if has_car else [])
    assert in_fen(result.amount)
    if result.eligible:
        assert result.amount >= money(S.dibao_standard * S.floor_rate * len(members))
        assert result.extra_amount == EXTRA * sum(1 for m in members if rules.extra_reason(m, ON))
    else:
        assert result.amount == 0


@settings(max_examples=200, deadline=None)
@given(people, monthly_wages, monthly_wages)
def test_more_wages_never_raise_the_allowance(members, a, b):
    low, high = min(a, b), max(a, b)
    _a, poorer = dibao_for(members, [income(1, "wages", low * 12)])
    _b, richer = dibao_for(members, [income(1, "wages", high * 12)])
    assert richer.amount <= poorer.amount


@settings(max_examples=200, deadline=None)
@given(sizes, monthly_wages)
def test_per_capita_of_a_full_year_of_wages(n, wage):
    # wage × 12 less 20 %, / 12, / n  ==  wage × 0.8 / n
    working = rules.per_capita_income(members=n, incomes=[income(1, "wages", wage * 12)], on=ON, standards=S)
    assert working.per_capita == money(wage * D("0.8") / n)


@settings(max_examples=200, deadline=None)
@given(per_capitas)
def test_eligible_exactly_below_the_standard_when_assets_pass(pc):
    result = rules.dibao(members=FAMILY, per_capita=pc, assets=PASS, on=ON, standards=S)
    assert result.eligible is (pc < S.dibao_standard)
    assert not rules.dibao(members=FAMILY, per_capita=pc, assets=CAR, on=ON, standards=S).eligible


@settings(max_examples=200, deadline=None)
@given(per_capitas)
def test_dibao_and_marginal_never_overlap(pc):
    dibao = rules.dibao(members=FAMILY, per_capita=pc, assets=PASS, on=ON, standards=S).eligible
    marginal = rules.is_marginal(per_capita=pc, assets=PASS, standards=S)
    assert not (dibao and marginal)
    assert marginal is (S.dibao_standard <= pc <= D("1170.00"))


@settings(max_examples=200, deadline=None)
@given(
    sizes,
    st.lists(records(rules.COUNTED_INCOME), max_size=5),
    st.lists(records(rules.EXCLUDED_INCOME), min_size=1, max_size=5),
)
def test_excluded_income_never_changes_per_capita(n, counted, excluded):
    base = rules.per_capita_income(members=n, incomes=counted, on=ON, standards=S)
    more = rules.per_capita_income(members=n, incomes=counted + excluded, on=ON, standards=S)
    assert more.per_capita == base.per_capita and more.counted == base.counted


@settings(max_examples=200, deadline=None)
@given(amounts, amounts)
def test_approval_level_is_monotone(a, b):
    order = {"street": 0, "district": 1, "bureau": 2}
    low, high = min(a, b), max(a, b)
    assert (
        order[rules.temporary_approval_level(amount=low, standards=S)]
        <= order[rules.temporary_approval_level(amount=high, standards=S)]
    )


@settings(max_examples=200, deadline=None)
@given(days, st.integers(0, 60))
def test_add_working_days_lands_on_a_working_day_n_days_on(start, n):
    end = add_working_days(start, n, {})
    if n:
        assert is_working_day(end, {})
    assert working_days_left(start, end, {}) == n
    assert working_days_left(end, start, {}) == -n


@settings(max_examples=200, deadline=None)
@given(days, st.integers(1, 30), st.dictionaries(days, st.booleans(), max_size=30))
def test_add_working_days_with_a_holiday_calendar(start, n, calendar):
    end = add_working_days(start, n, calendar)
    assert is_working_day(end, calendar)
    assert working_days_left(start, end, calendar) == n
