"""Charity rules with the issue's numbers (policy-rules section 10)."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from charity import rules

D = Decimal
S = rules.Standards()
ALL = {key: True for key in rules.GOVERNANCE}


def _check(**kw):
    base = dict(
        org_type="foundation",
        public_fundraising=True,
        net_assets_last_year=D("5000000"),
        income_last_year=D("1000000"),
        charitable_spending=D("700000"),
        management_cost=D("0"),
        s=S,
    )
    base.update(kw)
    return {f.key: f for f in rules.spending_checks(**base)}


def test_spending_70_percent_of_last_years_income_is_no_breach_69_99_is():
    assert not _check(charitable_spending=D("700000.00"))["spending"].breach
    assert _check(charitable_spending=D("699900.00"))["spending"].breach  # 69.99 %
    assert _check(charitable_spending=D("699999.99"))["spending"].breach
    assert _check(charitable_spending=D("699999.99"))["spending"].required == D("700000.00")


def test_management_cost_exactly_10_percent_is_allowed():
    # total spending 3 000 000: cost 300 000 is exactly 10 %
    ok = _check(charitable_spending=D("2700000"), management_cost=D("300000"))["cost"]
    assert not ok.breach and ok.required == D("300000.00")
    over = _check(charitable_spending=D("2699999.99"), management_cost=D("300000.01"))["cost"]
    assert over.breach  # 10.0000003 %


def test_admin_cost_under_200000_is_exempt_from_the_ratio():
    # 199 999.99 of 1 000 000 total spending is 20 %, yet exempt
    assert not _check(charitable_spending=D("800000.01"), management_cost=D("199999.99"))["cost"].breach
    # 200 000 is not under the threshold: 20 % of 1 000 000 is over the 10 % cap
    assert _check(charitable_spending=D("800000"), management_cost=D("200000"))["cost"].breach


def test_social_group_with_status_has_a_13_percent_cap():
    f = _check(org_type="social_group", charitable_spending=D("1740000"), management_cost=D("260000"))["cost"]
    assert not f.breach  # exactly 13 % of 2 000 000
    f = _check(org_type="social_group", charitable_spending=D("1739999.99"), management_cost=D("260000.01"))["cost"]
    assert f.breach


def test_bands_by_net_assets_without_status():
    def r(nets, org_type="social_group"):
        return rules.applicable_ratios(org_type=org_type, public_fundraising=False, net_assets=D(nets), s=S)

    assert (r("10000000").spend_of_net_assets, r("10000000").cost_max) == (D("0.06"), D("0.13"))
    assert (r("9999999.99").spend_of_net_assets, r("5000000").cost_max) == (D("0.07"), D("0.14"))
    assert (r("4999999.99").spend_of_net_assets, r("1000000").cost_max) == (D("0.08"), D("0.15"))
    small = r("999999.99")
    assert (small.spend_of_net_assets, small.spend_of_income, small.cost_max) == (D("0.08"), D("0.50"), D("0.20"))
    assert r("3999999.99", "foundation").band == "foundation_small"
    # the small band needs both: 8 % of net assets and 50 % of last year's income
    f = _check(public_fundraising=False, org_type="social_service", net_assets_last_year=D("500000"),
               income_last_year=D("200000"), charitable_spending=D("99999.99"))["spending"]  # fmt: skip
    assert f.breach and f.required == D("100000.00")


def test_qualification_counted_to_the_day_across_2024_09_05():
    def q(since, on, rating=0, governance=ALL):
        return rules.public_fundraising_qualification(charity_since=since, rating=rating, governance=governance, on=on)

    # recognised 2023-09-05: on 2024-09-04 the old rule (2 years, 3A+) applies: no
    assert not q(dt.date(2023, 9, 5), dt.date(2024, 9, 4), rating=5).eligible
    # on 2024-09-05 the new rule: exactly one year, to the day: yes, whatever the rating
    assert q(dt.date(2023, 9, 5), dt.date(2024, 9, 5)).eligible
    # one day short of the year
    assert not q(dt.date(2023, 9, 6), dt.date(2024, 9, 5)).eligible
    assert q(dt.date(2023, 9, 6), dt.date(2024, 9, 6)).eligible
    # before the order: two full years and 3A+
    assert q(dt.date(2022, 9, 4), dt.date(2024, 9, 4), rating=3).eligible
    assert not q(dt.date(2022, 9, 5), dt.date(2024, 9, 4), rating=3).eligible
    assert not q(dt.date(2022, 1, 1), dt.date(2024, 9, 4), rating=2).eligible
    # governance conditions are a checklist: one missing refuses, with its words
    missing = q(dt.date(2020, 1, 1), dt.date(2025, 1, 1), governance={**ALL, "legal_rep_mainland": False})
    assert not missing.eligible and "法定代表人为内地居民" in missing.reasons[0]
    assert not q(None, dt.date(2025, 1, 1)).eligible


def test_recognition_due_within_20_days():
    assert rules.recognition_due(dt.date(2026, 3, 1), 20) == dt.date(2026, 3, 21)


def test_disclosure_calendar():
    assert rules.annual_report_due(2025) == dt.date(2026, 5, 31)
    # a drive over 6 months: every 3 months from its start, then within 3 months of its end
    dues = rules.periodic_due_dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2027, 6, 1))
    assert dues == [(dt.date(2026, 4, 1), "periodic"), (dt.date(2026, 7, 1), "periodic"),
                    (dt.date(2026, 10, 1), "periodic"), (dt.date(2027, 3, 31), "final")]  # fmt: skip
    # 6 months exactly is not over 6 months: only the final account
    assert rules.periodic_due_dates(dt.date(2026, 1, 1), dt.date(2026, 7, 1), dt.date(2026, 12, 1)) == [
        (dt.date(2026, 10, 1), "final")
    ]
    assert rules.obligation_state(dt.date(2026, 5, 31), [], dt.date(2026, 6, 1)) == "overdue"
    assert rules.obligation_state(dt.date(2026, 5, 31), [], dt.date(2026, 5, 15)) == "due"
    assert rules.obligation_state(dt.date(2026, 5, 31), [dt.date(2026, 5, 31)], dt.date(2026, 6, 1)) == "done"
    assert rules.obligation_state(dt.date(2026, 5, 31), [], dt.date(2026, 3, 1)) == "upcoming"


def test_standards_from_parameters():
    s = rules.Standards.from_parameters({"charity_spend_public_foundation": D("0.75"), "other": D(1)})
    assert s.spend_public_foundation == D("0.75") and s.cost_public_foundation == D("0.10")


money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(income=money, spending=money)
def test_spending_breach_is_exactly_below_70_percent(income, spending):
    f = _check(income_last_year=income, charitable_spending=spending)["spending"]
    assert f.breach == (spending * 100 < income * 70)


@given(charitable=money, cost=money)
def test_cost_breach_is_exactly_over_10_percent_unless_exempt(charitable, cost):
    f = _check(charitable_spending=charitable, management_cost=cost)["cost"]
    assert f.breach == (cost >= 200000 and cost * 10 > charitable + cost)


@given(since=st.dates(dt.date(2015, 1, 1), dt.date(2026, 1, 1)), on=st.dates(dt.date(2020, 1, 1), dt.date(2028, 1, 1)))
def test_qualification_time_is_monotone(since, on):
    """Once the time condition holds after the new rule it holds on every later day."""
    q1 = rules.public_fundraising_qualification(charity_since=since, rating=5, governance=ALL, on=on)
    later = on + dt.timedelta(days=1)
    q2 = rules.public_fundraising_qualification(charity_since=since, rating=5, governance=ALL, on=later)
    if q1.eligible and on >= rules.NEW_RULES_FROM:
        assert q2.eligible
