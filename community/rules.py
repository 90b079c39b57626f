"""Grassroots governance's arithmetic (DOMAIN.md "Community", policy-rules.md
section 9): pure functions, no ORM.

- committee elections: turnout over half of registered voters, a winner over
  half of the votes cast, voters 18+ on election day, the voter list published
  at least 20 days ahead, ballot-box figures that add up, handover within 10
  days, 5-year terms;
- deliberation: the execution rate;
- social organisations: 2 full years registered, rating eligibility, score
  bands (dated parameters, passed in), 5-year validity, 15-day objection
  answers, the annual report due 31 March.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from civil_affairs.months import add_months

TERM_YEARS = 5
VOTER_AGE = 18
PUBLICATION_DAYS = 20
HANDOVER_DAYS = 10
RATING_VALID_YEARS = 5
OBJECTION_ANSWER_DAYS = 15
RATING_MIN_FULL_YEARS = 2
SCORE_MAX = 1000

# Score bands out of 1 000 (policy-rules 9.1): the lowest score of each grade.  The
# values in force come from the dated parameters (community/parameters.py); these
# are the shipped defaults.
DEFAULT_BANDS: dict[str, int] = {"5A": 951, "4A": 901, "3A": 851, "2A": 801, "1A": 751}
GRADES: tuple[str, ...] = ("5A", "4A", "3A", "2A", "1A")


# ---------------------------------------------------------------- dates


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February → 28 February in a common year)."""
    return add_months(day, 12 * years)


def full_years(start: dt.date, on: dt.date) -> int:
    """Full years from `start` to `on`, counted to the day: 2024-03-01 → 2026-02-28 is 1, → 2026-03-01 is 2."""
    years = on.year - start.year
    if add_years(start, years) > on:
        years -= 1
    return max(years, 0)


def term_end(start: dt.date) -> dt.date:
    """A committee term of 5 years: the day the next committee is due."""
    return add_years(start, TERM_YEARS)


def adult_cutoff(election_day: dt.date) -> dt.date:
    """Voters must be born on or before this day (18 on election day)."""
    return add_years(election_day, -VOTER_AGE)


def is_voting_age(birth_date: dt.date, election_day: dt.date) -> bool:
    return birth_date <= adult_cutoff(election_day)


def earliest_election_day(published_on: dt.date) -> dt.date:
    """The voter list is published at least 20 days before election day."""
    return published_on + dt.timedelta(days=PUBLICATION_DAYS)


def publication_problem(published_on: dt.date, election_day: dt.date) -> str | None:
    """Why this election day is too early for the list's publication, or None."""
    earliest = earliest_election_day(published_on)
    if election_day < earliest:
        return _(
            "选民名单须在选举日前至少 %(days)d 天公布：%(published)s 公布，选举日最早为 %(earliest)s，"
            "所定选举日 %(day)s 只提前了 %(ahead)d 天。"
        ) % {
            "days": PUBLICATION_DAYS,
            "published": published_on.isoformat(),
            "earliest": earliest.isoformat(),
            "day": election_day.isoformat(),
            "ahead": (election_day - published_on).days,
        }
    return None


def handover_due(announced_on: dt.date) -> dt.date:
    """The new committee takes over within 10 days."""
    return announced_on + dt.timedelta(days=HANDOVER_DAYS)


def handover_late(announced_on: dt.date, handed_over_on: dt.date) -> bool:
    return handed_over_on > handover_due(announced_on)


def rating_valid_until(rated_on: dt.date) -> dt.date:
    """A grade is valid for 5 years: the last day it holds."""
    return add_years(rated_on, RATING_VALID_YEARS) - dt.timedelta(days=1)


def objection_answer_due(received_on: dt.date) -> dt.date:
    return received_on + dt.timedelta(days=OBJECTION_ANSWER_DAYS)


def annual_report_due(report_year: int) -> dt.date:
    """The report on a year is due by 31 March of the next."""
    return dt.date(report_year + 1, 3, 31)


# ---------------------------------------------------------------- elections


def more_than_half(part: int, whole: int) -> bool:
    """Strictly more than half: exactly half is not enough."""
    return whole > 0 and 2 * part > whole


@dataclass(frozen=True)
class BoxCount:
    """One ballot box's figures as entered."""

    name: str
    registered: int  # voters registered at this box
    issued: int  # ballots handed out
    returned: int  # ballots put in the box (参加投票)
    valid: int
    invalid: int
    votes: Mapping[str, int] = field(default_factory=dict)  # candidate → votes


def box_problems(box: BoxCount, *, seats: int) -> list[str]:
    """Every way the box's figures fail to add up, each with the numbers that disagree."""
    problems = []
    label = box.name
    figures = [box.registered, box.issued, box.returned, box.valid, box.invalid, *box.votes.values()]
    if any(v < 0 for v in figures):
        problems.append(_("%(box)s：票数不能为负数。") % {"box": label})
        return problems
    if box.valid + box.invalid != box.returned:
        problems.append(
            _("%(box)s：有效票 %(valid)d + 无效票 %(invalid)d = %(sum)d，与收回选票 %(returned)d 不符。")
            % {
                "box": label,
                "valid": box.valid,
                "invalid": box.invalid,
                "sum": box.valid + box.invalid,
                "returned": box.returned,
            }
        )
    if box.returned > box.issued:
        problems.append(
            _("%(box)s：收回选票 %(returned)d 多于发出选票 %(issued)d。")
            % {"box": label, "returned": box.returned, "issued": box.issued}
        )
    if box.issued > box.registered:
        problems.append(
            _("%(box)s：发出选票 %(issued)d 多于该票箱登记选民 %(registered)d。")
            % {"box": label, "issued": box.issued, "registered": box.registered}
        )
    for candidate, votes in box.votes.items():
        if votes > box.valid:
            problems.append(
                _("%(box)s：%(candidate)s 得票 %(votes)d 多于有效票 %(valid)d。")
                % {"box": label, "candidate": candidate, "votes": votes, "valid": box.valid}
            )
    total = sum(box.votes.values())
    if total > box.valid * seats:
        problems.append(
            _("%(box)s：候选人得票合计 %(total)d 多于有效票 %(valid)d × 应选 %(seats)d 名 = %(max)d。")
            % {"box": label, "total": total, "valid": box.valid, "seats": seats, "max": box.valid * seats}
        )
    return problems


def boxes_problems(boxes: Sequence[BoxCount], *, seats: int, roll_size: int) -> list[str]:
    problems = [p for box in boxes for p in box_problems(box, seats=seats)]
    registered = sum(b.registered for b in boxes)
    if boxes and registered != roll_size:
        problems.append(
            _("各票箱登记选民合计 %(sum)d，与选民名单人数 %(roll)d 不符。") % {"sum": registered, "roll": roll_size}
        )
    return problems


@dataclass(frozen=True)
class Outcome:
    registered: int
    voted: int
    turnout: Decimal  # percent, 2 places
    valid: bool  # more than half of registered voters voted
    votes: dict[str, int]
    elected: tuple[str, ...]
    runoff: tuple[str, ...]  # candidates of a run-off for seats not filled
    seats_unfilled: int

    @property
    def runoff_required(self) -> bool:
        return not self.valid or self.seats_unfilled > 0


def percent(part: int, whole: int) -> Decimal:
    if whole <= 0:
        return Decimal("0.00")
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def election_outcome(*, registered: int, boxes: Iterable[BoxCount], seats: int) -> Outcome:
    """Validity and winners from the boxes (which add up: check them first).

    Valid when more than half of registered voters voted; a candidate wins
    with more than half of the votes cast (ballots returned), the most votes
    first, up to the seats.  Seats left over (nobody over half, or a tie at
    the last seat) need a run-off among the best-placed of the rest."""
    boxes = list(boxes)
    voted = sum(b.returned for b in boxes)
    votes: dict[str, int] = {}
    for box in boxes:
        for candidate, n in box.votes.items():
            votes[candidate] = votes.get(candidate, 0) + n
    valid = more_than_half(voted, registered)
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    elected: list[str] = []
    if valid:
        over_half = [(c, n) for c, n in ranked if more_than_half(n, voted)]
        if len(over_half) <= seats:
            elected = [c for c, _n in over_half]
        else:
            cut = over_half[seats][1]  # the best of those left out: whoever ties with them waits for a run-off
            elected = [c for c, n in over_half if n > cut]
    unfilled = seats - len(elected) if valid else seats
    runoff: list[str] = []
    if valid and unfilled:
        rest = [(c, n) for c, n in ranked if c not in elected]
        # 差额: twice the seats left, plus any tied with the last of them
        take = rest[: 2 * unfilled]
        if take:
            last = take[-1][1]
            take = [(c, n) for c, n in rest if n >= last]
        runoff = [c for c, _n in take]
    return Outcome(
        registered=registered,
        voted=voted,
        turnout=percent(voted, registered),
        valid=valid,
        votes=votes,
        elected=tuple(elected),
        runoff=tuple(runoff),
        seats_unfilled=unfilled,
    )


# ---------------------------------------------------------------- deliberation


def execution_rate(completed_on_time: int, due: int) -> Decimal | None:
    """Resolutions completed by their due date / resolutions due, in percent (None when none are due)."""
    if due <= 0:
        return None
    return percent(completed_on_time, due)


# ---------------------------------------------------------------- social organisations


def grade_for_score(score: int, bands: Mapping[str, int] | None = None) -> str:
    """The grade of a score out of 1 000 ('' below the lowest band)."""
    bands = bands or DEFAULT_BANDS
    if not 0 <= score <= SCORE_MAX:
        raise ValueError(_("评估得分应在 0 至 %(max)d 之间，收到 %(score)s。") % {"max": SCORE_MAX, "score": score})
    for grade in GRADES:
        if score >= bands[grade]:
            return grade
    return ""


def bands_problem(bands: Mapping[str, int]) -> str | None:
    """Bands must rise from 1A to 5A within 0–1 000."""
    values = [bands[g] for g in reversed(GRADES)]
    if any(not 0 < v <= SCORE_MAX for v in values) or values != sorted(set(values)):
        return _("等级分数线应自1A至5A依次升高，并在 1 至 1000 之间。")
    return None


@dataclass(frozen=True)
class OrgRecord:
    """What rating eligibility looks at, on the day of the application."""

    registered_on: dt.date
    inspection_results: Mapping[int, str]  # year → "pass" / "basic" / "fail" (missing: not reported)
    penalised_last_year: bool = False
    penalty_outstanding: bool = False
    under_investigation: bool = False
    abnormal_listed: bool = False
    violation_listed: bool = False
    current_grade_until: dt.date | None = None  # the last day the grade in force holds


def rating_refusals(org: OrgRecord, on: dt.date) -> list[str]:
    """Why the organisation may not apply for a rating on `on` (empty: it may)."""
    reasons = []
    years = full_years(org.registered_on, on)
    if years < RATING_MIN_FULL_YEARS:
        reasons.append(
            _("登记满 %(need)d 周年方可申请评估：%(since)s 登记，至 %(on)s 满 %(years)d 年，%(from)s 起可申请。")
            % {
                "need": RATING_MIN_FULL_YEARS,
                "since": org.registered_on.isoformat(),
                "on": on.isoformat(),
                "years": years,
                "from": add_years(org.registered_on, RATING_MIN_FULL_YEARS).isoformat(),
            }
        )
    last, before = on.year - 1, on.year - 2
    result_last = org.inspection_results.get(last)
    if years >= 1 and result_last is None and add_years(org.registered_on, 1) <= dt.date(last, 12, 31):
        reasons.append(_("未参加 %(year)d 年度检查（年报）。") % {"year": last})
    if result_last == "fail":
        reasons.append(_("%(year)d 年度检查不合格。") % {"year": last})
    if result_last == "basic" and org.inspection_results.get(before) == "basic":
        reasons.append(_("连续两年（%(a)d、%(b)d 年度）年检基本合格。") % {"a": before, "b": last})
    if org.penalised_last_year:
        reasons.append(_("上一年度受到行政处罚。"))
    if org.penalty_outstanding:
        reasons.append(_("行政处罚尚未执行完毕。"))
    if org.under_investigation:
        reasons.append(_("正在被立案调查。"))
    if org.abnormal_listed:
        reasons.append(_("已列入活动异常名录。"))
    if org.violation_listed:
        reasons.append(_("已列入严重违法失信名单。"))
    if org.current_grade_until and org.current_grade_until >= on:
        reasons.append(
            _("现有评估等级有效期至 %(until)s，未到期不得重新申请。") % {"until": org.current_grade_until.isoformat()}
        )
    return reasons
