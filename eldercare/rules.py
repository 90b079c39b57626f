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


# ---------------------------------------------------------------- purchased home care
#
# Worked examples with the demo values (dibao/tekun 200, others eligible 100,
# +100 when 重度/完全失能):
# - 72, on dibao, assessed 能力完好: 200;   72, on dibao, 重度失能: 300;
# - 85, living alone, not poor: 100;       66, 中度失能, not poor: 100;  66, 完全失能: 200;
# - 66, not poor, 轻度失能, not alone: not eligible;  58 on dibao: not eligible (under 60).
# - 66, marginal low-income (低保边缘), 能力完好: 100;  58, marginal: not eligible (under 60).
# Usage alerts at 80/90/100 % of the month's allowance: 160 of 200 → 80; 199.99 → 90; 200 → 100.
# Settlement: per elder min(earned, allowance), summed per provider: earned 230 on a 200 allowance pays 200.

MODERATE, SEVERE = 2, 3  # AbilityLevel values (GB/T 42195-2022)
ALERT_LEVELS = (100, 90, 80)


def homecare_allowance(
    *,
    age: int,
    poor: bool,
    living_alone: bool,
    level: int | None,
    values: dict[str, Decimal],
    marginal: bool = False,
) -> tuple[str, Decimal] | None:
    """(group, monthly allowance) of an elder, or None when not eligible.  A member of a
    marginal low-income household (低保边缘) aged 60+ is eligible in the "other" group."""
    if age < 60:
        return None
    if poor:
        group, base = "poor", values["homecare_allowance_poor"]
    elif marginal or (age >= 80 and living_alone) or (level is not None and level >= MODERATE):
        group, base = "other", values["homecare_allowance_other"]
    else:
        return None
    extra = values["homecare_allowance_severe_extra"] if level is not None and level >= SEVERE else Decimal(0)
    return group, money(base + extra)


def visit_amount(items: list[tuple[Decimal, Decimal]]) -> Decimal:
    """Σ quantity × unit price, rounded once to the fen."""
    return money(sum((Decimal(qty) * Decimal(price) for qty, price in items), Decimal(0)))


def usage_alert(*, used: Decimal, allowance: Decimal) -> int | None:
    """The highest alert level reached (100, 90, 80 % of the allowance), or None."""
    if allowance <= 0:
        return None
    for level in ALERT_LEVELS:
        if used * 100 >= allowance * level:
            return level
    return None


def settlement_amount(per_elder: list[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal, int]:
    """(earned, paid, elders capped) from each elder's (earned, allowance):
    paid never above any elder's allowance."""
    earned = sum((e for e, _a in per_elder), Decimal(0))
    paid = sum((min(e, a) for e, a in per_elder), Decimal(0))
    return money(earned), money(paid), sum(1 for e, a in per_elder if e > a)


def visit_flags(
    *,
    planned_start: dt.datetime,
    planned_end: dt.datetime,
    checked_in: dt.datetime,
    checked_out: dt.datetime,
    confirmed: bool,
    tolerance: dt.timedelta = dt.timedelta(minutes=30),
) -> list[str]:
    """Why a checked-out visit needs review (it is never refused): outside the planned window, or unconfirmed."""
    flags = []
    if checked_in < planned_start - tolerance or checked_out > planned_end + tolerance:
        flags.append("outside_window")
    if not confirmed:
        flags.append("unconfirmed")
    return flags


# ---------------------------------------------------------------- visits to the vulnerable elderly (探访关爱)
#
# Who is on the list (the nightly build, eldercare/services/vulnerable.py, computes the same in one SQL
# statement; tests/eldercare/test_vulnerable.py holds the two to each other).  Everyone counted is alive on
# the build date and aged 60+ on it (whole years: born 1966-12-15 is 60 on 2026-12-15, born 1966-12-16 is not):
# - "alone" (独居): the only living member of their registered household;
# - "empty_nest" (空巢): every living member of the household is aged 60+ (two or more of them: an elderly
#   couple, an old parent with a child who is old too) — each of them is listed;
# - "disabled_dibao" (低保失能/半失能): a member of a household with a payable dibao benefit this month
#   (relief's covered group "dibao", read through the core's registry) whose ability assessment in force
#   is short of 能力完好 (轻度失能 … 完全失能, levels 1–4 of GB/T 42195-2022);
# - "fp_support" (计生特扶): a row of the family_planning_support feed (feed kind "fp_support"): started on
#   or before the build date and not ended before it.
# An elder may have several reasons; they are kept in VULNERABLE_REASONS order.  An entry whose reasons are all gone is
# ended with why: died; no household record; now lives with someone under 60 (an alone/empty-nest entry);
# otherwise no longer qualifying.
# Visits: due every `vulnerable_visit_interval_days` (default 7) after the last visit at which the elder was
# seen (a new entry: after its listing day); overdue from the day after the due date: seen on 2026-12-01,
# due 2026-12-08, overdue on 2026-12-09 (the 8th day after).  An attempt without seeing the elder is
# recorded (with where they are) and leaves the visit due.

VULNERABLE_MIN_AGE = 60
VULNERABLE_REASONS = ("alone", "disabled_dibao", "empty_nest", "fp_support")  # as the SQL sorts them
INTACT = 0


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years on `day` (a birthday on 29 February counts on 1 March in other years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def vulnerable_reasons(
    *, age: int, household_ages: list[int] | None, dibao: bool, level: int | None, fp_support: bool
) -> list[str]:
    """Why an elder is on the visit list (empty: not on it).  `household_ages`:
    the ages of the living members of their household, themselves included (None without a household)."""
    if age < VULNERABLE_MIN_AGE:
        return []
    found = set()
    if household_ages is not None:
        if len(household_ages) == 1:
            found.add("alone")
        elif all(a >= VULNERABLE_MIN_AGE for a in household_ages):
            found.add("empty_nest")
    if dibao and level is not None and level > INTACT:
        found.add("disabled_dibao")
    if fp_support:
        found.add("fp_support")
    return [r for r in VULNERABLE_REASONS if r in found]


def visit_next_due(*, last_seen: dt.date, interval_days: int) -> dt.date:
    return last_seen + dt.timedelta(days=interval_days)


def visit_overdue(*, next_due: dt.date, today: dt.date) -> bool:
    """Overdue from the day after the due date."""
    return today > next_due


def on_time_share(*, due_dates: list[dt.date], today: dt.date) -> Decimal | None:
    """Share (%) of the open entries not overdue on `today`, to one decimal; None for an empty list."""
    if not due_dates:
        return None
    ok = sum(1 for d in due_dates if not visit_overdue(next_due=d, today=today))
    return (Decimal(100 * ok) / len(due_dates)).quantize(Decimal("0.1"))


# ---------------------------------------------------------------- home adaptations and family care beds
#
# Who may apply, and the cap per home (dated parameters, eldercare/parameters.py):
# - aged 60+ on dibao or extremely poor (特困): cap 5 000.00 yuan (DOMAIN.md demo);
# - other elders aged 60+ who are eligible for purchased home care (80+ living alone,
#   or assessed 中度失能 or worse): cap 3 000.00 yuan.  policy-rules.md section 7 says
#   nothing about adaptations; this lower cap is our assumption, a parameter to change;
# - everyone else: not eligible (the application is refused with the reason).
# A family care bed (家庭养老床位) also needs an ability assessment in force of
# 中度失能 or worse (it is a nursing bed at home).
#
# Worked examples: 72 on dibao, 能力完好, adaptation → ("poor", 5000.00); the same asking
# for a care bed → not eligible (no assessment ≥ 中度); 85 living alone → ("other", 3000.00);
# 66, not poor, 轻度失能 → not eligible.  A budget of 5 000.00 on a 5 000.00 cap passes,
# 5 000.01 is refused (and the database refuses it too); a payment of 4 800.00 on a budget of
# 4 750.00 is refused.  Needs list: 2 × 350.00 grab rails + 1 × 1 280.50 shower chair = 1 980.50.
#
# Deadlines of each step (dated parameters, shown on every case and flagged when passed):
# - assessment within 10 working days of the application;
# - work order within 5 working days of the assessment;
# - work finished within 30 calendar days of the order (contractors work weekends);
# - acceptance within 5 working days of the completion;
# - payment within 10 working days of the acceptance.
# Working days come from the core's calendar (civil_affairs.calendar: holidays and 调休).

ADAPTATION_MIN_AGE = 60
ADAPTATION_STEP_DAYS = {
    # state whose deadline it is: (parameter key, working days? else calendar days)
    "applied": ("adaptation_assess_working_days", True),
    "assessed": ("adaptation_order_working_days", True),
    "ordered": ("adaptation_work_days", False),
    "completed": ("adaptation_accept_working_days", True),
    "accepted": ("adaptation_pay_working_days", True),
}


def adaptation_cap(
    *, age: int, poor: bool, living_alone: bool, level: int | None, kind: str, values: dict[str, Decimal]
) -> tuple[str, Decimal] | None:
    """(group, cap per home) of an elder for an adaptation or a family care bed, or None when not eligible."""
    if age < ADAPTATION_MIN_AGE:
        return None
    if kind == "care_bed" and (level is None or level < MODERATE):
        return None
    if poor:
        return "poor", money(values["adaptation_cap_poor"])
    if (age >= 80 and living_alone) or (level is not None and level >= MODERATE):
        cap = money(values["adaptation_cap_other"])
        return ("other", cap) if cap > 0 else None
    return None


def needs_total(needs: list[tuple[int, Decimal]]) -> Decimal:
    """Σ quantity × estimated unit cost of the needs list, rounded once to the fen."""
    return money(sum((Decimal(qty) * Decimal(cost) for qty, cost in needs), Decimal(0)))


def budget_problem(*, budget: Decimal, cap: Decimal) -> str | None:
    """Why a work order's budget is refused, or None: positive, to the fen, at most the cap."""
    if budget <= 0:
        return "not_positive"
    if budget != money(budget):
        return "not_fen"
    if budget > cap:
        return "over_cap"
    return None


def payment_problem(*, amount: Decimal, budget: Decimal) -> str | None:
    """Why a payment is refused, or None: positive, to the fen, at most the work order's budget."""
    if amount <= 0:
        return "not_positive"
    if amount != money(amount):
        return "not_fen"
    if amount > budget:
        return "over_budget"
    return None
