"""The `family_planning_support` data-exchange feed (计划生育特别扶助, 计生特扶),
registered by eldercare as the core feed kind "fp_support" (the core's feed
kinds are at most 12 letters; the layout and its sample keep the long name:
docs/feeds/family_planning_support.md and .csv).  One row per person
receiving the special support: ID number, support type (独生子女伤残 /
独生子女死亡), start date, optional end date.  The rows are the core's
FeedRecord rows (like childcare's custody feed); the nightly visit list
(eldercare/services/vulnerable.py) reads them: a person with a row in force
and aged 60+ is listed with the reason "fp_support"."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.areas import FeedRow, FeedRowError
from civil_affairs.rules import IdNumberError, parse_id_number

KEY = "fp_support"
COLUMNS = ("id_number", "name", "support_type", "start_date", "end_date")
# the support types as the health commission's file writes them → our code
SUPPORT_TYPES = {"独生子女伤残": "disabled", "伤残": "disabled", "独生子女死亡": "died", "死亡": "died"}
SUPPORT_LABELS = {"disabled": _("独生子女伤残"), "died": _("独生子女死亡")}
_DATE = re.compile(r"^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?$")


def _date(values: dict, column: str, problems: list[str], *, required: bool) -> dt.date | None:
    raw = values.get(column)
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw or "").strip()
    if not text:
        if required:
            problems.append(_("%(c)s 不能为空") % {"c": column})
        return None
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    try:
        if not match:
            raise ValueError
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        problems.append(_("%(c)s 不是有效日期：“%(v)s”") % {"c": column, "v": text[:20]})
        return None


def parse_family_planning_support(values: dict) -> FeedRow:
    """One row → FeedRow, or FeedRowError naming every problem of the row in Chinese."""
    problems: list[str] = []
    number = ""
    try:
        number = parse_id_number(str(values.get("id_number") or "")).number
    except IdNumberError as exc:
        problems.append(_("id_number：%(e)s") % {"e": exc})
    raw_type = str(values.get("support_type") or "").strip()
    support = SUPPORT_TYPES.get(raw_type)
    if support is None:
        problems.append(
            _("support_type 应为“独生子女伤残”或“独生子女死亡”，收到“%(v)s”") % {"v": raw_type[:20] or "（空）"}
        )
    start = _date(values, "start_date", problems, required=True)
    end = _date(values, "end_date", problems, required=False)
    if start and start > clock.today():
        problems.append(_("start_date 不能晚于今天"))
    if start and end and end < start:
        problems.append(_("end_date 不能早于 start_date"))
    if problems:
        raise FeedRowError("；".join(problems))
    return FeedRow(
        id_number=number,
        name=str(values.get("name") or "").strip()[:50],
        # a later file's row with the end date is a new row (the key differs); it ends the support
        key=f"{support}:{start.isoformat()}:{end.isoformat() if end else ''}",
        event_date=start,
        detail={"support_type": support, "start": start.isoformat(), "end_date": end.isoformat() if end else None},
    )
