"""Relief in the admin and the import: standards and benefit rosters from CSV
and Excel keep good rows and report bad ones with row numbers; only the
bureau administrator may import them; the case admin is read-only."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from civil_affairs import services
from civil_affairs.models import BatchRun, Parameter, Role
from relief.models import Benefit
from tests.factories import MemberFactory


def _import(user, kind, name, content):
    run = services.registry_import_start(user=user, kind=kind, uploaded=SimpleUploadedFile(name, content))
    return services.registry_import_run(run_id=run.pk)


def _csv(header, *rows) -> bytes:
    return ("\n".join([header, *(",".join(r) for r in rows)]) + "\n").encode("utf-8-sig")


def test_standards_import_keeps_good_rows(regions, users):
    content = _csv(
        "区划代码,项目,数值,生效日期,依据/说明",
        ("320612000000", "dibao_standard", "820", "2027-01-01", "区政府文件"),
        ("320612000000", "低保标准（元/人·月）", "830", "2027-07-01", "按中文名"),
        ("320699999999", "dibao_standard", "820", "2027-01-01", ""),  # row 4: unknown region
        ("320612000000", "no_such_key", "1", "2027-01-01", ""),  # row 5: unknown key
        ("320612000000", "dibao_standard", "-5", "2027-02-01", ""),
    )  # row 6: negative
    run = _import(users[Role.BUREAU_ADMIN], "parameter", "standards.csv", content)
    assert run.status == BatchRun.Status.SUCCEEDED
    assert [e["row"] for e in run.errors] == [4, 5, 6], run.errors
    assert "320699999999" in run.errors[0]["reason"] and "no_such_key" in run.errors[1]["reason"]
    assert list(Parameter.objects.order_by("effective_from").values_list("value", flat=True)) == [
        Decimal("820"),
        Decimal("830"),
    ]
    again = _import(users[Role.BUREAU_ADMIN], "parameter", "standards.csv", content)
    assert again.error_count == 3 and Parameter.objects.count() == 2


def test_only_the_bureau_imports_relief_data(regions, users):
    with pytest.raises(services.DomainError):
        services.registry_import_start(
            user=users[Role.CASEWORKER], kind="parameter", uploaded=SimpleUploadedFile("s.csv", b"x")
        )


def test_benefit_roster_from_excel(households, users, regions):
    ours = households["ours"]
    head = ours.members.get(relation="head").person
    spouse = ours.members.get(relation="spouse").person
    other = MemberFactory(household__region=regions["xingren_1"]).household
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
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
    )
    sheet.append(
        [
            ours.number,
            head.id_number,
            "最低生活保障",
            1380,
            "2026-05",
            2,
            "6228480012345678901",
            "农行",
            dt.date(2026, 11, 1),
        ]
    )
    sheet.append([other.number, spouse.id_number, "dibao", 500, "2026-05", 1, "", "", None])  # row 3: not a member
    sheet.append(["H-NONE", head.id_number, "dibao", 500, "2026-05", 1, "", "", None])  # row 4: no household
    sheet.append([ours.number, head.id_number, "tekun", -1, "2026-05", 1, "", "", None])  # row 5: negative
    sheet.append([ours.number, head.id_number, "低保", 100, "2026-05", 1, "", "", None])  # row 6: bad kind
    buffer = io.BytesIO()
    workbook.save(buffer)
    run = _import(users[Role.BUREAU_ADMIN], "relief_benefit", "roster.xlsx", buffer.getvalue())
    assert [e["row"] for e in run.errors] == [3, 4, 5, 6], run.errors
    assert "不是该户成员" in run.errors[0]["reason"]
    benefit = Benefit.objects.get()
    assert (benefit.household, benefit.monthly_amount, benefit.start_month, benefit.region_id) == (
        ours,
        Decimal("1380.00"),
        dt.date(2026, 5, 1),
        ours.region_id,
    )


def test_admin_pages_and_export(relief_standards, users, login):
    client = login(users[Role.BUREAU_ADMIN])
    for path in (
        "/admin/civil_affairs/parameter/",
        "/admin/relief/benefit/",
        "/admin/relief/application/",
        "/admin/civil_affairs/calendarday/",
        "/admin/relief/payrollroll/",
        "/admin/relief/payment/",
    ):
        assert client.get(path).status_code == 200, path
    page = client.get("/admin/civil_affairs/parameter/").content.decode()
    assert "/work/import/?kind=parameter" in page
    response = client.post(
        "/admin/civil_affairs/parameter/export/",
        {
            "format": "0",
            "resource": "0",
            **{f"parameterresource_{f}": "on" for f in ("region", "key", "value", "effective_from", "note")},
        },
    )
    assert response.status_code == 200 and "780" in response.content.decode("utf-8-sig")


def test_admin_standard_change_is_audited(relief_standards, users, login):
    from civil_affairs.models import AuditEvent

    client = login(users[Role.BUREAU_ADMIN])
    response = client.post(
        "/admin/civil_affairs/parameter/add/",
        {
            "region": "320612000000",
            "key": "dibao_standard",
            "value": "820",
            "effective_from": "2027-01-01",
            "note": "区政府文件",
        },
    )
    assert response.status_code == 302
    standard = Parameter.objects.get(region_id="320612000000")
    assert AuditEvent.objects.filter(
        target_type="civil_affairs.parameter", target_id=str(standard.pk), changes__admin=True
    ).exists()
