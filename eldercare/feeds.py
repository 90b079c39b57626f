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

from django.utils.translation import gettext as _

from civil_affairs.areas import FeedRow
from civil_affairs.feeds import Cells

KEY = "fp_support"
COLUMNS = ("id_number", "name", "support_type", "start_date", "end_date")
# the support types as the health commission's file writes them → our code
SUPPORT_TYPES = {"独生子女伤残": "disabled", "伤残": "disabled", "独生子女死亡": "died", "死亡": "died"}
SUPPORT_LABELS = {"disabled": _("独生子女伤残"), "died": _("独生子女死亡")}


def parse_family_planning_support(values: dict) -> FeedRow:
    """One row → FeedRow, or FeedRowError naming every problem of the row in Chinese."""
    row = Cells(values)
    number, name = row.id_number(), row.name()
    raw_type = row.text("support_type", max_length=20)
    support = SUPPORT_TYPES.get(raw_type)
    if raw_type and support is None:
        row.fail("support_type", _("应为“独生子女伤残”或“独生子女死亡”，收到“%(v)s”") % {"v": raw_type})
    start = row.date("start_date")
    end = row.date("end_date", required=False, future=True, not_before=start)
    row.check()
    return FeedRow(
        id_number=number,
        name=name,
        # a later file's row with the end date is a new row (the key differs); it ends the support
        key=f"{support}:{start.isoformat()}:{end.isoformat() if end else ''}",
        event_date=start,
        detail={"support_type": support, "start": start.isoformat(), "end_date": end.isoformat() if end else None},
    )
