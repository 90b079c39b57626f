"""Relief in the admin: pages load for the bureau administrator, cases are
read-only there, benefit edits are limited and audited; standards and benefit
rosters import from CSV and Excel through the chunked import keeping good
rows and reporting bad ones by row number, column and a Chinese reason."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from civil_affairs import services
from civil_affairs.models import AuditEvent, BatchRun, CalendarDay, Parameter, Role
from relief.models import Benefit
from tests.factories import MemberFactory
from tests.relief.factories import investigated, submitted

STANDARD_HEADER = ["区划代码", "项目", "数值", "生效日期", "依据/说明"]
ROSTER_HEADER = [
    "户编号",
    "领取人身份证号",
    "救助类别",
    "月救助金额",
    "起始月份",
    "保障人数",
    "银行账号",
    "开户银行",
    "下次复核日期",
]


def _import(user, kind, name, content) -> BatchRun:
    run = services.registry_import_start(user=user, kind=kind, uploaded=SimpleUploadedFile(name, content))
    return services.registry_import_run(run_id=run.pk)


def _csv(header, *rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([header, *rows])
    return out.getvalue().encode("utf-8-sig")


def _xlsx(header, *rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _errors(run) -> dict[int, str]:
    return {e["row"]: e["reason"] for e in run.errors}


# ---------------------------------------------------------------- pages


def test_admin_pages_load_for_the_bureau_admin(family, staff, login, django_assert_max_num_queries):
    app = investigated(submitted(family, staff), staff)
    CalendarDay.objects.update_or_create(
        date=dt.date(2026, 10, 1), defaults={"is_working_day": False, "name": "国庆节"}
    )
    head = family.members.get(relation="head").person
    benefit = Benefit.objects.create(
        household=family,
        recipient=head,
        kind="dibao",
        region=family.region,
        monthly_amount=500,
        start_month=dt.date(2026, 1, 1),
    )
    client = login(staff["admin"])
    for model in ("application", "benefit", "payrollroll", "payment", "homevisit", "objection"):
        assert client.get(f"/admin/relief/{model}/").status_code == 200, model
    for model in ("parameter", "calendarday"):  # relief's standards and the calendar are the core's
        assert client.get(f"/admin/civil_affairs/{model}/").status_code == 200, model
    for path in (
        f"/admin/relief/application/{app.pk}/change/",
        f"/admin/relief/benefit/{benefit.pk}/change/",
        f"/admin/relief/homevisit/{app.visits.get().pk}/change/",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert head.id_number not in page.content.decode(), path  # masked: 3206**********1234
    with django_assert_max_num_queries(12):
        client.get("/admin/relief/application/?state__exact=investigating")
    standards = client.get("/admin/civil_affairs/parameter/?region=320600000000").content.decode()
    assert "/work/import/?kind=parameter" in standards and "南通市（320600000000）" in standards
    assert "低保标准" in standards and "元/人·月" in standards  # each key's label and unit
    assert "/work/import/?kind=relief_benefit" in client.get("/admin/relief/benefit/").content.decode()


def test_cases_are_read_only_in_the_admin(family, staff, login):
    app = investigated(submitted(family, staff), staff)
    client = login(staff["admin"])
    assert client.get("/admin/relief/application/add/").status_code == 403
    response = client.post(f"/admin/relief/application/{app.pk}/change/", {"state": "confirmed"})
    assert response.status_code == 403
    assert client.post(f"/admin/relief/application/{app.pk}/delete/", {"post": "yes"}).status_code == 403
    app.refresh_from_db()
    assert app.state == "investigating"
    assert client.get("/admin/relief/benefit/add/").status_code == 403


def test_benefit_admin_changes_bank_details_only_and_is_audited(family, staff, login):
    head = family.members.get(relation="head").person
    benefit = Benefit.objects.create(
        household=family,
        recipient=head,
        kind="dibao",
        region=family.region,
        monthly_amount=500,
        start_month=dt.date(2026, 1, 1),
    )
    client = login(staff["admin"])
    bad = client.post(
        f"/admin/relief/benefit/{benefit.pk}/change/",
        {"bank_account": "12ab", "bank_name": "农行", "next_recheck": "2027-01-01"},
    )
    assert bad.status_code == 200 and "银行账号应为12至30位数字" in bad.content.decode()
    response = client.post(
        f"/admin/relief/benefit/{benefit.pk}/change/",
        {
            "bank_account": "6228480012345678901",
            "bank_name": "农业银行",
            "next_recheck": "2027-01-01",
            "monthly_amount": "9999",
            "status": "stopped",
        },
    )
    assert response.status_code == 302
    benefit.refresh_from_db()
    assert (benefit.bank_account, benefit.next_recheck) == ("6228480012345678901", dt.date(2027, 1, 1))
    assert (benefit.monthly_amount, benefit.status) == (Decimal("500.00"), "active")  # read-only here
    event = AuditEvent.objects.get(target_type="relief.benefit", target_id=str(benefit.pk), changes__admin=True)
    assert event.changes["bank_account"] == "***" and event.actor == staff["admin"]


# ---------------------------------------------------------------- standards import


def test_standard_import_from_csv_keeps_good_rows(relief_standards, users):
    content = _csv(
        STANDARD_HEADER,
        ("320612000000", "dibao_standard", "820", "2027-01-01", "通政发〔2026〕1号"),  # row 2
        ("320612000000", "低保标准（元/人·月）", "1,830.5", "2027/7/1", "按中文名"),  # row 3
        ("320612000000", "care_full", "abc", "2027-01-01", ""),  # row 4: not a number
        ("320612000000", "care_full", "1300", "2027-13-01", ""),  # row 5: bad date
        ("320612000000", "care_self", "-1", "2027-01-01", ""),  # row 6: negative
        ("", "care_self", "1", "2027-01-01", ""),
    )  # row 7: no region
    run = _import(users[Role.BUREAU_ADMIN], "parameter", "standards.csv", content)
    assert run.status == BatchRun.Status.SUCCEEDED and run.done == 6, (run.message, run.errors)
    errors = _errors(run)
    assert sorted(errors) == [4, 5, 6, 7], errors
    assert errors[4] == "数值：应为数字：abc"
    assert "日期格式应为 YYYY-MM-DD：2027-13-01" in errors[5]
    assert errors[6] == "数值：数值不能为负数。"
    assert errors[7] == "区划代码：不能为空。"
    rows = Parameter.objects.filter(region_id="320612000000").order_by("effective_from")
    assert [(s.key, s.value, s.effective_from) for s in rows] == [
        ("dibao_standard", Decimal("820"), dt.date(2027, 1, 1)),
        ("dibao_standard", Decimal("1830.5"), dt.date(2027, 7, 1)),
    ]
    # each value was written through the audited service
    events = AuditEvent.objects.filter(target_type="civil_affairs.parameter", target_id__in=[str(s.pk) for s in rows])
    assert events.count() == 2


def test_standard_import_from_excel_corrects_a_value(relief_standards, users):
    admin = users[Role.BUREAU_ADMIN]
    first = _import(
        admin,
        "parameter",
        "s.xlsx",
        _xlsx(
            STANDARD_HEADER,
            (320612000000, "dibao_standard", 820, dt.datetime(2027, 1, 1), "初稿"),  # codes as Excel numbers
            ("320612009999", "dibao_standard", 820, dt.datetime(2027, 1, 1), ""),
        ),
    )  # row 3: unknown region
    assert _errors(first) == {3: "找不到行政区划：320612009999"}
    second = _import(
        admin,
        "parameter",
        "s.xlsx",
        _xlsx(STANDARD_HEADER, ("320612000000", "dibao_standard", 825.5, dt.date(2027, 1, 1), "更正")),
    )
    assert second.errors == []
    standard = Parameter.objects.get(region_id="320612000000")
    assert (standard.value, standard.note) == (Decimal("825.5"), "更正")


def test_standard_import_with_a_missing_column_says_so(relief_standards, users):
    run = _import(
        users[Role.BUREAU_ADMIN],
        "parameter",
        "s.csv",
        _csv(["区划代码", "项目", "生效日期"], ("320612000000", "dibao_standard", "2027-01-01")),
    )
    assert "文件缺少列：数值" in _errors(run)[2]
    assert not Parameter.objects.filter(region_id="320612000000").exists()


# ---------------------------------------------------------------- benefit roster import


@pytest.fixture
def roster(households, regions):
    ours = households["ours"]
    head = ours.members.get(relation="head").person
    spouse = ours.members.get(relation="spouse").person
    other = MemberFactory(household__region=regions["xingren_1"]).household
    return {"ours": ours, "head": head, "spouse": spouse, "other": other, "other_head": other.members.get().person}


def test_benefit_roster_import_reports_bad_rows(roster, users):
    ours, head, other = roster["ours"], roster["head"], roster["other"]
    # A stopped benefit of the past is history: a new roster row makes a new benefit beside it.
    stopped = Benefit.objects.create(
        household=ours,
        recipient=head,
        kind="dibao",
        region=ours.region,
        monthly_amount=300,
        start_month=dt.date(2024, 1, 1),
        status="stopped",
    )
    content = _csv(
        ROSTER_HEADER,
        (
            ours.number,
            head.id_number,
            "最低生活保障",
            "1380",
            "2026-05",
            "",
            "6228480012345678901",
            "农行",
            "2026-11-01",
        ),  # row 2: good
        (ours.number.lower(), head.id_number, "dibao", "900", "2026-06", "2", "", "", ""),  # 3: 2nd live
        (other.number, roster["spouse"].id_number, "dibao", "500", "2026-05", "1", "", "", ""),  # 4
        ("H-NONE", head.id_number, "dibao", "500", "2026-05", "1", "", "", ""),  # row 5
        (ours.number, head.id_number, "tekun", "-1", "2026-05", "1", "", "", ""),  # row 6
        (ours.number, head.id_number, "低保", "100", "2026-05", "1", "", "", ""),  # row 7
        (ours.number, head.id_number, "temporary", "100", "2026-05", "1", "", "", ""),  # row 8
        (ours.number, head.id_number, "marginal", "100", "2026/5/15", "1", "12ab", "", ""),  # row 9
        (ours.number, head.id_number, "marginal", "100", "May 2026", "1", "", "", ""),  # row 10
        (other.number, roster["other_head"].id_number, "tekun", "1500.5", "2026年5月", "1", "", "", ""),
    )  # row 11: good
    run = _import(users[Role.BUREAU_ADMIN], "relief_benefit", "roster.csv", content)
    errors = _errors(run)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10], errors
    assert errors[3] == "救助类别：该户已有在享的最低生活保障待遇，不能重复导入。"
    assert errors[4] == "领取人身份证号：领取人不是该户成员。"
    assert errors[5] == "户编号：找不到家庭：H-NONE"  # and no noise about the region it would give
    assert errors[6] == "月救助金额：月救助金额不能为负数。"
    assert errors[7] == "救助类别：无法识别的值：低保"
    assert "一次性发放" in errors[8]
    assert errors[9].startswith("银行账号：银行账号应为12至30位数字")
    assert errors[10] == "起始月份：月份格式应为 YYYY-MM：May 2026"
    live = Benefit.objects.exclude(pk=stopped.pk).order_by("id")
    assert [
        (b.household, b.kind, b.monthly_amount, b.start_month, b.members, b.region_id, b.next_recheck) for b in live
    ] == [
        (ours, "dibao", Decimal("1380.00"), dt.date(2026, 5, 1), 2, ours.region_id, dt.date(2026, 11, 1)),
        (other, "tekun", Decimal("1500.50"), dt.date(2026, 5, 1), 1, other.region_id, None),
    ]
    stopped.refresh_from_db()
    assert (stopped.monthly_amount, stopped.status) == (Decimal("300.00"), "stopped")  # untouched
    created = AuditEvent.objects.filter(target_type="relief.benefit", action=AuditEvent.Action.CREATE)
    assert sorted(e.changes["import"] for e in created) == [True, True]
    # The same file again: nothing doubled, every good row now clashes.
    again = _import(users[Role.BUREAU_ADMIN], "relief_benefit", "roster.csv", content)
    assert 2 in _errors(again) and 11 in _errors(again) and Benefit.objects.count() == 3


def test_benefit_roster_from_excel_with_numbers_and_dates(roster, users):
    ours, head = roster["ours"], roster["head"]
    head.death_date = dt.date(2026, 1, 1)
    head.save(update_fields=["death_date"])
    content = _xlsx(
        ROSTER_HEADER,
        (
            ours.number,
            roster["spouse"].id_number,
            "dibao",
            1380.5,
            dt.datetime(2026, 5, 20),
            2.0,
            "6228480012345678901",
            "农行",
            dt.datetime(2026, 11, 1),
        ),
        (ours.number, head.id_number, "tekun", 700, "2026-05", 1, None, None, None),
    )  # row 3: dead
    run = _import(users[Role.BUREAU_ADMIN], "relief_benefit", "roster.xlsx", content)
    assert _errors(run) == {3: "领取人身份证号：领取人已死亡（2026-01-01）。"}
    benefit = Benefit.objects.get()
    assert (
        benefit.recipient,
        benefit.monthly_amount,
        benefit.start_month,
        benefit.members,
        benefit.next_recheck,
        benefit.bank_account,
    ) == (roster["spouse"], Decimal("1380.50"), dt.date(2026, 5, 1), 2, dt.date(2026, 11, 1), "6228480012345678901")


def test_only_the_bureau_imports_rosters(roster, users):
    with pytest.raises(services.DomainError):
        services.registry_import_start(
            user=users[Role.CASEWORKER], kind="relief_benefit", uploaded=SimpleUploadedFile("r.csv", b"x")
        )


# ---------------------------------------------------------------- export


def test_export_standards_and_benefits(roster, relief_standards, users, login):
    ours, head = roster["ours"], roster["head"]
    Benefit.objects.create(
        household=ours,
        recipient=head,
        kind="dibao",
        region=ours.region,
        monthly_amount=Decimal("1380.00"),
        members=2,
        start_month=dt.date(2026, 5, 1),
    )
    client = login(users[Role.BUREAU_ADMIN])
    standards = client.post(
        "/admin/civil_affairs/parameter/export/",
        {
            "format": "0",
            "resource": "0",
            **{f"parameterresource_{f}": "on" for f in ("region", "key", "value", "effective_from", "note")},
        },
    )
    text = standards.content.decode("utf-8-sig")
    assert standards.status_code == 200 and text.startswith("区划代码,项目,数值,生效日期,依据/说明")
    assert "320600000000,dibao_standard,780.0000,2022-07-01" in text
    fields = (
        "household",
        "recipient",
        "kind",
        "monthly_amount",
        "start_month",
        "members",
        "bank_account",
        "bank_name",
        "next_recheck",
    )
    benefits = client.post(
        "/admin/relief/benefit/export/",
        {"format": "0", "resource": "0", **{f"benefitresource_{f}": "on" for f in fields}},
    )
    lines = benefits.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(ROSTER_HEADER)
    assert lines[1].startswith(f"{ours.number},{head.id_number},dibao,1380.00,2026-05,2")
    # The export reads back in as a roster (here: the household already has it).
    run = _import(users[Role.BUREAU_ADMIN], "relief_benefit", "back.csv", benefits.content)
    assert "不能重复导入" in _errors(run)[2]
