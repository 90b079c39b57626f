"""Statement import: streamed CSV or Excel, bad rows reported with their row
number and reason, good rows kept; the same file twice adds nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook

from charity import batch, services
from charity.models import Donation, Donor, LedgerEntry
from civil_affairs.models import BatchRun, BatchRunError

CSV = """流水号,日期,金额,捐赠人,类型,证件号码
T001,2026-06-01,100.00,张三,个人,
T002,2026-06-02,"1,250.50",南通某某有限公司,单位,
T003,2026-06-02,abc,李四,个人,
T004,2099-01-01,10,王五,个人,
,2026-06-03,10,赵六,个人,
T005,2026-06-03,0,钱七,个人,
T006,2026-06-04,30,,个人,
T001,2026-06-01,100.00,张三,个人,
T007,2026/06/05,40,张三,个人,
T008,2026-06-05,40,孙八,外星人,
"""


def _run(charity, path, campaign=None):
    run = batch.statement_start(user=charity["maker"], org=charity["org"], path=str(path), filename=path.name,
                                campaign=campaign)  # fmt: skip
    counts = batch.statement_import(run_id=run.pk)
    return BatchRun.objects.get(pk=run.pk), counts


@pytest.mark.django_db
def test_csv_import_reports_bad_rows_and_twice_adds_nothing(charity, tmp_path):
    path = tmp_path / "statement.csv"
    path.write_text(CSV, encoding="utf-8")
    run, counts = _run(charity, path, campaign=charity["drive"])
    assert counts == {"added": 4, "duplicates": 1, "bad": 5}
    assert run.status == "succeeded" and "新增 4 笔" in run.message
    errors = dict(BatchRunError.objects.filter(run=run).values_list("row", "reason"))
    assert set(errors) == {4, 5, 6, 7, 11}
    assert "金额无效" in errors[4] and "晚于今天" in errors[5] and "流水号为空" in errors[6]
    assert "大于零" in errors[7] and "个人" in errors[11]
    org = charity["org"]
    assert Donation.objects.filter(organisation=org).count() == 4
    assert Donation.objects.get(transaction_id="T002").amount == Decimal("1250.50")
    assert Donation.objects.get(transaction_id="T006").anonymous  # no name: anonymous
    assert Donation.objects.get(transaction_id="T007").donor == Donation.objects.get(transaction_id="T001").donor
    assert Donor.objects.get(name="南通某某有限公司").kind == "company"
    assert LedgerEntry.objects.filter(donation__organisation=org).count() == 4
    assert services.balance(org) == Decimal("100.00") + Decimal("1250.50") + 30 + 40  # the drive has no fund
    again, counts = _run(charity, path)
    assert counts == {"added": 0, "duplicates": 5, "bad": 5}
    assert Donation.objects.filter(organisation=org).count() == 4
    assert LedgerEntry.objects.filter(donation__organisation=org).count() == 4


@pytest.mark.django_db
def test_excel_statement(charity, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["交易流水号", "交易日期", "金额（元）", "付款人"])
    sheet.append(["X1", dt.date(2026, 7, 1), 88.8, "周九"])
    sheet.append(["X2", dt.datetime(2026, 7, 2, 9, 30), "12", "吴十"])
    path = tmp_path / "statement.xlsx"
    book.save(path)
    run, counts = _run(charity, path)
    assert counts == {"added": 2, "duplicates": 0, "bad": 0}
    assert Donation.objects.get(transaction_id="X1").amount == Decimal("88.80")


@pytest.mark.django_db
def test_missing_columns_are_refused_in_chinese(charity, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    from civil_affairs.errors import DomainError

    with pytest.raises(DomainError, match="缺少列"):
        _run(charity, path)


def test_copy_text_escapes():
    assert batch._copy_text(None) == "\\N"
    assert batch._copy_text("a\tb\\c\nd") == "a\\tb\\\\c\\nd"
    assert batch._copy_text(Decimal("1.50")) == "1.50"
