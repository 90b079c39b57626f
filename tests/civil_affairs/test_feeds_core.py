"""Feeds in the core (issue 11 items 3 and 4) on the real PostgreSQL: the
core's death feed records Person.death_date and raises the death life event
for every area in the chunk's transaction (relief's benefits end at import
time, the sample area writes its rows), so the nightly recheck after it does
nothing twice; an area's own feed kind (the test-only sample area's
`sample_move`) is imported by the core and raises its life event once per new
row; kinds are checked against the registry."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.checks import Error
from django.core.exceptions import ValidationError

from civil_affairs import areas, feeds
from civil_affairs.areas import AreaConflict, FeedKind
from civil_affairs.checks import area_conflicts
from civil_affairs.models import AuditEvent, BatchRun, FeedRecord, HouseholdMember, Person
from tests.civil_affairs.factories import MemberFactory, valid_id_number

TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def setup(regions, settings):
    from relief.services.standards import standards_load_demo

    settings.MINZHENG_TODAY = TODAY
    standards_load_demo(actor=None, region=regions["city"])
    return regions


def _household(regions, *, size=1, number=None):
    head = MemberFactory(
        household__region=regions["jinsha_1"],
        person__id_number=number or valid_id_number(birth=dt.date(1950, 1, 1)),
    )
    for _n in range(size - 1):
        MemberFactory(
            household=head.household,
            relation=HouseholdMember.Relation.SPOUSE,
            person__id_number=valid_id_number(birth=dt.date(1952, 1, 1)),
        )
    return head.household, head.person


def _write(path, header, rows):
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_death_feed_raises_the_life_event_for_every_area_at_import(setup, tmp_path):
    from relief.models import Benefit, ReviewTask
    from relief.services import recheck
    from tests.relief.factories import benefit_for

    household, person = _household(setup)
    benefit = benefit_for(household)
    other_household, spouse_head = _household(setup, size=2)
    suspended = benefit_for(other_household)
    stranger = valid_id_number(birth=dt.date(1940, 2, 2))  # not in the registry: stored, no event
    path = _write(
        tmp_path / "death.csv",
        ["id_number", "name", "death_date"],
        [
            [person.id_number, person.name, "2026-10-20"],
            [spouse_head.id_number, spouse_head.name, "2026-10-21"],
            [stranger, "路人", "2026-10-22"],
        ],
    )

    run = feeds.feed_import_file(kind="death", path=path)

    assert run.status == BatchRun.Status.SUCCEEDED, run.message
    assert run.result["counts"] == {"added": 3, "duplicates": 0, "bad": 0, "blank": 0, "events": 2}
    assert "其中 2 人的情况已通知各业务领域处理。" in run.message
    assert Person.objects.get(pk=person.pk).death_date == dt.date(2026, 10, 20)
    # relief's set-based handler ran in the import: the only member died (stopped), the payee died (suspended)
    benefit.refresh_from_db()
    suspended.refresh_from_db()
    assert (benefit.status, benefit.last_month) == ("stopped", dt.date(2026, 10, 1))
    assert benefit.status_reason == "数据比对：死亡（2026-10-20）"
    assert suspended.status == "suspended"
    feed_row = FeedRecord.objects.get(kind="death", id_number=person.id_number)
    task = ReviewTask.objects.get(benefit=benefit)
    assert (task.kind, task.key, task.feed_record_id, task.run_id) == ("death", str(feed_row.pk), feed_row.pk, run.pk)
    change = AuditEvent.objects.get(target_type="relief.benefit", target_id=str(benefit.pk))
    assert change.changes["step"] == "feed_death" and change.changes["run"] == run.pk
    # the core's fact, audited with the feed row and the run; the sample area's own rows, one statement
    fact = AuditEvent.objects.get(target_type="civil_affairs.person", target_id=str(person.pk))
    assert fact.changes == {
        "death_date": [None, "2026-10-20"],
        "source": "feed",
        "run": run.pk,
        "feed_record": feed_row.pk,
    }
    assert AuditEvent.objects.filter(target_type="sample.case", changes__many=True).count() == 2

    # The same file again: nothing added, nobody called.
    audits, tasks = AuditEvent.objects.count(), ReviewTask.objects.count()
    again = feeds.feed_import_file(kind="death", path=path)
    assert again.result["counts"] == {"added": 0, "duplicates": 3, "bad": 0, "blank": 0}
    assert AuditEvent.objects.count() == audits + 1  # the import's own event only
    # The night's recheck after the import does the deaths no second time.
    summary = recheck.recheck_eligibility(day=TODAY)
    assert (summary["stopped"], summary["suspended"], summary["counts"]["deaths_recorded"]) == (0, 0, 0)
    assert ReviewTask.objects.filter(kind="death").count() == tasks == 2
    assert not FeedRecord.objects.filter(checked_at__isnull=True).exists()
    assert Benefit.objects.get(pk=benefit.pk).status == "stopped"


def test_an_areas_own_feed_kind_is_imported_and_raises_its_life_event(setup, tmp_path):
    _household(setup, number="32061219600304013X")
    rows = feeds.feed_kinds()["sample_move"]
    assert rows.life_event == "moved_out" and feeds.feed_sample_path(kind="sample_move").is_file()

    run = feeds.feed_import_file(kind="sample_move", path=feeds.feed_sample_path(kind="sample_move"))

    assert run.status == BatchRun.Status.SUCCEEDED, run.message
    # two rows; one person is in the registry: one moved_out event for the sample area's set-based handler
    assert run.result["counts"] == {"added": 2, "duplicates": 0, "bad": 0, "blank": 0, "events": 1}
    moved = AuditEvent.objects.get(target_type="sample.case")
    assert moved.changes["life_event"] == "moved_out" and moved.changes["source"] == "feed"
    assert moved.changes["date"] == "2026-10-08" and moved.changes["feed_record"] is not None
    assert FeedRecord.objects.get(kind="sample_move", name="示例甲").detail == {"source": "sample"}
    # the same file again raises nothing: only new rows are events
    feeds.feed_import_file(kind="sample_move", path=feeds.feed_sample_path(kind="sample_move"))
    assert AuditEvent.objects.filter(target_type="sample.case").count() == 1


def test_bad_rows_of_an_areas_kind_have_row_numbers_and_masked_reasons(setup, tmp_path):
    number = valid_id_number()
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    path = _write(
        tmp_path / "move.csv",
        ["id_number", "moved_on"],
        [[number, "2026-10-08"], [broken, "2026-10-08"], [number, "2026-13-01"], ["", ""]],
    )
    run = feeds.feed_import_file(kind="sample_move", path=path)
    assert run.result["counts"] == {"added": 1, "duplicates": 0, "bad": 2, "blank": 1}
    reasons = dict(run.row_errors.order_by("row").values_list("row", "reason"))
    assert set(reasons) == {3, 4}
    assert broken not in reasons[3] and broken[:4] in reasons[3] and "列 id_number" in reasons[3]
    assert reasons[4] == "列 moved_on：日期“2026-13-01”无效，应为 YYYY-MM-DD（例如 2026-10-08）"


def test_feed_kinds_are_checked_against_the_registry(setup):
    keys = list(feeds.feed_kinds())
    assert keys[0] == "death" and {"vehicle", "wages", "price_index", "sample_move"} <= set(keys)
    with pytest.raises(ValidationError):
        FeedRecord(kind="bogus", id_number=valid_id_number(), key="x", event_date=TODAY).full_clean()
    FeedRecord(kind="death", id_number=valid_id_number(), key="death", event_date=TODAY).full_clean()
    clash = areas.Area(
        key="clash",
        label="冲突",
        feed_kinds=(FeedKind("death", "死亡", ("id_number",), "civil_affairs.feeds.parse_death"),),
    )
    areas.register(clash)
    try:
        with pytest.raises(AreaConflict):
            feeds.feed_kinds()
        errors = area_conflicts()
        assert any(isinstance(e, Error) and "feed kind 'death'" in e.msg for e in errors)
    finally:
        areas.unregister("clash")
    assert "death" in feeds.feed_kinds()


def test_price_index_goes_to_relief_s_own_table(setup, tmp_path):
    from relief.models import PriceIndex

    path = _write(
        tmp_path / "price.csv",
        ["month", "region_code", "cpi_yoy", "food_yoy"],
        [["2026-10", setup["city"].code, "3.6", "-0.5"], ["2026-10", "329999000000", "1", "1"]],
    )
    run = feeds.feed_import_file(kind="price_index", path=path)
    assert run.result["counts"] == {"added": 1, "duplicates": 0, "bad": 1, "blank": 0}
    assert PriceIndex.objects.get().cpi_yoy == Decimal("3.60") and not FeedRecord.objects.exists()


def test_the_core_imports_no_area():
    import pathlib
    import re

    core = pathlib.Path(feeds.__file__).parent
    found = [
        f"{path.name}: {line.strip()}"
        for path in core.rglob("*.py")
        if "migrations" not in path.parts
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.match(r"\s*(from|import)\s+relief\b", line)
    ]
    assert found == []


def test_a_hukou_move_out_of_the_city_raises_moved_out_and_one_within_does_not(setup, tmp_path):
    _household_a, leaving = _household(setup)
    _household_b, staying = _household(setup)
    path = _write(
        tmp_path / "hukou.csv",
        ["id_number", "name", "moved_on", "to_region_code", "to_address"],
        [
            [leaving.id_number, leaving.name, "2026-10-10", "310115005001", "上海"],
            [staying.id_number, staying.name, "2026-10-11", "320613001001", "崇川区"],  # within the city (3206)
        ],
    )
    run = feeds.feed_import_file(kind="hukou", path=path)
    assert run.result["counts"] == {"added": 2, "duplicates": 0, "bad": 0, "blank": 0, "events": 1}
    moved = AuditEvent.objects.get(target_type="sample.case")
    assert moved.target_id == str(leaving.pk) and moved.changes["life_event"] == "moved_out"
    assert moved.changes["date"] == "2026-10-10"
    feeds.feed_import_file(kind="hukou", path=path)  # again: nothing new, no event
    assert AuditEvent.objects.filter(target_type="sample.case").count() == 1
