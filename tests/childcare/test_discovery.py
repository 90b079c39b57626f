"""Life events and proactive discovery: a parent's death or custody puts a task
in the child director's queue, once; a child's death stops the allowance."""

import datetime as dt

import pytest

from childcare import discovery, selectors
from childcare.feeds import parse_custody
from childcare.models import Allowance, DiscoveryTask
from civil_affairs.areas import FeedRowError
from civil_affairs.life_events import LifeEvent, LifeEventBatch, life_event_record, life_events_record_many
from civil_affairs.models import AuditEvent, FeedRecord, HouseholdMember, Role
from tests.childcare.factories import approved, family, id_for, submitted
from tests.civil_affairs.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _parents_and_child(region):
    father = MemberFactory(household__region=region, person__id_number=id_for(dt.date(1985, 1, 1)), person__name="赵父")
    MemberFactory(
        household=father.household,
        relation=HouseholdMember.Relation.SPOUSE,
        person__id_number=id_for(dt.date(1986, 1, 1)),
        person__name="钱母",
    )
    child = MemberFactory(
        household=father.household,
        relation=HouseholdMember.Relation.CHILD,
        person__id_number=id_for(dt.date(2014, 1, 1)),
        person__name="赵小",
    )
    adult = MemberFactory(
        household=father.household,
        relation=HouseholdMember.Relation.CHILD,
        person__id_number=id_for(dt.date(2004, 1, 1)),
        person__name="赵大",
    )
    return father.person, child.person, adult.person


def test_parent_death_puts_a_task_in_the_directors_queue_once(cc):
    father, child, _adult = _parents_and_child(cc["regions"]["jinsha_1"])
    event = LifeEvent(kind="death", person=father, date=dt.date(2026, 10, 20), source="feed")
    life_event_record(actor=None, event=event)
    task = DiscoveryTask.objects.get()
    assert task.child == child and task.parent == father and task.event == "death"  # the adult child is left out
    assert task.evidence["death_date"] == "2026-10-20"
    assert list(selectors.discovery_tasks_for_user(cc[Role.COMMUNITY_WORKER])) == [task]
    assert not selectors.discovery_tasks_for_user(cc["other_director"]).exists()
    assert AuditEvent.objects.filter(target_type="childcare.discoverytask", target_id=str(task.pk)).exists()
    # the night rerun: nothing new
    batch = LifeEventBatch(kind="death", source="feed", rows=[(father.pk, dt.date(2026, 10, 20), None)])
    assert discovery.on_death_many(batch) == {"stopped": 0, "tasks": 0}
    assert DiscoveryTask.objects.count() == 1
    # and through the core: the death already recorded is no new event
    assert (
        life_events_record_many(kind="death", rows=[(father.pk, dt.date(2026, 10, 20), None)], source="feed").results
        == {}
    )


def test_custody_feed_rows(cc):
    father, child, _adult = _parents_and_child(cc["regions"]["jinsha_1"])
    rows = [
        {
            "person_id": father.pk,
            "institution": "南通监狱",
            "start": dt.date(2026, 9, 1),
            "expected_end": dt.date(2027, 9, 1),
            "key": "custody:1",
        },
    ]
    assert discovery.custody_discover(rows) == 1
    assert discovery.custody_discover(rows) == 0  # rerun
    short = [{**rows[0], "expected_end": dt.date(2027, 2, 28), "key": "custody:2"}]
    assert discovery.custody_discover(short) == 0  # under six months: no case
    task = DiscoveryTask.objects.get()
    assert task.event == "custody" and task.evidence["institution"] == "南通监狱" and task.child == child


def test_child_death_stops_the_allowance_from_next_month(cc):
    guardian, child = family(cc["regions"]["jinsha_1"])
    approved(submitted(cc[Role.CASEWORKER], child, guardian=guardian), cc[Role.CASEWORKER], cc[Role.REVIEWER])
    life_event_record(actor=None, event=LifeEvent(kind="death", person=child, date=dt.date(2026, 11, 1)))
    allowance = Allowance.objects.get(child=child)
    assert allowance.status == "stopped" and allowance.stop_reason == "death"
    # granted from December; death in November: never paid
    assert allowance.last_month == dt.date(2026, 11, 1) and allowance.stopped_from == dt.date(2026, 12, 1)
    assert AuditEvent.objects.filter(target_type="childcare.allowance", changes__reason="death").exists()


def test_custody_feed_row_through_the_core_life_event(cc, today):
    father, child, _adult = _parents_and_child(cc["regions"]["jinsha_1"])
    row = parse_custody(
        {
            "id_number": father.id_number,
            "name": "赵父",
            "institution": "南通监狱",
            "start_date": "2026-09-01",
            "expected_end": "2028/8/31",
        }
    )
    assert row.event_date == dt.date(2026, 9, 1) and row.detail["expected_end"] == "2028-08-31"
    record = FeedRecord.objects.create(
        kind="custody", id_number=row.id_number, key=row.key, event_date=row.event_date, detail=row.detail
    )
    done = life_events_record_many(kind="custody", rows=[(father.pk, row.event_date, record.pk)], source="feed")
    assert done.results["childcare"] == {"tasks": 1}
    task = DiscoveryTask.objects.get()
    assert task.child == child and task.evidence["institution"] == "南通监狱"


def test_custody_feed_bad_rows_are_refused_in_chinese(today):
    with pytest.raises(FeedRowError) as exc:
        parse_custody({"id_number": "320612198501010136", "institution": "", "start_date": "2026-13-01"})
    message = str(exc.value)
    assert "列 institution：不能为空" in message and "列 start_date：日期“2026-13-01”无效" in message


def test_the_sample_file_parses(today):
    import csv
    from pathlib import Path

    with Path("docs/feeds/custody.csv").open(encoding="utf-8-sig") as handle:
        rows = [parse_custody(r) for r in csv.DictReader(handle)]
    assert len(rows) == 2 and all(r.detail["institution"] for r in rows)


def test_a_parents_condition_past_its_expected_end_puts_a_task_once(cc):
    guardian, child = family(cc["regions"]["jinsha_1"])
    mother = MemberFactory(household__region=cc["regions"]["jinsha_1"], person__name="孙母").person
    parents = [
        {"which": "father", "code": "dead", "since": dt.date(2024, 5, 1), "evidence": "死亡证明"},
        {
            "which": "mother",
            "parent": mother,
            "code": "deprived",
            "since": dt.date(2025, 3, 1),
            "until": dt.date(2027, 6, 30),
            "evidence": "判决书",
        },
    ]
    approved(
        submitted(cc[Role.CASEWORKER], child, guardian=guardian, parents=parents, category="unsupported"),
        cc[Role.CASEWORKER],
        cc[Role.REVIEWER],
    )
    assert discovery.conditions_ended(dt.date(2027, 6, 30)) == 0  # the expected end day itself: not yet
    assert discovery.conditions_ended(dt.date(2027, 7, 1)) == 1
    assert discovery.conditions_ended(dt.date(2027, 7, 2)) == 0  # the next night: nothing new
    task = DiscoveryTask.objects.get()
    assert (task.child, task.parent, task.event) == (child, mother, "ended")
    assert task.evidence["until"] == "2027-06-30" and task.evidence["code"] == "deprived"
    assert list(selectors.discovery_tasks_for_user(cc[Role.COMMUNITY_WORKER])) == [task]
    # a stopped allowance raises nothing
    DiscoveryTask.objects.all().delete()
    Allowance.objects.filter(child=child).update(status="stopped")
    assert discovery.conditions_ended(dt.date(2027, 7, 1)) == 0


def test_custody_expected_end_may_be_ahead_but_not_before_the_start(today):
    number = id_for(dt.date(1985, 1, 1))
    row = parse_custody(
        {"id_number": number, "institution": "南通监狱", "start_date": "2026-09-01", "expected_end": ""}
    )
    assert row.detail["expected_end"] is None  # open-ended
    with pytest.raises(FeedRowError, match="列 expected_end：日期 2026-08-31 早于 2026-09-01"):
        parse_custody(
            {"id_number": number, "institution": "南通监狱", "start_date": "2026-09-01", "expected_end": "2026-08-31"}
        )
    with pytest.raises(FeedRowError, match="列 start_date：日期 2030-01-01 晚于今天"):
        parse_custody({"id_number": number, "institution": "南通监狱", "start_date": "2030-01-01"})
