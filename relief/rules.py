"""Relief arithmetic from DOMAIN.md "Relief": pure functions on plain values,
no ORM.  Every number comes in through `Standards` (the dated data in force
for the case's region and day); money is Decimal rounded to the fen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from fractions import Fraction

from civil_affairs.facts import Member, Record
from civil_affairs.money import ZERO, money
from civil_affairs.months import add_months, month_start, twelve_month_window
from civil_affairs.rules import age_on

# ---------------------------------------------------------------- standards


@dataclass(frozen=True)
class Standards:
    """The values in force for one region on one day: relief's dated parameters
    (relief/parameters.py), read from the core's Parameter table."""

    dibao_standard: Decimal
    marginal_multiple: Decimal
    tekun_basic_multiple: Decimal
    care_self: Decimal
    care_partial: Decimal
    care_full: Decimal
    extra_rate: Decimal
    floor_rate: Decimal
    employment_cost_rate: Decimal
    financial_asset_months: Decimal
    business_capital_limit: Decimal
    recheck_months_stable: int
    recheck_months_other: int
    gradual_exit_months: int
    temp_street_multiple: Decimal
    temp_district_multiple: Decimal
    notice_days: int
    deadline_working_days: int
    extended_working_days: int
    emergency_document_working_days: int
    price_cpi_threshold: Decimal
    price_food_threshold: Decimal
    # Added later: optional here so regions without the row keep paying; the
    # step that needs one refuses to go on without it (fail closed there).
    temp_ceiling_multiple: Decimal | None = None
    # The payroll holds a line above it for review (None: nothing is held).
    payment_review_limit: Decimal | None = None

    @classmethod
    def keys(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_values(cls, values: Mapping[str, Decimal]) -> Standards:
        missing = [f.name for f in fields(cls) if f.name not in values and f.default is MISSING]
        if missing:
            raise KeyError(missing)
        kwargs = {}
        for f in fields(cls):
            if f.name not in values:
                continue
            value = Decimal(values[f.name])
            kwargs[f.name] = int(value) if f.type == "int" else value
        return cls(**kwargs)

    @property
    def marginal_line(self) -> Decimal:
        return money(self.dibao_standard * self.marginal_multiple)

    @property
    def tekun_basic(self) -> Decimal:
        return money(self.dibao_standard * self.tekun_basic_multiple)

    def care_amount(self, care_level: str) -> Decimal:
        return {"self": self.care_self, "partial": self.care_partial, "full": self.care_full}[care_level]


# ---------------------------------------------------------------- household facts

COUNTED_INCOME = frozenset({"wages", "business", "property", "transfer"})
EXCLUDED_INCOME = frozenset(
    {"veteran_allowance", "one_child_award", "bravery_award", "disability_allowance", "care_service"}
)
FINANCIAL_ASSETS = frozenset({"deposit", "securities"})
RIGID_EXPENDITURE = frozenset({"medical", "education"})


def _share_in_window(record: Record, start: dt.date, end: dt.date) -> Fraction:
    """The part of a record's total that falls inside [start, end], by days:
    exact (a third of a year's wages is a third, not 0.3333…)."""
    lo, hi = max(record.period_start, start), min(record.period_end, end)
    if hi < lo:
        return Fraction(0)
    days = (record.period_end - record.period_start).days + 1
    return Fraction(record.amount) * ((hi - lo).days + 1) / days


# ---------------------------------------------------------------- income


@dataclass(frozen=True)
class IncomeWorking:
    """How the per-capita monthly income was reached, line by line.  The
    amounts are exact fractions (shown rounded to the fen); allowances are
    worked from them and rounded once, at the end."""

    window: tuple[dt.date, dt.date]
    members: int
    counted: dict[str, Fraction]  # kind → amount in the window
    excluded: dict[str, Fraction]  # kind → amount in the window, not counted
    employment_cost: Fraction  # deducted from wages
    expenditure: Fraction  # rigid spending deducted (expenditure-type test only)
    annual_total: Fraction  # counted − employment cost − expenditure
    monthly_total: Fraction  # the household's monthly income
    per_capita: Decimal  # shown: rounded to the fen
    per_capita_exact: Fraction  # what amounts are worked from: never rounded

    def as_dict(self) -> dict:
        return {
            "window": [self.window[0].isoformat(), self.window[1].isoformat()],
            "members": self.members,
            "counted": {k: str(money(v)) for k, v in self.counted.items()},
            "excluded": {k: str(money(v)) for k, v in self.excluded.items()},
            "employment_cost": str(money(self.employment_cost)),
            "expenditure": str(money(self.expenditure)),
            "annual_total": str(money(self.annual_total)),
            "monthly_total": str(money(self.monthly_total)),
            "per_capita": str(self.per_capita),
            # exact, as fractions ("800/3"), for the benefit's basis
            "per_capita_exact": str(self.per_capita_exact),
            "monthly_total_exact": str(self.monthly_total),
        }


def per_capita_income(
    *, members: int, incomes: Iterable[Record], on: dt.date, standards: Standards, expenditures: Iterable[Record] = ()
) -> IncomeWorking:
    """Per-capita monthly income over the 12 months before `on`: counted
    income, less the employment-cost share of wages (and, for the
    expenditure-type test, rigid spending), averaged per month and member."""
    if members < 1:
        raise ValueError("a household has at least one member")
    start, end = twelve_month_window(on)
    counted: dict[str, Fraction] = {}
    excluded: dict[str, Fraction] = {}
    for record in incomes:
        share = _share_in_window(record, start, end)
        if not share:
            continue
        bucket = counted if record.kind in COUNTED_INCOME else excluded
        bucket[record.kind] = bucket.get(record.kind, Fraction(0)) + share
    employment_cost = counted.get("wages", Fraction(0)) * Fraction(standards.employment_cost_rate)
    spent = sum((_share_in_window(r, start, end) for r in expenditures if r.kind in RIGID_EXPENDITURE), Fraction(0))
    annual = max(Fraction(0), sum(counted.values(), Fraction(0)) - employment_cost - spent)
    monthly = annual / 12
    return IncomeWorking(
        window=(start, end),
        members=members,
        counted=counted,
        excluded=excluded,
        employment_cost=employment_cost,
        expenditure=spent,
        annual_total=annual,
        monthly_total=monthly,
        per_capita=money(monthly / members),
        per_capita_exact=monthly / members,
    )


# ---------------------------------------------------------------- assets


@dataclass(frozen=True)
class AssetTest:
    passed: bool
    financial_per_capita: Decimal
    financial_limit: Decimal
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "financial_per_capita": str(self.financial_per_capita),
            "financial_limit": str(self.financial_limit),
            "reasons": list(self.reasons),
        }


def asset_test(*, members: list[Member], assets: Iterable[Record], on: dt.date, standards: Standards) -> AssetTest:
    """DOMAIN.md asset limits.  Balances: the latest record per member and
    kind within the last 12 months; homes, vehicles and businesses: every
    record that was current in that window."""
    start, end = twelve_month_window(on)
    current = [r for r in assets if r.period_end >= start and r.period_start <= on]
    latest: dict[tuple[int, str], Record] = {}
    for r in current:
        if r.kind in FINANCIAL_ASSETS:
            key = (r.person_id, r.kind)
            if key not in latest or r.period_end > latest[key].period_end:
                latest[key] = r
    financial = sum((r.amount for r in latest.values()), ZERO)
    per_capita = money(financial / max(1, len(members)))
    limit = money(standards.dibao_standard * standards.financial_asset_months)
    reasons = []
    if financial > limit * max(1, len(members)):  # unrounded: 18 720.004 a head is over 18 720
        reasons.append(f"人均金融资产 {per_capita} 元超过上限 {limit} 元")
    if any(r.kind == "vehicle" for r in current):
        reasons.append("家庭拥有机动车辆")
    if any(r.kind == "mobility_vehicle" for r in current) and not any(m.disability_grade for m in members):
        reasons.append("家庭拥有代步车但无残疾成员")
    if sum(1 for r in current if r.kind == "house") > 1:
        reasons.append("家庭拥有两套及以上住房")
    capital = [r.amount for r in current if r.kind == "business"]
    if any(c > standards.business_capital_limit for c in capital):
        reasons.append(f"工商登记注册资本超过 {money(standards.business_capital_limit)} 元")
    return AssetTest(passed=not reasons, financial_per_capita=per_capita, financial_limit=limit, reasons=tuple(reasons))


# ---------------------------------------------------------------- dibao


def extra_reason(member: Member, on: dt.date) -> str | None:
    """The classified-extra category of a member (at most one per member)."""
    age = age_on(member.birth_date, on)
    if age >= 70:
        return "aged_70"
    if member.disability_grade in (1, 2):
        return "severe_disability"
    if age < 18:
        return "minor"
    if member.seriously_ill:
        return "serious_illness"
    return None


@dataclass(frozen=True)
class DibaoResult:
    eligible: bool
    amount: Decimal
    standard: Decimal
    per_capita: Decimal
    base: Decimal
    extras: dict[str, str] = field(default_factory=dict)  # member name → category
    extra_amount: Decimal = ZERO
    floor: Decimal = ZERO
    floored: bool = False
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "amount": str(self.amount),
            "standard": str(self.standard),
            "per_capita": str(self.per_capita),
            "base": str(self.base),
            "extras": self.extras,
            "extra_amount": str(self.extra_amount),
            "floor": str(self.floor),
            "floored": self.floored,
            "reasons": list(self.reasons),
        }


def dibao(
    *, members: list[Member], per_capita: Decimal, assets: AssetTest, on: dt.date, standards: Standards
) -> DibaoResult:
    """Eligibility and monthly amount: (standard − per-capita income) × members,
    plus one classified extra per qualifying member, never below the floor.

    `per_capita` is the exact per-capita income (IncomeWorking.per_capita_exact):
    it is shown rounded, but the amount is worked in exact fractions and
    rounded once, at the end — (780 − 800/3) × 3 is 1 540.00, not 1 539.99."""
    standard = standards.dibao_standard
    n = len(members)
    per_capita = Fraction(per_capita)
    shown = money(per_capita)
    reasons = list(assets.reasons)
    if per_capita >= standard:
        reasons.insert(0, f"人均月收入 {shown} 元不低于低保标准 {money(standard)} 元")
    if reasons:
        return DibaoResult(
            eligible=False, amount=ZERO, standard=money(standard), per_capita=shown, base=ZERO, reasons=tuple(reasons)
        )
    gap = (Fraction(standard) - per_capita) * n
    qualifying = [(m, r) for m in members if (r := extra_reason(m, on))]
    names = [m.name for m, _r in qualifying]
    # one extra per member: namesakes keep their own line (keyed by name, then id)
    extras = {(m.name if names.count(m.name) == 1 else f"{m.name}（{m.person_id}）"): r for m, r in qualifying}
    extra = Fraction(standard * standards.extra_rate) * len(qualifying)
    floor = Fraction(standard * standards.floor_rate) * n
    total = gap + extra
    return DibaoResult(
        eligible=True,
        amount=money(max(total, floor)),
        standard=money(standard),
        per_capita=shown,
        base=money(gap),
        extras=extras,
        extra_amount=money(extra),
        floor=money(floor),
        floored=total < floor,
    )


def is_marginal(*, per_capita: Decimal, assets: AssetTest, standards: Standards) -> bool:
    """Between the standard (inclusive) and 1.5 × the standard (inclusive)."""
    return assets.passed and standards.dibao_standard <= per_capita <= standards.marginal_line


def is_expenditure_hardship(*, per_capita_after_spending: Decimal, assets: AssetTest, standards: Standards) -> bool:
    return assets.passed and per_capita_after_spending < standards.dibao_standard


def stable_household(members: list[Member], on: dt.date) -> bool:
    """All members elderly, severely disabled or seriously ill: rechecked yearly."""
    return bool(members) and all(
        age_on(m.birth_date, on) >= 60 or m.disability_grade in (1, 2) or m.seriously_ill for m in members
    )


def next_recheck(*, start: dt.date, stable: bool, standards: Standards) -> dt.date:
    return add_months(start, standards.recheck_months_stable if stable else standards.recheck_months_other)


def gradual_exit_last_month(*, first_exit_month: dt.date, standards: Standards) -> dt.date:
    """Gradual exit keeps paying for the configured months, this one included."""
    return add_months(month_start(first_exit_month), max(1, standards.gradual_exit_months) - 1)


# ---------------------------------------------------------------- extremely poor


@dataclass(frozen=True)
class TekunResult:
    eligible: bool
    amount: Decimal
    basic: Decimal
    care: Decimal
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "amount": str(self.amount),
            "basic": str(self.basic),
            "care": str(self.care),
            "reasons": list(self.reasons),
        }


def tekun_category(member: Member, on: dt.date) -> str | None:
    age = age_on(member.birth_date, on)
    if age >= 60:
        return "aged_60"
    if member.disability_grade in (1, 2) or (
        member.disability_grade == 3 and member.disability_type in ("intellectual", "mental")
    ):
        return "severe_disability"
    if age < 16:
        return "minor_under_16"
    return None


def tekun(
    *,
    person: Member,
    own_monthly_income: Decimal,
    has_capable_supporter: bool,
    care_level: str,
    on: dt.date,
    standards: Standards,
) -> TekunResult:
    """Extremely poor: in a category, unable to work (minors aside), income
    below the standard, nobody able to support them.  Amount = basic living
    standard + care standard of the assessed care level."""
    reasons = []
    category = tekun_category(person, on)
    if category is None:
        reasons.append("不属于老年人、重度残疾人或未满16周岁未成年人")
    if category != "minor_under_16" and person.labour_capacity != "none":
        reasons.append("具有劳动能力")
    if own_monthly_income >= standards.dibao_standard:
        reasons.append(f"月收入 {money(own_monthly_income)} 元不低于低保标准")
    if has_capable_supporter:
        reasons.append("有法定赡养、抚养、扶养义务人且具备履行能力")
    basic, care = standards.tekun_basic, money(standards.care_amount(care_level))
    if reasons:
        return TekunResult(eligible=False, amount=ZERO, basic=basic, care=care, reasons=tuple(reasons))
    # rounded once: the basic living amount's fractions of a fen are not lost before adding care
    exact = standards.dibao_standard * standards.tekun_basic_multiple + standards.care_amount(care_level)
    return TekunResult(eligible=True, amount=money(exact), basic=basic, care=care)


# ---------------------------------------------------------------- temporary assistance


def temporary_approval_level(*, amount: Decimal, standards: Standards) -> str:
    """Street up to 3 × the monthly standard, district up to 6 ×, above that the bureau."""
    if amount <= standards.dibao_standard * standards.temp_street_multiple:
        return "street"
    if amount <= standards.dibao_standard * standards.temp_district_multiple:
        return "district"
    return "bureau"


def temporary_ceiling(standards: Standards) -> Decimal | None:
    """The hard ceiling of one temporary-assistance grant: the monthly standard
    × the ceiling multiple (demo 780 × 24 = 18 720.00); None when not set."""
    if standards.temp_ceiling_multiple is None:
        return None
    return money(standards.dibao_standard * standards.temp_ceiling_multiple)


def temporary_amount_problem(*, amount: Decimal, standards: Standards) -> str | None:
    """Why this temporary-assistance amount may not be proposed, or None.
    Above the ceiling no level may approve it (not even the bureau case by
    case); without a ceiling in force nothing is proposed (fail closed)."""
    from django.utils.translation import gettext as _

    ceiling = temporary_ceiling(standards)
    if ceiling is None:
        return _("救助标准“临时救助金额硬上限（月标准倍数）”尚未设定，请管理员补充后再提出审核意见。")
    if amount > ceiling:
        return _(
            "拟救助金额 %(amount)s 元超过临时救助硬上限 %(ceiling)s 元（低保标准 %(standard)s 元 × "
            "%(multiple)s 倍），不能提出。"
        ) % {
            "amount": money(amount),
            "ceiling": ceiling,
            "standard": money(standards.dibao_standard),
            "multiple": format(standards.temp_ceiling_multiple.normalize(), "f"),
        }
    return None


# ---------------------------------------------------------------- price-linkage subsidy


def price_linkage_rise(
    *, cpi: Decimal, food: Decimal, cpi_threshold: Decimal, food_threshold: Decimal
) -> Decimal | None:
    """The rise (in percent) a month pays at, or None when it does not trigger:
    CPI ≥ its threshold or food ≥ its threshold; the CPI rise, the food rise
    where only food triggered, the larger where both did."""
    cpi_hit, food_hit = cpi >= cpi_threshold, food >= food_threshold
    if cpi_hit and food_hit:
        return max(cpi, food)
    if cpi_hit:
        return cpi
    if food_hit:
        return food
    return None


def price_linkage_amount(*, standard: Decimal, rise: Decimal) -> Decimal:
    """One person's subsidy for the month: monthly dibao standard × rise %,
    rounded half-up to the fen (the batch's SQL never recomputes it)."""
    return money(Decimal(standard) * Decimal(rise) / 100)
