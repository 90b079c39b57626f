"""Set-based life events (issue 11 item 4) on the real PostgreSQL:
life_events_record_many records the deaths the registry did not hold in one
statement and calls every area's handler in the same transaction — the
set-based handler once per batch (the test-only sample area's), the
single-event handler once per event (a throw-away probe area) — and a rerun
calls nobody.  Kinds the core keeps no fact of pass every row given."""

import datetime as dt

import pytest

from civil_affairs import areas
from civil_affairs.life_events import LifeEvent, LifeEventBatch, life_event_record, life_events_record_many
from civil_affairs.models import AuditEvent, Person, Role
from civil_affairs.services import DomainError
from tests.civil_affairs.factories import MemberFactory, valid_id_number

TODAY = dt.date(2026, 11, 2)
NOV = dt.date(2026, 11, 1)


@pytest.fixture
def setup(regions, settings):
    settings.MINZHENG_TODAY = TODAY
    return regions


@pytest.fixture
def probes():
    """Two throw-away areas: one with a single-event handler, one set-based; both record their calls."""
    single, many = [], []

    def on_one(event):
        single.append((event.kind, event.person.pk, event.date, event.source, event.evidence.get("feed_record")))
        return "one"

    def on_many(batch):
        if any(feed == -1 for _p, _d, feed in batch.rows):
            raise DomainError("probe refuses")
        many.append((batch.kind, batch.source, list(batch.rows), batch.actor, batch.run_id))
        return len(batch)

    areas.register(areas.Area(key="probe1", label="单条", order=998, life_events={"death": on_one, "custody": on_one}))
    areas.register(
        areas.Area(key="probe2", label="批量", order=999, life_events_many={"death": on_many, "moved_out": on_many})
    )
    yield single, many
    areas.unregister("probe1")
    areas.unregister("probe2")


def _person(regions, birth=dt.date(1950, 1, 1)):
    return MemberFactory(household__region=regions["jinsha_1"], person__id_number=valid_id_number(birth=birth)).person


def test_deaths_are_recorded_set_based_and_every_area_hears_each_once(setup, probes, django_assert_max_num_queries):
    single, many = probes
    a, b, already = (_person(setup) for _n in range(3))
    Person.objects.filter(pk=already.pk).update(death_date=dt.date(2026, 9, 1))
    rows = [(b.pk, dt.date(2026, 10, 2), 12), (a.pk, dt.date(2026, 10, 1), 11), (already.pk, NOV, 13)]

    first = life_events_record_many(kind="death", rows=rows, source="feed", run_id=None)

    # Only the two deaths the registry did not hold are events, in person order.
    assert first.count == 2
    assert first.batch.rows == sorted([(a.pk, dt.date(2026, 10, 1), 11), (b.pk, dt.date(2026, 10, 2), 12)])
    assert {p.pk: p.death_date for p in Person.objects.filter(pk__in=[a.pk, b.pk, already.pk])} == {
        a.pk: dt.date(2026, 10, 1),
        b.pk: dt.date(2026, 10, 2),
        already.pk: dt.date(2026, 9, 1),
    }
    # The set-based areas: one call each with the whole batch; the single-event area: once per event.
    assert many == [("death", "feed", first.batch.rows, None, None)]
    assert first.results["probe2"] == 2 and first.results["probe1"] == ["one", "one"]
    assert sorted(single) == sorted(
        [("death", a.pk, dt.date(2026, 10, 1), "feed", 11), ("death", b.pk, dt.date(2026, 10, 2), "feed", 12)]
    )
    # The sample area (tests/sample_area) wrote its own audit rows in one statement.
    sample = AuditEvent.objects.filter(target_type="sample.case").order_by("target_id")
    assert [(e.target_id, e.changes["source"], e.changes["many"]) for e in sample] == sorted(
        [(str(a.pk), "feed", True), (str(b.pk), "feed", True)]
    )
    assert first.results["sample"] == {"closed": 2}
    # The core's fact, audited per person as the system, with the feed row.
    fact = AuditEvent.objects.get(target_type="civil_affairs.person", target_id=str(a.pk))
    assert fact.actor is None and fact.actor_label == "system"
    assert fact.changes == {"death_date": [None, "2026-10-01"], "source": "feed", "run": None, "feed_record": 11}

    # Again: nothing new, nobody is called, nothing written.
    audits = AuditEvent.objects.count()
    with django_assert_max_num_queries(3):
        again = life_events_record_many(kind="death", rows=rows, source="feed")
    assert again.count == 0 and again.results == {}
    assert len(many) == 1 and len(single) == 2 and AuditEvent.objects.count() == audits


def test_impossible_death_dates_are_not_recorded(setup, probes):
    _single, many = probes
    person = _person(setup, birth=dt.date(1950, 1, 1))
    result = life_events_record_many(
        kind="death",
        rows=[(person.pk, dt.date(1949, 12, 31), None), (person.pk, dt.date(2026, 11, 3), None)],
        source="feed",
    )
    person.refresh_from_db()
    assert result.count == 0 and person.death_date is None and many == []


def test_the_earliest_date_of_a_person_counts_once(setup, probes):
    _single, many = probes
    person = _person(setup)
    result = life_events_record_many(
        kind="death", rows=[(person.pk, NOV, 2), (person.pk, dt.date(2026, 10, 30), 1)], source="feed"
    )
    assert result.batch.rows == [(person.pk, dt.date(2026, 10, 30), 1)]
    assert many[0][2] == [(person.pk, dt.date(2026, 10, 30), 1)]


def test_a_handler_that_refuses_undoes_every_fact_and_every_other_handler(setup, probes):
    a, b = _person(setup), _person(setup)
    with pytest.raises(DomainError):
        life_events_record_many(kind="death", rows=[(a.pk, NOV, 5), (b.pk, NOV, -1)], source="feed")
    assert not Person.objects.filter(pk__in=[a.pk, b.pk], death_date__isnull=False).exists()
    assert not AuditEvent.objects.filter(target_type__in=["sample.case", "civil_affairs.person"]).exists()


def test_kinds_without_a_core_fact_pass_each_given_row(setup, probes):
    single, many = probes
    a, b = _person(setup), _person(setup)
    moved = life_events_record_many(
        kind="moved_out", rows=[(a.pk, NOV, 7), (b.pk, dt.date(2026, 10, 3), 8)], source="feed", run_id=None
    )
    assert moved.count == 2 and many[0][0] == "moved_out" and len(many[0][2]) == 2
    assert single == []  # probe1 does not handle moves
    # two custody rows of one person are two events (each feed row once)
    custody = life_events_record_many(kind="custody", rows=[(a.pk, NOV, 10), (a.pk, NOV, 9)], source="feed")
    assert custody.batch.rows == [(a.pk, NOV, 9), (a.pk, NOV, 10)]
    assert custody.results["probe1"] == ["one", "one"]
    assert single == [("custody", a.pk, NOV, "feed", 9), ("custody", a.pk, NOV, "feed", 10)]
    assert "probe2" not in custody.results
    assert AuditEvent.objects.filter(target_type="sample.case", changes__life_event="custody").count() == 2
    with pytest.raises(ValueError):
        life_events_record_many(kind="wedding", rows=[(a.pk, NOV, None)], source="feed")


def test_one_recorded_death_reaches_a_set_based_area_as_a_batch_of_one(setup, users, probes):
    single, many = probes
    person = _person(setup)
    worker = users[Role.CASEWORKER]
    results = life_event_record(actor=worker, event=LifeEvent(kind="death", person=person, date=NOV))
    assert results["probe1"] == "one" and results["probe2"] == 1
    assert many == [("death", "caseworker", [(person.pk, NOV, None)], worker, None)]
    assert single == [("death", person.pk, NOV, "caseworker", None)]
    # the sample area registers both: its single-event handler takes the single event
    assert AuditEvent.objects.get(target_type="sample.case").changes == {
        "life_event": "death",
        "date": "2026-11-01",
        "source": "caseworker",
    }


def test_a_batch_gives_its_rows_as_a_table(setup, db):
    from django.db import connection, transaction

    a, b = _person(setup), _person(setup)
    batch = LifeEventBatch(kind="death", source="feed", rows=[(a.pk, NOV, None), (b.pk, NOV, 3)])
    with transaction.atomic(), connection.cursor() as cursor:
        table = batch.table(cursor)
        cursor.execute(f"SELECT person_id, event_date, feed_record_id FROM {table} ORDER BY person_id")
        assert [tuple(r) for r in cursor.fetchall()] == [(a.pk, NOV, None), (b.pk, NOV, 3)]
    assert batch.person_ids == [a.pk, b.pk] and len(batch) == 2
