"""Data-exchange feed imports on the real database (the core's importer,
civil_affairs/feeds.py, with the core's death kind and relief's registered
kinds, relief/feeds.py): every kind's sample file,
row validation with row numbers and reasons, idempotent re-imports, Excel and
GBK files, missing columns, resuming an interrupted run, the command, the
upload page and the Celery task."""

import csv
import datetime as dt
import io
import time
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import OperationalError

from civil_affairs import areas, feeds
from civil_affairs.models import AuditEvent, BatchRun, BatchRunError, FeedRecord, Role
from civil_affairs.rules import make_id_number, mask_id_number
from civil_affairs.services import DomainError, batchrun_retry
from relief.models import PriceIndex
from tests.factories import valid_id_number

SAMPLES = feeds.SAMPLE_DIR
PRICE_INDEX = "price_index"
# The core's and relief's kinds' columns, in the documented order: the core's death first, then relief's.
LAYOUTS = {kind.key: kind.columns for kind in (*feeds.CORE_FEED_KINDS, *areas.get("relief").feed_kinds)}


def _sample_rows(kind):
    with open(SAMPLES / f"{kind}.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path, header, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(kind, path, **kwargs):
    return feeds.feed_import_file(kind=kind, path=path, **kwargs)


def _records():
    """What an import leaves, without ids, runs and timestamps."""
    return sorted(
        FeedRecord.objects.values_list("kind", "id_number", "name", "key", "event_date", "amount", "detail"), key=repr
    )


def _errors(run):
    return list(BatchRunError.objects.filter(run=run).order_by("row").values_list("row", "reason"))


# ---------------------------------------------------------------- sample files


@pytest.mark.parametrize("kind", list(LAYOUTS))
def test_every_kind_imports_its_sample_file(kind, regions):
    rows = _sample_rows(kind)
    assert rows and list(rows[0]) == list(LAYOUTS[kind])  # the documented order
    run = _import(kind, SAMPLES / f"{kind}.csv")
    assert run.status == BatchRun.Status.SUCCEEDED, run.message
    assert run.result["counts"] == {"added": len(rows), "duplicates": 0, "bad": 0, "blank": 0}
    assert run.error_count == 0 and run.done == run.total == len(rows) and run.percent == 100
    assert run.message.startswith(f"共 {len(rows)} 行：新增 {len(rows)} 条，已存在 0 条（未重复导入），错误 0 行。")
    assert run.region_id == regions["city"].code  # the bureau sees command runs too
    model = PriceIndex if kind == PRICE_INDEX else FeedRecord
    assert model.objects.filter(run=run).count() == len(rows)
    if kind != PRICE_INDEX:
        assert FeedRecord.objects.filter(kind=kind).count() == len(rows)
        assert set(FeedRecord.objects.values_list("id_number", flat=True)) == {r["id_number"] for r in rows}


def test_sample_values_are_stored_as_documented(regions):
    for kind in LAYOUTS:
        _import(kind, SAMPLES / f"{kind}.csv")
    death = FeedRecord.objects.get(kind="death", name="王德明")
    assert (death.key, death.event_date, death.amount, death.detail) == ("death", dt.date(2026, 9, 14), None, {})
    car = FeedRecord.objects.get(kind="vehicle", key="苏FD52318")
    assert car.amount == Decimal("129900.00") and car.detail == {"plate": "苏FD52318", "vehicle_type": "car"}
    assert car.event_date == dt.date(2025, 12, 2)
    assert FeedRecord.objects.get(kind="vehicle", key="苏F6M937").amount is None  # value is optional
    home = FeedRecord.objects.get(kind="property", name="李秀兰")
    assert home.key == home.detail["certificate"] == "苏(2026)南通市通州区不动产权第0012873号"
    assert home.detail["area"] == "89.56" and home.detail["address"].startswith("南通市通州区")
    wages = FeedRecord.objects.get(kind="wages", name="张丽", key="2026-10|南通文峰大世界商贸有限公司")
    assert wages.event_date == dt.date(2026, 10, 1) and wages.amount == Decimal("800.00")
    assert FeedRecord.objects.filter(kind="wages", name="张丽").count() == 2  # two employers in one month
    shop = FeedRecord.objects.get(kind="business", name="张丽")
    assert shop.amount == Decimal("20000.00") and shop.detail["company"] == "通州区金沙街道张丽服装店"
    assert shop.key == shop.detail["credit_code"] and len(shop.key) == 18
    move = FeedRecord.objects.get(kind="hukou", name="张丽")
    assert move.key == "2026-08-05" and move.detail == {
        "to_region_code": "320115001002",
        "to_address": "南京市江宁区东山街道竹山路16号",
    }
    listed = FeedRecord.objects.get(kind="unemployment", name="陈志强")
    assert (listed.key, listed.event_date, listed.detail) == ("2026-10", dt.date(2026, 10, 1), {"bank_account": ""})
    assert FeedRecord.objects.filter(kind="veteran", key="2026-10").count() == 2
    index = PriceIndex.objects.get(month=dt.date(2026, 10, 1), region=regions["tongzhou"])
    assert (index.cpi_yoy, index.food_yoy) == (Decimal("3.40"), Decimal("-0.50"))
    assert PriceIndex.objects.get(month=dt.date(2026, 10, 1), region=regions["city"]).cpi_yoy == Decimal("3.60")
    assert FeedRecord.objects.filter(checked_at__isnull=True).count() == FeedRecord.objects.count()


# ---------------------------------------------------------------- bad rows


def test_bad_rows_are_reported_with_row_number_and_reason_and_good_rows_kept(regions, users, login, tmp_path):
    good1, good2, good3 = (valid_id_number() for _ in range(3))
    wrong_check = good1[:17] + ("0" if good1[17] != "0" else "1")
    path = _write(
        tmp_path / "wages.csv",
        ["id_number", "name", "month", "employer", "amount"],
        [
            [good1, "王一", "2026-09", "南通纺织厂", "3000"],  # row 2: good
            [wrong_check, "王二", "2026-09", "南通纺织厂", "3000"],  # row 3: check digit
            ["", "王三", "2026-09", "南通纺织厂", "3000"],  # row 4: no ID
            [good2, "王四", "2026-13", "南通纺织厂", "3000"],  # row 5: month
            [good2, "王五", "2026-09", "南通纺织厂", "-5"],  # row 6: negative
            [good2, "王六", "2026-09", "南通纺织厂", "12.345"],  # row 7: three decimals
            [good2, "王七", "2026-09", "", "abc"],  # row 8: two problems
            [" " + good2.lower() + " ", "王八", "2026/9", "南通纺织厂", "1,234.5"],  # row 9: good after cleaning
            [],  # row 10: blank, skipped
            [good3, "王九", "2099-01", "南通纺织厂", "100"],  # row 11: month in the future
        ],
    )
    run = _import("wages", path)
    assert run.status == BatchRun.Status.SUCCEEDED
    assert run.result["counts"] == {"added": 2, "duplicates": 0, "bad": 7, "blank": 1}
    assert "共 10 行：新增 2 条，已存在 0 条（未重复导入），错误 7 行。另有空行 1 行已跳过。" in run.message
    errors = dict(_errors(run))
    assert list(errors) == [3, 4, 5, 6, 7, 8, 11] and run.error_count == 7
    assert errors[3].startswith(f"列 id_number：“{mask_id_number(wrong_check)}”：身份证号码校验位错误")
    assert wrong_check not in errors[3]  # the error file does not spread full ID numbers
    assert errors[4] == "列 id_number：不能为空"
    assert errors[5] == "列 month：月份“2026-13”无效，应为 YYYY-MM（例如 2026-10）"
    assert errors[6] == "列 amount：金额 -5 不能为负数"
    assert errors[7] == "列 amount：金额 12.345 最多保留两位小数"
    assert errors[8] == "列 employer：不能为空；列 amount：“abc”不是有效的金额"
    assert errors[11] == "列 month：月份 2099-01 晚于本月"
    kept = FeedRecord.objects.get(kind="wages", id_number=good2)
    assert (kept.name, kept.key, kept.amount) == ("王八", "2026-09|南通纺织厂", Decimal("1234.50"))
    assert FeedRecord.objects.filter(kind="wages").count() == 2
    assert [e["row"] for e in run.errors] == [3, 4, 5, 6, 7, 8, 11]  # shown on the batch page

    client = login(users[Role.BUREAU_ADMIN])
    page = client.get(f"/work/batches/{run.pk}/").content.decode()
    assert "列 amount：金额 -5 不能为负数" in page and f"/work/batches/{run.pk}/errors.csv" in page
    response = client.get(f"/work/batches/{run.pk}/errors.csv")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0] == ["行号", "原因"] and len(lines) == 8
    assert lines[1] == ["3", errors[3]] and lines[-1] == ["11", "列 month：月份 2099-01 晚于本月"]


@pytest.mark.parametrize(
    "kind,header,row,reason",
    [
        (
            "death",
            ["id_number", "death_date"],
            ["{id}", "2026-02-30"],
            "列 death_date：日期“2026-02-30”无效，应为 YYYY-MM-DD（例如 2026-10-08）",
        ),
        ("death", ["id_number", "death_date"], ["{id}", "2099-01-01"], "列 death_date：日期 2099-01-01 晚于今天"),
        ("death", ["id_number", "death_date"], ["{id}", "1970-01-01"], "列 death_date：日期 1970-01-01 早于 1980-"),
        (
            "death",
            ["id_number", "death_date"],
            ["3206121980", "2026-01-01"],
            "列 id_number：“3206121980”：身份证号码应为18位，当前为10位。",
        ),
        (
            "vehicle",
            ["id_number", "plate", "registered_on", "vehicle_type"],
            ["{id}", "F12345", "2026-01-01", "car"],
            "列 plate：车牌号“F12345”格式不正确",
        ),
        (
            "vehicle",
            ["id_number", "plate", "registered_on", "vehicle_type"],
            ["{id}", "苏F12345", "2026-01-01", "boat"],
            "列 vehicle_type：“boat”无效，应为 car、truck、motorcycle 或 mobility",
        ),
        (
            "property",
            ["id_number", "certificate", "registered_on", "address", "area"],
            ["{id}", "苏(2026)南通市不动产权第1号", "2026-01-01", "", "-3"],
            "列 address：不能为空；列 area：面积 -3 不能为负数",
        ),
        (
            "business",
            ["id_number", "credit_code", "registered_on", "company", "capital"],
            ["{id}", "91320613MA27F5KQ09", "2026-01-01", "某公司", "100"],
            "列 credit_code：统一社会信用代码“91320613MA27F5KQ09”校验位错误",
        ),
        (
            "business",
            ["id_number", "credit_code", "registered_on", "company", "capital"],
            ["{id}", "ABC", "2026-01-01", "某公司", ""],
            "列 credit_code：统一社会信用代码“ABC”应为18位数字或大写字母；列 capital：不能为空",
        ),
        (
            "hukou",
            ["id_number", "moved_on", "to_region_code"],
            ["{id}", "2026-01-01", "3206"],
            "列 to_region_code：区划代码“3206”应为12位数字",
        ),
        (
            "unemployment",
            ["id_number", "month", "bank_account"],
            ["{id}", "2026-10", "6228-48A"],
            "列 bank_account：银行账号“6228-48A”应为8至32位数字",
        ),
        (
            "price_index",
            ["month", "region_code", "cpi_yoy", "food_yoy"],
            ["2026-10", "320699000000", "3.5", "1"],
            "列 region_code：区划代码 320699000000 不在区划表中",
        ),
        (
            "price_index",
            ["month", "region_code", "cpi_yoy", "food_yoy"],
            ["2026-10", "320600000000", "3.555", "百分之一"],
            "列 cpi_yoy：涨幅（%） 3.555 最多保留两位小数；列 food_yoy：“百分之一”不是有效的涨幅（%）",
        ),
    ],
)
def test_row_reasons_name_the_column_and_the_value(kind, header, row, reason, regions, tmp_path):
    number = make_id_number("320612", dt.date(1980, 5, 17), 31)
    path = _write(tmp_path / f"{kind}.csv", header, [[c.replace("{id}", number) for c in row]])
    run = _import(kind, path)
    assert run.status == BatchRun.Status.SUCCEEDED and run.result["counts"]["bad"] == 1
    [(row_number, text)] = _errors(run)
    assert row_number == 2 and text.startswith(reason), text
    assert not FeedRecord.objects.exists() and not PriceIndex.objects.exists()


def test_excel_style_values_are_accepted(regions, tmp_path):
    number = valid_id_number()
    path = _write(
        tmp_path / "vehicle.csv",
        ["ID_Number ", "plate", "registered_on", "vehicle_type", "value", "备注"],
        [
            [number, "苏F·3A7 21", "2026/5/8", "小型汽车", "86,800", "多余的列被忽略"],
            [number, "苏FD52318", "20260301", "mobility", "", ""],
        ],
    )
    run = _import("vehicle", path)
    assert run.result["counts"]["added"] == 2, run.errors
    car = FeedRecord.objects.get(key="苏F3A721")
    assert (car.event_date, car.amount, car.detail["vehicle_type"], car.name) == (
        dt.date(2026, 5, 8),
        Decimal("86800.00"),
        "car",
        "",
    )


# ---------------------------------------------------------------- idempotence


def test_the_same_file_imported_twice_adds_nothing(regions, tmp_path):
    first = _import("wages", SAMPLES / "wages.csv")
    before = list(FeedRecord.objects.order_by("id").values_list("id", "key", "amount", "run_id"))
    second = _import("wages", SAMPLES / "wages.csv")
    assert second.status == BatchRun.Status.SUCCEEDED
    assert second.result["counts"] == {"added": 0, "duplicates": len(before), "bad": 0, "blank": 0}
    assert f"新增 0 条，已存在 {len(before)} 条（未重复导入）" in second.message
    assert list(FeedRecord.objects.order_by("id").values_list("id", "key", "amount", "run_id")) == before
    assert {r[3] for r in before} == {first.pk}
    # price index: ON CONFLICT (month, region) DO NOTHING, a changed figure does not overwrite
    _import("price_index", SAMPLES / "price_index.csv")
    path = _write(
        tmp_path / "pi.csv",
        ["month", "region_code", "cpi_yoy", "food_yoy"],
        [["2026-10", "320600000000", "9.9", "9.9"], ["2026-08", "320600000000", "1.2", "0"]],
    )
    again = _import("price_index", path)
    assert again.result["counts"] == {"added": 1, "duplicates": 1, "bad": 0, "blank": 0}
    assert PriceIndex.objects.get(month=dt.date(2026, 10, 1), region_id="320600000000").cpi_yoy == Decimal("3.60")


def test_rows_repeated_within_one_chunk_do_not_crash(regions, tmp_path):
    number = valid_id_number()
    path = _write(
        tmp_path / "death.csv",
        ["id_number", "name", "death_date"],
        [[number, "王一", "2026-10-01"], [number.lower(), "王一", "2026-10-01"], [number, "", "2026-10-02"]],
    )
    run = _import("death", path)
    assert run.result["counts"] == {"added": 1, "duplicates": 2, "bad": 0, "blank": 0}
    assert FeedRecord.objects.get(id_number=number).event_date == dt.date(2026, 10, 1)  # the first one wins


# ---------------------------------------------------------------- formats


def test_xlsx_file_with_date_and_number_cells(regions, tmp_path):
    numbers = [valid_id_number(), valid_id_number(male=False)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id_number", "name", "month", "employer", "amount"])
    sheet.append([numbers[0], "王一", dt.datetime(2026, 9, 1), "南通纺织厂", 4860.5])
    sheet.append([numbers[1], "李二", "2026-10", "南通纺织厂", 5120])
    sheet.append([numbers[1], "李二", dt.datetime(2026, 10, 15), "南通机床厂", "abc"])
    sheet.append([None, None, None, None, None])
    book.save(tmp_path / "wages.xlsx")
    run = _import("wages", tmp_path / "wages.xlsx")
    assert run.status == BatchRun.Status.SUCCEEDED, run.message
    assert run.result["counts"] == {"added": 2, "duplicates": 0, "bad": 1, "blank": 1}
    assert _errors(run) == [(4, "列 amount：“abc”不是有效的金额")]
    assert FeedRecord.objects.get(id_number=numbers[0]).amount == Decimal("4860.50")
    assert FeedRecord.objects.get(id_number=numbers[0]).key == "2026-09|南通纺织厂"

    book = openpyxl.Workbook()
    book.active.append(["month", "region_code", "cpi_yoy", "food_yoy"])
    book.active.append([dt.datetime(2026, 10, 1), 320612000000, 3.6, -1.25])  # codes typed as numbers
    book.save(tmp_path / "pi.xlsx")
    assert _import("price_index", tmp_path / "pi.xlsx").result["counts"]["added"] == 1
    assert PriceIndex.objects.get(region_id="320612000000").food_yoy == Decimal("-1.25")


def test_gbk_encoded_csv(regions, tmp_path):
    number = valid_id_number()
    path = _write(
        tmp_path / "hukou.csv",
        ["id_number", "name", "moved_on", "to_region_code", "to_address"],
        [[number, "欧阳建国", "2026-08-05", "320115001002", "南京市江宁区东山街道竹山路16号"]],
        encoding="gbk",
    )
    run = _import("hukou", path)
    assert run.status == BatchRun.Status.SUCCEEDED and run.result["counts"]["added"] == 1, run.message
    record = FeedRecord.objects.get(id_number=number)
    assert record.name == "欧阳建国" and record.detail["to_address"] == "南京市江宁区东山街道竹山路16号"


def test_missing_columns_fail_the_run_with_the_expected_layout(regions, tmp_path):
    path = _write(
        tmp_path / "death.csv", ["身份证号", "姓名", "death_date"], [[valid_id_number(), "王一", "2026-10-01"]]
    )
    run = _import("death", path)
    assert run.status == BatchRun.Status.FAILED and run.done == 0
    assert run.message == (
        "缺少必需的列：id_number。死亡登记文件第一行应为列名：id_number, name, death_date"
        "（name 可省略）。请核对所选数据类别和文件。"
    )
    assert not FeedRecord.objects.exists()
    with pytest.raises(CommandError, match="缺少必需的列：id_number"):
        call_command("import_feed", "death", str(path), stdout=io.StringIO())


def test_unreadable_files_fail_with_a_message(regions, tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    run = _import("death", tmp_path / "bad.xlsx")
    assert run.status == BatchRun.Status.FAILED and "Excel 文件无法打开" in run.message
    (tmp_path / "empty.csv").write_bytes(b"")
    assert "文件为空" in _import("death", tmp_path / "empty.csv").message
    (tmp_path / "binary.csv").write_bytes(bytes(range(128, 256)) * 10)
    assert "文件编码无法识别" in _import("death", tmp_path / "binary.csv").message


# ---------------------------------------------------------------- resuming


def _resume_file(tmp_path):
    numbers = [valid_id_number() for _ in range(8)]
    rows = [[n, f"人{i}", "2026-10-01"] for i, n in enumerate(numbers)]
    rows[3][2] = "2026-10-32"  # bad
    rows.insert(6, [numbers[0], "人0", "2026-10-01"])  # duplicate of row 2
    rows.append(["bad", "", "2026-10-01"])  # bad
    return _write(tmp_path / "death.csv", ["id_number", "name", "death_date"], rows)


@pytest.mark.parametrize("failure", [RuntimeError, OperationalError])
def test_an_interrupted_run_resumes_to_the_same_result_as_an_uninterrupted_one(
    failure, regions, users, tmp_path, monkeypatch
):
    path = _resume_file(tmp_path)
    monkeypatch.setattr(feeds, "CHUNK_ROWS", 3)
    real_chunk, calls = feeds._chunk, []

    def flaky_chunk(**kwargs):
        calls.append(kwargs["rows"][0][0])
        if len(calls) == 2:
            raise failure("worker killed")
        return real_chunk(**kwargs)

    monkeypatch.setattr(feeds, "_chunk", flaky_chunk)
    with pytest.raises(failure):
        _import("death", path)
    run = BatchRun.objects.get(kind=feeds.KIND)
    assert run.done == 3 and FeedRecord.objects.count() == 3
    if failure is OperationalError:
        assert run.status == BatchRun.Status.RUNNING  # Celery retries the task
    else:
        assert run.status == BatchRun.Status.FAILED and "可重新运行，将从中断处继续" in run.message
        batchrun_retry(user=users[Role.BUREAU_ADMIN], run_id=run.pk)
    run = feeds.feed_import_run(run_id=run.pk)
    assert run.status == BatchRun.Status.SUCCEEDED, run.message
    assert calls == [2, 5, 5, 8, 11]  # the first chunk was not redone
    resumed = (_records(), run.result["counts"], _errors(run), run.done)

    FeedRecord.objects.all().delete()
    monkeypatch.setattr(feeds, "_chunk", real_chunk)
    whole = _import("death", path)
    assert (_records(), whole.result["counts"], _errors(whole), whole.done) == resumed
    assert whole.result["counts"] == {"added": 7, "duplicates": 1, "bad": 2, "blank": 0}
    assert feeds.feed_import_run(run_id=whole.pk) == whole  # a finished run does nothing


# ---------------------------------------------------------------- the command


def test_import_feed_command(regions, tmp_path):
    out = io.StringIO()
    call_command("import_feed", "death", str(SAMPLES / "death.csv"), stdout=out)
    text = out.getvalue()
    assert "进度 100%（第 2 / 2 行）" in text and "共 2 行：新增 2 条，已存在 0 条（未重复导入），错误 0 行。" in text
    assert FeedRecord.objects.filter(kind="death").count() == 2

    rows = [["123", "", "2026-10-01"]] * 25 + [[valid_id_number(), "王一", "2026-10-01"]]
    path = _write(tmp_path / "death.csv", ["id_number", "name", "death_date"], rows)
    out = io.StringIO()
    call_command("import_feed", "death", str(path), stdout=out)
    run = BatchRun.objects.filter(kind=feeds.KIND).order_by("-pk").first()
    text = out.getvalue()
    assert "新增 1 条" in text and "错误 25 行" in text
    assert "  2: 列 id_number：“123”：身份证号码应为18位，当前为3位。" in text and "  21: " in text
    assert "  22: " not in text and "另有 5 行" in text
    assert f"/work/batches/{run.pk}/errors.csv" in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, target_id=str(run.pk)).exists()


def test_import_feed_command_refuses_bad_input(regions, tmp_path):
    with pytest.raises(CommandError, match="未知的数据类别“deaths”，可选：death（死亡登记）"):
        call_command("import_feed", "deaths", str(SAMPLES / "death.csv"))
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_feed", "death", str(tmp_path / "nowhere.csv"))
    (tmp_path / "death.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CommandError, match="只接受 CSV 或 Excel"):
        call_command("import_feed", "death", str(tmp_path / "death.xls"))
    assert not BatchRun.objects.exists()


# ---------------------------------------------------------------- pages


def test_upload_page_queues_the_import(
    regions, users, login, monkeypatch, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    queued = []
    monkeypatch.setattr("civil_affairs.tasks.feed_import_task.delay", lambda run_id: queued.append(run_id))
    admin = users[Role.BUREAU_ADMIN]
    client = login(admin)
    _import("death", SAMPLES / "death.csv")
    with django_assert_max_num_queries(8):
        page = client.get("/work/feeds/")
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="feed-upload"' in text
    for kind in LAYOUTS:
        assert f"/work/feeds/sample/{kind}.csv" in text
    assert "重点优抚对象定期抚恤补助" in text and "价格指数" in text and "death.csv" in text

    upload = SimpleUploadedFile("死亡.csv", (SAMPLES / "death.csv").read_bytes(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/work/feeds/", {"kind": "death", "file": upload})
    run = BatchRun.objects.filter(kind=feeds.KIND, created_by=admin).get()
    assert response.status_code == 302 and response["Location"] == f"/work/batches/{run.pk}/"
    assert queued == [run.pk] and run.params["kind"] == "death" and run.params["filename"] == "死亡.csv"
    assert run.params["path"].endswith(f"imports/{run.pk}.csv")
    assert open(run.params["path"], "rb").read() == (SAMPLES / "death.csv").read_bytes()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, actor=admin, target_id=str(run.pk)).exists()
    run = feeds.feed_import_run(run_id=run.pk)  # what the worker does
    assert run.result["counts"] == {"added": 0, "duplicates": 2, "bad": 0, "blank": 0}
    listing = client.get("/work/feeds/").content.decode()
    assert f"/work/batches/{run.pk}/" in listing and "死亡.csv" in listing

    bad = SimpleUploadedFile("death.txt", b"id_number\n", content_type="text/plain")
    response = client.post("/work/feeds/", {"kind": "death", "file": bad})
    assert response.status_code == 200 and "只接受 CSV 或 Excel" in response.content.decode()
    fake = SimpleUploadedFile("death.xlsx", b"id_number,name\n", content_type="application/octet-stream")
    response = client.post("/work/feeds/", {"kind": "death", "file": fake})
    assert "文件内容与扩展名不符" in response.content.decode()
    assert queued == [run.pk]


def test_sample_download(regions, users, login):
    client = login(users[Role.BUREAU_ADMIN])
    response = client.get("/work/feeds/sample/veteran.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="veteran.csv"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).decode("utf-8-sig").startswith("id_number,name,month,bank_account")
    assert client.get("/work/feeds/sample/passwords.csv").status_code == 404


def test_only_the_bureau_imports_feeds(regions, users, login, tmp_path):
    client = login(users[Role.CASEWORKER])
    assert client.get("/work/feeds/").status_code == 403
    upload = SimpleUploadedFile("death.csv", (SAMPLES / "death.csv").read_bytes())
    assert client.post("/work/feeds/", {"kind": "death", "file": upload}).status_code == 403
    assert client.get("/work/feeds/sample/death.csv").status_code == 403
    with pytest.raises(DomainError, match="没有导入比对数据的权限"):
        feeds.feed_import_start(user=users[Role.REVIEWER], kind="death", uploaded=upload)
    assert not BatchRun.objects.exists()


def test_upload_size_limit(regions, users, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_UPLOAD_BYTES", 10)
    upload = SimpleUploadedFile("death.csv", (SAMPLES / "death.csv").read_bytes())
    with pytest.raises(DomainError, match="不能超过"):
        feeds.feed_import_start(user=users[Role.BUREAU_ADMIN], kind="death", uploaded=upload)


# ---------------------------------------------------------------- Celery


def test_import_through_a_real_celery_worker(regions, users, celery_worker_process):
    upload = SimpleUploadedFile("property.csv", (SAMPLES / "property.csv").read_bytes())
    run = feeds.feed_import_start(user=users[Role.BUREAU_ADMIN], kind="property", uploaded=upload)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.3)
    assert run.status == BatchRun.Status.SUCCEEDED, run.message
    assert run.result["counts"]["added"] == 3 and FeedRecord.objects.filter(kind="property").count() == 3
