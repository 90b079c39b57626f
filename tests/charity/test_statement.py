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


CHUNKED = """流水号,日期,金额,捐赠人,类型,账号
C1,2026-06-01,10,甲,个人,A1
C2,2026-06-01,NaN,乙,个人,A2
C1,2026-06-01,99,甲,个人,A1
C3,2026-06-02,20,丙,个人,A3
C4,2026-06-02,5,"丁\x00",个人,A4
C5,2026-06-03,30,"戊\tTab\\\\",单位,A5
C3,2026-06-02,20,丙,个人,A3
C6,2026-06-04,40,,个人,
"""


@pytest.mark.django_db
def test_chunks_with_a_repeated_transaction_id_and_bad_rows(charity, tmp_path, monkeypatch):
    """Chunks of three rows: C1 repeated inside the first chunk (the first one is
    kept), C3 repeated across chunks; the NaN amount and the NUL character are bad
    rows reported with their row numbers, the good rows around them are kept;
    the per-pot totals equal the ledger's sum; the whole file again adds nothing."""
    from charity.models import LedgerTotal

    monkeypatch.setattr(batch, "IMPORT_CHUNK", 3)
    path = tmp_path / "chunked.csv"
    path.write_text(CHUNKED, encoding="utf-8")
    org = charity["org"]
    run, counts = _run(charity, path, campaign=charity["drive"])
    assert counts == {"added": 4, "duplicates": 2, "bad": 2}
    assert run.status == "succeeded" and run.done == 8
    errors = dict(BatchRunError.objects.filter(run=run).values_list("row", "reason"))
    assert set(errors) == {3, 6}
    assert "金额无效" in errors[3] and "空字符" in errors[6]
    donations = {d.transaction_id: d for d in Donation.objects.filter(organisation=org)}
    assert sorted(donations) == ["C1", "C3", "C5", "C6"]
    assert donations["C1"].amount == Decimal("10.00")  # the first C1 of the file, not the later 99
    assert donations["C5"].donor.name == "戊\tTab\\\\" and donations["C5"].donor.kind == "company"
    assert donations["C6"].anonymous and donations["C6"].donor is None
    assert donations["C6"].campaign == charity["drive"]
    entries = LedgerEntry.objects.filter(organisation=org)
    assert entries.count() == len(donations)
    total = LedgerTotal.objects.filter(organisation_id=org.pk, kind="donation")
    assert sum(t.amount for t in total) == sum(e.amount for e in entries) == Decimal("100.00")
    assert sum(t.entries for t in total) == entries.count()
    again, counts = _run(charity, path)
    assert counts == {"added": 0, "duplicates": 6, "bad": 2}
    assert LedgerEntry.objects.filter(organisation=org).count() == len(donations)


@pytest.mark.django_db
def test_bad_rows_are_reported_in_the_callers_language(charity, tmp_path, monkeypatch):
    """The rows are parsed in a thread of their own: it speaks the language of the caller."""
    from django.utils import translation

    monkeypatch.setattr(batch, "IMPORT_CHUNK", 1)
    path = tmp_path / "en.csv"
    path.write_text("流水号,日期,金额,捐赠人\nE1,2026-06-01,abc,甲\nE2,2026-06-01,1,乙\n", encoding="utf-8")
    with translation.override("en"):
        run, counts = _run(charity, path)
    assert counts == {"added": 1, "duplicates": 0, "bad": 1}
    assert BatchRunError.objects.get(run=run).reason == "Invalid amount: abc"


@pytest.mark.django_db
def test_an_empty_file_fails_the_run_in_chinese(charity, tmp_path):
    from civil_affairs.errors import DomainError

    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    run = batch.statement_start(user=charity["maker"], org=charity["org"], path=str(path), filename="empty.csv")
    with pytest.raises(DomainError, match="流水文件为空"):
        batch.statement_import(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "为空" in run.message


@pytest.mark.django_db
def test_a_killed_import_resumes_after_its_last_chunk(charity, tmp_path, monkeypatch):
    """The database fails on the third chunk: the first two stay, with their
    progress; run again, the import goes on from row 8 and the totals are those
    of an uninterrupted run."""
    monkeypatch.setattr(batch, "IMPORT_CHUNK", 3)
    path = tmp_path / "resume.csv"
    rows = "".join(f"R{n},2026-06-01,{n},捐赠人{n},个人,\n" for n in range(1, 11))
    path.write_text("流水号,日期,金额,捐赠人,类型,证件号码\n" + rows, encoding="utf-8")
    real = batch._insert_chunk
    calls = {"n": 0}

    def dying(**kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(**kw)

    monkeypatch.setattr(batch, "_insert_chunk", dying)
    run = batch.statement_start(user=charity["maker"], org=charity["org"], path=str(path), filename="resume.csv")
    with pytest.raises(RuntimeError):
        batch.statement_import(run_id=run.pk)
    assert Donation.objects.filter(organisation=charity["org"]).count() == 6
    assert BatchRun.objects.get(pk=run.pk).done == 6
    counts = batch.statement_import(run_id=run.pk)
    assert counts == {"added": 10, "duplicates": 0, "bad": 0}
    assert Donation.objects.filter(organisation=charity["org"]).count() == 10
    assert services.balance(charity["org"]) == sum(range(1, 11))


def test_parse_row_refuses_what_the_database_could_not_keep():
    cols = {"transaction_id": 0, "date": 1, "amount": 2, "name": 3}
    today = dt.date(2026, 11, 20)
    for amount in ("NaN", "-nan", "Infinity", "sNaN"):
        with pytest.raises(ValueError, match="金额无效"):
            batch.parse_row(["T", "2026-01-01", amount, "甲"], cols, today)
    with pytest.raises(ValueError, match="空字符"):
        batch.parse_row(["T\x00", "2026-01-01", "1", "甲"], cols, today)
    row = batch.parse_row(["T9", "2026/1/2", "¥1,000.005", " 乙 "], cols, today)
    assert (row["day"], row["amount"], row["name"], row["key"]) == (dt.date(2026, 1, 2), Decimal("1000.01"), "乙",
                                                                    "person:乙")  # fmt: skip
    assert batch._copy_line(7, {**row, "name": "a\tb"}).split("\t")[:5] == ["7", "T9", "2026-01-02", "1000.01", "a\\tb"]


@pytest.mark.django_db(transaction=True)
def test_chunks_on_two_connections_commit_in_file_order(charity, tmp_path, monkeypatch):
    """Outside a transaction each chunk is written on a connection of its own
    while the one before commits.  A repeated transaction id in a later chunk
    stays a duplicate (the file's first copy is kept); when the third chunk
    fails, the fourth (already writing) rolls back with it, so what is in is
    the first two chunks and their progress, and a resumed run completes the
    file with the counts and errors of an uninterrupted run."""
    monkeypatch.setattr(batch, "IMPORT_CHUNK", 2)
    lines = [f"P{n},2026-06-01,{n},捐赠人{n % 3},个人,\n" for n in range(1, 11)]
    lines[4] = "P1,2026-06-01,999,捐赠人1,个人,\n"  # row 6: P1 again (chunk 3)
    lines[7] = "P8,2026-06-01,abc,捐赠人2,个人,\n"  # row 9: a bad row (chunk 4)
    path = tmp_path / "pipelined.csv"
    path.write_text("流水号,日期,金额,捐赠人,类型,证件号码\n" + "".join(lines), encoding="utf-8")
    real = batch._insert_chunk
    calls = {"n": 0}

    def dying(**kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("connection lost")
        return real(**kw)

    monkeypatch.setattr(batch, "_insert_chunk", dying)
    org = charity["org"]
    run = batch.statement_start(user=charity["maker"], org=org, path=str(path), filename="pipelined.csv")
    with pytest.raises(RuntimeError, match="connection lost"):
        batch.statement_import(run_id=run.pk)
    assert sorted(Donation.objects.filter(organisation=org).values_list("transaction_id", flat=True)) == [
        "P1", "P2", "P3", "P4",
    ]  # fmt: skip
    assert BatchRun.objects.get(pk=run.pk).done == 4
    assert not BatchRunError.objects.filter(run=run).exists()  # the bad row was in the rolled-back fourth chunk
    seen = []
    counts = batch.statement_import(run_id=run.pk, progress=seen.append)
    assert counts == {"added": 8, "duplicates": 1, "bad": 1}
    assert seen == [6, 8, 10]
    finished = BatchRun.objects.get(pk=run.pk)
    assert finished.status == "succeeded" and finished.done == 10 and finished.error_count == 1
    assert [e["row"] for e in finished.errors] == [9]
    assert Donation.objects.get(organisation=org, transaction_id="P1").amount == Decimal("1.00")
    assert LedgerEntry.objects.filter(organisation=org).count() == 8
    assert services.balance(org) == sum(n for n in range(1, 11) if n not in (5, 8))
    assert batch.statement_import(run_id=run.pk) == counts  # run once more: every row skipped, nothing changes
    assert BatchRun.objects.get(pk=run.pk).done == 10 and LedgerEntry.objects.filter(organisation=org).count() == 8


@pytest.mark.django_db
def test_an_uploaded_statement_is_kept_with_its_run(charity, client, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    queued = []
    monkeypatch.setattr("charity.views.batchrun_enqueue", lambda run: queued.append(run.pk))
    client.force_login(charity["maker"])
    upload = SimpleUploadedFile("银行流水.csv", CSV.encode(), content_type="text/csv")
    response = client.post(f"/work/charity/organisations/{charity['org'].pk}/statement/", {"file": upload})
    run = BatchRun.objects.get(kind=batch.STATEMENT_KIND)
    assert response.status_code == 302 and queued == [run.pk]
    # outside /tmp and the web root, named by the run: a resumed run finds it after a restart
    assert run.params["path"].endswith(f"imports/{run.pk}.csv") and run.params["filename"] == "银行流水.csv"
    assert open(run.params["path"], encoding="utf-8").read() == CSV
    assert batch.statement_import(run_id=run.pk) == {"added": 4, "duplicates": 1, "bad": 5}
