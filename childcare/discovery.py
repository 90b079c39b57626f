"""Life events and proactive discovery (DOMAIN.md "Across areas").

- A child's own death stops their allowance from the month after, once.
- A parent's death or custody (the feeds) puts a "possible orphan / unsupported
  child" task with the evidence in the child director's queue for each minor
  child of that parent in the registry's households; one task per child,
  parent, event and feed key, so rerunning a night creates nothing new.
- A parent's condition whose expected end has passed while the child is paid
  puts a "condition may have ended" task in the same queue (nightly).

All are set-based: `children_of_sql` finds the minors of many parents in one
statement, the tasks go in with one INSERT … ON CONFLICT DO NOTHING and their
audit rows with the core's audit_rows in the same statement."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection, transaction

from civil_affairs.models import HouseholdMember, Person
from civil_affairs.months import add_months
from civil_affairs.services import audit_rows_sql

from .models import Allowance, DiscoveryTask, ParentSituation

_M, _P, _T, _A = (
    HouseholdMember._meta.db_table,
    Person._meta.db_table,
    DiscoveryTask._meta.db_table,
    Allowance._meta.db_table,
)

# The minors whose parent is `parent`: in the parent's household, a child of the
# head or spouse (relation child), or a grandchild of the head when the parent
# is the head's child.  Minor on the event's date.
_CHILDREN_SQL = f"""
SELECT ev.key, ev.parent_id, c.person_id AS child_id, kid.residence_region_id, ev.event, ev.evidence
FROM unnest(%(keys)s::varchar[], %(parents)s::bigint[], %(events)s::varchar[], %(evidence)s::jsonb[],
            %(dates)s::date[]) AS ev(key, parent_id, event, evidence, day)
JOIN {_M} pm ON pm.person_id = ev.parent_id
JOIN {_M} c ON c.household_id = pm.household_id AND c.person_id <> ev.parent_id
 AND ((pm.relation IN ('head', 'spouse') AND c.relation = 'child')
   OR (pm.relation = 'child' AND c.relation = 'grandchild'))
JOIN {_P} kid ON kid.id = c.person_id
WHERE kid.death_date IS NULL AND kid.birth_date > (ev.day - interval '18 years')"""

_INSERT_SQL = f"""
WITH found AS ({_CHILDREN_SQL}),
added AS (
  INSERT INTO {_T} (child_id, parent_id, region_id, event, key, evidence, status, note, created_at)
  SELECT child_id, parent_id, residence_region_id, event, key, evidence, 'open', '', now() FROM found
  ON CONFLICT (child_id, parent_id, event, key) DO NOTHING
  RETURNING id, child_id, region_id, event
),
audited AS ({
    audit_rows_sql(
        "(SELECT NULL::bigint, 'system', 'create', 'childcare.discoverytask', id::text, region_id, "
        "jsonb_build_object('step', 'discover', 'event', event) FROM added)"
    )
})
SELECT count(*) FROM added"""


def discover(events: list[dict]) -> int:
    """Tasks for the minors of each event's parent: events are dicts with key,
    parent_id, event ('death' or 'custody'), date and evidence.  Returns the
    tasks added (0 on a rerun)."""
    if not events:
        return 0
    params = {
        "keys": [e["key"] for e in events],
        "parents": [e["parent_id"] for e in events],
        "events": [e["event"] for e in events],
        "evidence": [json.dumps(e.get("evidence", {}), default=str, ensure_ascii=False) for e in events],
        "dates": [e["date"] for e in events],
    }
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, params)
        return cursor.fetchone()[0]


_STOP_DEAD_SQL = f"""
WITH stopped AS (
  UPDATE {_A} a SET status = 'stopped', stop_reason = 'death',
         stopped_from = (date_trunc('month', d.day) + interval '1 month')::date,
         last_month = LEAST(a.last_month, date_trunc('month', d.day)::date)
  FROM unnest(%(people)s::bigint[], %(dates)s::date[]) AS d(person_id, day)
  WHERE a.child_id = d.person_id AND a.status = 'active'
  RETURNING a.id, a.region_id, a.stopped_from
),
audited AS ({
    audit_rows_sql(
        "(SELECT NULL::bigint, 'system', 'update', 'childcare.allowance', id::text, region_id, "
        "jsonb_build_object('step', 'stop', 'reason', 'death', 'stopped_from', stopped_from) FROM stopped)"
    )
})
SELECT count(*) FROM stopped"""


def deaths_apply(people: list[int], dates: list[dt.date]) -> int:
    """Stop the allowances of children who died, from the month after: one statement."""
    if not people:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_STOP_DEAD_SQL, {"people": people, "dates": dates})
        return cursor.fetchone()[0]


@transaction.atomic
def on_death(event) -> dict[str, int]:
    """Life-event handler (registered as life_events["death"]): the person's own
    allowance stops from the month after; their minor children get a discovery task."""
    stopped = deaths_apply([event.person.pk], [event.date])
    found = discover(
        [
            {
                "key": f"death:{event.date.isoformat()}",
                "parent_id": event.person.pk,
                "event": "death",
                "date": event.date,
                "evidence": {"death_date": event.date, "source": event.source, **(event.evidence or {})},
            }
        ]
    )
    return {"stopped": stopped, "tasks": found}


def on_death_many(batch) -> dict[str, int]:
    """Set-based life-event handler (Area.life_events_many["death"]): a feed
    chunk's deaths stop those children's allowances and raise discovery tasks
    for the minors of those who died, in a few statements for the whole batch."""
    rows = batch.rows
    stopped = deaths_apply([r[0] for r in rows], [r[1] for r in rows])
    found = discover(
        [
            {
                "key": f"death:{day.isoformat()}",
                "parent_id": person_id,
                "event": "death",
                "date": day,
                "evidence": {"death_date": day, "source": batch.source, "feed_record": feed_id},
            }
            for person_id, day, feed_id in rows
        ]
    )
    return {"stopped": stopped, "tasks": found}


def on_custody_many(batch) -> dict[str, int]:
    """Set-based life-event handler (Area.life_events_many["custody"]): the
    custody feed's new rows (institution, start, expected end, read from the
    core's FeedRecord in one query) raise discovery tasks for the minors."""
    from civil_affairs.models import FeedRecord

    details = dict(FeedRecord.objects.filter(pk__in=[r[2] for r in batch.rows if r[2]]).values_list("pk", "detail"))
    rows = []
    for person_id, day, feed_id in batch.rows:
        detail = details.get(feed_id) or {}
        end = detail.get("expected_end")
        rows.append(
            {
                "person_id": person_id,
                "institution": detail.get("institution", ""),
                "start": day,
                "expected_end": dt.date.fromisoformat(end) if end else None,
                "key": f"custody:{feed_id or day.isoformat()}",
            }
        )
    return {"tasks": custody_discover(rows)}


def custody_discover(rows: list[dict]) -> int:
    """Custody feed rows (person_id, institution, start, expected_end, key): a
    task for each minor child of a parent deprived of liberty for at least six
    months expected (or open-ended)."""
    events = []
    for row in rows:
        start, end = row["start"], row.get("expected_end")
        if end is not None and add_months(start, 6) > end:
            continue  # under six months: not a case (rules.DEPRIVED)
        events.append(
            {
                "key": row.get("key") or f"custody:{start.isoformat()}",
                "parent_id": row["person_id"],
                "event": "custody",
                "date": start,
                "evidence": {"institution": row.get("institution", ""), "start": start, "expected_end": end},
            }
        )
    return discover(events)


# A parent's condition with an expected end (custody, a sentence) that has passed
# while the child is still paid: the allowance may have to stop ("a parent's
# condition ending").  Not stopped automatically — a sentence may be extended or
# the parent may not return — but put in the director's queue with the evidence,
# once per allowance, parent and end date.
_CONDITION_ENDED_SQL = f"""
WITH added AS (
  INSERT INTO {_T} (child_id, parent_id, region_id, event, key, evidence, status, note, created_at)
  SELECT a.child_id, ps.parent_id, a.region_id, 'ended', 'until:' || to_char(ps.until, 'YYYY-MM-DD'),
         jsonb_build_object('code', ps.code, 'since', ps.since, 'until', ps.until, 'allowance', a.id),
         'open', '', now()
  FROM {_A} a JOIN {ParentSituation._meta.db_table} ps ON ps.case_id = a.case_id
  WHERE a.status = 'active' AND ps.until IS NOT NULL AND ps.until < %(today)s AND ps.parent_id IS NOT NULL
  ON CONFLICT (child_id, parent_id, event, key) DO NOTHING
  RETURNING id, region_id
),
audited AS ({
    audit_rows_sql(
        "(SELECT NULL::bigint, 'system', 'create', 'childcare.discoverytask', id::text, region_id, "
        "jsonb_build_object('step', 'discover', 'event', 'ended') FROM added)"
    )
})
SELECT count(*) FROM added"""


def conditions_ended(today: dt.date) -> int:
    """The nightly check: a task for each paid child whose parent's condition was
    expected to end before `today`.  Returns the tasks added (0 on a rerun)."""
    with connection.cursor() as cursor:
        cursor.execute(_CONDITION_ENDED_SQL, {"today": today})
        return cursor.fetchone()[0]
