"""Reads for the visits to the vulnerable elderly, scoped to the user's region
subtree: a community worker sees their community's list (their queue), street,
district and bureau staff their subtree's.  Names are shown; ID numbers masked."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from civil_affairs import clock
from civil_affairs.permissions import has_capability
from civil_affairs.selectors import scoped

from ..models import VulnerableElder, VulnerableVisit

QUEUE_LIMIT = 200


def entry_list_for_user(user) -> QuerySet[VulnerableElder]:
    """Every entry (open and ended) of the user's jurisdiction."""
    if not has_capability(user, "visit_list_view"):
        return VulnerableElder.objects.none()
    return scoped(VulnerableElder.objects.select_related("person", "region"), user, "region__code")


def entry_get_for_user(user, pk) -> VulnerableElder:
    entry = entry_list_for_user(user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def queue_for_user(user, *, overdue_only: bool = False, today: dt.date | None = None) -> list[VulnerableElder]:
    """The open entries, the most overdue first (the partial index on (region, next_due, id)), at most QUEUE_LIMIT."""
    today = today or clock.today()
    qs = entry_list_for_user(user).filter(ended_on__isnull=True)
    if overdue_only:
        qs = qs.filter(next_due__lt=today)
    entries = list(qs.order_by("next_due", "id")[:QUEUE_LIMIT])
    for entry in entries:
        entry.overdue = entry.next_due < today
        entry.overdue_days = (today - entry.next_due).days if entry.overdue else 0
    return entries


def queue_counts(user, *, today: dt.date | None = None) -> dict[str, int]:
    """Open entries and overdue ones in one query."""
    today = today or clock.today()
    return (
        entry_list_for_user(user)
        .filter(ended_on__isnull=True)
        .aggregate(open=Count("id"), overdue=Count("id", filter=Q(next_due__lt=today)))
    )


def visits_of(entry: VulnerableElder) -> QuerySet[VulnerableVisit]:
    return entry.visits.select_related("visitor").order_by("-visited_on", "-id")


def visit_get_for_user(user, pk) -> VulnerableVisit:
    if not has_capability(user, "visit_list_view"):
        raise Http404
    visit = scoped(VulnerableVisit.objects.select_related("entry"), user, "region__code").filter(pk=pk).first()
    if visit is None:
        raise Http404
    return visit


# "Visits done on time" (DOMAIN.md) for the dashboard and the bureau overview
# (selectors/indicators.py): of the open entries of each region cut, the share
# (%) not overdue on the day — visited within the interval, or listed within it.
VISITS_ON_TIME_SQL = (
    f"SELECT substr(v.region_id, 1, %(digits)s), round(100.0 * count(*) FILTER (WHERE v.next_due >= %(day)s) "
    f"/ count(*), 1) FROM {VulnerableElder._meta.db_table} v WHERE v.ended_on IS NULL AND v.region_id LIKE %(prefix)s "
    "GROUP BY 1"
)
