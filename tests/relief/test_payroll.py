"""Monthly payroll on the real database: payable benefits only, idempotent,
totals by district and kind, approval by the district's reviewer, bank files,
the command, the Celery task, and the pages."""

import csv
import datetime as dt
import io
import subprocess
import sys
import threading
import time
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from civil_affairs import rolls
from civil_affairs.models import AuditEvent, BatchRun, Role
from civil_affairs.services import DomainError, batchrun_create
from relief.models import Benefit, Payment, PayrollRoll
from relief.selectors import payroll as selectors
from relief.services import payroll
from tests.factories import MemberFactory, UserFactory

DEC = dt.date(2026, 12, 1)
TONGZHOU, CHONGCHUAN = "320612000000", "320613000000"


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


@pytest.fixture
def new_benefit(regions):
    def make(region, **fields):
        return _benefit(MemberFactory(household__region=regions[region]).household, **fields)

    return make


@pytest.fixture
def benefits(households, new_benefit):
    return {
        # paid in December 2026
        "ours": _benefit(households["ours"]),  # 金沙社区, 通州区
        "theirs": _benefit(households["theirs"], monthly_amount=Decimal("500.50")),  # 文峰社区, 崇川区
        "tekun": new_benefit("xingren_1", kind="tekun", monthly_amount=Decimal("1164.00")),  # 兴仁村, 通州区
        "exit": new_benefit("jinsha_1", status="gradual_exit", last_month=DEC, monthly_amount=Decimal(100)),
        # not paid in December 2026
        "stopped": new_benefit("jinsha_1", status="stopped"),
        "suspended": new_benefit("jinsha_1", status="suspended"),
        "future": new_benefit("jinsha_1", start_month=dt.date(2027, 1, 1)),
        "ended": new_benefit("jinsha_1", status="gradual_exit", last_month=dt.date(2026, 11, 1)),
        "zero": new_benefit("jinsha_1", kind="marginal", monthly_amount=Decimal(0)),
    }


PAID = ("ours", "theirs", "tekun", "exit")
DEC_TOTAL = Decimal("1380.00") + Decimal("500.50") + Decimal("1164.00") + Decimal("100.00")


def _roll(district=TONGZHOU, month=DEC):
    return PayrollRoll.objects.get(month=month, district_id=district)


# ---------------------------------------------------------------- month parsing


@pytest.mark.parametrize(
    "text, expected", [("2026-12", DEC), (" 2026-01 ", dt.date(2026, 1, 1)), ("2026-3", dt.date(2026, 3, 1))]
)
def test_parse_month(text, expected):
    assert payroll.parse_month(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("2026-13", "01 至 12"),
        ("2026-00", "01 至 12"),
        ("", "YYYY-MM"),
        ("2026/12", "YYYY-MM"),
        ("12-2026", "YYYY-MM"),
        ("1999-12", "年份"),
        (None, "YYYY-MM"),
    ],
)
def test_parse_month_refuses_bad_input_in_chinese(text, message):
    with pytest.raises(DomainError, match=message):
        payroll.parse_month(text)


# ---------------------------------------------------------------- generation


def test_one_line_per_payable_benefit(benefits):
    summary = payroll.payroll_generate(month=DEC)
    paid = set(Payment.objects.filter(month=DEC).values_list("benefit_id", flat=True))
    assert paid == {benefits[k].pk for k in PAID}
    assert (summary.added, summary.lines, summary.total, summary.rolls) == (4, 4, DEC_TOTAL, 2)
    line = Payment.objects.get(benefit=benefits["tekun"])
    assert (line.kind, line.region_id, line.recipient_id, line.amount, line.bank_account, line.roll.district_id) == (
        "tekun",
        "320612002001",
        benefits["tekun"].recipient_id,
        Decimal("1164.00"),
        "6228480012345678901",
        TONGZHOU,
    )
    # The last month of a gradual exit is paid; the month after is not.
    assert payroll.payroll_generate(month=dt.date(2027, 1, 1)).lines == 4  # ours, theirs, tekun, future
    assert not Payment.objects.filter(month=dt.date(2027, 1, 1), benefit=benefits["exit"]).exists()


def test_rerun_changes_nothing(benefits):
    first = payroll.payroll_generate(month=DEC)
    rows = sorted(Payment.objects.values_list("id", "benefit_id", "amount", "roll_id"))
    again = payroll.payroll_generate(month=DEC)
    assert again.added == 0
    assert (again.lines, again.total, again.rolls, again.by_district_kind) == (
        first.lines,
        first.total,
        first.rolls,
        first.by_district_kind,
    )
    assert sorted(Payment.objects.values_list("id", "benefit_id", "amount", "roll_id")) == rows
    assert PayrollRoll.objects.count() == 2


def test_totals_by_district_and_kind(benefits):
    summary = payroll.payroll_generate(month=DEC)
    totals = {(r["district_id"], r["kind"]): (r["lines"], r["total"]) for r in summary.by_district_kind}
    assert totals == {
        (TONGZHOU, "dibao"): (2, Decimal("1480.00")),
        (TONGZHOU, "tekun"): (1, Decimal("1164.00")),
        (CHONGCHUAN, "dibao"): (1, Decimal("500.50")),
    }
    assert {r["district"] for r in summary.by_district_kind} == {"通州区", "崇川区"}


def test_chunks_and_resume_after_a_killed_worker(benefits, monkeypatch):
    """Chunks of 2 ids; the third chunk dies; the retried run resumes and ends
    with the same lines and money as a run that never stopped."""
    monkeypatch.setattr(payroll, "CHUNK_IDS", 2)
    run = batchrun_create(kind=payroll.KIND, params={"month": "2026-12"})
    calls = {"n": 0}
    real = payroll._chunk

    def dying(month, lo, hi, *rest):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(month, lo, hi, *rest)

    monkeypatch.setattr(payroll, "_chunk", dying)
    with pytest.raises(RuntimeError):
        payroll.payroll_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.FAILED and "中断" in run.message and run.done == 4
    monkeypatch.setattr(payroll, "_chunk", real)
    monkeypatch.setattr(payroll, "CHUNK_IDS", 5)  # a changed setting does not move the resumed grid
    run.status = BatchRun.Status.PENDING
    run.save(update_fields=["status"])
    summary = payroll.payroll_run(run_id=run.pk)
    run.refresh_from_db()
    assert (summary.lines, summary.total) == (4, DEC_TOTAL)
    assert run.status == BatchRun.Status.SUCCEEDED and run.done == run.total == 9
    assert payroll.payroll_run(run_id=run.pk) is None  # a second delivery of the task does nothing


def test_the_task_runs_only_payroll_runs_and_first_days(db):
    other = batchrun_create(kind="import_person", params={"kind": "person"})
    with pytest.raises(DomainError, match="不是发放花名册任务"):
        payroll.payroll_run(run_id=other.pk)
    other.refresh_from_db()
    assert other.status == BatchRun.Status.PENDING  # left alone
    with pytest.raises(DomainError, match="1日"):
        payroll.payroll_generate(month=dt.date(2026, 12, 15))


# ---------------------------------------------------------------- approval


def test_approval_by_the_districts_reviewer_only(benefits, users, regions):
    payroll.payroll_generate(month=DEC)
    tongzhou = _roll()
    with pytest.raises(DomainError, match="权限"):
        payroll.payroll_approve(actor=users[Role.CASEWORKER], roll=tongzhou)
    with pytest.raises(DomainError, match="权限"):
        payroll.payroll_approve(actor=users[Role.AUDITOR], roll=tongzhou)
    outsider = UserFactory(role=Role.REVIEWER, region=regions["chongchuan"])
    with pytest.raises(DomainError, match="管辖"):
        payroll.payroll_approve(actor=outsider, roll=tongzhou)
    assert _roll().status == PayrollRoll.Status.GENERATED

    payroll.payroll_approve(actor=users[Role.REVIEWER], roll=tongzhou)
    tongzhou.refresh_from_db()
    assert (tongzhou.status, tongzhou.approved_by) == (PayrollRoll.Status.APPROVED, users[Role.REVIEWER])
    assert (tongzhou.approved_lines, tongzhou.approved_total) == (3, Decimal("2644.00"))
    event = AuditEvent.objects.get(target_type="relief.payrollroll", target_id=str(tongzhou.pk))
    assert event.changes == {"step": "approve", "month": "2026-12", "lines": 3, "total": "2644.00"}
    with pytest.raises(DomainError, match="已审核"):
        payroll.payroll_approve(actor=users[Role.REVIEWER], roll=tongzhou)
    # The bureau approves any district's roll.
    payroll.payroll_approve(actor=users[Role.BUREAU_ADMIN], roll=_roll(CHONGCHUAN))


def test_an_empty_roll_cannot_be_approved(users, regions):
    empty = PayrollRoll.objects.create(month=DEC, district=regions["tongzhou"])
    with pytest.raises(DomainError, match="没有发放明细"):
        payroll.payroll_approve(actor=users[Role.REVIEWER], roll=empty)


def test_an_approved_roll_is_not_changed_by_a_rerun(benefits, users, new_benefit):
    payroll.payroll_generate(month=DEC)
    payroll.payroll_approve(actor=users[Role.REVIEWER], roll=_roll())
    frozen = sorted(_roll().payments.values_list("id", "amount"))
    late_tongzhou = new_benefit("jinsha_1", monthly_amount=Decimal(900))
    late_chongchuan = new_benefit("wenfeng_1", monthly_amount=Decimal(800))
    summary = payroll.payroll_generate(month=DEC)
    assert summary.added == 1  # only the roll still open takes a late benefit
    assert sorted(_roll().payments.values_list("id", "amount")) == frozen
    assert not Payment.objects.filter(benefit=late_tongzhou).exists()
    assert Payment.objects.get(benefit=late_chongchuan).roll == _roll(CHONGCHUAN)


@pytest.mark.django_db(transaction=True)
def test_lines_never_slip_into_a_roll_being_approved(benefits, users, new_benefit):
    """An approval in flight while the payroll runs: the payroll waits for it
    and then leaves the approved roll alone."""
    payroll.payroll_generate(month=DEC)
    late = new_benefit("jinsha_1", monthly_amount=Decimal(900))
    approving, release = threading.Event(), threading.Event()
    errors = []

    def approve():
        try:
            with transaction.atomic():
                roll = PayrollRoll.objects.select_for_update().get(pk=_roll().pk)  # approval's first step
                approving.set()
                release.wait(10)
                time.sleep(0.5)  # the payroll below is now running into our lock
                payroll.payroll_approve(actor=users[Role.REVIEWER], roll=roll)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            approving.set()
            connection.close()

    thread = threading.Thread(target=approve)
    thread.start()
    assert approving.wait(10)
    release.set()
    summary = payroll.payroll_generate(month=DEC)
    thread.join(10)
    assert not errors
    assert summary.added == 0 and not Payment.objects.filter(benefit=late).exists()
    assert _roll().payments.count() == 3


# ---------------------------------------------------------------- selectors


def test_jurisdiction_of_rolls_and_lines(benefits, users, regions):
    payroll.payroll_generate(month=DEC)
    reviewer, caseworker, admin = users[Role.REVIEWER], users[Role.CASEWORKER], users[Role.BUREAU_ADMIN]
    assert set(rolls.roll_list_for_user(reviewer, selectors.PAYROLL).values_list("district_id", flat=True)) == {
        TONGZHOU
    }
    assert set(rolls.roll_list_for_user(admin, selectors.PAYROLL).values_list("district_id", flat=True)) == {
        TONGZHOU,
        CHONGCHUAN,
    }
    assert not rolls.roll_list_for_user(users[Role.RESIDENT], selectors.PAYROLL).exists()
    assert not rolls.roll_list_for_user(users[Role.COMMUNITY_WORKER], selectors.PAYROLL).exists()  # no payroll_view
    from django.http import Http404

    with pytest.raises(Http404):
        rolls.roll_get_for_user(reviewer, selectors.PAYROLL, _roll(CHONGCHUAN).pk)
    # A street caseworker sees the district's roll but only the street's lines.
    street = rolls.roll_lines_for_user(caseworker, selectors.PAYROLL, _roll())
    assert set(street.values_list("benefit_id", flat=True)) == {benefits["ours"].pk, benefits["exit"].pk}
    summary = rolls.month_summary_for_user(caseworker, selectors.PAYROLL, DEC)
    assert (summary["lines"], summary["total"]) == (2, Decimal("1480.00"))
    city = rolls.month_summary_for_user(admin, selectors.PAYROLL, DEC)
    assert (city["lines"], city["total"], city["rolls"], city["categories"]) == (4, DEC_TOTAL, 2, ["dibao", "tekun"])
    assert [(d["roll"].district_id, d["total"], [k["total"] for k in d["cells"]]) for d in city["districts"]] == [
        (TONGZHOU, Decimal("2644.00"), [Decimal("1480.00"), Decimal("1164.00")]),
        (CHONGCHUAN, Decimal("500.50"), [Decimal("500.50"), Decimal("0.00")]),
    ]
    assert rolls.roll_months_for_user(admin, selectors.PAYROLL) == [DEC]


# ---------------------------------------------------------------- pages and bank files


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_bank_file_only_after_approval_full_or_masked_id(benefits, users, login, client):
    payroll.payroll_generate(month=DEC)
    roll = _roll()
    number = benefits["ours"].recipient.id_number
    reviewer = login(users[Role.REVIEWER])
    refused = reviewer.get(f"/work/relief/payroll/{roll.pk}/bank.csv", follow=True)
    assert refused.redirect_chain[-1][0] == f"/work/relief/payroll/{roll.pk}/"
    assert "审核通过后才能下载" in refused.content.decode()
    assert reviewer.get(f"/work/relief/payroll/{roll.pk}/bank.xlsx").status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    assert reviewer.get(f"/work/relief/payroll/{roll.pk}/bank.pdf").status_code == 404

    assert reviewer.post(f"/work/relief/payroll/{roll.pk}/approve/").status_code == 302
    rows = _csv(reviewer.get(f"/work/relief/payroll/{roll.pk}/bank.csv"))
    assert rows[0][:4] == ["姓名", "身份证号", "银行账号", "金额（元）"]
    assert len(rows) == 4  # header + the district's 3 lines
    assert ["王建国", number, "6228480012345678901", "1380.00"] in [r[:4] for r in rows]
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(reviewer.get(f"/work/relief/payroll/{roll.pk}/bank.xlsx").streaming_content))
    )
    sheet = list(workbook.active.values)
    assert sheet[0][:4] == ("姓名", "身份证号", "银行账号", "金额（元）") and len(sheet) == 4
    assert ("王建国", number, "6228480012345678901") in [r[:3] for r in sheet]
    assert sum(Decimal(str(r[3])) for r in sheet[1:]) == Decimal("2644.00")
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_type="relief.payrollroll")
    assert exports.count() == 2 and exports.first().changes["filters"]["full_id_number"] is True

    client.logout()
    masked = _csv(login(users[Role.AUDITOR]).get(f"/work/relief/payroll/{roll.pk}/bank.csv"))
    ids = [r[1] for r in masked[1:]]
    assert number not in ids and f"{number[:4]}**********{number[-4:]}" in ids
    client.logout()
    street = _csv(login(users[Role.CASEWORKER]).get(f"/work/relief/payroll/{roll.pk}/bank.csv"))
    assert len(street) == 3  # 金沙街道's two lines only


def test_list_page_with_totals_chart_and_months(benefits, users, login):
    payroll.payroll_generate(month=DEC)
    payroll.payroll_generate(month=dt.date(2026, 11, 1))
    admin = login(users[Role.BUREAU_ADMIN])
    page = admin.get("/work/relief/payroll/")
    html = page.content.decode()
    assert page.context["month"] == DEC  # the newest month by default
    assert "通州区" in html and "崇川区" in html and "¥3,144.50" in html and "payroll-chart" in html
    assert page.context["chart"] == {
        "labels": ["通州区", "崇川区"],
        "datasets": [
            {"label": "最低生活保障", "data": ["1480.00", "500.50"]},
            {"label": "特困人员救助供养", "data": ["1164.00", "0.00"]},
        ],
    }
    assert 'data-testid="generate-form"' in html
    november = admin.get("/work/relief/payroll/?month=2026-11")
    assert november.context["summary"]["lines"] == 5  # the benefit whose last month is November is paid for it
    bad = admin.get("/work/relief/payroll/?month=2026-13")
    assert bad.status_code == 200 and "01 至 12" in bad.content.decode()


def test_list_page_for_a_reviewer_shows_only_the_district(benefits, users, login, django_assert_max_num_queries):
    payroll.payroll_generate(month=DEC)
    client = login(users[Role.REVIEWER])
    with django_assert_max_num_queries(8):
        page = client.get("/work/relief/payroll/")
    html = page.content.decode()
    assert "通州区" in html and "崇川区" not in html and "¥2,644.00" in html
    assert 'data-testid="generate-form"' not in html  # only the bureau generates
    assert client.post("/work/relief/payroll/", {"month": "2026-12"}).status_code == 403


def test_generate_form_queues_a_run_with_progress(
    users, login, regions, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("relief.tasks.payroll_task.delay", lambda run_id: queued.append(run_id))
    client = login(users[Role.BUREAU_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/work/relief/payroll/", {"month": "2026-12"})
    run = BatchRun.objects.get(kind=payroll.KIND)
    assert queued == [run.pk] and run.params == {"month": "2026-12"} and run.created_by == users[Role.BUREAU_ADMIN]
    assert response.status_code == 302 and response["Location"] == f"/work/relief/payroll/?month=2026-12&run={run.pk}"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="batch-progress"' in page and f"/work/batches/{run.pk}/" in page
    bad = client.post("/work/relief/payroll/", {"month": "2026-13"}, follow=True)
    assert "01 至 12" in bad.content.decode() and BatchRun.objects.count() == 1


def test_roll_detail_page(benefits, users, login, django_assert_max_num_queries):
    payroll.payroll_generate(month=DEC)
    roll = _roll()
    number = benefits["ours"].recipient.id_number
    client = login(users[Role.REVIEWER])
    with django_assert_max_num_queries(9):  # 8 + the header's unread-message count
        page = client.get(f"/work/relief/payroll/{roll.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "¥1,380.00" in html and "¥2,644.00" in html
    assert number not in html and f"{number[:4]}**********{number[-4:]}" in html  # masked in the list
    assert 'data-testid="approve-roll"' in html and "bank.csv" not in html
    tekun = client.get(f"/work/relief/payroll/{roll.pk}/?kind=tekun&sort=-amount")
    assert [p.kind for p in tekun.context["page"].items] == ["tekun"]
    assert client.get(f"/work/relief/payroll/{_roll(CHONGCHUAN).pk}/").status_code == 404
    client.post(f"/work/relief/payroll/{roll.pk}/approve/")
    html = client.get(f"/work/relief/payroll/{roll.pk}/").content.decode()
    assert 'data-testid="approve-roll"' not in html and "bank.csv" in html and "已审核" in html


def test_roll_detail_pages_through_many_lines(users, login, regions, new_benefit, django_assert_max_num_queries):
    for n in range(130):
        new_benefit("jinsha_1", monthly_amount=Decimal(100 + n))
    payroll.payroll_generate(month=DEC)
    client = login(users[Role.CASEWORKER])
    with django_assert_max_num_queries(9):  # 8 + the header's unread-message count
        first = client.get(f"/work/relief/payroll/{_roll().pk}/")
    assert len(first.context["page"].items) == 100 and first.context["lines"] == 130
    assert 'data-testid="approve-roll"' not in first.content.decode()  # caseworkers do not approve
    second = client.get(f"/work/relief/payroll/{_roll().pk}/?sort=region&after={first.context['page'].next_cursor}")
    seen = {p.pk for p in first.context["page"].items} | {p.pk for p in second.context["page"].items}
    assert len(seen) == 130


def test_out_of_district_reviewer_cannot_approve_through_the_page(benefits, users, regions, login):
    payroll.payroll_generate(month=DEC)
    outsider = UserFactory(role=Role.REVIEWER, region=regions["chongchuan"])
    assert login(outsider).post(f"/work/relief/payroll/{_roll().pk}/approve/").status_code == 404
    assert _roll().status == PayrollRoll.Status.GENERATED


# ---------------------------------------------------------------- command and Celery


def test_command_generates_and_prints_progress_and_totals(benefits, capsys):
    call_command("generate_payroll", "--month", "2026-12")
    out = capsys.readouterr().out
    assert "进度 100%" in out and "本次新增 4 条，共 4 条，合计 3144.50 元" in out
    assert "通州区\t特困人员救助供养\t1\t1164.00" in out
    call_command("generate_payroll", "--month", "2026-12")
    assert "本次新增 0 条，共 4 条，合计 3144.50 元" in capsys.readouterr().out
    assert BatchRun.objects.filter(kind=payroll.KIND, status=BatchRun.Status.SUCCEEDED).count() == 2


def test_command_refuses_a_bad_month(db):
    with pytest.raises(CommandError, match="01 至 12"):
        call_command("generate_payroll", "--month", "2026-13")
    assert not BatchRun.objects.exists()


def test_command_exits_non_zero_on_a_bad_month():
    done = subprocess.run(
        [sys.executable, "manage.py", "generate_payroll", "--month", "2026-13"],
        check=False,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "2026-13" in done.stderr and "01 至 12" in done.stderr


@pytest.mark.django_db(transaction=True)
def test_payroll_through_a_real_celery_worker(benefits, users, celery_worker_process):
    run = payroll.payroll_start(user=users[Role.BUREAU_ADMIN], month=DEC)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.3)
    assert run.status == BatchRun.Status.SUCCEEDED, run.message
    assert run.done == run.total > 0 and "3144.50" in run.message
    assert Payment.objects.filter(month=DEC).count() == 4
    assert PayrollRoll.objects.filter(month=DEC).count() == 2


# ---------------------------------------------------------------- issue 10: approval waits for the month's run


def _month_run(status, **fields):
    """A payroll run of December as the batch page would show it."""
    run = batchrun_create(kind=payroll.KIND, params={"month": "2026-12"})
    BatchRun.objects.filter(pk=run.pk).update(status=status, **fields)
    run.refresh_from_db()
    return run


@pytest.mark.parametrize(
    "status, started",
    [(BatchRun.Status.PENDING, False), (BatchRun.Status.RUNNING, True), (BatchRun.Status.FAILED, True)],
)
def test_no_approval_while_the_months_run_is_unfinished(benefits, users, login, status, started):
    payroll.payroll_generate(month=DEC)
    from django.utils import timezone

    run = _month_run(status, done=4, total=9, started_at=timezone.now() if started else None)
    with pytest.raises(DomainError, match=rf"#{run.pk} 尚未完成（.*已处理 4/9）"):
        payroll.payroll_approve(actor=users[Role.REVIEWER], roll=_roll())
    assert _roll().status == PayrollRoll.Status.GENERATED and _roll().approved_lines is None
    # The page says why beside a disabled button; a POST is refused with the same reason.
    client = login(users[Role.REVIEWER])
    html = client.get(f"/work/relief/payroll/{_roll().pk}/").content.decode()
    assert 'data-testid="approve-roll-disabled"' in html and 'data-testid="approve-roll"' not in html
    assert f"#{run.pk} 尚未完成" in html
    refused = client.post(f"/work/relief/payroll/{_roll().pk}/approve/", follow=True).content.decode()
    assert f"#{run.pk} 尚未完成" in refused and _roll().status == PayrollRoll.Status.GENERATED
    # Once a run of the month has succeeded (a new one, or this one resumed), the roll may be approved.
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.SUCCEEDED, done=9)
    payroll.payroll_approve(actor=users[Role.REVIEWER], roll=_roll())
    assert _roll().status == PayrollRoll.Status.APPROVED


def test_a_refused_duplicate_start_does_not_hold_approval_back(benefits, users):
    payroll.payroll_generate(month=DEC)
    _month_run(BatchRun.Status.SUCCEEDED)
    _month_run(BatchRun.Status.FAILED, message="已在另一进程中运行")  # refused at once: never started
    payroll.payroll_approve(actor=users[Role.REVIEWER], roll=_roll())


def test_an_interrupted_run_blocks_approval_until_resumed(benefits, users, monkeypatch):
    """The finding: a roll approved while its run had written only part of the
    lines kept those, and the rerun added nothing.  Now the approval waits."""
    monkeypatch.setattr(payroll, "CHUNK_IDS", 2)
    run = batchrun_create(kind=payroll.KIND, params={"month": "2026-12"})
    real = payroll._chunk

    def dying(month, lo, hi, *rest):
        if lo >= benefits["tekun"].pk:
            raise RuntimeError("worker killed")
        return real(month, lo, hi, *rest)

    monkeypatch.setattr(payroll, "_chunk", dying)
    with pytest.raises(RuntimeError):
        payroll.payroll_run(run_id=run.pk)
    assert _roll().payments.count() == 1  # 通州区 so far: only "ours"
    with pytest.raises(DomainError, match=rf"#{run.pk} 尚未完成（失败"):
        payroll.payroll_approve(actor=users[Role.REVIEWER], roll=_roll())
    monkeypatch.setattr(payroll, "_chunk", real)
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.PENDING)
    payroll.payroll_run(run_id=run.pk)
    roll = payroll.payroll_approve(actor=users[Role.REVIEWER], roll=_roll())
    assert (roll.approved_lines, roll.approved_total) == (3, Decimal("2644.00"))


def test_a_run_after_approval_reports_the_people_it_could_not_add(benefits, users, login, new_benefit):
    call_command("generate_payroll", "--month", "2026-12")
    payroll.payroll_approve(actor=users[Role.REVIEWER], roll=_roll())
    late = new_benefit("jinsha_1", monthly_amount=Decimal(900))
    late_elsewhere = new_benefit("wenfeng_1", monthly_amount=Decimal(800))
    run = batchrun_create(kind=payroll.KIND, params={"month": "2026-12"})
    summary = payroll.payroll_run(run_id=run.pk)
    run.refresh_from_db()
    assert (summary.added, summary.blocked) == (1, 1)  # 崇川区's open roll takes its late benefit; 通州区's cannot
    assert run.status == BatchRun.Status.SUCCEEDED and run.result["counts"] == {"added": 1, "blocked": 1}
    assert "另有 1 人应发未发" in run.message and "请补发或撤销审核" in run.message
    assert run.error_count == 1
    number = late.recipient.id_number
    (reason,) = run.row_errors.values_list("reason", flat=True)
    assert reason == (
        f"待遇 #{late.pk}（{number[:4]}**********{number[-4:]}）："
        "所在区县花名册已审核，未能加入本月发放，请补发或撤销审核"
    )
    assert not Payment.objects.filter(benefit=late).exists() and Payment.objects.filter(benefit=late_elsewhere).exists()
    page = login(users[Role.BUREAU_ADMIN]).get(f"/work/batches/{run.pk}/").content.decode()
    assert "未能加入（花名册已审核）" in page and "请补发或撤销审核" in page and number not in page


# ---------------------------------------------------------------- issue 10: lines held above the review limit


@pytest.fixture
def review_limit(regions):
    from civil_affairs.parameters import parameter_set

    # 1 200 yuan in the city from 2026; 通州区 itself raises it to 1 300 from December
    parameter_set(
        actor=None,
        region=regions["city"],
        key="payment_review_limit",
        value=Decimal("1200"),
        effective_from=dt.date(2026, 1, 1),
    )
    parameter_set(
        actor=None, region=regions["tongzhou"], key="payment_review_limit", value=Decimal("1300"), effective_from=DEC
    )


def test_lines_above_the_review_limit_are_held_set_based(benefits, review_limit, new_benefit):
    big = new_benefit("wenfeng_1", monthly_amount=Decimal("1250.00"))  # 崇川区: above the city's 1 200
    payroll.payroll_generate(month=DEC)
    held = set(Payment.objects.filter(month=DEC, held=True).values_list("benefit_id", flat=True))
    # 1 380 > 1 300 (通州区); 1 164 ≤ 1 300; 1 250 > 1 200 (崇川区, the city's limit)
    assert held == {benefits["ours"].pk, big.pk}
    # November: 通州区's own row is not yet in force; the city's 1 200 holds the 1 380s (ours, and the
    # benefit ending in November) and the 1 250, not the 1 164
    payroll.payroll_generate(month=dt.date(2026, 11, 1))
    assert set(Payment.objects.filter(month=dt.date(2026, 11, 1), held=True).values_list("benefit_id", flat=True)) == {
        benefits["ours"].pk,
        big.pk,
        benefits["ended"].pk,
    }


def test_held_lines_are_not_paid_until_a_reviewer_releases_them(benefits, review_limit, users, login, client):
    payroll.payroll_generate(month=DEC)
    roll, line = _roll(), Payment.objects.get(benefit=benefits["ours"])
    reviewer = login(users[Role.REVIEWER])
    page = reviewer.get(f"/work/relief/payroll/{roll.pk}/")
    html = page.content.decode()
    assert page.context["held"] == {"lines": 1, "total": Decimal("1380.00")}
    assert 'data-testid="roll-held"' in html and "¥1,380.00" in html and 'data-testid="hold-decide"' in html
    assert page.context["total"] == Decimal("1264.00")  # what the bank file would pay: 1 164 + 100
    held_only = reviewer.get(f"/work/relief/payroll/{roll.pk}/?held=1")
    assert [p.pk for p in held_only.context["page"].items] == [line.pk]

    url = f"/work/relief/payroll/{roll.pk}/lines/{line.pk}/hold/"
    refused = reviewer.post(url, {"decision": "release", "reason": "  "}, follow=True).content.decode()
    assert "请填写复核理由" in refused and Payment.objects.get(pk=line.pk).held
    client.logout()
    assert login(users[Role.CASEWORKER]).post(url, {"decision": "release", "reason": "核实无误"}).status_code == 403
    client.logout()
    reviewer = login(users[Role.REVIEWER])
    assert reviewer.post(url, {"decision": "release", "reason": "核实无误：三人户，含分类施保"}).status_code == 302
    assert not Payment.objects.get(pk=line.pk).held
    event = AuditEvent.objects.filter(target_type="relief.payrollroll", target_id=str(roll.pk)).latest("at")
    assert (event.actor, event.changes["decision"], event.changes["held_line"], event.changes["reason"]) == (
        users[Role.REVIEWER],
        "release",
        line.pk,
        "核实无误：三人户，含分类施保",
    )
    reviewer.post(f"/work/relief/payroll/{roll.pk}/approve/")
    rows = _csv(reviewer.get(f"/work/relief/payroll/{roll.pk}/bank.csv"))
    assert len(rows) == 4 and "1380.00" in [r[3] for r in rows]


def test_a_held_line_is_withdrawn_or_left_out_of_the_bank_file(benefits, review_limit, users, login, new_benefit):
    second = new_benefit("jinsha_1", monthly_amount=Decimal("4000.00"))
    payroll.payroll_generate(month=DEC)
    roll = _roll()
    reviewer = login(users[Role.REVIEWER])
    wrong = Payment.objects.get(benefit=second)
    reviewer.post(
        f"/work/relief/payroll/{roll.pk}/lines/{wrong.pk}/hold/",
        {"decision": "withdraw", "reason": "金额有误，待更正待遇后补发"},
    )
    assert not Payment.objects.filter(pk=wrong.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, target_type="relief.payrollroll")
    assert event.changes["amount"] == "4000.00" and event.changes["benefit"] == second.pk
    # Approved with one line still held: it is not paid, and the figures say what is.
    roll = payroll.payroll_approve(actor=users[Role.REVIEWER], roll=roll)
    assert (roll.approved_lines, roll.approved_total) == (2, Decimal("1264.00"))
    event = AuditEvent.objects.filter(
        target_type="relief.payrollroll", target_id=str(roll.pk), changes__step="approve"
    ).get()
    assert event.changes == {
        "step": "approve",
        "month": "2026-12",
        "lines": 2,
        "total": "1264.00",
        "held": 1,
        "held_total": "1380.00",
    }
    rows = _csv(reviewer.get(f"/work/relief/payroll/{roll.pk}/bank.csv"))
    assert len(rows) == 3 and "1380.00" not in [r[3] for r in rows]
    html = reviewer.get(f"/work/relief/payroll/{roll.pk}/").content.decode()
    assert 'data-testid="roll-approved-figures"' in html and "¥1,264.00" in html
    assert 'data-testid="hold-decide"' not in html  # too late to release
    line = Payment.objects.get(benefit=benefits["ours"])
    with pytest.raises(DomainError, match="已审核"):
        rolls.roll_line_hold_decide(
            actor=users[Role.REVIEWER], kind=selectors.PAYROLL, line=line, decision="release", reason="核实"
        )
