"""The senior-allowance batch on PostgreSQL: who is paid what (bands at month
edges, death mid-month, 户籍 outside a district), one line per person and
month in the database, rerun, a killed run resumed, malformed and future
months refused, approval and bank files (masked IDs), the death hook, the
pages, the resident's portal, the beat row and the button."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from civil_affairs.life_events import LifeEvent, life_event_record
from civil_affairs.models import AuditEvent, BatchRun, Role
from civil_affairs.parameters import parameter_set
from civil_affairs.rolls import roll_bank_rows
from civil_affairs.services import DomainError, batchrun_create
from eldercare import tasks
from eldercare.models import AllowanceAccount, SeniorAllowance, SeniorAllowanceRoll
from eldercare.selectors.allowance import SENIOR_ALLOWANCE
from eldercare.services import allowance as services
from tests.civil_affairs.factories import UserFactory
from tests.eldercare.factories import elder

AUG, SEP, OCT = dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)
D = dt.date


@pytest.fixture
def elders(elder_params, today):
    r = elder_params
    people = {
        "turns80_jul": elder(D(1946, 7, 31), r["jinsha_1"]),  # paid from August: 50
        "turns80_aug": elder(D(1946, 8, 1), r["jinsha_1"]),  # paid from September
        "ninety": elder(D(1936, 7, 1), r["xingren_1"]),  # 90 in July: 150 from August
        "hundred": elder(D(1925, 3, 3), r["wenfeng_1"]),  # 101: 500
        "died_aug": elder(D(1930, 1, 1), r["jinsha_1"], death=D(2026, 8, 15)),  # 96: August paid, not September
        "died_jul": elder(D(1930, 1, 1), r["wenfeng_1"], death=D(2026, 7, 31)),  # nothing in August
        "young": elder(D(1950, 1, 1), r["jinsha_1"]),  # 76
        "city_hukou": elder(D(1930, 1, 1), r["city"]),  # 户籍 at city level: in no district roll
    }
    AllowanceAccount.objects.create(person=people["hundred"], bank_account="6222020000001234")
    return people


def _run(month: str) -> dict:
    run = batchrun_create(kind=services.KIND, params={"month": month})
    return services.allowance_run(run_id=run.pk)


def _paid(month) -> dict[int, tuple]:
    return {
        s.person_id: (s.band, s.amount, s.age, s.region_id)
        for s in SeniorAllowance.objects.filter(month=month).order_by("person_id")
    }


def test_who_is_paid_what(elders, regions):
    summary = _run("2026-08")
    paid = _paid(AUG)
    assert paid == {
        elders["turns80_jul"].pk: ("80", Decimal("50.00"), 80, "320612001001"),
        elders["ninety"].pk: ("90", Decimal("150.00"), 90, "320612002001"),
        elders["hundred"].pk: ("100", Decimal("500.00"), 101, "320613001001"),
        elders["died_aug"].pk: ("90", Decimal("150.00"), 96, "320612001001"),
    }
    assert summary["people"] == 4 and Decimal(summary["total"]) == Decimal("850.00")
    assert summary["rolls"] == 2 and summary["added"] == 4
    rolls = SeniorAllowanceRoll.objects.filter(month=AUG)
    assert {r.district_id for r in rolls} == {"320612000000", "320613000000"}
    assert SeniorAllowance.objects.get(person=elders["hundred"], month=AUG).bank_account == "6222020000001234"

    _run("2026-09")
    paid = _paid(SEP)
    assert elders["died_aug"].pk not in paid  # stopped the month after death
    assert paid[elders["turns80_aug"].pk][:2] == ("80", Decimal("50.00"))  # the month after the birthday month
    assert len(paid) == 4


def test_rerun_changes_nothing(elders):
    first = _run("2026-08")
    before = _paid(AUG)
    again = _run("2026-08")
    assert again["added"] == 0 and again["people"] == first["people"] and again["total"] == first["total"]
    assert _paid(AUG) == before


def test_one_line_per_person_and_month_in_the_database(elders):
    _run("2026-08")
    line = SeniorAllowance.objects.filter(month=AUG).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        SeniorAllowance.objects.create(
            roll=line.roll, person=line.person, month=AUG, band="80", age=80, region=line.region, amount=Decimal("1")
        )


def test_amounts_follow_the_dated_parameters(elders, regions, users):
    """A district's own amount from September wins over the city's; August keeps the city's."""
    parameter_set(
        actor=users[Role.BUREAU_ADMIN],
        region=regions["tongzhou"],
        key="senior_allowance_80",
        value=Decimal("80.00"),
        effective_from=SEP,
    )
    _run("2026-08")
    _run("2026-09")
    assert _paid(AUG)[elders["turns80_jul"].pk][1] == Decimal("50.00")
    assert _paid(SEP)[elders["turns80_jul"].pk][1] == Decimal("80.00")
    assert _paid(SEP)[elders["hundred"].pk][1] == Decimal("500.00")  # 崇川区: the city's


def test_resume_after_a_killed_run(elders, monkeypatch):
    """Chunks of one person id; the second chunk dies; the retried run resumes
    and ends with exactly the lines of a run that never stopped."""
    monkeypatch.setattr(services, "CHUNK_IDS", 1)
    run = batchrun_create(kind=services.KIND, params={"month": "2026-08"})
    real, calls = services._chunk, {"n": 0}

    def dying(month, lo, hi, *rest):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(month, lo, hi, *rest)

    monkeypatch.setattr(services, "_chunk", dying)
    with pytest.raises(RuntimeError):
        services.allowance_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.FAILED and "可重新运行" in run.message and run.done == 1
    assert SeniorAllowance.objects.filter(month=AUG).count() == 1

    monkeypatch.setattr(services, "_chunk", real)
    run.status = BatchRun.Status.PENDING
    run.save(update_fields=["status"])
    resumed = services.allowance_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.SUCCEEDED and run.done == run.total
    assert run.result["counts"]["added"] == 4 and resumed["people"] == 4
    assert services.allowance_run(run_id=run.pk) is None  # a second delivery does nothing
    fresh = _run("2026-09")
    assert fresh["added"] == 4


@pytest.mark.parametrize("month", ["2026-13", "26-08", "abc", "", "2026-8-1"])
def test_malformed_month_refused_by_the_command(db, today, month):
    with pytest.raises(CommandError, match="月份"):
        call_command("run_senior_allowance", month=month)
    assert not BatchRun.objects.filter(kind=services.KIND).exists()


def test_future_month_refused(db, today):
    with pytest.raises(CommandError, match="不能预先发放"):
        call_command("run_senior_allowance", month="2027-01")


def test_command_prints_the_month(elders):
    out = io.StringIO()
    call_command("run_senior_allowance", month="2026-08", stdout=out)
    text = out.getvalue()
    assert "2026-08" in text and "共 4 人" in text and "850.00" in text
    run = BatchRun.objects.get(kind=services.KIND)
    assert run.status == BatchRun.Status.SUCCEEDED


def test_approval_and_bank_files(elders, users):
    _run("2026-08")
    roll = SeniorAllowanceRoll.objects.get(month=AUG, district_id="320612000000")
    with pytest.raises(DomainError, match="权限"):
        services.allowance_roll_approve(actor=users[Role.CASEWORKER], roll=roll)
    services.allowance_roll_approve(actor=users[Role.REVIEWER], roll=roll)
    roll.refresh_from_db()
    assert roll.status == "approved" and roll.approved_lines == 3 and roll.approved_total == Decimal("350.00")
    with pytest.raises(DomainError, match="已审核"):
        services.allowance_roll_approve(actor=users[Role.BUREAU_ADMIN], roll=roll)
    full = list(roll_bank_rows(users[Role.REVIEWER], SENIOR_ALLOWANCE, roll))
    masked = list(roll_bank_rows(users[Role.AUDITOR], SENIOR_ALLOWANCE, roll))
    assert len(full) == len(masked) == 3
    assert {r[1] for r in full} == {elders[k].id_number for k in ("turns80_jul", "ninety", "died_aug")}
    assert all("*" in r[1] and r[1][:4] == "3206" for r in masked)


def test_bank_file_download_before_and_after_approval(elders, users, login):
    _run("2026-08")
    roll = SeniorAllowanceRoll.objects.get(month=AUG, district_id="320612000000")
    client = login(users[Role.REVIEWER])
    response = client.get(f"/work/eldercare/allowance/rolls/{roll.pk}/bank.csv")
    assert response.status_code == 302  # not approved yet: back to the roll, saying so
    assert client.post(f"/work/eldercare/allowance/rolls/{roll.pk}/approve/").status_code == 302
    response = client.get(f"/work/eldercare/allowance/rolls/{roll.pk}/bank.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[0][0] == "姓名"
    assert AuditEvent.objects.filter(target_type="eldercare.seniorallowanceroll", action="export").exists()


def test_an_approved_roll_takes_no_new_lines(elders, users, regions):
    _run("2026-08")
    roll = SeniorAllowanceRoll.objects.get(month=AUG, district_id="320612000000")
    services.allowance_roll_approve(actor=users[Role.REVIEWER], roll=roll)
    latecomer = elder(D(1940, 2, 2), regions["jinsha_1"])  # registered after approval
    summary = _run("2026-08")
    assert summary["added"] == 0 and summary["blocked"] == 1
    assert not SeniorAllowance.objects.filter(person=latecomer).exists()


def test_death_stops_the_allowance_through_the_life_event_hook(elders, users):
    """Paid for September and October; a death on 15 September is recorded in
    October: the open October line goes, September stays."""
    person = elders["turns80_jul"]
    _run("2026-09")
    _run("2026-10")
    assert set(SeniorAllowance.objects.filter(person=person).values_list("month", flat=True)) == {SEP, OCT}
    result = life_event_record(
        actor=users[Role.CASEWORKER], event=LifeEvent(kind="death", person=person, date=D(2026, 9, 15))
    )
    assert result["eldercare"] == {"removed": 1, "overpaid": 0}
    assert set(SeniorAllowance.objects.filter(person=person).values_list("month", flat=True)) == {SEP}
    event = AuditEvent.objects.get(
        target_type="civil_affairs.person", target_id=str(person.pk), changes__step="allowance_stopped"
    )
    assert event.changes["removed_months"] == ["2026-10"]
    # recorded again (a feed row of the same death): nothing more happens
    assert life_event_record(actor=None, event=LifeEvent(kind="death", person=person, date=D(2026, 9, 15))) is None
    assert _run("2026-10")["added"] == 0


def test_death_after_approval_is_reported_for_recovery(elders, users):
    person = elders["hundred"]
    _run("2026-10")
    roll = SeniorAllowanceRoll.objects.get(month=OCT, district_id="320613000000")
    services.allowance_roll_approve(
        actor=users[Role.REVIEWER].__class__.objects.get(username=str(Role.BUREAU_ADMIN)), roll=roll
    )
    result = life_event_record(actor=None, event=LifeEvent(kind="death", person=person, date=D(2026, 9, 20)))
    assert result["eldercare"] == {"removed": 0, "overpaid": 1}
    event = AuditEvent.objects.get(changes__step="allowance_stopped", target_id=str(person.pk))
    assert event.changes["overpaid_months"] == ["2026-10"] and event.changes["overpaid_total"] == "500.00"


def test_a_rerun_removes_open_lines_of_people_since_dead(elders):
    """A death written without the hook (a bulk correction): the rerun takes the line off the open roll."""
    _run("2026-10")
    person = elders["ninety"]
    type(person).objects.filter(pk=person.pk).update(death_date=D(2026, 9, 1))
    summary = _run("2026-10")
    assert summary["removed"] == 1
    assert not SeniorAllowance.objects.filter(person=person, month=OCT).exists()


def test_the_button_queues_the_task(elders, users, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.senior_allowance_task, "delay", lambda run_id: queued.append(run_id))
    with pytest.raises(DomainError, match="权限"):
        services.allowance_start(user=users[Role.REVIEWER], month=AUG)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.allowance_start(user=users[Role.BUREAU_ADMIN], month=AUG)
    assert queued == [run.pk]
    tasks.senior_allowance_task.run(run.pk)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.SUCCEEDED and run.result["summary"]["people"] == 4


def test_month_page_posts_the_button(elders, users, login, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(tasks.senior_allowance_task, "delay", lambda run_id: tasks.senior_allowance_task.run(run_id))
    client = login(users[Role.BUREAU_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/work/eldercare/allowance/", {"month": "2026-08"})
    assert response.status_code == 302
    page = client.get("/work/eldercare/allowance/?month=2026-08")
    assert page.status_code == 200
    body = page.content.decode()
    assert "allowance-chart" in body and "通州区" in body and "850.00" in body.replace(",", "")
    bad = client.post("/work/eldercare/allowance/", {"month": "2026-13"}, follow=True)
    assert "01 至 12" in bad.content.decode()


def test_monthly_beat_runs_this_month_once(elders, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks.senior_allowance_task, "delay", lambda run_id: tasks.senior_allowance_task.run(run_id))
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.senior_allowance_monthly()
    assert BatchRun.objects.get(pk=first).params["month"] == "2026-12"
    assert tasks.senior_allowance_monthly() is None


def test_beat_row_shipped(db):
    """The data migration's row (made again here: a transactional test elsewhere may have flushed it)."""
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    importlib.import_module("eldercare.migrations.0002_defaults_and_schedule").add(apps, None)
    row = PeriodicTask.objects.get(task="eldercare.senior_allowance_monthly")
    assert row.enabled and row.crontab.day_of_month == "1"


def test_resident_sees_their_payments(elders, users, login):
    person = elders["hundred"]
    resident = UserFactory(username="13900000099", phone="13900000099", role=Role.RESIDENT, person=person)
    _run("2026-08")
    _run("2026-09")
    client = login(resident)
    response = client.get("/my/eldercare/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("500.00") == 2 and "100岁及以上" in body
    # someone else's page shows none of it
    other = login(users[Role.RESIDENT])
    assert "500.00" not in other.get("/my/eldercare/").content.decode()


def test_deaths_set_based_through_life_events_many(elders, users):
    """A feed's deaths in one batch: open later lines removed, approved ones reported, one audit row each."""
    from civil_affairs.life_events import life_events_record_many

    _run("2026-10")
    roll = SeniorAllowanceRoll.objects.get(month=OCT, district_id="320613000000")
    services.allowance_roll_approve(actor=users[Role.BUREAU_ADMIN], roll=roll)
    a, b, c = elders["turns80_jul"], elders["hundred"], elders["ninety"]
    recorded = life_events_record_many(
        kind="death",
        rows=[(a.pk, D(2026, 9, 10), None), (b.pk, D(2026, 9, 20), None), (c.pk, D(2026, 10, 5), None)],
        source="feed",
    )
    assert recorded.results["eldercare"] == {"removed": 1, "overpaid": 1}  # c died in October: October stays
    assert not SeniorAllowance.objects.filter(person=a, month=OCT).exists()
    assert SeniorAllowance.objects.filter(person=b, month=OCT).exists()  # approved: paid, to recover
    assert SeniorAllowance.objects.filter(person=c, month=OCT).exists()
    events = {
        e.target_id: e.changes
        for e in AuditEvent.objects.filter(target_type="civil_affairs.person", changes__step="allowance_stopped")
    }
    assert set(events) == {str(a.pk), str(b.pk)}
    assert events[str(a.pk)]["removed_months"] == ["2026-10"]
    assert events[str(b.pk)]["overpaid_months"] == ["2026-10"] and events[str(b.pk)]["overpaid_total"] == "500.00"


def test_dashboard_count_follows_the_batch_and_deaths(elders, users, regions):
    """The dashboard's allowance count is read from a per-community summary of the month
    (selectors.indicators.summary): the batch and a death make it read again at once."""
    from eldercare.selectors.indicators import by_child

    city, tongzhou = regions["city"], "320612000000"
    assert by_child("allowance_people", city, OCT.replace(day=20)).get(tongzhou, 0) == 0  # cached empty
    _run("2026-10")
    before = by_child("allowance_people", city, OCT.replace(day=20))
    assert before[tongzhou] == SeniorAllowance.objects.filter(month=OCT, region__code__startswith="320612").count()
    assert by_child("allowance_people", regions["jinsha"], OCT.replace(day=20)) == {
        "320612001001": SeniorAllowance.objects.filter(month=OCT, region_id="320612001001").count()
    }
    life_event_record(
        actor=users[Role.CASEWORKER], event=LifeEvent(kind="death", person=elders["turns80_jul"], date=D(2026, 9, 15))
    )
    assert by_child("allowance_people", city, OCT.replace(day=20))[tongzhou] == before[tongzhou] - 1
