"""Relief's low-income registry as other areas read it (DESIGN.md: an area
reads another's data through its selectors): who is in a marginal low-income
household (低保边缘家庭) in a month.  Dibao and tekun are read through the
core's covered groups (relief/apps.py CoveredGroup); the marginal group is no
covered group of the price-linkage subsidy, so it is read here."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from civil_affairs.models import HouseholdMember

from ..models import Benefit, Kind

_B, _M = Benefit._meta.db_table, HouseholdMember._meta.db_table

# every member of a household with a marginal benefit in force in month %(month)s: (person_id, region_id)
MARGINAL_MEMBERS_SQL = f"""
    SELECT m.person_id, b.region_id FROM {_B} b JOIN {_M} m ON m.household_id = b.household_id
    WHERE b.kind = '{Kind.MARGINAL.value}' AND b.status IN ('active', 'gradual_exit') AND b.start_month <= %(month)s
      AND (b.last_month IS NULL OR b.last_month >= %(month)s)"""


def is_marginal(person_id: int, month: dt.date) -> bool:
    """The person is a member of a marginal low-income household in the month (read only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM ({MARGINAL_MEMBERS_SQL}) g WHERE g.person_id = %(person)s)",
            {"month": month, "person": person_id},
        )
        return cursor.fetchone()[0]
