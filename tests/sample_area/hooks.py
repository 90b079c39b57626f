"""The sample area's person-360 and household rows, death handler and
indicator: what a new area gives the core, nothing of the core edited."""

from django.db import connection
from django.db.models import Count
from django.db.models.functions import Substr

from civil_affairs.areas import FeedRow, Row
from civil_affairs.models import AuditEvent, Person
from civil_affairs.permissions import has_capability
from civil_affairs.services import audit_record, audit_rows


def person_rows(user, person):
    if not has_capability(user, "sample_view"):
        return []
    return [Row(area="sample", kind="示例服务", title=f"示例记录 {person.pk}", status="进行中")]


def household_rows(user, household):
    if not has_capability(user, "sample_view"):
        return []
    return [Row(area="sample", kind="示例服务", title=f"示例家庭记录 {household.number}")]


def on_death(event):
    """The area's own audit row: it closed its (imaginary) cases of the person."""
    audit_record(
        actor=event.actor,
        action=AuditEvent.Action.UPDATE,
        target_type="sample.case",
        target_id=str(event.person.pk),
        changes={"life_event": event.kind, "date": event.date, "source": event.source},
    )
    return "closed"


def on_events(batch):
    """The set-based handler (Area.life_events_many): one audit row per event,
    written by one statement over the batch's temporary table."""
    actor = batch.actor if getattr(batch.actor, "is_authenticated", False) else None
    with connection.cursor() as cursor:
        table = batch.table(cursor)
    written = audit_rows(
        select_sql=f"""
        SELECT %(actor_id)s, %(actor_label)s, 'update', 'sample.case', e.person_id::text, p.residence_region_id,
               jsonb_build_object('life_event', %(kind)s, 'date', e.event_date, 'source', %(source)s,
                                  'feed_record', e.feed_record_id, 'many', true)
        FROM {table} e JOIN {Person._meta.db_table} p ON p.id = e.person_id""",
        params={
            "actor_id": actor.pk if actor else None,
            "actor_label": actor.get_username() if actor else "system",
            "kind": batch.kind,
            "source": batch.source,
        },
    )
    return {"closed": written}


def people_by_district(region, day):
    """People living in each district of the subtree: one grouped query."""
    rows = (
        Person.objects.filter(residence_region__code__startswith=region.prefix)
        .order_by()
        .annotate(district=Substr("residence_region_id", 1, 6))
        .values("district")
        .annotate(n=Count("id"))
        .values_list("district", "n")
    )
    return {district.ljust(12, "0"): n for district, n in rows}


# The sample area's covered group of the price-linkage subsidy: people with a
# grade-1 disability, alive, paid where they live (no account on record).
GRAVELY_DISABLED_SQL = f"""
    SELECT p.id, p.residence_region_id, '' FROM {Person._meta.db_table} p WHERE p.disability_grade = 1"""


def parse_move(values):
    """The sample area's feed (示例迁出): id_number, name (optional), moved_on; each new row raises moved_out."""
    from civil_affairs.feeds import Cells

    row = Cells(values)
    number, name = row.id_number(), row.name()
    day = row.date("moved_on", not_before=row.birth)
    row.check()
    return FeedRow(number, name, day.isoformat(), day, detail={"source": "sample"})
