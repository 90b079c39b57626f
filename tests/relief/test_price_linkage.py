"""Price-linkage subsidy on the real database: the rule with numbers, the
covered groups paid once each, the nearest index row, refusal with the
figures, reruns, a killed and restarted run, two concurrent starts, approval
and bank files, the pages, the command, the beat entry and a real Celery worker."""

import csv
import datetime as dt
import io
import re
import threading
import time
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from civil_affairs import rolls
from civil_affairs.areas import Area, AreaConflict, CoveredGroup, price_linkage_groups, register, unregister
from civil_affairs.batches import BatchBusy, exclusive
from civil_affairs.models import AuditEvent, BatchRun, HouseholdMember, Person, Role
from civil_affairs.parameters import parameter_set
from civil_affairs.services import DomainError, batchrun_create
from relief import rules
from relief.models import Benefit, FeedRecord, PriceIndex, PriceSubsidy, PriceSubsidyRate, PriceSubsidyRoll
from relief.selectors import price_linkage as selectors
from relief.services import price_linkage as services
from tests.factories import MemberFactory, PersonFactory, UserFactory

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
TONGZHOU, CHONGCHUAN = "320612000000", "320613000000"
AMOUNT = Decimal("28.08")  # 780 × 3.6 %


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    "cpi, food, expected_rise, expected_amount",
    [
        ("3.6", "2.1", "3.6", "28.08"),  # CPI triggers: 780 × 3.6 % = 28.08
        ("3.5", "2.1", "3.5", "27.30"),  # exactly at the threshold
        ("2.0", "6.5", "6.5", "50.70"),  # only food: 780 × 6.5 % = 50.70
        ("3.8", "6.2", "6.2", "48.36"),  # both: the larger rise
        ("7.0", "6.2", "7.0", "54.60"),
        ("3.4", "5.9", None, None),  # neither
    ],
)
def test_rise_and_amount(cpi, food, expected_rise, expected_amount):
    rise = rules.price_linkage_rise(
        cpi=Decimal(cpi), food=Decimal(food), cpi_threshold=Decimal("3.5"), food_threshold=Decimal("6.0")
    )
    assert rise == (Decimal(expected_rise) if expected_rise else None)
    if rise is not None:
        assert rules.price_linkage_amount(standard=Decimal("780"), rise=rise) == Decimal(expected_amount)


def test_amount_rounds_half_up_to_the_fen():
    assert rules.price_linkage_amount(standard=Decimal("745"), rise=Decimal("3.7")) == Decimal("27.57")  # 27.565
    assert rules.price_linkage_amount(standard=Decimal("805"), rise=Decimal("3.9")) == Decimal("31.40")  # 31.395
    assert rules.price_linkage_amount(standard=Decimal("780"), rise=Decimal("3.6")) == AMOUNT


def test_the_3_percent_cpi_threshold_of_sep_2022_to_mar_2023(relief_standards):
    """Thresholds are dated: 3.0 % from September 2022, back to 3.5 % from April 2023."""
    city = relief_standards["city"]
    parameter_set(
        actor=None, region=city, key="price_cpi_threshold", value=Decimal("3.0"), effective_from=dt.date(2022, 9, 1)
    )
    parameter_set(
        actor=None, region=city, key="price_cpi_threshold", value=Decimal("3.5"), effective_from=dt.date(2023, 4, 1)
    )
    for month in (dt.date(2022, 8, 1), dt.date(2022, 10, 1), dt.date(2023, 3, 1), dt.date(2023, 4, 1)):
        PriceIndex.objects.create(month=month, region=city, cpi_yoy=Decimal("3.2"), food_yoy=Decimal("2.0"))
    october = services.price_linkage_evaluate(month=dt.date(2022, 10, 1))
    assert {(r.rise, r.amount) for r in october.triggered_rates} == {(Decimal("3.2"), Decimal("24.96"))}
    assert services.price_linkage_evaluate(month=dt.date(2023, 3, 1)).triggered
    with pytest.raises(DomainError, match=r"CPI 同比 3\.2%（启动条件 3\.5%）"):
        services.price_linkage_evaluate(month=dt.date(2023, 4, 1))
    with pytest.raises(DomainError, match=r"启动条件 3\.5%"):
        services.price_linkage_evaluate(month=dt.date(2022, 8, 1))
    # The page's history shows the same thresholds.
    history = {h["month"]: h for h in selectors.price_index_history()}
    assert [history[m]["triggered"] for m in sorted(history)] == [False, True, True, False]
    assert history[dt.date(2022, 10, 1)]["cpi_threshold"] == Decimal("3.00")


# ---------------------------------------------------------------- fixtures


def _index(region, month=OCT, cpi="3.6", food="2.1"):
    return PriceIndex.objects.create(month=month, region=region, cpi_yoy=Decimal(cpi), food_yoy=Decimal(food))


def _benefit(household, **fields):
    head = household.members.get(relation="head").person
    values = {
        "household": household,
        "recipient": head,
        "kind": "dibao",
        "region": household.region,
        "monthly_amount": Decimal("1380.00"),
        "start_month": dt.date(2026, 1, 1),
        "bank_account": "6228480012345678901",
    }
    values.update(fields)
    return Benefit.objects.create(**values)


def _feed(id_number, kind, month=OCT, bank=""):
    return FeedRecord.objects.create(
        kind=kind,
        id_number=id_number,
        name="",
        key=f"{kind}-{month:%Y%m}",
        event_date=month,
        detail={"bank_account": bank} if bank else {},
    )


@pytest.fixture
def covered(relief_standards, households):
    """Seven people covered in October and November 2026:
    通州区 — 王建国, 李秀英 (also a veteran), 王小明: one dibao household in 金沙社区;
             孤老张 (also unemployed): tekun in 兴仁村; 老兵钱: a veteran, no bank account;
    崇川区 — 陈志强: dibao in 文峰社区; 失业赵: unemployment insurance.
    Not covered: a member who died in September, stopped / future / marginal benefits,
    a feed row of another month, a feed row for nobody in the registry."""
    regions = relief_standards
    ours, theirs = households["ours"], households["theirs"]
    people = {m.person.name: m.person for m in HouseholdMember.objects.select_related("person")}
    people["王小明"] = MemberFactory(
        household=ours, relation=HouseholdMember.Relation.CHILD, person__name="王小明"
    ).person
    MemberFactory(
        household=ours,
        relation=HouseholdMember.Relation.PARENT,
        person__name="王老太",
        person__death_date=dt.date(2026, 9, 15),
    )
    _benefit(ours, bank_account="6228480000000000001")
    _benefit(theirs, bank_account="6228480000000000002")
    tekun = MemberFactory(household__region=regions["xingren_1"], person__name="孤老张")
    people["孤老张"] = tekun.person
    _benefit(tekun.household, kind="tekun", bank_account="6228480000000000003")
    people["失业赵"] = PersonFactory(hukou_region=regions["wenfeng_1"], name="失业赵")
    people["老兵钱"] = PersonFactory(hukou_region=regions["jinsha_1"], name="老兵钱")
    for month in (OCT, NOV):
        _feed(people["失业赵"].id_number, "unemployment", month, bank="6217000000000000004")
        _feed(people["老兵钱"].id_number, "veteran", month)
        _feed(people["李秀英"].id_number, "veteran", month, bank="6217000000000000005")
        _feed(people["孤老张"].id_number, "unemployment", month, bank="6217000000000000006")
        _feed("320612198001010016", "unemployment", month)  # nobody we know
    # not covered
    _benefit(MemberFactory(household__region=regions["jinsha_1"], person__name="停发孙").household, status="stopped")
    _benefit(
        MemberFactory(household__region=regions["jinsha_1"], person__name="未来周").household,
        start_month=dt.date(2027, 1, 1),
    )
    _benefit(MemberFactory(household__region=regions["jinsha_1"], person__name="边缘吴").household, kind="marginal")
    people["九月郑"] = PersonFactory(hukou_region=regions["jinsha_1"], name="九月郑")
    _feed(people["九月郑"].id_number, "veteran", dt.date(2026, 9, 1))
    for month in (OCT, NOV):
        _index(regions["city"], month)
    return people


PAID = {
    "王建国": "dibao",
    "李秀英": "dibao",
    "王小明": "dibao",
    "孤老张": "tekun",
    "老兵钱": "veteran",
    "陈志强": "dibao",
    "失业赵": "unemployment",
}
TOTAL = AMOUNT * 7


def _run(month=OCT, **params):
    run = batchrun_create(kind=services.KIND, params={"month": month.strftime("%Y-%m"), **params})
    return run, services.price_linkage_run(run_id=run.pk)


def _paid(month=OCT):
    return {s.person.name: s for s in PriceSubsidy.objects.filter(month=month).select_related("person", "roll")}


def _rows(month):
    return sorted(
        PriceSubsidy.objects.filter(month=month).values_list(
            "person_id", "group", "region_id", "amount", "bank_account", "roll__district_id"
        )
    )


def _roll(district=TONGZHOU, month=OCT):
    return PriceSubsidyRoll.objects.get(month=month, district_id=district)


# ---------------------------------------------------------------- the batch


def test_a_triggering_month_pays_every_covered_person_once(covered):
    run, summary = _run()
    paid = _paid()
    assert {name: s.group for name, s in paid.items()} == PAID
    assert {s.amount for s in paid.values()} == {AMOUNT}
    # Dibao members take the benefit's community and account; feed people their residence and the feed's.
    assert (paid["王小明"].region_id, paid["王小明"].bank_account) == ("320612001001", "6228480000000000001")
    assert (paid["失业赵"].region_id, paid["失业赵"].bank_account) == ("320613001001", "6217000000000000004")
    assert paid["老兵钱"].bank_account == "" and paid["孤老张"].bank_account == "6228480000000000003"
    assert {s.roll.district_id for s in paid.values()} == {TONGZHOU, CHONGCHUAN}
    assert (summary["people"], summary["total"], summary["added"], summary["rolls"]) == (7, str(TOTAL), 7, 2)
    assert {d["district"]: (d["people"], d["total"]) for d in summary["by_district"]} == {
        "通州区": (5, "140.40"),
        "崇川区": (2, "56.16"),
    }
    assert [(g["group"], g["people"], g["total"]) for g in summary["by_group"]] == [
        ("dibao", 4, "112.32"),
        ("tekun", 1, "28.08"),
        ("unemployment", 1, "28.08"),
        ("veteran", 1, "28.08"),
    ]
    run.refresh_from_db()
    assert run.status == BatchRun.Status.SUCCEEDED and run.done == run.total > 0
    assert run.result["counts"] == {"added": 7} and run.result["summary"]["people"] == 7
    assert "新增 7 人" in run.message and "196.56" in run.message
    rate = PriceSubsidyRate.objects.get(month=OCT, region_id="320612001001")
    assert (
        rate.index_region_id,
        rate.cpi_yoy,
        rate.food_yoy,
        rate.cpi_threshold,
        rate.food_threshold,
        rate.rise,
        rate.standard,
        rate.amount,
    ) == (
        "320600000000",
        Decimal("3.60"),
        Decimal("2.10"),
        Decimal("3.50"),
        Decimal("6.00"),
        Decimal("3.60"),
        Decimal("780.00"),
        AMOUNT,
    )
    event = AuditEvent.objects.get(target_type="relief.pricesubsidyroll", target_id="2026-10")
    assert event.changes["price_linkage"]["people"] == 7 and event.changes["run"] == run.pk


def test_a_group_another_area_registers_is_paid_once_in_its_priority(covered, regions, users, login):
    """The test-only sample area registers a covered group (grade-1 disability, rank 30: after dibao and tekun,
    before unemployment and veterans); relief's batch reads the registry, knowing nothing of it."""
    ranked = [g.key for g in price_linkage_groups()]  # other installed areas may add groups of their own
    assert [k for k in ranked if k in {"dibao", "tekun", "sample_grave", "unemployment", "veteran"}] == [
        "dibao",
        "tekun",
        "sample_grave",
        "unemployment",
        "veteran",
    ]
    Person.objects.filter(pk__in=[covered["王小明"].pk, covered["失业赵"].pk]).update(disability_grade=1)
    PersonFactory(hukou_region=regions["jinsha_1"], name="残疾孙", disability_grade=1)
    PersonFactory(hukou_region=regions["jinsha_1"], name="故去李", disability_grade=1, death_date=dt.date(2026, 9, 30))
    _run()
    paid = _paid()
    # 王小明 stays dibao; 失业赵 now ranks under the sample group; 残疾孙 is paid where he lives, once.
    assert {name: s.group for name, s in paid.items()} == {**PAID, "失业赵": "sample_grave", "残疾孙": "sample_grave"}
    assert (paid["残疾孙"].region_id, paid["残疾孙"].bank_account, paid["残疾孙"].amount) == (
        "320612001001",
        "",
        AMOUNT,
    )
    assert PriceSubsidy.objects.filter(month=OCT).count() == 8 and "故去李" not in paid
    # its label is the registry's, on the month page and the roll's lines
    admin = login(users[Role.BUREAU_ADMIN])
    html = admin.get("/work/relief/price-linkage/?month=2026-10").content.decode()
    assert "一级残疾人（示例）" in html
    assert re.search(r"按低保对象、特困人员、(?:[^、]+、)*一级残疾人（示例）、失业保险金领取人员", html)
    lines = admin.get(f"/work/relief/price-linkage/rolls/{_roll().pk}/?group=sample_grave")
    assert "残疾孙" in lines.content.decode() and "王小明" not in lines.content.decode()


def test_a_covered_group_key_claimed_twice_is_refused():
    twice = Area(key="twice", label="重复", covered_groups=(CoveredGroup("dibao", "低保", 99, "x.SQL"),))
    register(twice)
    try:
        with pytest.raises(AreaConflict, match="dibao"):
            price_linkage_groups()
    finally:
        unregister("twice")
    assert [g.key for g in price_linkage_groups()].count("dibao") == 1


def test_running_twice_pays_nobody_twice(covered):
    _first_run, first = _run()
    rows = _rows(OCT)
    _again_run, again = _run()
    assert again["added"] == 0
    assert {k: again[k] for k in ("people", "total", "by_district", "by_group")} == {
        k: first[k] for k in ("people", "total", "by_district", "by_group")
    }
    assert _rows(OCT) == rows and PriceSubsidyRoll.objects.filter(month=OCT).count() == 2


def test_the_nearest_index_row_and_the_regions_own_standard_decide(covered, relief_standards):
    """崇川区 publishes its own figures: 2.0 % / 1.0 % does not trigger there, while the city's 3.6 % does."""
    regions = relief_standards
    _index(regions["chongchuan"], cpi="2.0", food="1.0")
    _run()
    assert set(_paid()) == {"王建国", "李秀英", "王小明", "孤老张", "老兵钱"}
    assert not PriceSubsidyRoll.objects.filter(month=OCT, district_id=CHONGCHUAN).exists()
    # In November 崇川区's food rise triggers there, at its own higher standard: 800 × 6.5 % = 52.00.
    _index(regions["chongchuan"], month=NOV, cpi="2.0", food="6.5")
    parameter_set(
        actor=None, region=regions["chongchuan"], key="dibao_standard", value=Decimal("800"), effective_from=NOV
    )
    _run(NOV)
    assert {n: s.amount for n, s in _paid(NOV).items() if s.roll.district_id == CHONGCHUAN} == {
        "陈志强": Decimal("52.00"),
        "失业赵": Decimal("52.00"),
    }
    assert _paid(NOV)["王建国"].amount == AMOUNT


def test_a_month_that_does_not_trigger_is_refused_with_the_figures(covered, relief_standards):
    _index(relief_standards["city"], month=dt.date(2026, 12, 1), cpi="3.2", food="2.1")
    with pytest.raises(DomainError) as caught:
        services.price_linkage_evaluate(month=dt.date(2026, 12, 1))
    assert str(caught.value) == (
        "2026-12 未达到启动条件：南通市 CPI 同比 3.2%（启动条件 3.5%），"
        "食品价格同比 2.1%（启动条件 6.0%），不发放价格临时补贴。"
    )
    run = batchrun_create(kind=services.KIND, params={"month": "2026-12"})
    with pytest.raises(DomainError):
        services.price_linkage_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.FAILED and "未达到启动条件" in run.message
    assert not PriceSubsidy.objects.exists() and not PriceSubsidyRate.objects.exists()


def test_a_month_without_an_index_says_how_to_import_it(relief_standards):
    with pytest.raises(DomainError, match="import_feed price_index"):
        services.price_linkage_evaluate(month=dt.date(2027, 1, 1))


def test_chunks_and_resume_after_a_killed_worker(covered, monkeypatch):
    """Chunks of 2 person ids; the third chunk dies; the retried run resumes
    and ends with exactly the rows and money of a run that never stopped."""
    monkeypatch.setattr(services, "CHUNK_IDS", 2)
    run = batchrun_create(kind=services.KIND, params={"month": "2026-10"})
    real, calls = services._chunk, {"n": 0}

    def dying(month, lo, hi, *rest):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(month, lo, hi, *rest)

    monkeypatch.setattr(services, "_chunk", dying)
    with pytest.raises(RuntimeError):
        services.price_linkage_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.FAILED and "可重新运行" in run.message and run.done == 4
    partial = PriceSubsidy.objects.filter(month=OCT).count()
    assert partial < 7

    monkeypatch.setattr(services, "_chunk", real)
    monkeypatch.setattr(services, "CHUNK_IDS", 5)  # a changed setting does not move the resumed grid
    run.status = BatchRun.Status.PENDING
    run.save(update_fields=["status"])
    resumed = services.price_linkage_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.SUCCEEDED and run.done == run.total and run.params["chunk"] == 2
    assert run.result["counts"]["added"] == resumed["added"] == 7
    assert services.price_linkage_run(run_id=run.pk) is None  # a second delivery of the task does nothing

    _uninterrupted, fresh = _run(NOV)
    assert _rows(OCT) == _rows(NOV) and len(_rows(OCT)) == 7
    assert {k: resumed[k] for k in ("people", "total", "by_district", "by_group", "added")} == {
        k: fresh[k] for k in ("people", "total", "by_district", "by_group", "added")
    }


def test_a_resumed_run_pays_at_the_rates_of_its_first_attempt(covered, relief_standards, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_IDS", 2)
    run = batchrun_create(kind=services.KIND, params={"month": "2026-10"})
    monkeypatch.setattr(services, "_chunk", lambda month, lo, hi, *rest: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.price_linkage_run(run_id=run.pk)
    monkeypatch.undo()
    # The statistics office revises the figure after the first attempt: the month stays at 3.6 %.
    PriceIndex.objects.filter(month=OCT).update(cpi_yoy=Decimal("4.0"))
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.PENDING)
    services.price_linkage_run(run_id=run.pk)
    assert {s.amount for s in _paid().values()} == {AMOUNT}


def test_tasks_run_only_price_linkage_runs(db):
    other = batchrun_create(kind="import_person", params={"kind": "person"})
    with pytest.raises(DomainError, match="不是物价补贴联动任务"):
        services.price_linkage_run(run_id=other.pk)
    other.refresh_from_db()
    assert other.status == BatchRun.Status.PENDING  # left alone
    bad = batchrun_create(kind=services.KIND, params={"month": "2026-13"})
    with pytest.raises(DomainError, match="01 至 12"):
        services.price_linkage_run(run_id=bad.pk)
    bad.refresh_from_db()
    assert bad.status == BatchRun.Status.FAILED


# ---------------------------------------------------------------- concurrency


@pytest.mark.django_db(transaction=True)
def test_a_second_start_while_one_runs_is_refused(covered, monkeypatch):
    """Run A is inside its first chunk when run B starts the same month: B is
    refused at once, naming A, and pays nothing; A pays everybody once."""
    inside, release, errors = threading.Event(), threading.Event(), []
    real = services._chunk

    def slow(month, lo, hi, *rest):
        inside.set()
        release.wait(10)
        return real(month, lo, hi, *rest)

    monkeypatch.setattr(services, "_chunk", slow)
    first = batchrun_create(kind=services.KIND, params={"month": "2026-10"})
    second = batchrun_create(kind=services.KIND, params={"month": "2026-10"})

    def work():
        try:
            services.price_linkage_run(run_id=first.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            inside.set()
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    try:
        assert inside.wait(10)
        with pytest.raises(BatchBusy, match=f"#{first.pk}"):
            services.price_linkage_run(run_id=second.pk)
        assert not PriceSubsidy.objects.exists()
    finally:
        release.set()
        thread.join(30)
    assert not errors
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == BatchRun.Status.SUCCEEDED
    assert (
        second.status == BatchRun.Status.FAILED
        and f"#{first.pk}" in second.message
        and "没有重复发放" in second.message
    )
    assert {n: s.group for n, s in _paid().items()} == PAID


@pytest.mark.django_db(transaction=True)
def test_two_workers_starting_the_same_month_at_once(covered):
    """Two real threads released together: whichever order the lock gives,
    each person is paid once and the added rows add up."""
    runs = [batchrun_create(kind=services.KIND, params={"month": "2026-10"}) for _ in range(2)]
    barrier, results = threading.Barrier(2), {}

    def work(run):
        try:
            barrier.wait(10)
            results[run.pk] = services.price_linkage_run(run_id=run.pk)
        except BatchBusy as exc:
            results[run.pk] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(run,)) for run in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert {n: s.group for n, s in _paid().items()} == PAID
    summaries = [r for r in results.values() if isinstance(r, dict)]
    assert summaries and sum(s["added"] for s in summaries) == 7
    refused = [r for r in results.values() if isinstance(r, BatchBusy)]
    statuses = sorted(BatchRun.objects.filter(pk__in=[r.pk for r in runs]).values_list("status", flat=True))
    assert statuses == (["failed", "succeeded"] if refused else ["succeeded", "succeeded"])


def test_the_advisory_lock_is_per_month(covered):
    """A run holding November does not stop October."""
    with exclusive(services._LOCK_CLASS, 202611, label="test"):
        _run_, summary = _run(OCT)
    assert summary["people"] == 7


# ---------------------------------------------------------------- start, beat


def test_start_checks_the_role_and_the_trigger(
    covered, users, relief_standards, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("relief.tasks.price_linkage_task.delay", lambda run_id: queued.append(run_id))
    with pytest.raises(DomainError, match="权限"):
        services.price_linkage_start(user=users[Role.REVIEWER], month=OCT)
    _index(relief_standards["city"], month=dt.date(2026, 12, 1), cpi="3.2", food="2.1")
    with pytest.raises(DomainError, match="未达到启动条件"):
        services.price_linkage_start(user=users[Role.BUREAU_ADMIN], month=dt.date(2026, 12, 1))
    assert not BatchRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.price_linkage_start(user=users[Role.BUREAU_ADMIN], month=OCT)
    assert queued == [run.pk] and run.params == {"month": "2026-10"} and run.kind == services.KIND
    assert AuditEvent.objects.filter(target_type="civil_affairs.batchrun", target_id=str(run.pk)).exists()


def test_monthly_beat_runs_last_month_once(
    covered, settings, relief_standards, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("relief.tasks.price_linkage_task.delay", lambda run_id: queued.append(run_id))
    # December 2026 has no index yet: a finished run says so, no failure.
    settings.MINZHENG_TODAY = dt.date(2027, 1, 20)
    idle = services.price_linkage_monthly()
    assert idle.status == BatchRun.Status.SUCCEEDED and "尚无价格指数" in idle.message and not queued
    # November triggers: queued once; while it is pending, or once paid, nothing new.
    settings.MINZHENG_TODAY = dt.date(2026, 12, 20)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.price_linkage_monthly()
    assert queued == [run.pk] and run.params["month"] == "2026-11" and run.created_by is None
    assert services.price_linkage_monthly() is None
    services.price_linkage_run(run_id=run.pk)
    assert services.price_linkage_monthly() is None and len(queued) == 1
    # A month that does not trigger: recorded, not failed.
    _index(relief_standards["city"], month=dt.date(2027, 1, 1), cpi="1.0", food="1.0")
    settings.MINZHENG_TODAY = dt.date(2027, 2, 20)
    calm = services.price_linkage_monthly()
    assert calm.status == BatchRun.Status.SUCCEEDED and "未达到启动条件" in calm.message
    assert calm.result == {"triggered": False}


# ---------------------------------------------------------------- approval


def test_approval_by_the_districts_reviewer_only(covered, users, regions):
    _run()
    tongzhou = _roll()
    with pytest.raises(DomainError, match="权限"):
        services.subsidy_roll_approve(actor=users[Role.CASEWORKER], roll=tongzhou)
    with pytest.raises(DomainError, match="权限"):
        services.subsidy_roll_approve(actor=users[Role.AUDITOR], roll=tongzhou)
    outsider = UserFactory(role=Role.REVIEWER, region=regions["chongchuan"])
    with pytest.raises(DomainError, match="管辖"):
        services.subsidy_roll_approve(actor=outsider, roll=tongzhou)
    assert _roll().status == PriceSubsidyRoll.Status.GENERATED

    services.subsidy_roll_approve(actor=users[Role.REVIEWER], roll=tongzhou)
    tongzhou.refresh_from_db()
    assert (tongzhou.status, tongzhou.approved_by) == (PriceSubsidyRoll.Status.APPROVED, users[Role.REVIEWER])
    assert (tongzhou.approved_lines, tongzhou.approved_total) == (5, Decimal("140.40"))
    event = AuditEvent.objects.get(target_type="relief.pricesubsidyroll", target_id=str(tongzhou.pk))
    assert event.changes == {"step": "approve", "month": "2026-10", "lines": 5, "total": "140.40"}
    with pytest.raises(DomainError, match="已审核"):
        services.subsidy_roll_approve(actor=users[Role.REVIEWER], roll=tongzhou)
    services.subsidy_roll_approve(actor=users[Role.BUREAU_ADMIN], roll=_roll(CHONGCHUAN))


def test_an_empty_roll_cannot_be_approved(users, regions):
    empty = PriceSubsidyRoll.objects.create(month=OCT, district=regions["tongzhou"])
    with pytest.raises(DomainError, match="没有发放明细"):
        services.subsidy_roll_approve(actor=users[Role.REVIEWER], roll=empty)


def test_an_approved_roll_is_not_changed_by_a_rerun(covered, users, regions):
    _run()
    services.subsidy_roll_approve(actor=users[Role.REVIEWER], roll=_roll())
    frozen = sorted(_roll().subsidies.values_list("id", "amount"))
    late_tongzhou = PersonFactory(hukou_region=regions["jinsha_1"], name="晚到甲")
    late_chongchuan = PersonFactory(hukou_region=regions["wenfeng_1"], name="晚到乙")
    _feed(late_tongzhou.id_number, "veteran")
    _feed(late_chongchuan.id_number, "veteran")
    _run_, summary = _run()
    assert summary["added"] == 1  # only the roll still open takes a late person
    assert sorted(_roll().subsidies.values_list("id", "amount")) == frozen
    assert "晚到甲" not in _paid() and _paid()["晚到乙"].roll == _roll(CHONGCHUAN)


# ---------------------------------------------------------------- selectors, pages and bank files


def test_jurisdiction_of_rolls_and_lines(covered, users):
    _run()
    reviewer, caseworker, admin = users[Role.REVIEWER], users[Role.CASEWORKER], users[Role.BUREAU_ADMIN]
    assert set(rolls.roll_list_for_user(reviewer, selectors.PRICE_SUBSIDY).values_list("district_id", flat=True)) == {
        TONGZHOU
    }
    assert set(rolls.roll_list_for_user(admin, selectors.PRICE_SUBSIDY).values_list("district_id", flat=True)) == {
        TONGZHOU,
        CHONGCHUAN,
    }
    assert not rolls.roll_list_for_user(users[Role.COMMUNITY_WORKER], selectors.PRICE_SUBSIDY).exists()
    assert not rolls.roll_list_for_user(users[Role.RESIDENT], selectors.PRICE_SUBSIDY).exists()
    street = rolls.roll_lines_for_user(caseworker, selectors.PRICE_SUBSIDY, _roll())  # 金沙街道 only
    assert {s.person.name for s in street} == {"王建国", "李秀英", "王小明", "老兵钱"}
    summary = rolls.month_summary_for_user(caseworker, selectors.PRICE_SUBSIDY, OCT)
    assert (summary["lines"], summary["total"]) == (4, AMOUNT * 4)
    city = rolls.month_summary_for_user(admin, selectors.PRICE_SUBSIDY, OCT)
    assert (city["lines"], city["total"], city["rolls"], city["categories"]) == (
        7,
        TOTAL,
        2,
        ["dibao", "tekun", "unemployment", "veteran"],
    )
    assert [(d["roll"].district_id, d["lines"], [g["lines"] for g in d["cells"]]) for d in city["districts"]] == [
        (TONGZHOU, 5, [3, 1, 0, 1]),
        (CHONGCHUAN, 2, [1, 0, 1, 0]),
    ]


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_bank_file_only_after_approval_full_or_masked_id(covered, users, login, client):
    _run()
    roll = _roll()
    number = covered["王建国"].id_number
    base = f"/work/relief/price-linkage/rolls/{roll.pk}"
    reviewer = login(users[Role.REVIEWER])
    refused = reviewer.get(f"{base}/bank.csv", follow=True)
    assert refused.redirect_chain[-1][0] == f"{base}/" and "审核通过后才能下载" in refused.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    assert reviewer.get(f"{base}/bank.pdf").status_code == 404

    assert reviewer.post(f"{base}/approve/").status_code == 302
    rows = _csv(reviewer.get(f"{base}/bank.csv"))
    assert rows[0] == ["姓名", "身份证号", "银行账号", "金额（元）", "保障群体", "所在社区/村"]
    assert len(rows) == 6 and ["王建国", number, "6228480000000000001", "28.08", "低保对象", "金沙社区"] in rows
    sheet = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(reviewer.get(f"{base}/bank.xlsx").streaming_content))).active.values
    )
    assert len(sheet) == 6 and sum(Decimal(str(r[3])) for r in sheet[1:]) == Decimal("140.40")
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_type="relief.pricesubsidyroll")
    assert exports.count() == 2 and exports.first().changes["filters"]["full_id_number"] is True

    client.logout()
    masked = _csv(login(users[Role.AUDITOR]).get(f"{base}/bank.csv"))
    ids = [r[1] for r in masked[1:]]
    assert number not in ids and f"{number[:4]}**********{number[-4:]}" in ids
    client.logout()
    assert len(_csv(login(users[Role.CASEWORKER]).get(f"{base}/bank.csv"))) == 5  # 金沙街道's four


def test_index_page_for_the_bureau(covered, users, login, relief_standards, django_assert_max_num_queries):
    _run_, _summary = _run()
    _index(relief_standards["city"], month=dt.date(2026, 9, 1), cpi="3.1", food="2.0")
    client = login(users[Role.BUREAU_ADMIN])
    with django_assert_max_num_queries(14):
        page = client.get("/work/relief/price-linkage/")
    html = page.content.decode()
    assert page.status_code == 200 and page.context["month"] == OCT
    assert "通州区" in html and "崇川区" in html and "¥196.56" in html and "¥28.08" in html
    assert 'data-testid="linkage-run-form"' in html and "index-chart" in html and "subsidy-chart" in html
    assert page.context["index_chart"]["labels"] == ["2026-09", "2026-10", "2026-11"]
    assert page.context["index_chart"]["datasets"][0]["data"] == ["3.10", "3.60", "3.60"]
    assert page.context["index_chart"]["datasets"][2]["data"] == ["3.50", "3.50", "3.50"]
    assert page.context["chart"]["labels"] == ["通州区", "崇川区"]
    assert page.context["chart"]["datasets"][0] == {"label": "低保对象", "data": ["84.24", "28.08"]}
    assert page.context["runs"] and 'data-testid="linkage-runs"' in html
    september = client.get("/work/relief/price-linkage/?month=2026-09").content.decode()
    assert "未达到启动条件" in september and "尚未发放物价补贴" in september
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get("/work/relief/price-linkage/?month=2026-10&export=xlsx").streaming_content))
    )
    sheet = list(workbook.active.values)
    assert sheet[0] == ("区县", "保障群体", "人数", "金额（元）", "花名册状态")
    assert sheet[-1][:4] == ("合计", None, 7, 196.56) or sheet[-1][:4] == ("合计", "", 7, 196.56)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_type="relief.pricesubsidyroll").exists()


def test_run_form_refuses_a_calm_month_with_the_figures(covered, users, login, relief_standards):
    _index(relief_standards["city"], month=dt.date(2026, 12, 1), cpi="3.2", food="2.1")
    client = login(users[Role.BUREAU_ADMIN])
    page = client.post("/work/relief/price-linkage/", {"month": "2026-12"}, follow=True)
    html = page.content.decode()
    assert "未达到启动条件：南通市 CPI 同比 3.2%（启动条件 3.5%）" in html
    assert page.context["month"] == dt.date(2026, 12, 1) and not BatchRun.objects.exists()
    bad = client.post("/work/relief/price-linkage/", {"month": "2026-13"}, follow=True)
    assert "01 至 12" in bad.content.decode()


def test_run_form_queues_a_run_with_progress(covered, users, login, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("relief.tasks.price_linkage_task.delay", lambda run_id: queued.append(run_id))
    client = login(users[Role.BUREAU_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/work/relief/price-linkage/", {"month": "2026-10"})
    run = BatchRun.objects.get(kind=services.KIND)
    assert queued == [run.pk] and run.created_by == users[Role.BUREAU_ADMIN]
    assert response["Location"] == f"/work/relief/price-linkage/?month=2026-10&run={run.pk}"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="batch-progress"' in page and f"/work/batches/{run.pk}/" in page
    # Without ?run= the page still shows the month's run while it is under way.
    assert 'data-testid="batch-progress"' in client.get("/work/relief/price-linkage/?month=2026-10").content.decode()


def test_index_page_for_a_reviewer_and_a_caseworker(covered, users, login, client, django_assert_max_num_queries):
    _run()
    reviewer = login(users[Role.REVIEWER])
    with django_assert_max_num_queries(14):
        html = reviewer.get("/work/relief/price-linkage/").content.decode()
    assert "通州区" in html and "¥140.40" in html and "¥196.56" not in html
    assert 'data-testid="linkage-run-form"' not in html
    assert reviewer.post("/work/relief/price-linkage/", {"month": "2026-10"}).status_code == 403
    client.logout()
    caseworker = login(users[Role.CASEWORKER])
    page = caseworker.get("/work/relief/price-linkage/")
    assert page.status_code == 200 and page.context["summary"]["lines"] == 4


@pytest.mark.parametrize("role", [Role.COMMUNITY_WORKER, Role.INSTITUTION_STAFF, Role.CHARITY_STAFF, Role.RESIDENT])
def test_pages_refuse_roles_without_payroll_view(covered, users, login, role):
    _run()
    client = login(users[role])
    roll = _roll()
    for url in (
        "/work/relief/price-linkage/",
        f"/work/relief/price-linkage/rolls/{roll.pk}/",
        f"/work/relief/price-linkage/rolls/{roll.pk}/bank.csv",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/work/relief/price-linkage/rolls/{roll.pk}/approve/").status_code == 403


def test_roll_detail_page(covered, users, login, regions, django_assert_max_num_queries):
    _run()
    roll = _roll()
    number = covered["王建国"].id_number
    client = login(users[Role.REVIEWER])
    with django_assert_max_num_queries(9):  # 8 + the header's unread-message count
        page = client.get(f"/work/relief/price-linkage/rolls/{roll.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "¥140.40" in html and page.context["lines"] == 5
    assert number not in html and f"{number[:4]}**********{number[-4:]}" in html
    assert 'data-testid="approve-roll"' in html and "bank.csv" not in html
    tekun = client.get(f"/work/relief/price-linkage/rolls/{roll.pk}/?group=tekun&sort=-amount")
    assert [s.person.name for s in tekun.context["page"].items] == ["孤老张"]
    assert client.get(f"/work/relief/price-linkage/rolls/{_roll(CHONGCHUAN).pk}/").status_code == 404
    outsider = UserFactory(role=Role.REVIEWER, region=regions["chongchuan"])
    assert login(outsider).post(f"/work/relief/price-linkage/rolls/{roll.pk}/approve/").status_code == 404
    client = login(users[Role.REVIEWER])
    client.post(f"/work/relief/price-linkage/rolls/{roll.pk}/approve/")
    html = client.get(f"/work/relief/price-linkage/rolls/{roll.pk}/").content.decode()
    assert 'data-testid="approve-roll"' not in html and "bank.csv" in html and "已审核" in html


def test_roll_detail_pages_through_many_lines(covered, users, login, regions, django_assert_max_num_queries):
    for _ in range(120):
        _feed(PersonFactory(hukou_region=regions["jinsha_1"]).id_number, "veteran")
    _run()
    client = login(users[Role.CASEWORKER])
    url = f"/work/relief/price-linkage/rolls/{_roll().pk}/"
    with django_assert_max_num_queries(8):
        first = client.get(url)
    assert len(first.context["page"].items) == 100 and first.context["lines"] == 124
    assert 'data-testid="approve-roll"' not in first.content.decode()  # caseworkers do not approve
    second = client.get(f"{url}?sort=region&after={first.context['page'].next_cursor}")
    assert len({s.pk for s in first.context["page"].items} | {s.pk for s in second.context["page"].items}) == 124


# ---------------------------------------------------------------- the command


def test_command_pays_and_prints_progress_and_totals(covered, capsys):
    call_command("run_price_linkage", "--month", "2026-10")
    out = capsys.readouterr().out
    assert "南通市 CPI 同比 3.6%（启动条件 3.5%）" in out and "进度 100%" in out
    assert "本次新增 7 人，共 7 人，合计 196.56 元" in out
    assert "低保标准 780.00 元 × 涨幅 3.60% = 每人 28.08 元" in out
    assert "通州区\t5\t140.40" in out and "低保对象\t4\t112.32" in out
    call_command("run_price_linkage", "--month", "2026-10")
    assert "本次新增 0 人，共 7 人，合计 196.56 元" in capsys.readouterr().out
    assert BatchRun.objects.filter(kind=services.KIND, status=BatchRun.Status.SUCCEEDED).count() == 2


def test_command_refuses_bad_input_and_calm_months(covered, relief_standards):
    with pytest.raises(CommandError, match="01 至 12"):
        call_command("run_price_linkage", "--month", "2026-13")
    _index(relief_standards["city"], month=dt.date(2026, 12, 1), cpi="3.2", food="2.1")
    with pytest.raises(CommandError, match=r"未达到启动条件：南通市 CPI 同比 3\.2%"):
        call_command("run_price_linkage", "--month", "2026-12")
    with pytest.raises(CommandError, match="尚无价格指数"):
        call_command("run_price_linkage", "--month", "2027-03")
    assert not BatchRun.objects.exists()


# ---------------------------------------------------------------- a real worker


@pytest.mark.django_db(transaction=True)
def test_price_linkage_through_a_real_celery_worker(covered, users, celery_worker_process):
    run = services.price_linkage_start(user=users[Role.BUREAU_ADMIN], month=OCT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.3)
    assert run.status == BatchRun.Status.SUCCEEDED, run.message
    assert run.done == run.total > 0 and "196.56" in run.message
    assert {n: s.group for n, s in _paid().items()} == PAID
    assert PriceSubsidyRoll.objects.filter(month=OCT).count() == 2


# ---------------------------------------------------------------- issue 10: approval waits for the month's run


def test_no_approval_while_the_months_run_is_unfinished(covered, users, login):
    _run()
    running = batchrun_create(kind=services.KIND, params={"month": "2026-10"})
    BatchRun.objects.filter(pk=running.pk).update(
        status=BatchRun.Status.RUNNING, done=3, total=8, started_at=timezone.now()
    )
    with pytest.raises(DomainError, match=rf"#{running.pk} 尚未完成（运行中，已处理 3/8）"):
        services.subsidy_roll_approve(actor=users[Role.REVIEWER], roll=_roll())
    html = login(users[Role.REVIEWER]).get(f"/work/relief/price-linkage/rolls/{_roll().pk}/").content.decode()
    assert 'data-testid="approve-roll-disabled"' in html and f"#{running.pk} 尚未完成" in html
    BatchRun.objects.filter(pk=running.pk).update(status=BatchRun.Status.FAILED)
    with pytest.raises(DomainError, match=rf"#{running.pk} 尚未完成（失败"):
        services.subsidy_roll_approve(actor=users[Role.REVIEWER], roll=_roll())
    assert _roll().status == PriceSubsidyRoll.Status.GENERATED


def test_a_run_after_approval_reports_the_people_it_could_not_add(covered, users, regions, login):
    _run()
    services.subsidy_roll_approve(actor=users[Role.REVIEWER], roll=_roll())
    late = MemberFactory(household__region=regions["jinsha_1"], person__name="迟到钱")
    _benefit(late.household)
    _benefit(MemberFactory(household__region=regions["wenfeng_1"], person__name="迟到孙").household)
    run, summary = _run()
    run.refresh_from_db()
    assert (summary["added"], summary["blocked"]) == (1, 1)  # 崇川区's open roll takes its newcomer
    assert run.status == BatchRun.Status.SUCCEEDED and run.result["counts"] == {"added": 1, "blocked": 1}
    assert "另有 1 人应发未发" in run.message and run.error_count == 1
    number = late.person.id_number
    assert list(run.row_errors.values_list("reason", flat=True)) == [
        f"人员 #{late.person.pk}（{number[:4]}**********{number[-4:]}）：所在区县花名册已审核，未能加入本月发放，请补发或撤销审核"
    ]
    assert not PriceSubsidy.objects.filter(person=late.person).exists()
    assert _roll().subsidies.count() == 5 and _roll().approved_lines == 5
