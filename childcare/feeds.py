"""The `custody` data-exchange feed (羁押/服刑信息), registered by childcare as a
core feed kind (civil_affairs/areas.FeedKind) and imported by the core's feed
import: one row per person deprived of liberty, with the institution, the
start and the expected end.  Layout: docs/feeds/custody.md, sample
docs/feeds/custody.csv.  Each new row raises the life event "custody", which
childcare turns into a discovery task for the person's minor children
(childcare.discovery.on_custody_many)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from civil_affairs import clock
from civil_affairs.areas import FeedRow, FeedRowError
from civil_affairs.rules import IdNumberError, parse_id_number

COLUMNS = ("id_number", "name", "institution", "start_date", "expected_end")
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


def parse_custody(values: dict) -> FeedRow:
    """One row → FeedRow, or FeedRowError naming every problem of the row in Chinese."""
    problems: list[str] = []
    number = ""
    try:
        number = parse_id_number(str(values.get("id_number") or "")).number
    except IdNumberError as exc:
        problems.append(_("id_number：%(e)s") % {"e": exc})
    institution = str(values.get("institution") or "").strip()
    if not institution:
        problems.append(_("institution 不能为空"))
    elif len(institution) > 60:
        problems.append(_("institution 不能超过60个字"))
    start = _date(values, "start_date", problems, required=True)
    end = _date(values, "expected_end", problems, required=False)
    if start and start > clock.today():
        problems.append(_("start_date 不能晚于今天"))
    if start and end and end < start:
        problems.append(_("expected_end 不能早于 start_date"))
    if problems:
        raise FeedRowError("；".join(problems))
    return FeedRow(
        id_number=number,
        name=str(values.get("name") or "").strip()[:50],
        key=f"{institution}:{start.isoformat()}"[:80],
        event_date=start,
        detail={
            "institution": institution,
            "start": start.isoformat(),
            "expected_end": end.isoformat() if end else None,
        },
    )
