"""Life events (DESIGN.md "How a policy area plugs in"): a death, a move out
of the city, a custody change.  The core records the fact it keeps about the
person and, in the same transaction, calls every registered area's handler
for that kind once, each handler writing its own audit rows.

Two entry points, one set of handlers:

- `life_event_record(actor=, event=LifeEvent)`: one event (a caseworker
  records a death on the person page).  Each area's `life_events[kind]`
  handler gets the LifeEvent; an area that registered only the set-based
  `life_events_many[kind]` handler gets a one-row LifeEventBatch.
- `life_events_record_many(kind=, rows=, source=, actor=None, run_id=None)`:
  many events at once (a feed chunk, the nightly recheck), set-based.  `rows`
  are (person id, date, feed record id or None).  Each area's
  `life_events_many[kind]` handler is called ONCE with a LifeEventBatch of
  the events that are new; an area with only `life_events[kind]` is called
  once per event (a loop: fine for a handful, slow for a big feed).

Idempotent: for a death, only the people whose death date the registry did
not hold yet are new events (one UPDATE … WHERE death_date IS NULL), so a
death recorded twice, by a caseworker or a feed, reaches each area once and a
rerun calls nobody.  For kinds whose fact the core keeps no field of (custody,
moved_out) every distinct row given is an event: feeds pass only the rows their
INSERT … ON CONFLICT DO NOTHING newly added, so a file imported twice raises
its events once.

A handler's error (DomainError or any other) undoes the fact and every other
handler's work: all of it is one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from . import areas, clock
from .models import Person
from .services import DomainError, audit_rows_sql, person_update

SOURCES = ("feed", "caseworker")
# Kinds areas may handle.  "death" is a fact the core keeps (Person.death_date);
# the others are passed on as they come (their feed rows make them once).
KINDS = ("death", "moved_out", "custody")

EventRow = tuple[int, dt.date, "int | None"]  # (person id, date, feed record id or None)


@dataclasses.dataclass(frozen=True)
class LifeEvent:
    kind: str  # "death" (recorded here); "moved_out", "custody" when the core keeps their fact
    person: Person
    date: dt.date
    source: str = "caseworker"  # "feed" or "caseworker"
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)
    actor: Any = None  # who recorded it (None: the system); set by life_event_record


@dataclasses.dataclass(frozen=True)
class LifeEventBatch:
    """Events of one kind for set-based handlers (`Area.life_events_many`).

    `rows` are (person id, date, feed record id or None), ordered by person
    id: only events that are new (see the module's doc).  A death has one row
    per person; other kinds one per event (a person with two new custody rows
    has two).
    `actor` is who recorded them (None: the system, e.g. a feed), `run_id`
    the BatchRun that raised them, if any (for the handler's audit rows).
    A handler does set-based work, typically joining `batch.table(cursor)` —
    a temporary table (person_id, event_date, feed_record_id) of the rows —
    and writes its own audit rows (civil_affairs.services.audit_rows /
    audit_rows_sql), inside the caller's transaction."""

    kind: str
    source: str  # "feed" or "caseworker"
    rows: list[EventRow]
    actor: Any = None
    run_id: int | None = None

    TABLE = "life_event_rows"

    @property
    def person_ids(self) -> list[int]:
        return [r[0] for r in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def table(self, cursor) -> str:
        """The rows as a temporary table `life_event_rows` (person_id bigint,
        event_date date, feed_record_id bigint; indexed by person), dropped at
        commit; made again on each call, so handlers called in turn each get it
        fresh."""
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.TABLE}")
        cursor.execute(
            f"CREATE TEMP TABLE {self.TABLE} (person_id bigint NOT NULL, event_date date NOT NULL,"
            " feed_record_id bigint) ON COMMIT DROP"
        )
        cursor.execute(f"CREATE INDEX ON {self.TABLE} (person_id)")
        if self.rows:
            cursor.execute(
                f"INSERT INTO {self.TABLE} SELECT * FROM unnest(%s::bigint[], %s::date[], %s::bigint[])",
                [list(c) for c in zip(*self.rows)],
            )
        cursor.execute(f"ANALYZE {self.TABLE}")
        return self.TABLE

    def events(self) -> list[LifeEvent]:
        """The batch as single events (for areas with only a single-event handler): one query for the people."""
        people = Person.objects.in_bulk(self.person_ids)
        return [
            LifeEvent(
                kind=self.kind,
                person=people[pid],
                date=day,
                source=self.source,
                evidence={"feed_record": feed_id, "run": self.run_id} if feed_id else {"run": self.run_id},
                actor=self.actor,
            )
            for pid, day, feed_id in self.rows
            if pid in people
        ]


def handlers_for(kind: str) -> list[tuple[str, Any]]:
    """(area key, single-event handler) of every registered area that handles
    `kind` one event at a time (life_events[kind]), in menu order."""
    return [
        (area.key, areas.resolve(area.life_events[kind])) for area in areas.registered() if kind in area.life_events
    ]


def _call_single(event: LifeEvent) -> dict[str, Any]:
    """Every area's handler for one event: its single-event handler, else its set-based one with a one-row batch."""
    results = {}
    for area in areas.registered():
        if event.kind in area.life_events:
            results[area.key] = areas.resolve(area.life_events[event.kind])(event)
        elif event.kind in area.life_events_many:
            batch = LifeEventBatch(
                kind=event.kind,
                source=event.source,
                rows=[(event.person.pk, event.date, event.evidence.get("feed_record"))],
                actor=event.actor,
                run_id=event.evidence.get("run"),
            )
            results[area.key] = areas.resolve(area.life_events_many[event.kind])(batch)
    return results


def _call_many(batch: LifeEventBatch) -> dict[str, Any]:
    """Every area's handler for a batch: its set-based handler once, else its single-event handler per event."""
    results: dict[str, Any] = {}
    events = None
    for area in areas.registered():
        if batch.kind in area.life_events_many:
            results[area.key] = areas.resolve(area.life_events_many[batch.kind])(batch)
        elif batch.kind in area.life_events:
            handler = areas.resolve(area.life_events[batch.kind])
            events = batch.events() if events is None else events
            results[area.key] = [handler(event) for event in events]
    return results


def _death_recorded(actor, event: LifeEvent) -> bool:
    """Person.death_date := event.date; False when it already is (nothing to do)."""
    person = Person.objects.select_for_update().get(pk=event.person.pk)
    if person.death_date == event.date:
        return False
    if person.death_date is not None:
        raise DomainError(_("已登记死亡日期 %(d)s，如需更正请联系管理员。") % {"d": person.death_date.isoformat()})
    if event.date > clock.today():
        raise DomainError(_("死亡日期不能晚于今天。"))
    if event.date < person.birth_date:
        raise DomainError(_("死亡日期不能早于出生日期。"))
    person_update(actor=actor, person=person, death_date=event.date)
    return True


# kind → how the core records its fact (returns False when already recorded)
_FACTS = {"death": _death_recorded}


@transaction.atomic
def life_event_record(*, actor, event: LifeEvent) -> dict[str, Any] | None:
    """Record the fact and call each area's handler once, all in one transaction
    (a handler's DomainError undoes the fact).  Returns {area key: what its
    handler returned}, or None when the fact was already recorded."""
    if event.kind not in _FACTS:
        raise ValueError(f"the core records no fact for life event {event.kind!r}")
    if event.source not in SOURCES:
        raise ValueError(f"unknown life-event source {event.source!r}")
    if not _FACTS[event.kind](actor, event):
        return None
    event = dataclasses.replace(event, actor=actor)
    return _call_single(event)


@dataclasses.dataclass(frozen=True)
class LifeEventsRecorded:
    """What life_events_record_many did: the new events (the batch every
    handler got) and {area key: what its handler returned}."""

    batch: LifeEventBatch
    results: dict[str, Any]

    @property
    def count(self) -> int:
        return len(self.batch.rows)


# Set-based death facts: the registry learns each death it did not hold
# (a date not before the birth nor after today), audited like a person update.
_DEATHS_SQL = f"""
WITH r AS (
    SELECT DISTINCT ON (u.person_id) u.person_id, u.event_date, u.feed_id
    FROM unnest(%(people)s::bigint[], %(dates)s::date[], %(feeds)s::bigint[]) AS u(person_id, event_date, feed_id)
    ORDER BY u.person_id, u.event_date, u.feed_id
), changed AS (
    UPDATE {Person._meta.db_table} p SET death_date = r.event_date, updated_at = now()
    FROM r
    WHERE p.id = r.person_id AND p.death_date IS NULL AND r.event_date >= p.birth_date AND r.event_date <= %(today)s
    RETURNING p.id, p.residence_region_id, p.death_date, r.feed_id
), audit_rows AS (
    SELECT %(actor_id)s, %(actor_label)s, 'update', 'civil_affairs.person', c.id::text, c.residence_region_id,
           jsonb_build_object('death_date', jsonb_build_array(NULL, c.death_date), 'source', %(source)s,
                              'run', %(run)s::bigint)
           || CASE WHEN c.feed_id IS NULL THEN '{{}}'::jsonb ELSE jsonb_build_object('feed_record', c.feed_id) END
    FROM changed c
), audit AS ({audit_rows_sql("audit_rows")})
SELECT c.id, c.death_date, c.feed_id FROM changed c ORDER BY c.id"""


def _deaths_recorded(rows: Sequence[EventRow], *, source: str, actor, run_id) -> list[EventRow]:
    if not rows:
        return []
    actor = actor if getattr(actor, "is_authenticated", False) else None
    with connection.cursor() as cursor:
        cursor.execute(
            _DEATHS_SQL,
            {
                "people": [r[0] for r in rows],
                "dates": [r[1] for r in rows],
                "feeds": [r[2] for r in rows],
                "today": clock.today(),
                "source": source,
                "run": run_id,
                "actor_id": actor.pk if actor else None,
                "actor_label": actor.get_username() if actor else "system",
            },
        )
        return [tuple(r) for r in cursor.fetchall()]


@transaction.atomic
def life_events_record_many(
    *, kind: str, rows: Iterable[EventRow], source: str, actor=None, run_id: int | None = None
) -> LifeEventsRecorded:
    """Record many events of one kind and call every area's handler, all in
    the caller's transaction (see the module's doc).  `rows` are (person id,
    date, feed record id or None).  For a death the fact is recorded
    set-based for the people without one and only those are events; for
    other kinds each distinct row given is an event.
    No new event: no handler is called (results {})."""
    if kind not in KINDS:
        raise ValueError(f"unknown life event {kind!r}")
    if source not in SOURCES:
        raise ValueError(f"unknown life-event source {source!r}")
    rows = list(rows)
    if kind == "death":
        new = _deaths_recorded(rows, source=source, actor=actor, run_id=run_id)
    else:
        new = sorted({tuple(r) for r in rows}, key=lambda r: (r[0], r[1], r[2] or 0))
    batch = LifeEventBatch(kind=kind, source=source, rows=new, actor=actor, run_id=run_id)
    return LifeEventsRecorded(batch=batch, results=_call_many(batch) if new else {})
