"""Life events (DESIGN.md "How a policy area plugs in"): a death, a move out
of the city, a custody change.  The core records the fact it keeps about the
person and, in the same transaction, calls every registered area's handler
for that kind once (`Area.life_events[kind]`, resolved through the area
registry); each handler writes its own audit rows.

Idempotent: an event whose fact the registry already holds (the person's
death date is that date) changes nothing and calls no handler, so a death
recorded twice, by a caseworker or a feed, reaches each area once.

Only the facts the core keeps are recorded here: a death (Person.death_date).
A move out of the city and custody have no core field yet; they come in with
the hukou and custody feeds' move to the core.

The nightly feed path stays set-based in the area that matches feeds against
its cases (its batch records the feed's death dates and ends its benefits in
a few statements per chunk); this module is the single-person path."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from . import areas, clock
from .models import Person
from .services import DomainError, person_update

SOURCES = ("feed", "caseworker")


@dataclasses.dataclass(frozen=True)
class LifeEvent:
    kind: str  # "death" (recorded here); "moved_out", "custody" when the core keeps their fact
    person: Person
    date: dt.date
    source: str = "caseworker"  # "feed" or "caseworker"
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)
    actor: Any = None  # who recorded it (None: the system); set by life_event_record


def handlers_for(kind: str) -> list[tuple[str, Any]]:
    """(area key, handler) of every registered area that handles `kind`, in menu order."""
    return [
        (area.key, areas.resolve(area.life_events[kind])) for area in areas.registered() if kind in area.life_events
    ]


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
    return {key: handler(event) for key, handler in handlers_for(event.kind)}
