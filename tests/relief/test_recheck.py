"""The nightly eligibility recheck on the real PostgreSQL: feed hits against
live benefits (deaths stop or suspend, assets and moves make review tasks,
wages recompute the per-capita income as rules.py does), rechecks falling
due, new standards becoming next month's amounts; idempotent reruns,
resumption after a killed worker, the advisory lock, the command, the beat
task and the caseworkers' task pages."""

import calendar
import datetime as dt
import io
from decimal import Decimal
from fractions import Fraction

import openpyxl
import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from civil_affairs.batches import BatchBusy
from civil_affairs.facts import Member, Record
from civil_affairs.models import AuditEvent, BatchRun, HouseholdMember, Person, Role
from civil_affairs.money import exact_decimal, money
from civil_affairs.parameters import parameter_set
from civil_affairs.services import DomainError
from relief import rules
from relief.models import Application, Benefit, FeedRecord, Payment, PayrollRoll, ReviewTask
from relief.selectors.standards import standards_in_force
from relief.services import payroll, recheck
from relief.services.benefits import benefit_recheck_start
from tests.factories import IncomeFactory, MemberFactory, valid_id_number
from tests.relief.factories import TODAY
from tests.relief.factories import benefit_for as _benefit

NOV, DEC, JAN = dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)
Kind = ReviewTask.Kind


# ---------------------------------------------------------------- helpers


def _household(regions, region="jinsha_1", *, size=1, birth=dt.date(1980, 1, 1)):
    head = MemberFactory(household__region=regions[region], person__id_number=valid_id_number(birth=birth))
    household = head.household
    for _n in range(size - 1):
        MemberFactory(
            household=household,
            relation=HouseholdMember.Relation.CHILD,
            person__id_number=valid_id_number(birth=dt.date(1990, 1, 1)),
        )
    return household


def _people(household):
    return [m.person for m in household.members.select_related("person").order_by("id")]


def _feed(kind, person, *, key=None, event_date=NOV, amount=None, **detail):
    return FeedRecord.objects.create(
        kind=kind,
        id_number=person.id_number,
        name=person.name,
        key=key or f"{kind}-{person.pk}-{event_date}",
        event_date=event_date,
        amount=amount,
        detail=detail,
    )


def _month(person, year, month, amount, employer="南通纺织厂"):
    return _feed(
        "wages",
        person,
        key=f"{year}-{month:02d}|{employer}",
        event_date=dt.date(year, month, 1),
        amount=Decimal(amount),
        employer=employer,
    )


def _tasks(**filters):
    return list(ReviewTask.objects.filter(**filters).order_by("id"))


def _run(day=TODAY, **kwargs):
    return recheck.recheck_eligibility(day=day, **kwargs)


@pytest.fixture
def setup(relief_standards, today):
    return relief_standards


# ---------------------------------------------------------------- deaths


def test_death_of_the_only_member_stops_from_next_month_and_makes_a_task(setup):
    household = _household(setup)
    benefit = _benefit(household)
    person = _people(household)[0]
    payroll.payroll_generate(month=NOV)
    payroll.payroll_generate(month=DEC)  # generated ahead, not approved
    feed = _feed("death", person, key="death", event_date=dt.date(2026, 11, 1))

    summary = _run()

    benefit.refresh_from_db()
    person.refresh_from_db()
    assert (benefit.status, benefit.last_month, benefit.status_reason) == (
        "stopped",
        NOV,
        "数据比对：死亡（2026-11-01）",
    )
    assert person.death_date == dt.date(2026, 11, 1)
    # November (the month of death) stays paid; December's unapproved line is withdrawn.
    assert list(Payment.objects.filter(benefit=benefit).values_list("month", flat=True)) == [NOV]
    assert payroll.payroll_generate(month=DEC).added == 0
    task = ReviewTask.objects.get(benefit=benefit)
    assert (task.kind, task.key, task.feed_record, task.person, task.region_id, task.due, task.status) == (
        "death",
        str(feed.pk),
        feed,
        person,
        household.region_id,
        dt.date(2026, 11, 12),
        "open",
    )
    assert task.evidence["action"] == "stopped" and task.evidence["death_date"] == "2026-11-01"
    assert task.evidence["is_recipient"] is True and task.evidence["payments_removed"] == 1
    assert task.evidence["last_month"] == "2026-11-01"
    assert (summary["stopped"], summary["suspended"], summary["tasks"]["death"]) == (1, 0, 1)
    event = AuditEvent.objects.get(target_type="relief.benefit", target_id=str(benefit.pk))
    assert event.actor is None and event.actor_label == "system" and event.action == "update"
    assert event.changes["status"] == ["active", "stopped"] and event.changes["step"] == "feed_death"
    assert event.changes["payments_removed"] == [{"month": "2026-12-01", "amount": "780.00"}]
    assert AuditEvent.objects.filter(target_type="civil_affairs.person", target_id=str(person.pk)).exists()
    assert FeedRecord.objects.get(pk=feed.pk).checked_at is not None


def test_recipients_death_with_others_alive_suspends_and_a_members_death_continues(setup):
    first, second = _household(setup, size=3), _household(setup, size=2)
    suspended, continued = _benefit(first), _benefit(second)
    head = _people(first)[0]
    child = _people(second)[1]
    _feed("death", head, event_date=dt.date(2026, 10, 20))
    _feed("death", child, event_date=dt.date(2026, 10, 21))

    summary = _run()

    suspended.refresh_from_db()
    continued.refresh_from_db()
    assert suspended.status == "suspended" and suspended.last_month is None
    assert suspended.status_reason == "数据比对：领取人死亡（2026-10-20），需变更领取人"
    assert continued.status == "active" and continued.status_reason == ""
    actions = {t.benefit_id: t.evidence["action"] for t in _tasks(kind=Kind.DEATH)}
    assert actions == {suspended.pk: "suspended", continued.pk: "unchanged"}
    assert (summary["stopped"], summary["suspended"], summary["tasks"]["death"]) == (0, 1, 2)


def test_an_extremely_poor_persons_death_stops_even_with_others_in_the_household(setup):
    household = _household(setup, size=2, birth=dt.date(1940, 1, 1))
    benefit = _benefit(household, kind="tekun", care_level="partial", monthly_amount=Decimal("1614.00"))
    _feed("death", benefit.recipient, event_date=dt.date(2026, 10, 5))
    _run()
    benefit.refresh_from_db()
    assert (benefit.status, benefit.last_month) == ("stopped", dt.date(2026, 10, 1))


def test_withdrawn_lines_only_from_rolls_nobody_approved(setup, users):
    ours, theirs = _household(setup, "jinsha_1"), _household(setup, "wenfeng_1")
    in_tongzhou, in_chongchuan = _benefit(ours), _benefit(theirs)
    payroll.payroll_generate(month=DEC)
    chongchuan = PayrollRoll.objects.get(month=DEC, district_id="320613000000")
    payroll.payroll_approve(actor=users[Role.BUREAU_ADMIN], roll=chongchuan)
    for household in (ours, theirs):
        _feed("death", _people(household)[0], event_date=dt.date(2026, 11, 1))

    _run()

    assert not Payment.objects.filter(benefit=in_tongzhou, month=DEC).exists()
    assert Payment.objects.filter(benefit=in_chongchuan, month=DEC, roll=chongchuan).exists()  # approved: untouched
    assert set(Benefit.objects.values_list("status", flat=True)) == {"stopped"}


# ---------------------------------------------------------------- assets and moves


def test_vehicle_property_business_and_moves_make_tasks_with_evidence(setup):
    household = _household(setup, size=3)
    benefit = _benefit(household)
    head, spouse, child = _people(household)
    disabled = _household(setup)
    Person.objects.filter(pk=_people(disabled)[0].pk).update(disability_grade=2)
    other = _benefit(disabled)
    outsider = MemberFactory(household__region=setup["jinsha_1"]).person  # on no benefit

    car = _feed("vehicle", head, key="苏F12345", amount=Decimal("80000"), plate="苏F12345", vehicle_type="car")
    home = _feed(
        "property",
        spouse,
        key="苏(2026)通州区不动产权第0001号",
        certificate="苏(2026)通州区不动产权第0001号",
        address="金沙镇幸福路8号",
        area="96.5",
    )
    firm = _feed(
        "business",
        child,
        key="91320612MA1XXXXXX1",
        amount=Decimal("60000"),
        company="通州小商店",
        credit_code="91320612MA1XXXXXX1",
    )
    away = _feed(
        "hukou",
        child,
        key="2026-10-01",
        event_date=dt.date(2026, 10, 1),
        to_region_code="110101001001",
        to_address="北京市东城区",
    )
    _feed("hukou", spouse, key="2026-10-02", event_date=dt.date(2026, 10, 2), to_region_code="320613001001")
    _feed("vehicle", _people(disabled)[0], key="苏F00001", plate="苏F00001", vehicle_type="mobility")
    _feed("vehicle", outsider, key="苏F99999", plate="苏F99999", vehicle_type="car")

    summary = _run()

    tasks = {t.kind: t for t in _tasks()}
    assert set(tasks) == {Kind.VEHICLE, Kind.PROPERTY, Kind.BUSINESS, Kind.MOVED_OUT}
    assert all(t.benefit_id == benefit.pk for t in tasks.values())  # not the mobility vehicle, not the outsider
    assert not ReviewTask.objects.filter(benefit=other).exists()
    vehicle = tasks[Kind.VEHICLE]
    assert (vehicle.person, vehicle.feed_record, vehicle.key) == (head, car, str(car.pk))
    assert vehicle.evidence["plate"] == "苏F12345" and vehicle.evidence["vehicle_type"] == "car"
    assert vehicle.evidence["amount"] == "80000.00"
    assert tasks[Kind.PROPERTY].evidence["address"] == "金沙镇幸福路8号" and tasks[Kind.PROPERTY].feed_record == home
    business = tasks[Kind.BUSINESS].evidence
    assert (business["capital"], business["capital_limit"], business["over_limit"]) == ("60000.00", "50000.00", True)
    assert tasks[Kind.BUSINESS].feed_record == firm
    moved = tasks[Kind.MOVED_OUT]
    assert (moved.feed_record, moved.person, moved.evidence["to_region_code"]) == (away, child, "110101001001")
    assert summary["tasks"] == {
        "death": 0,
        "vehicle": 1,
        "property": 1,
        "business": 1,
        "income": 0,
        "moved_out": 1,
        "recheck_due": 0,
    }
    assert summary["counts"]["feed_rows"] == 7 and summary["counts"]["feed_hits"] == 6
    assert not FeedRecord.objects.filter(checked_at__isnull=True).exists()


def test_business_within_the_capital_limit_is_still_a_task_but_says_so(setup):
    household = _household(setup)
    _benefit(household)
    _feed("business", _people(household)[0], amount=Decimal("50000"), company="小卖部")
    _run()
    assert ReviewTask.objects.get(kind=Kind.BUSINESS).evidence["over_limit"] is False


# ---------------------------------------------------------------- wages

MONTHS = [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]


def _worked_example(regions):
    """3 members: the head's feed wages (2 600 a month, a second employer in
    June) replace his declared 14 400; the spouse's declared wages half
    overlap the window; the child's transfer counts, the veteran allowance
    does not.  Returns the household, its benefit and the rules.py working."""
    household = _household(regions, size=3)
    benefit = _benefit(household)
    head, spouse, child = _people(household)
    IncomeFactory(
        household=household,
        person=head,
        kind="wages",
        amount=Decimal("14400"),
        period_start=dt.date(2025, 11, 2),
        period_end=dt.date(2026, 11, 1),
    )
    IncomeFactory(
        household=household,
        person=spouse,
        kind="wages",
        amount=Decimal("6000"),
        period_start=dt.date(2025, 5, 1),
        period_end=dt.date(2026, 4, 30),
    )
    IncomeFactory(
        household=household,
        person=child,
        kind="transfer",
        amount=Decimal("1200"),
        period_start=dt.date(2025, 11, 2),
        period_end=dt.date(2026, 11, 1),
    )
    IncomeFactory(
        household=household,
        person=child,
        kind="veteran_allowance",
        amount=Decimal("5000"),
        period_start=dt.date(2025, 11, 2),
        period_end=dt.date(2026, 11, 1),
    )
    for year, month in MONTHS:
        _month(head, year, month, "2600")
    _month(head, 2026, 6, "450.50", employer="夜班兼职")
    _month(head, 2024, 6, "9999")  # outside the window

    def record(person, kind, amount, start, end):
        return Record(person_id=person.pk, kind=kind, amount=Decimal(amount), period_start=start, period_end=end)

    feed = [
        record(
            head,
            "wages",
            r.amount,
            r.event_date,
            r.event_date.replace(day=calendar.monthrange(r.event_date.year, r.event_date.month)[1]),
        )
        for r in FeedRecord.objects.filter(kind="wages", id_number=head.id_number)
    ]
    declared = [
        record(spouse, "wages", "6000", dt.date(2025, 5, 1), dt.date(2026, 4, 30)),
        record(child, "transfer", "1200", dt.date(2025, 11, 2), dt.date(2026, 11, 1)),
        record(child, "veteran_allowance", "5000", dt.date(2025, 11, 2), dt.date(2026, 11, 1)),
    ]
    working = rules.per_capita_income(
        members=3, incomes=feed + declared, on=TODAY, standards=standards_in_force(household.region_id, TODAY)
    )
    return household, benefit, working


def test_wages_above_the_standard_propose_gradual_exit_with_the_rules_per_capita(setup):
    household, benefit, working = _worked_example(setup)
    assert working.per_capita == Decimal("800.51")  # 34 522.74 wages + 1 200 − 20 % of wages, ÷ 12 ÷ 3

    summary = _run()

    task = ReviewTask.objects.get(benefit=benefit)
    head = _people(household)[0]
    assert (task.kind, task.key, task.person, task.due) == ("income", "2026-11-12", head, dt.date(2026, 11, 12))
    evidence = task.evidence
    assert evidence["per_capita"] == str(working.per_capita) == "800.51"
    assert (evidence["standard"], evidence["members"], evidence["proposal"]) == ("780.00", 3, "gradual_exit")
    assert evidence["window"] == ["2025-11-02", "2026-11-01"]
    assert evidence["wages"] == "34522.74" and evidence["other_income"] == "1200.00"
    assert evidence["employment_cost"] == str(money(working.employment_cost))
    assert evidence["monthly_total"] == str(money(working.monthly_total))
    # The head's declared wages were replaced by the feed, the spouse's kept.
    by_person = {(row["name"], row["source"]): row["wages"] for row in evidence["wages_by_person"]}
    assert by_person == {(head.name, "feed"): "31563.83", (_people(household)[1].name, "record"): "2958.90"}
    assert summary["tasks"]["income"] == 1
    benefit.refresh_from_db()
    assert (benefit.status, benefit.monthly_amount) == ("active", Decimal("780.00"))  # the caseworker decides


def test_sql_per_capita_agrees_with_rules_below_the_standard_too(setup, monkeypatch):
    """Lower the wages below the standard: no task; and with the standard
    lowered under the same figure the task shows rules.py's per-capita."""
    household = _household(setup, size=2)
    benefit = _benefit(household)
    head, child = _people(household)
    for year, month in MONTHS:
        _month(head, year, month, "1500")
    IncomeFactory(
        household=household,
        person=child,
        kind="business",
        amount=Decimal("2000"),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    records = [
        Record(head.pk, "wages", Decimal("1500"), dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1]))
        for y, m in MONTHS
    ]
    records.append(Record(child.pk, "business", Decimal("2000"), dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    working = rules.per_capita_income(
        members=2, incomes=records, on=TODAY, standards=standards_in_force(household.region_id, TODAY)
    )
    assert working.per_capita < Decimal("780")
    _run()
    assert not ReviewTask.objects.filter(kind=Kind.INCOME).exists()

    # The same figures against a standard just below them: a task, with the same per-capita.
    FeedRecord.objects.update(checked_at=None)
    parameter_set(
        actor=None,
        region=setup["jinsha_1"],
        key="dibao_standard",
        value=working.per_capita - Decimal("0.01"),
        effective_from=dt.date(2026, 10, 1),
    )
    _run()
    task = ReviewTask.objects.get(kind=Kind.INCOME, benefit=benefit)
    assert task.evidence["per_capita"] == str(working.per_capita)


def test_a_dead_member_does_not_count_among_the_members(setup):
    household = _household(setup, size=2)
    _benefit(household)
    head, child = _people(household)
    Person.objects.filter(pk=child.pk).update(death_date=dt.date(2026, 5, 1))
    for year, month in MONTHS:
        _month(head, year, month, "1200")
    _run()
    # (29/30 × 1 200 + 11 × 1 200) × 0.8 ÷ 12 for the one living member (478.67 for two)
    assert ReviewTask.objects.get(kind=Kind.INCOME).evidence["per_capita"] == "957.33"


# ---------------------------------------------------------------- rechecks falling due


def test_rechecks_due_within_30_days_and_missing_dates_filled(setup, staff):
    due = _benefit(_household(setup), next_recheck=dt.date(2026, 11, 20))
    later = _benefit(_household(setup), next_recheck=dt.date(2027, 1, 10))
    other = _benefit(_household(setup), next_recheck=None, start_month=dt.date(2026, 6, 1))  # 6 months: 2026-12-01
    stable = _benefit(_household(setup), next_recheck=None, start_month=dt.date(2026, 6, 1), stable=True)
    opened = _benefit(_household(setup), next_recheck=dt.date(2026, 11, 10))
    benefit_recheck_start(actor=staff["caseworker"], benefit=opened)  # a recheck is already under way
    gone = _benefit(_household(setup), next_recheck=dt.date(2026, 11, 10), status="stopped")

    summary = _run()

    for b in (other, stable):
        b.refresh_from_db()
    assert (other.next_recheck, stable.next_recheck) == (dt.date(2026, 12, 1), dt.date(2027, 6, 1))
    tasks = {t.benefit_id: t for t in _tasks(kind=Kind.RECHECK_DUE)}
    assert set(tasks) == {due.pk, other.pk}
    assert (tasks[due.pk].key, tasks[due.pk].due, tasks[due.pk].person_id) == (
        "2026-11-20",
        dt.date(2026, 11, 20),
        due.recipient_id,
    )
    assert tasks[other.pk].key == "2026-12-01"
    assert later.pk not in tasks and opened.pk not in tasks and gone.pk not in tasks
    assert (summary["recheck_due"], summary["counts"]["next_recheck_filled"]) == (2, 2)


# ---------------------------------------------------------------- a new standard


def _dibao_members(n_aged=1, n=3):
    return [
        Member(person_id=i, name=f"成员{i}", birth_date=dt.date(1940 if i < n_aged else 1985, 1, 1)) for i in range(n)
    ]


def test_new_standard_next_month_becomes_the_pending_amount_paid_from_that_month(setup):
    region = setup["jinsha_1"]
    now = standards_in_force(region.code, TODAY)
    assets = rules.AssetTest(passed=True, financial_per_capita=Decimal("0"), financial_limit=Decimal("0"))
    granted = rules.dibao(
        members=_dibao_members(), per_capita=Decimal("400.00"), assets=assets, on=TODAY, standards=now
    )
    assert granted.amount == Decimal("1296.00")  # (780 − 400) × 3 + 20 % × 780 for the one aged 70+
    dibao = _benefit(
        _household(setup, size=3),
        monthly_amount=granted.amount,
        basis_standard=Decimal("780.00"),
        basis_per_capita=Decimal("400.00"),
        basis_extras=1,
        members=3,
    )
    floored = _benefit(
        _household(setup, size=2),
        monthly_amount=Decimal("78.00"),
        basis_standard=Decimal("810.00"),
        basis_per_capita=Decimal("800.00"),
        basis_extras=0,
        members=2,
    )
    tekun = _benefit(
        _household(setup, birth=dt.date(1940, 1, 1)),
        kind="tekun",
        care_level="partial",
        monthly_amount=Decimal("1614.00"),
        basis_standard=Decimal("780.00"),
        basis_per_capita=Decimal("0.00"),
    )
    roster = _benefit(_household(setup), monthly_amount=Decimal("500.00"))  # imported without a basis: left alone
    parameter_set(actor=None, region=setup["city"], key="dibao_standard", value=Decimal("820"), effective_from=DEC)
    later = standards_in_force(region.code, DEC)
    expected_dibao = rules.dibao(
        members=_dibao_members(), per_capita=Decimal("400.00"), assets=assets, on=DEC, standards=later
    )
    expected_floor = rules.dibao(
        members=_dibao_members(0, 2), per_capita=Decimal("800.00"), assets=assets, on=DEC, standards=later
    )
    expected_tekun = rules.tekun(
        person=Member(person_id=1, name="特困", birth_date=dt.date(1940, 1, 1), labour_capacity="none"),
        own_monthly_income=Decimal("0"),
        has_capable_supporter=False,
        care_level="partial",
        on=DEC,
        standards=later,
    )
    assert (expected_dibao.amount, expected_floor.amount, expected_tekun.amount) == (
        Decimal("1424.00"),
        Decimal("82.00"),
        Decimal("1666.00"),
    )
    assert expected_floor.floored

    summary = _run()

    for b in (dibao, floored, tekun, roster):
        b.refresh_from_db()
    assert (dibao.pending_amount, dibao.pending_from, dibao.basis_standard, dibao.monthly_amount) == (
        expected_dibao.amount,
        DEC,
        Decimal("820.00"),
        Decimal("1296.00"),
    )
    assert (floored.pending_amount, floored.pending_from) == (expected_floor.amount, DEC)
    assert (tekun.pending_amount, tekun.pending_from) == (expected_tekun.amount, DEC)
    assert (roster.pending_amount, roster.basis_standard) == (None, None)
    assert summary["pending_set"] == 3
    event = AuditEvent.objects.filter(target_type="relief.benefit", target_id=str(dibao.pk)).get()
    assert event.changes["step"] == "standard_changed"
    assert event.changes["pending_amount"] == [None, "1424.00"] and event.changes["basis_standard"] == [
        "780.00",
        "820.00",
    ]

    # This month's payroll pays the amount in force, next month's the new one.
    payroll.payroll_generate(month=NOV)
    payroll.payroll_generate(month=DEC)
    paid = dict(Payment.objects.filter(benefit=dibao).values_list("month", "amount"))
    assert paid == {NOV: Decimal("1296.00"), DEC: Decimal("1424.00")}
    assert Payment.objects.get(benefit=tekun, month=DEC).amount == Decimal("1666.00")

    # In December the recheck folds the new amount in.
    _run(day=dt.date(2026, 12, 2))
    dibao.refresh_from_db()
    assert (dibao.monthly_amount, dibao.pending_amount, dibao.pending_from) == (Decimal("1424.00"), None, None)
    assert payroll.payroll_generate(month=JAN).lines == 4
    assert Payment.objects.get(benefit=dibao, month=JAN).amount == Decimal("1424.00")


def test_a_care_standard_change_reaches_the_extremely_poor(setup):
    tekun = _benefit(
        _household(setup, birth=dt.date(1940, 1, 1)),
        kind="tekun",
        care_level="full",
        monthly_amount=Decimal("2214.00"),
        basis_standard=Decimal("780.00"),
    )
    parameter_set(actor=None, region=setup["city"], key="care_full", value=Decimal("1300"), effective_from=DEC)
    _run()
    tekun.refresh_from_db()
    assert (tekun.pending_amount, tekun.pending_from) == (Decimal("2314.00"), DEC)
    assert _run()["counts"]["pending_set"] == 0


def test_a_granted_benefit_carries_its_basis_and_follows_a_new_standard(family, staff, settings):
    """benefit_grant keeps what the amount was worked out from; a confirmed
    recheck replaces a waiting amount, and the next night works it out again."""
    from relief.services import applications as svc
    from tests.relief.factories import investigated, submitted, visited

    def confirm(app, on):
        svc.application_propose(actor=staff["caseworker"], application=app)
        svc.application_notice_publish(actor=staff["caseworker"], application=app)
        settings.MINZHENG_TODAY = on
        return svc.application_confirm(actor=staff["reviewer"], application=app)

    app = confirm(investigated(submitted(family, staff), staff), dt.date(2026, 11, 9))
    benefit = Benefit.objects.get(application=app)
    assert (benefit.monthly_amount, benefit.basis_standard, benefit.basis_per_capita, benefit.basis_extras) == (
        Decimal("1380.00"),
        Decimal("780.00"),
        Decimal("320.00"),
        0,
    )
    parameter_set(
        actor=None,
        region=family.region.parent.parent.parent,
        key="dibao_standard",
        value=Decimal("820"),
        effective_from=DEC,
    )
    _run(day=dt.date(2026, 11, 9))
    benefit.refresh_from_db()
    assert (benefit.pending_amount, benefit.pending_from) == (Decimal("1500.00"), DEC)  # (820 − 320) × 3

    settings.MINZHENG_TODAY = dt.date(2026, 11, 10)
    again = benefit_recheck_start(actor=staff["caseworker"], benefit=benefit)
    visited(again, staff, on=dt.date(2026, 11, 10), findings="情况未变")
    confirm(again, dt.date(2026, 11, 18))
    benefit.refresh_from_db()
    again.refresh_from_db()
    assert (benefit.monthly_amount, benefit.pending_amount, benefit.basis_standard) == (
        again.proposed_amount,
        None,
        Decimal("780.00"),
    )
    # the household's exact monthly income (to the column's 30 places) beside the rounded per-capita figure
    monthly = Fraction(again.working["income"]["monthly_total_exact"])
    assert benefit.basis_monthly_income == exact_decimal(monthly)
    assert benefit.basis_per_capita == money(monthly / 3)
    _run(day=dt.date(2026, 11, 18))
    benefit.refresh_from_db()
    assert (benefit.pending_amount, benefit.pending_from, benefit.basis_standard) == (
        money(Fraction(820) * 3 - monthly),
        DEC,
        Decimal("820.00"),
    )


# ---------------------------------------------------------------- idempotent, resumable, exclusive


def _scenario(regions):
    """One of everything, for reruns and restarts; returns the benefit ids in order."""
    dead = _benefit(_household(regions))
    _feed("death", dead.recipient, key="death", event_date=dt.date(2026, 10, 30))
    widow = _benefit(_household(regions, size=2))
    _feed("death", widow.recipient, key="death", event_date=dt.date(2026, 10, 29))
    car = _benefit(_household(regions, "wenfeng_1"))
    _feed("vehicle", car.recipient, key="苏F11111", plate="苏F11111", vehicle_type="car")
    _feed("hukou", car.recipient, key="2026-10-03", to_region_code="310101001001")
    earner = _benefit(_household(regions))
    for year, month in MONTHS:
        _month(earner.recipient, year, month, "2000")
    due = _benefit(_household(regions), next_recheck=dt.date(2026, 11, 25))
    rebased = _benefit(
        _household(regions),
        basis_standard=Decimal("760.00"),
        basis_per_capita=Decimal("300.00"),
        monthly_amount=Decimal("460.00"),
        members=1,
    )
    _feed("unemployment", car.recipient, key="2026-10", event_date=dt.date(2026, 10, 1))
    payroll.payroll_generate(month=DEC)
    return [dead.pk, widow.pk, car.pk, earner.pk, due.pk, rebased.pk]


def _fingerprint(ids):
    """What the recheck did to a scenario's benefits, independent of ids and names."""
    rank = {pk: i for i, pk in enumerate(ids)}

    def evidence(e):
        e = {k: v for k, v in e.items() if k != "person"}
        if "wages_by_person" in e:
            e["wages_by_person"] = [(row["source"], row["wages"]) for row in e["wages_by_person"]]
        return str(sorted(e.items()))

    tasks = sorted(
        (
            t.kind,
            rank[t.benefit_id],
            t.key if t.kind in (Kind.RECHECK_DUE, Kind.INCOME) else "feed",
            evidence(t.evidence),
        )
        for t in ReviewTask.objects.filter(benefit_id__in=ids)
    )
    benefits = sorted(
        (rank[b[0]], *b[1:])
        for b in Benefit.objects.filter(pk__in=ids).values_list(
            "id",
            "status",
            "status_reason",
            "last_month",
            "monthly_amount",
            "pending_amount",
            "pending_from",
            "basis_standard",
            "next_recheck",
        )
    )
    payments = sorted(
        (rank[p[0]], *p[1:])
        for p in Payment.objects.filter(benefit_id__in=ids).values_list("benefit_id", "month", "amount")
    )
    audit = AuditEvent.objects.filter(
        actor_label="system", target_type="relief.benefit", target_id__in=[str(pk) for pk in ids]
    ).count()
    return tasks, benefits, payments, audit


EXPECTED_COUNTS = {
    "feed_rows": 17,
    "feed_hits": 16,
    "deaths_recorded": 2,
    "stopped": 1,
    "suspended": 1,
    "payments_removed": 2,
    "tasks_death": 2,
    "tasks_vehicle": 1,
    "tasks_moved_out": 1,
    "tasks_income": 1,
    "tasks_recheck_due": 1,
    "pending_set": 1,
    "basis_updated": 1,
}


def _nonzero(counts):
    return {k: v for k, v in counts.items() if v}


def test_rerunning_the_same_night_creates_and_changes_nothing(setup):
    ids = _scenario(setup)
    first = _run()
    assert _nonzero(first["counts"]) == EXPECTED_COUNTS
    before = _fingerprint(ids)
    assert len(before[0]) == 6 and before[3] == 3  # stopped, suspended, new standard
    tasks, audit = ReviewTask.objects.count(), AuditEvent.objects.count()
    second = _run()
    assert second["tasks_total"] == 0 and not any(second["counts"].values())
    assert _fingerprint(ids) == before
    assert ReviewTask.objects.count() == tasks
    assert AuditEvent.objects.count() == audit + 2  # only the second run's own start and summary
    # The beat task sees tonight has succeeded and does nothing at all.
    run = recheck.recheck_nightly()
    assert run.status == BatchRun.Status.SUCCEEDED and BatchRun.objects.filter(kind=recheck.KIND).count() == 2
    assert _fingerprint(ids) == before


def test_an_interrupted_run_resumes_where_it_stopped_with_the_same_result(setup, monkeypatch):
    ids = _scenario(setup)
    monkeypatch.setattr(recheck, "CHUNK_IDS", 4)
    real, calls = recheck._chunk, {"n": 0}

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(recheck, "_chunk", dying)
    with pytest.raises(RuntimeError):
        _run()
    run = BatchRun.objects.get(kind=recheck.KIND)
    assert run.status == BatchRun.Status.FAILED and "中断" in run.message and run.done == 8
    assert FeedRecord.objects.filter(checked_at__isnull=True).count() == 9  # the two chunks that finished are checked

    monkeypatch.setattr(recheck, "_chunk", real)
    monkeypatch.setattr(recheck, "CHUNK_IDS", 100)  # a changed setting does not move the resumed grid
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.PENDING)
    summary = recheck.recheck_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.SUCCEEDED and run.done == run.total == 17 and run.params["chunk"] == 4
    assert _nonzero(summary["counts"]) == EXPECTED_COUNTS
    assert recheck.recheck_run(run_id=run.pk) is None  # a second delivery of the task does nothing
    resumed = _fingerprint(ids)

    # The same scenario again, run without interruption: the same tasks and changes.
    again = _scenario(setup)
    assert _nonzero(_run()["counts"]) == EXPECTED_COUNTS
    assert _fingerprint(again) == resumed
    assert _fingerprint(ids) == resumed  # and the first scenario was not touched again


@pytest.mark.django_db(transaction=True)
def test_a_second_concurrent_start_refuses(relief_standards, today):
    _benefit(_household(relief_standards))
    holder = psycopg2.connect(**connection.get_connection_params())
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [recheck.LOCK_CLASS, 20261102])
        with pytest.raises(BatchBusy, match="已在另一进程中运行"):
            _run()
        run = BatchRun.objects.get(kind=recheck.KIND)
        assert run.status == BatchRun.Status.FAILED and "本次未执行" in run.message
        with pytest.raises(CommandError, match="已在另一进程中运行"):
            call_command("recheck_eligibility", "--date", "2026-11-02", stdout=io.StringIO())
        # Another night is another lock.
        assert _run(day=dt.date(2026, 11, 3))["date"] == "2026-11-03"
    finally:
        holder.close()
    assert _run()["date"] == "2026-11-02"  # once the other run has gone


def test_the_run_refuses_other_kinds_and_bad_dates(db):
    from civil_affairs.services import batchrun_create

    other = batchrun_create(kind="relief_payroll", params={"month": "2026-12"})
    with pytest.raises(DomainError, match="不是资格复核任务"):
        recheck.recheck_run(run_id=other.pk)
    bad = batchrun_create(kind=recheck.KIND, params={"date": "2026-13-01"})
    with pytest.raises(DomainError, match="YYYY-MM-DD"):
        recheck.recheck_run(run_id=bad.pk)
    bad.refresh_from_db()
    assert bad.status == BatchRun.Status.FAILED


def test_a_community_without_standards_is_named_in_the_result(setup):
    from tests.factories import RegionFactory

    city = RegionFactory(code="320500000000", name="苏州市", parent=setup["province"])
    county = RegionFactory(code="320505000000", name="虎丘区", parent=city)
    street = RegionFactory(code="320505001000", name="狮山街道", parent=county)
    RegionFactory(code="320505001001", name="狮山社区", parent=street)
    setup["elsewhere"] = street.children.get()
    _benefit(_household(setup, "elsewhere"), next_recheck=dt.date(2026, 11, 20))
    summary = _run()
    assert summary["regions_missing_standards"] == ["320505001001"]
    assert summary["recheck_due"] == 1  # a due date needs no standard
    assert "1 个社区/村缺少救助标准" in BatchRun.objects.get(kind=recheck.KIND).message


# ---------------------------------------------------------------- command, beat and Celery task


def test_command_prints_progress_and_counts(setup, capsys):
    household = _household(setup)
    _benefit(household, next_recheck=dt.date(2026, 11, 15))
    _feed("death", _people(household)[0], event_date=dt.date(2026, 11, 1))
    call_command("recheck_eligibility", "--date", "2026-11-02")
    out = capsys.readouterr().out
    assert "进度 100%" in out and "资格复核完成：比对数据 1 条" in out
    assert "死亡核查\t1" in out and "定期复核到期\t0" in out  # a stopped benefit is not due for a recheck
    assert "停发 1 户，暂停 0 户" in out and "到期复核 0 件" in out
    run = BatchRun.objects.get(kind=recheck.KIND)
    assert run.status == BatchRun.Status.SUCCEEDED and "停发 1 户" in run.message


@pytest.mark.parametrize("value", ["2026-13-01", "2026/11/02", "tomorrow", "1999-01-01"])
def test_command_refuses_bad_dates_in_chinese(db, value):
    with pytest.raises(CommandError, match="YYYY-MM-DD|年份"):
        call_command("recheck_eligibility", "--date", value)


def test_command_defaults_to_today(setup, capsys):
    call_command("recheck_eligibility")
    assert BatchRun.objects.get(kind=recheck.KIND).params == {"date": "2026-11-02", "first_id": 0, "chunk": 20000}


def test_the_beat_task_runs_tonight_once_and_the_celery_task_wraps_the_run(setup):
    from relief.tasks import recheck_nightly, recheck_task

    _benefit(_household(setup), next_recheck=dt.date(2026, 11, 15))
    run_pk = recheck_nightly.apply().get()
    run = BatchRun.objects.get(pk=run_pk)
    assert run.status == BatchRun.Status.SUCCEEDED and run.params["scheduled"] is True
    assert ReviewTask.objects.filter(kind=Kind.RECHECK_DUE).count() == 1
    assert recheck_nightly.apply().get() == run_pk
    assert recheck_task.apply(args=[run_pk]).get() is None  # finished: a duplicate delivery does nothing


def test_the_beat_task_resumes_an_interrupted_night(setup, monkeypatch):
    household = _household(setup)
    _benefit(household)
    _feed("vehicle", _people(household)[0], key="苏F1", plate="苏F1", vehicle_type="car")
    monkeypatch.setattr(recheck, "_chunk", lambda **kw: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        recheck.recheck_nightly()
    monkeypatch.undo()
    run = recheck.recheck_nightly()
    assert run.status == BatchRun.Status.SUCCEEDED and BatchRun.objects.filter(kind=recheck.KIND).count() == 1
    assert ReviewTask.objects.filter(kind=Kind.VEHICLE).count() == 1


# ---------------------------------------------------------------- resolving tasks


@pytest.fixture
def street_tasks(setup, users):
    """A vehicle task in 金沙社区 (the caseworker's street) and one in 文峰社区."""
    ours, theirs = _household(setup, "jinsha_1", size=2), _household(setup, "wenfeng_1")
    ours_benefit, theirs_benefit = _benefit(ours), _benefit(theirs)
    _feed("vehicle", _people(ours)[1], key="苏F22222", plate="苏F22222", vehicle_type="car", amount=Decimal("50000"))
    _feed("vehicle", _people(theirs)[0], key="苏F33333", plate="苏F33333", vehicle_type="truck")
    _run()
    return {
        "ours": ReviewTask.objects.get(benefit=ours_benefit),
        "theirs": ReviewTask.objects.get(benefit=theirs_benefit),
    }


def test_task_resolve_rules(street_tasks, users, staff):
    task = street_tasks["ours"]
    worker = users[Role.CASEWORKER]
    with pytest.raises(DomainError, match="处理说明"):
        recheck.task_resolve(actor=worker, task=task, status="done", note="  ")
    with pytest.raises(DomainError, match="权限"):
        recheck.task_resolve(actor=users[Role.REVIEWER], task=task, status="done", note="已核实")
    with pytest.raises(DomainError, match="管辖"):
        recheck.task_resolve(actor=users["other_caseworker"], task=task, status="done", note="已核实")
    with pytest.raises(DomainError, match="已处理|不作调整"):
        recheck.task_resolve(actor=worker, task=task, status="open", note="已核实")
    recheck.task_resolve(actor=worker, task=task, status="dismissed", note="车辆已于2026年9月转让，附过户证明")
    task.refresh_from_db()
    assert (task.status, task.resolved_by, task.resolution) == (
        "dismissed",
        worker,
        "车辆已于2026年9月转让，附过户证明",
    )
    event = AuditEvent.objects.get(target_type="relief.reviewtask", target_id=str(task.pk))
    assert event.changes["status"] == ["open", "dismissed"] and event.actor == worker
    with pytest.raises(DomainError, match="已处理"):
        recheck.task_resolve(actor=staff["colleague"], task=task, status="done", note="再次处理")


# ---------------------------------------------------------------- pages


def test_the_queue_shows_the_streets_tasks_masked_with_counts(
    street_tasks, users, login, django_assert_max_num_queries
):
    client = login(users[Role.CASEWORKER])
    with django_assert_max_num_queries(8):
        page = client.get("/work/relief/tasks/")
    html = page.content.decode()
    ours = street_tasks["ours"]
    assert [t.pk for t in page.context["page"].items] == [ours.pk]
    assert page.context["counts"] == {"vehicle": 1, "all": 1}
    number = ours.person.id_number
    assert number not in html and f"{number[:4]}**********{number[-4:]}" in html
    assert f"/work/relief/benefits/{ours.benefit_id}/" in html
    assert f"/work/relief/households/{ours.benefit.household_id}/economy/" in html
    assert "苏F22222" in html and "2026-11-12" in html
    assert 'data-testid="recheck-run-form"' not in html  # the bureau runs it
    assert not client.get("/work/relief/tasks/?kind=death").context["page"].items
    assert not client.get("/work/relief/tasks/?status=done").context["page"].items
    assert len(client.get("/work/relief/tasks/?status=all&sort=-created_at").context["page"].items) == 1
    # The bureau sees the whole city.
    client.logout()
    city = login(users[Role.BUREAU_ADMIN]).get("/work/relief/tasks/")
    assert len(city.context["page"].items) == 2 and 'data-testid="recheck-run-form"' in city.content.decode()


def test_the_queue_pages_through_many_tasks(setup, users, login):
    for n in range(60):
        _benefit(_household(setup), next_recheck=dt.date(2026, 11, 3) + dt.timedelta(days=n % 20))
    _run()
    client = login(users[Role.CASEWORKER])
    first = client.get("/work/relief/tasks/")
    assert len(first.context["page"].items) == 50 and first.context["page"].next_cursor
    second = client.get(f"/work/relief/tasks/?sort=due&after={first.context['page'].next_cursor}")
    seen = {t.pk for t in first.context["page"].items} | {t.pk for t in second.context["page"].items}
    assert len(seen) == 60
    dues = [t.due for t in first.context["page"].items]
    assert dues == sorted(dues)


def test_the_queue_exports_to_excel_masked(street_tasks, users, login):
    response = login(users[Role.CASEWORKER]).get("/work/relief/tasks/?export=xlsx&status=all")
    sheet = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert sheet[0][:3] == ("任务编号", "任务类型", "状态") and len(sheet) == 2
    number = street_tasks["ours"].person.id_number
    assert sheet[1][4] == f"{number[:4]}**********{number[-4:]}" and sheet[1][1] == "车辆核查"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_type="relief.reviewtask").exists()


def test_task_detail_jurisdiction_evidence_and_resolve(street_tasks, users, login, client):
    ours, theirs = street_tasks["ours"], street_tasks["theirs"]
    other = login(users["other_caseworker"])
    assert other.get(f"/work/relief/tasks/{ours.pk}/").status_code == 404
    assert (
        other.post(f"/work/relief/tasks/{ours.pk}/", {"action": "resolve", "status": "done", "note": "x"}).status_code
        == 404
    )
    assert other.get(f"/work/relief/tasks/{theirs.pk}/").status_code == 200
    client.logout()
    worker = login(users[Role.CASEWORKER])
    page = worker.get(f"/work/relief/tasks/{ours.pk}/")
    html = page.content.decode()
    assert ("车牌号", "苏F22222") in page.context["evidence"] and ("车辆类型", "汽车") in page.context["evidence"]
    assert 'data-testid="resolve-form"' in html and 'data-testid="task-recheck"' in html
    assert worker.get(f"/work/relief/tasks/{theirs.pk}/").status_code == 404
    empty = worker.post(f"/work/relief/tasks/{ours.pk}/", {"action": "resolve", "status": "done", "note": ""})
    assert empty.status_code == 200 and "该字段是必填项" in empty.content.decode()
    done = worker.post(
        f"/work/relief/tasks/{ours.pk}/", {"action": "resolve", "status": "done", "note": "已责令处置车辆"}, follow=True
    )
    assert "核查任务已处理" in done.content.decode() and 'data-testid="resolve-form"' not in done.content.decode()
    ours.refresh_from_db()
    assert ours.status == "done"
    client.logout()
    # Reviewers read tasks but do not handle them.
    assert login(users[Role.REVIEWER]).post(f"/work/relief/tasks/{ours.pk}/", {"action": "resolve"}).status_code == 403


def test_start_a_recheck_from_a_task(street_tasks, users, login):
    task = street_tasks["ours"]
    client = login(users[Role.CASEWORKER])
    response = client.post(f"/work/relief/tasks/{task.pk}/", {"action": "recheck"})
    application = Application.objects.get(recheck_of=task.benefit)
    assert response.status_code == 302 and response["Location"] == f"/work/relief/applications/{application.pk}/"
    task.refresh_from_db()
    assert task.status == "done" and application.number in task.resolution
    page = client.get(f"/work/relief/tasks/{task.pk}/").content.decode()
    assert f"/work/relief/applications/{application.pk}/" in page
    # The recheck now open: a due recheck of the same benefit makes no task tonight.
    Benefit.objects.filter(pk=task.benefit_id).update(next_recheck=dt.date(2026, 11, 20))
    _run()
    assert not ReviewTask.objects.filter(kind=Kind.RECHECK_DUE).exists()


def test_the_bureaus_run_button_queues_a_run(setup, users, login, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("relief.tasks.recheck_task.delay", lambda run_id: queued.append(run_id))
    client = login(users[Role.BUREAU_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/work/relief/tasks/recheck/", {"date": "2026-11-02"})
    run = BatchRun.objects.get(kind=recheck.KIND)
    assert queued == [run.pk] and run.params == {"date": "2026-11-02"} and run.created_by == users[Role.BUREAU_ADMIN]
    assert response.status_code == 302 and response["Location"] == f"/work/batches/{run.pk}/"
    assert AuditEvent.objects.filter(target_type="civil_affairs.batchrun", target_id=str(run.pk)).exists()
    bad = client.post("/work/relief/tasks/recheck/", {"date": "2026-02-30"}, follow=True)
    assert "YYYY-MM-DD" in bad.content.decode() and BatchRun.objects.count() == 1
    client.logout()
    assert login(users[Role.CASEWORKER]).post("/work/relief/tasks/recheck/", {"date": "2026-11-02"}).status_code == 403
    with pytest.raises(DomainError, match="权限"):
        recheck.recheck_start(user=users[Role.REVIEWER], day=TODAY)


def test_a_new_standard_is_applied_to_the_exact_per_capita_income_rounded_once(setup):
    """Issue 12 defect 3 in the SQL path: 800 yuan a month for 3 people is
    266.666… each; (820 − 266.666…) × 3 = 1 660.00 — not 1 659.99, which
    the rounded 266.67 gives."""
    exact = Fraction(800, 3)
    benefit = _benefit(
        _household(setup, size=3),
        monthly_amount=Decimal("1540.00"),
        basis_standard=Decimal("780.00"),
        basis_per_capita=Decimal("266.67"),
        basis_monthly_income=Decimal("800"),
        basis_extras=0,
        members=3,
    )
    parameter_set(actor=None, region=setup["city"], key="dibao_standard", value=Decimal("820"), effective_from=DEC)
    assets = rules.AssetTest(passed=True, financial_per_capita=Decimal("0"), financial_limit=Decimal("0"))
    expected = rules.dibao(
        members=_dibao_members(0, 3),
        per_capita=exact,
        assets=assets,
        on=DEC,
        standards=standards_in_force(setup["jinsha_1"].code, DEC),
    )
    assert expected.amount == Decimal("1660.00") and expected.per_capita == Decimal("266.67")

    _run()

    benefit.refresh_from_db()
    assert (benefit.pending_amount, benefit.pending_from) == (Decimal("1660.00"), DEC)
