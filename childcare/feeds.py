"""The `custody` data-exchange feed (羁押/服刑信息), registered by childcare as a
core feed kind (civil_affairs/areas.FeedKind) and imported by the core's feed
import: one row per person deprived of liberty, with the institution, the
start and the expected end.  Layout: docs/feeds/custody.md, sample
docs/feeds/custody.csv.  Each new row raises the life event "custody", which
childcare turns into a discovery task for the person's minor children
(childcare.discovery.on_custody_many)."""

from __future__ import annotations

from civil_affairs.areas import FeedRow
from civil_affairs.feeds import Cells

COLUMNS = ("id_number", "name", "institution", "start_date", "expected_end")


def parse_custody(values: dict) -> FeedRow:
    """One row → FeedRow, or FeedRowError naming every problem of the row in Chinese."""
    row = Cells(values)
    number, name = row.id_number(), row.name()
    institution = row.text("institution", max_length=60)
    start = row.date("start_date")
    end = row.date("expected_end", required=False, future=True, not_before=start)
    row.check()
    return FeedRow(
        id_number=number,
        name=name,
        key=f"{institution}:{start.isoformat()}"[:80],
        event_date=start,
        detail={
            "institution": institution,
            "start": start.isoformat(),
            "expected_end": end.isoformat() if end else None,
        },
    )
