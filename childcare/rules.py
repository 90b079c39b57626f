"""Childcare arithmetic from DOMAIN.md "Childcare" and policy-rules.md section 6:
pure functions on plain values, no ORM.  Every number (rates, age limits, the
six-month duration, visit intervals) comes in through `Standards`, read from
the core's dated parameters (childcare/parameters.py); money is Decimal
rounded to the fen.

Durations are counted to the day with calendar months: a parent out of
contact since 2026-01-31 has been so for six months on 2026-07-31 and not on
2026-07-30 (5 months 30 days).  The allowance is paid up to and including the
month in which the child reaches the age limit (发放至年满18周岁当月), or the
school age limit while in full-time school (to the month school ends)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

from civil_affairs.money import money
from civil_affairs.months import add_months, month_start

# ---------------------------------------------------------------- parent conditions

DEAD = "dead"  # 死亡
DECLARED_DEAD = "declared_dead"  # 宣告死亡
MISSING = "missing"  # 宣告失踪
NOT_FOUND = "not_found"  # 查找不到生父母
DISABLED = "disabled"  # 重残
ILL = "ill"  # 重病
OUT_OF_CONTACT = "out_of_contact"  # 失联（≥6个月）
REVOKED = "revoked"  # 被撤销监护资格
DEPORTED = "deported"  # 被遣送（驱逐）出境
DEPRIVED = "deprived"  # 服刑在押、强制隔离戒毒或被执行其他限制人身自由的措施（≥6个月）
NONE = ""  # no condition: the parent can care for the child

# Codes that make a parent "dead or missing" (the other parent may then meet any case).
GONE = frozenset({DEAD, DECLARED_DEAD, MISSING, NOT_FOUND})
# Codes whose hold depends on a duration of at least `condition_months`.
TIMED = frozenset({OUT_OF_CONTACT, DEPRIVED})
CODES = (DEAD, DECLARED_DEAD, MISSING, NOT_FOUND, DISABLED, ILL, OUT_OF_CONTACT, REVOKED, DEPORTED, DEPRIVED)

# Categories of recognised children and their care settings.
ORPHAN = "orphan"
UNSUPPORTED = "unsupported"
INSTITUTIONAL = "institutional"  # 机构集中养育
DISPERSED = "dispersed"  # 社会散居

# Risk levels of the distress / left-behind registry.
HIGH, MEDIUM, LOW = "high", "medium", "low"
RISKS = (HIGH, MEDIUM, LOW)


@dataclass(frozen=True)
class Standards:
    """The childcare parameters in force for one region on one day."""

    rate_institutional: Decimal
    rate_dispersed: Decimal
    rate_unsupported: Decimal
    age_end: int
    school_age_end: int
    condition_months: int
    check_working_days: int
    decision_working_days: int
    visit_months_high: int
    visit_months_medium: int
    visit_months_low: int
    first_visit_days_high: int
    first_visit_days_medium: int
    first_visit_days_low: int

    @classmethod
    def keys(cls) -> list[str]:
        return [f"childcare_{f.name}" for f in fields(cls)]

    @classmethod
    def from_values(cls, values: Mapping[str, Decimal]) -> Standards:
        missing = [k for k in cls.keys() if k not in values]
        if missing:
            raise KeyError(missing)
        made = {}
        for f in fields(cls):
            value = values[f"childcare_{f.name}"]
            made[f.name] = int(value) if f.type == "int" else Decimal(value)
        return cls(**made)


DEMO = Standards(
    rate_institutional=Decimal("2760.00"),
    rate_dispersed=Decimal("2200.00"),
    rate_unsupported=Decimal("2200.00"),
    age_end=18,
    school_age_end=22,
    condition_months=6,
    check_working_days=15,
    decision_working_days=15,
    visit_months_high=1,
    visit_months_medium=3,
    visit_months_low=6,
    first_visit_days_high=2,
    first_visit_days_medium=5,
    first_visit_days_low=10,
)


@dataclass(frozen=True)
class Parent:
    """One parent's situation: a condition code with the dates the evidence
    gives (`since`: death date, start of custody, last contact; `until`:
    expected end of custody, or the day the condition ended — a return, a
    recovery, a release), and the registry's disability grade and type."""

    code: str = NONE
    since: dt.date | None = None
    until: dt.date | None = None
    disability_grade: int = 0
    disability_type: str = ""


def lasted(since: dt.date, end: dt.date, months: int) -> bool:
    """Whether [since, end] spans at least `months` calendar months, to the day."""
    return add_months(since, months) <= end


def condition_holds(parent: Parent, on: dt.date, standards: Standards = DEMO) -> bool:
    """Whether the parent's condition is one of the cases on `on`."""
    code = parent.code
    if code == NONE or code not in CODES:
        return False
    if parent.since is not None and parent.since > on:
        return False  # not yet
    if code in GONE:
        return True  # a death or declaration is not undone by a date
    if code == DISABLED:
        if parent.until is not None and parent.until < on:
            return False
        grade, kind = parent.disability_grade, parent.disability_type
        return grade in (1, 2) or (grade in (3, 4) and kind in ("intellectual", "mental"))
    if parent.until is not None and parent.until < on:
        return False  # the condition ended: returned, recovered, released
    if code == OUT_OF_CONTACT:
        return parent.since is not None and lasted(parent.since, on, standards.condition_months)
    if code == DEPRIVED:
        # A sentence or measure of at least six months counts from its start;
        # without an expected end, once it has lasted six months.
        if parent.since is None:
            return False
        return lasted(parent.since, parent.until or on, standards.condition_months)
    return True  # ill, revoked, deported: from the evidence's date


def category(parents: Sequence[Parent], on: dt.date, standards: Standards = DEMO) -> str | None:
    """ORPHAN when both parents are dead, declared dead or missing, or cannot be
    found; UNSUPPORTED when both meet a case (a dead or missing parent is one);
    else None.  A child with one parent on record counts the other as not found
    only when the record says so (code NOT_FOUND)."""
    if len(parents) != 2:
        return None
    holds = [condition_holds(p, on, standards) for p in parents]
    if not all(holds):
        return None
    if all(p.code in GONE for p in parents):
        return ORPHAN
    return UNSUPPORTED


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birthday(birth: dt.date, age: int) -> dt.date:
    """The day the child turns `age` (29 February → 28 February in other years)."""
    return add_months(birth, 12 * age)


def last_month(birth: dt.date, standards: Standards = DEMO, *, in_school_until: dt.date | None = None) -> dt.date:
    """The last month paid: the month of the age limit's birthday; while in
    full-time school, the month school ends, at most the month of the school
    age limit's birthday, never earlier than the ordinary end."""
    ordinary = month_start(birthday(birth, standards.age_end))
    if in_school_until is None:
        return ordinary
    extended = min(month_start(in_school_until), month_start(birthday(birth, standards.school_age_end)))
    return max(ordinary, extended)


def rate(category_code: str, setting: str, standards: Standards = DEMO) -> Decimal:
    """The monthly allowance: orphans by care setting; de-facto unsupported
    children at their own rate (the dispersed rate by default)."""
    if category_code == UNSUPPORTED:
        return money(standards.rate_unsupported)
    if setting == INSTITUTIONAL:
        return money(standards.rate_institutional)
    return money(standards.rate_dispersed)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    category: str | None
    reasons: tuple[str, ...] = ()  # codes of what is missing: age, adopted, dead, parents


def eligibility(
    *,
    birth: dt.date,
    on: dt.date,
    parents: Sequence[Parent],
    adopted: bool = False,
    dead: bool = False,
    in_school_until: dt.date | None = None,
    standards: Standards = DEMO,
) -> Eligibility:
    """Whether a child is an orphan or a de-facto unsupported child on `on`,
    and not past the allowance's end."""
    reasons = []
    found = category(parents, on, standards)
    if found is None:
        reasons.append("parents")
    if adopted:
        reasons.append("adopted")
    if dead:
        reasons.append("dead")
    if month_start(on) > last_month(birth, standards, in_school_until=in_school_until):
        reasons.append("age")
    return Eligibility(not reasons, found, tuple(reasons))


def first_month(decided_on: dt.date) -> dt.date:
    """The allowance starts from the month after the district's decision."""
    return add_months(month_start(decided_on), 1)


def payable_months(start: dt.date, end: dt.date) -> int:
    """Months from `start` to `end` inclusive (first days of months)."""
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


def tekun_stop_month(allowance_start: dt.date) -> dt.date:
    """A child paid this allowance is not paid as extremely poor (特困) from the
    allowance's first month: the 特困 benefit's last month is the one before."""
    return add_months(month_start(allowance_start), -1)


# ---------------------------------------------------------------- visits


def visit_interval_months(risk: str, standards: Standards = DEMO) -> int:
    return {
        HIGH: standards.visit_months_high,
        MEDIUM: standards.visit_months_medium,
        LOW: standards.visit_months_low,
    }[risk]


def first_visit_working_days(risk: str, standards: Standards = DEMO) -> int:
    return {
        HIGH: standards.first_visit_days_high,
        MEDIUM: standards.first_visit_days_medium,
        LOW: standards.first_visit_days_low,
    }[risk]


def next_visit_due(last_visit: dt.date, risk: str, standards: Standards = DEMO) -> dt.date:
    """A visit is due `interval` calendar months after the last one."""
    return add_months(last_visit, visit_interval_months(risk, standards))


def overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and due < today
