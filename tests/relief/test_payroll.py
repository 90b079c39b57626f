"""Monthly payroll on the real database: payable benefits only, idempotent,
totals by district and kind, approval by the district's reviewer, bank files."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from civil_affairs.models import Role
from civil_affairs.services import DomainError
from relief.models import Benefit, Payment, PayrollRoll
from relief.services import payroll
from tests.factories import MemberFactory, UserFactory

DEC = dt.date(2026, 12, 1)


def _benefit(household, **fields):
    head = household.members.get(relation="head").person
    values = {"household": household, "recipient": head, "kind": "dibao", "region": household.region,
              "monthly_amount": Decimal("1380.00"), "start_month": dt.date(2026, 1, 1),
              "bank_account": "6228480012345678901"}
    values.update(fields)
    return Benefit.objects.create(**values)


@pytest.fixture
def benefits(households, regions):
    def other(region, **fields):
        return _benefit(MemberFactory(household__region=regions[region]).household, **fields)

    return {
        "ours": _benefit(households["ours"]),
        "theirs": _benefit(households["theirs"], monthly_amount=Decimal("500.50")),
        "tekun": other("xingren_1", kind="tekun", monthly_amount=Decimal("1164.00")),
        "exit": other("jinsha_1", status="gradual_exit", last_month=DEC, monthly_amount=Decimal("100")),
        # none of these is paid in December
        "stopped": other("jinsha_1", status="stopped"),
        "suspended": other("jinsha_1", status="suspended"),
        "future": other("jinsha_1", start_month=dt.date(2027, 1, 1)),
        "ended": other("jinsha_1", status="gradual_exit", last_month=dt.date(2026, 11, 1)),
        "marginal": other("jinsha_1", kind="marginal", monthly_amount=Decimal("0")),
    }


def test_one_line_per_payable_benefit_and_idempotent(benefits):
    first = payroll.payroll_generate(month=DEC)
    paid = set(Payment.objects.filter(month=DEC).values_list("benefit_id", flat=True))
    assert paid == {benefits[k].pk for k in ("ours", "theirs", "tekun", "exit")}
    assert first["total"] == Decimal("1380.00") + Decimal("500.50") + Decimal("1164.00") + Decimal("100.00")
    again = payroll.payroll_generate(month=DEC)
    assert again["added"] == 0 and (again["lines"], again["total"]) == (first["lines"], first["total"])
    assert Payment.objects.count() == 4


def test_totals_by_district_and_kind(benefits):
    payroll.payroll_generate(month=DEC)
    totals = {(r["roll__district_id"], r["kind"]): (r["lines"], r["total"]) for r in payroll.month_totals(DEC)}
    assert totals == {("320612000000", "dibao"): (2, Decimal("1480.00")),
                      ("320612000000", "tekun"): (1, Decimal("1164.00")),
                      ("320613000000", "dibao"): (1, Decimal("500.50"))}
    assert PayrollRoll.objects.filter(month=DEC).count() == 2


def test_approval_by_the_districts_reviewer_freezes_the_roll(benefits, users, regions, households):
    payroll.payroll_generate(month=DEC)
    tongzhou = PayrollRoll.objects.get(month=DEC, district_id="320612000000")
    with pytest.raises(DomainError):
        payroll.payroll_approve(actor=users[Role.CASEWORKER], roll=tongzhou)
    outsider = UserFactory(role=Role.REVIEWER, region=regions["chongchuan"])
    with pytest.raises(DomainError, match="管辖"):
        payroll.payroll_approve(actor=outsider, roll=tongzhou)
    payroll.payroll_approve(actor=users[Role.REVIEWER], roll=tongzhou)
    with pytest.raises(DomainError, match="已审核"):
        payroll.payroll_approve(actor=users[Role.REVIEWER], roll=tongzhou)
    # A benefit granted after approval does not change the approved roll.
    _benefit(MemberFactory(household__region=regions["jinsha_1"]).household)
    assert payroll.payroll_generate(month=DEC)["added"] == 0
    assert tongzhou.payments.count() == 3


def test_bank_file_after_approval_full_or_masked_id(benefits, users, login):
    payroll.payroll_generate(month=DEC)
    roll = PayrollRoll.objects.get(month=DEC, district_id="320612000000")
    number = benefits["ours"].recipient.id_number
    reviewer = login(users[Role.REVIEWER])
    refused = reviewer.get(f"/work/relief/payroll/{roll.pk}/bank.csv")
    assert refused.status_code == 302
    assert reviewer.post(f"/work/relief/payroll/{roll.pk}/approve/").status_code == 302
    body = reviewer.get(f"/work/relief/payroll/{roll.pk}/bank.csv").content.decode("utf-8-sig")
    assert number in body and "6228480012345678901" in body and "1380.00" in body
    xlsx = reviewer.get(f"/work/relief/payroll/{roll.pk}/bank.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    masked = login(users[Role.AUDITOR]).get(f"/work/relief/payroll/{roll.pk}/bank.csv").content.decode("utf-8-sig")
    assert number not in masked and f"{number[:4]}**********{number[-4:]}" in masked


def test_pages_and_query_counts(benefits, users, login, django_assert_max_num_queries):
    payroll.payroll_generate(month=DEC)
    roll = PayrollRoll.objects.get(month=DEC, district_id="320612000000")
    client = login(users[Role.REVIEWER])
    assert "通州区" in client.get("/work/relief/payroll/").content.decode()
    with django_assert_max_num_queries(10):
        page = client.get(f"/work/relief/payroll/{roll.pk}/")
    assert page.status_code == 200 and "¥1,380.00" in page.content.decode()
    other = PayrollRoll.objects.get(month=DEC, district_id="320613000000")
    assert client.get(f"/work/relief/payroll/{other.pk}/").status_code == 404


def test_resume_after_interruption_ends_with_the_same_totals(benefits, monkeypatch):
    from civil_affairs.services import batchrun_create

    monkeypatch.setattr(payroll, "CHUNK_IDS", 2)
    run = batchrun_create(kind=payroll.KIND, params={"month": "2026-12"})
    calls = {"n": 0}
    real = payroll._chunk

    def dying(month, lo, hi):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(month, lo, hi)

    monkeypatch.setattr(payroll, "_chunk", dying)
    with pytest.raises(RuntimeError):
        payroll.payroll_generate(month=DEC, run_id=run.pk)
    monkeypatch.setattr(payroll, "_chunk", real)
    result = payroll.payroll_run(run_id=run.pk)
    assert result["lines"] == 4 and result["total"] == Decimal("3144.50")


def test_command_rejects_a_bad_month(db):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("generate_payroll", "--month", "2026-13")


def test_command_generates(benefits, capsys):
    call_command("generate_payroll", "--month", "2026-12")
    assert "共 4 条" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_payroll_through_a_real_celery_worker(benefits, users, celery_worker_process):
    import time

    from civil_affairs.models import BatchRun

    run = payroll.payroll_start(user=users[Role.BUREAU_ADMIN], month=DEC)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.3)
    assert run.status == BatchRun.Status.SUCCEEDED, run.message
    assert Payment.objects.filter(month=DEC).count() == 4
