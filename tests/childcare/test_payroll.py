"""The allowance payroll on PostgreSQL: one line per child per month at the rate
of its setting, rerun adds nothing, a killed run resumes, the command refuses a
malformed month, district rolls approved and paid through the core."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from childcare import payroll
from childcare.models import Allowance, AllowancePayment, AllowanceRoll, Staff
from civil_affairs.areas import price_linkage_groups
from civil_affairs.models import BatchRun, Parameter, Role
from civil_affairs.rolls import roll_bank_rows
from civil_affairs.services import DomainError, batchrun_create
from tests.childcare.factories import approved, family, submitted

pytestmark = pytest.mark.django_db
DEC = dt.date(2026, 12, 1)


@pytest.fixture
def children(cc):
    """Three allowances from December 2026 in 金沙 (通州区) and one in 文峰 (崇川区)."""
    regions = cc["regions"]
    made = []
    for setting, category in (("institutional", "orphan"), ("dispersed", "orphan"), ("dispersed", "orphan")):
        guardian, child = family(regions["jinsha_1"])
        made.append(
            approved(
                submitted(cc[Role.CASEWORKER], child, guardian=guardian, setting=setting, category=category),
                cc[Role.CASEWORKER],
                cc[Role.REVIEWER],
            )
        )
    guardian, child = family(regions["wenfeng_1"])
    Staff.objects.create(user=cc["other_caseworker"])  # the 文峰 caseworker handles childcare there
    case = submitted(cc["other_caseworker"], child, guardian=guardian)
    Allowance.objects.create(
        child=child,
        case=case,
        guardian=guardian,
        region=regions["wenfeng_1"],
        category="unsupported",
        setting="dispersed",
        start_month=DEC,
        last_month=dt.date(2033, 1, 1),
        next_review=dt.date(2027, 12, 1),
        bank_account="6228000000000000",
    )
    return made


def test_lines_rates_and_rerun(children, cc):
    summary = payroll.allowance_generate(month=DEC)
    assert summary["added"] == 4 and summary["lines"] == 4 and summary["rolls"] == 2
    assert Decimal(summary["total"]) == Decimal("2760.00") + 2 * Decimal("2200.00") + Decimal("2200.00")
    cats = dict(AllowancePayment.objects.values_list("category").annotate().values_list("child_id", "category"))
    assert sorted(cats.values()) == ["orphan_disp", "orphan_disp", "orphan_inst", "unsupported"]
    again = payroll.allowance_generate(month=DEC)
    assert again["added"] == 0 and again["lines"] == 4
    # November: before the allowances start; nothing
    assert payroll.allowance_generate(month=dt.date(2026, 11, 1))["lines"] == 0


def test_dated_rate_in_force_for_the_month(children, cc):
    Parameter.objects.create(
        region=cc["regions"]["tongzhou"], key="childcare_rate_dispersed", value=Decimal("2300"), effective_from=DEC
    )
    payroll.allowance_generate(month=DEC)
    amounts = sorted(
        AllowancePayment.objects.filter(region__code__startswith="320612").values_list("amount", flat=True)
    )
    assert amounts == [Decimal("2300.00"), Decimal("2300.00"), Decimal("2760.00")]
    # 崇川区 keeps the city rate
    assert AllowancePayment.objects.get(region__code__startswith="320613").amount == Decimal("2200.00")


def test_one_line_per_child_and_month_in_the_database(children):
    payroll.allowance_generate(month=DEC)
    line = AllowancePayment.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AllowancePayment.objects.create(
            roll=line.roll,
            allowance=line.allowance,
            child=line.child,
            month=DEC,
            region=line.region,
            amount=Decimal("1.00"),
            category="orphan_disp",
        )


def test_stopped_and_aged_out_are_not_paid(children, cc):
    first = Allowance.objects.order_by("id").first()
    Allowance.objects.filter(pk=first.pk).update(last_month=dt.date(2026, 11, 1))
    assert payroll.allowance_generate(month=DEC)["lines"] == 3


def test_killed_run_resumes(children, monkeypatch):
    monkeypatch.setattr(payroll, "CHUNK_IDS", 1)
    run = batchrun_create(kind=payroll.KIND, params={"month": "2026-12"})
    calls = {"n": 0}
    real = payroll._chunk

    def dying(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(*args)

    monkeypatch.setattr(payroll, "_chunk", dying)
    with pytest.raises(RuntimeError):
        payroll.allowance_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.FAILED and run.done == 2
    monkeypatch.setattr(payroll, "_chunk", real)
    call_command("run_child_allowance", resume=run.pk)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.SUCCEEDED and run.done == run.total
    assert AllowancePayment.objects.filter(month=DEC).count() == 4
    assert payroll.allowance_run(run_id=run.pk) is None


def test_command_and_bad_month(children, capsys):
    call_command("run_child_allowance", month="2026-12")
    assert "本次新增 4 人" in capsys.readouterr().out
    call_command("run_child_allowance", month="2026-12")
    assert "本次新增 0 人" in capsys.readouterr().out
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("run_child_allowance", month="2026/12")
    with pytest.raises(CommandError, match="01 至 12"):
        call_command("run_child_allowance", month="2026-13")
    with pytest.raises(DomainError, match="1日"):
        payroll.allowance_generate(month=dt.date(2026, 12, 5))


def test_roll_approval_and_bank_file_masks_ids(children, cc):
    payroll.allowance_generate(month=DEC)
    roll = AllowanceRoll.objects.get(district_id="320612000000")
    with pytest.raises(DomainError):
        payroll.allowance_roll_approve(actor=cc["other_director"], roll=roll)
    payroll.allowance_roll_approve(actor=cc[Role.REVIEWER], roll=roll)
    roll.refresh_from_db()
    assert roll.status == "approved" and roll.approved_lines == 3
    rows = list(roll_bank_rows(cc[Role.AUDITOR], payroll.ALLOWANCE_ROLL, roll))
    assert len(rows) == 3 and all("*" in r[1] for r in rows)  # auditors see masked ID numbers
    assert {r[2] for r in rows} == {"6228480012345678901"}  # the guardian's account
    full = list(roll_bank_rows(cc[Role.REVIEWER], payroll.ALLOWANCE_ROLL, roll))
    assert all("*" not in r[1] for r in full)
    # an approved roll is never changed by a rerun
    Allowance.objects.filter(region__code__startswith="320612").update(last_month=dt.date(2033, 1, 1))
    assert payroll.allowance_generate(month=DEC)["added"] == 0


def test_orphans_are_a_price_linkage_group(children):
    group = next(g for g in price_linkage_groups() if g.key == "orphan")
    assert group.priority == 30
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(group.select(), {"month": DEC})
        assert len(cursor.fetchall()) == 4
