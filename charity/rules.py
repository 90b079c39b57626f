"""Charity policy arithmetic (policy-rules.md section 10): pure functions, no ORM.

- public-fundraising qualification (慈善组织公开募捐管理办法, effective 2024-09-05):
  registered or recognised as a charity for at least 1 year; before that day,
  2 years and a 3A+ rating; every governance condition met;
- the yearly spending checks by organisation type and net-asset band, with
  the ratios as dated parameters (Standards), exact Decimal comparisons;
- the disclosure calendar (annual report by 31 May; drives and projects over
  6 months every 3 months and within 3 months of their end)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

NEW_RULES_FROM = dt.date(2024, 9, 5)  # Ministry Order No. 74

# 公开募捐资格的治理条件 (policy-rules 10.2): key → label
GOVERNANCE = {
    "board_related_third": _("同一或关联组织的理事不超过理事总数的1/3"),
    "no_close_relatives": _("理事会中无近亲属同时任职"),
    "non_mainland_third": _("非内地居民理事不超过1/3"),
    "legal_rep_mainland": _("法定代表人为内地居民"),
    "secretary_full_time": _("秘书长专职且不兼任理事长"),
    "full_time_staff": _("有专职工作人员"),
    "supervisors": _("省级以上登记的设监事会（3人以上）"),
    "rules_complete": _("财务、项目、采购、资产、人事、档案制度健全"),
    "no_penalty": _("近2年未受行政处罚"),
}


def add_years(day: dt.date, years: int) -> dt.date:
    """The anniversary `years` later; 29 February falls on 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def governance_missing(checklist: dict) -> list[str]:
    """Keys of the governance conditions not (yet) met."""
    return [key for key in GOVERNANCE if not checklist.get(key)]


@dataclass(frozen=True)
class Qualification:
    eligible: bool
    reasons: tuple[str, ...]  # why not, in words
    years_needed: int
    eligible_from: dt.date | None  # the first day the time condition holds (under the rule of that day)


def public_fundraising_qualification(
    *, charity_since: dt.date | None, rating: int, governance: dict, on: dt.date
) -> Qualification:
    """May the organisation apply for public-fundraising status on `on`?
    Time is counted to the day: on or after 2024-09-05 one full year since it
    was registered or recognised as a charity; before, two years and 3A+."""
    reasons: list[str] = []
    new_rules = on >= NEW_RULES_FROM
    years = 1 if new_rules else 2
    eligible_from = None
    if charity_since is None:
        reasons.append(str(_("尚未登记或认定为慈善组织")))
    else:
        eligible_from = add_years(charity_since, years)
        if on < eligible_from:
            reasons.append(
                str(_("登记或认定为慈善组织满%(n)d年后（%(d)s起）方可申请"))
                % {"n": years, "d": eligible_from.isoformat()}
            )
    if not new_rules and rating < 3:
        reasons.append(str(_("2024年9月5日前申请须评估等级3A以上")))
    missing = governance_missing(governance)
    if missing:
        reasons.append(str(_("治理条件未满足：%(items)s")) % {"items": "；".join(str(GOVERNANCE[k]) for k in missing)})
    return Qualification(not reasons, tuple(reasons), years, eligible_from)


def recognition_due(applied_on: dt.date, days: int) -> dt.date:
    """认定 is decided within `days` (20) days of the application."""
    return applied_on + dt.timedelta(days=days)


# ------------------------------------------------------------------ spending checks


@dataclass(frozen=True)
class Standards:
    """The ratios in force (dated parameters, charity/parameters.py)."""

    spend_public_foundation: Decimal = Decimal("0.70")  # of last year's income
    cost_public_foundation: Decimal = Decimal("0.10")  # of this year's spending
    spend_public_other: Decimal = Decimal("0.70")
    cost_public_other: Decimal = Decimal("0.13")
    spend_band_10m: Decimal = Decimal("0.06")  # of net assets, net assets ≥ 10 m
    cost_band_10m: Decimal = Decimal("0.13")
    spend_band_5m: Decimal = Decimal("0.07")  # 5–10 m
    cost_band_5m: Decimal = Decimal("0.14")
    spend_band_1m: Decimal = Decimal("0.08")  # 1–5 m
    cost_band_1m: Decimal = Decimal("0.15")
    spend_band_small: Decimal = Decimal("0.08")  # < 1 m
    spend_income_band_small: Decimal = Decimal("0.50")  # and of last year's income
    cost_band_small: Decimal = Decimal("0.20")
    spend_foundation_small: Decimal = Decimal("0.08")  # foundations without status, net assets < 4 m
    cost_foundation_small: Decimal = Decimal("0.20")
    cost_exempt_below: Decimal = Decimal("200000")  # admin cost under this is exempt from the ratio
    recognition_days: Decimal = Decimal("20")

    @classmethod
    def from_parameters(cls, values: dict[str, Decimal]) -> Standards:
        """Parameters are stored as charity_<field>; a key not set keeps the default."""
        return cls(**{f.name: values[f"charity_{f.name}"] for f in fields(cls) if f"charity_{f.name}" in values})


@dataclass(frozen=True)
class Ratios:
    """Which limits apply to an organisation (and why)."""

    band: str
    spend_of_net_assets: Decimal | None
    spend_of_income: Decimal | None
    cost_max: Decimal


MILLION = Decimal(1_000_000)


def applicable_ratios(*, org_type: str, public_fundraising: bool, net_assets: Decimal, s: Standards) -> Ratios:
    """The ratios by type and net assets at the end of last year (policy-rules 10.3).
    Foundations without status: only the bottom band (< 4 m) was retrieved; above
    it the social-group bands apply."""
    if public_fundraising:
        if org_type == "foundation":
            return Ratios("public_foundation", None, s.spend_public_foundation, s.cost_public_foundation)
        return Ratios("public_other", None, s.spend_public_other, s.cost_public_other)
    if org_type == "foundation" and net_assets < 4 * MILLION:
        return Ratios("foundation_small", s.spend_foundation_small, None, s.cost_foundation_small)
    if net_assets >= 10 * MILLION:
        return Ratios("band_10m", s.spend_band_10m, None, s.cost_band_10m)
    if net_assets >= 5 * MILLION:
        return Ratios("band_5m", s.spend_band_5m, None, s.cost_band_5m)
    if net_assets >= MILLION:
        return Ratios("band_1m", s.spend_band_1m, None, s.cost_band_1m)
    return Ratios("band_small", s.spend_band_small, s.spend_income_band_small, s.cost_band_small)


@dataclass(frozen=True)
class Finding:
    key: str  # "spending" | "cost"
    breach: bool
    required: Decimal  # yuan: the least spending / the most cost allowed
    actual: Decimal
    template: Any  # the words (lazy), filled in with `params` only when shown
    params: dict

    @property
    def message(self) -> str:
        return str(self.template) % self.params


def spending_checks(
    *,
    org_type: str,
    public_fundraising: bool,
    net_assets_last_year: Decimal,
    income_last_year: Decimal,
    charitable_spending: Decimal,
    management_cost: Decimal,
    s: Standards,
) -> list[Finding]:
    """The year's charitable spending against last year's income (or net assets),
    and the management cost against this year's total spending (charitable +
    management).  Comparisons are exact: 69.99 % of the base is a breach, 70 % is
    not; a cost of exactly 10 % is allowed; a cost under 200 000 yuan is exempt."""
    r = applicable_ratios(
        org_type=org_type, public_fundraising=public_fundraising, net_assets=net_assets_last_year, s=s
    )
    findings = []
    required = Decimal(0)
    if r.spend_of_income is not None:
        required = max(required, r.spend_of_income * income_last_year)
    if r.spend_of_net_assets is not None:
        required = max(required, r.spend_of_net_assets * net_assets_last_year)
    breach = charitable_spending < required
    findings.append(
        Finding(
            "spending",
            breach,
            required.quantize(Decimal("0.01")),
            charitable_spending,
            _("慈善活动支出 %(a)s 元，低于法定最低 %(r)s 元")
            if breach
            else _("慈善活动支出 %(a)s 元，达到法定最低 %(r)s 元"),
            {"a": charitable_spending, "r": required.quantize(Decimal("0.01"))},
        )
    )
    total_spending = charitable_spending + management_cost
    cap = r.cost_max * total_spending
    if management_cost < s.cost_exempt_below:
        findings.append(
            Finding(
                "cost",
                False,
                cap.quantize(Decimal("0.01")),
                management_cost,
                _("管理费用 %(a)s 元，不足 %(e)s 元，不受比例限制"),
                {"a": management_cost, "e": s.cost_exempt_below.quantize(Decimal(1))},
            )
        )
    else:
        breach = management_cost > cap
        findings.append(
            Finding(
                "cost",
                breach,
                cap.quantize(Decimal("0.01")),
                management_cost,
                _("管理费用 %(a)s 元，超过当年总支出的 %(p)s%%（%(r)s 元）")
                if breach
                else _("管理费用 %(a)s 元，未超过当年总支出的 %(p)s%%（%(r)s 元）"),
                {"a": management_cost, "p": (r.cost_max * 100).normalize(), "r": cap.quantize(Decimal("0.01"))},
            )
        )
    return findings


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a percentage to 0.01, None when there is no base."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.01"))


# ------------------------------------------------------------------ disclosure calendar


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def annual_report_due(year: int) -> dt.date:
    """The annual work and financial report of `year` is published by 31 May of the next."""
    return dt.date(year + 1, 5, 31)


def periodic_due_dates(start: dt.date, end: dt.date | None, today: dt.date) -> list[tuple[dt.date, str]]:
    """Due dates of a drive or project lasting over 6 months: every 3 months from
    its start while it runs, and the full account within 3 months of its end.
    Shorter ones owe only the final account.  Only dates up to 3 months past
    `today` are listed (the calendar goes on while it runs)."""
    horizon = add_months(today, 3)
    dues: list[tuple[dt.date, str]] = []
    long = end is None or add_months(start, 6) < end
    if long:
        n = 1
        while True:
            due = add_months(start, 3 * n)
            if (end is not None and due >= end) or due > horizon:
                break
            dues.append((due, "periodic"))
            n += 1
    if end is not None:
        final = add_months(end, 3)
        if final <= horizon or end <= today:
            dues.append((final, "final"))
    return dues


def obligation_state(due: dt.date, published: list[dt.date], today: dt.date, *, window_months: int = 3) -> str:
    """ "done" if something was published within `window_months` before the due
    date (or on it); else "overdue" past it, "due" within 30 days, "upcoming"."""
    since = add_months(due, -window_months)
    if any(since < day <= due for day in published):
        return "done"
    if today > due:
        return "overdue"
    if (due - today).days <= 30:
        return "due"
    return "upcoming"
