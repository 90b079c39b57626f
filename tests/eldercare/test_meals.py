"""Meal assistance: subsidy by group with the daily cap (DOMAIN.md: 3 yuan
for people aged 60+, 8 for dibao/tekun, at most 2 subsidised meals a day),
the card reader's file streamed with bad rows reported by row number and
reason and good rows kept, the same file twice adding nothing, the form,
and the monthly settlement per point."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from civil_affairs.models import AuditEvent, BatchRun, HouseholdMember, Role
from civil_affairs.services import DomainError, batchrun_create
from eldercare.models import Facility, Meal, MealPointMember, MealSettlement
from eldercare.services import meals as services
from tests.civil_affairs.factories import HouseholdFactory, MemberFactory
from tests.eldercare.factories import elder, id_number_born

D = dt.date


@pytest.fixture
def point(elder_params, users, today):
    r = elder_params
    point = Facility.objects.create(kind="meal_point", name="金沙社区长者食堂", region=r["jinsha_1"])
    MealPointMember.objects.create(user=users[Role.INSTITUTION_STAFF], point=point)
    return point


@pytest.fixture
def people(point, regions):
    from relief.models import Benefit

    general = elder(D(1950, 6, 6), regions["jinsha_1"])
    household = HouseholdFactory(region=regions["jinsha_1"], number="H320612001000880")
    poor = MemberFactory(household=household, person__id_number=id_number_born(D(1952, 2, 2))).person
    MemberFactory(household=household, relation=HouseholdMember.Relation.SPOUSE)
    Benefit.objects.create(
        household=household,
        recipient=poor,
        kind="dibao",
        region=household.region,
        monthly_amount=Decimal("500"),
        start_month=D(2026, 1, 1),
    )
    young = elder(D(1970, 1, 1), regions["jinsha_1"])
    return {"general": general, "poor": poor, "young": young}


def _record(users, point, rows):
    return services.meals_record(actor=users[Role.INSTITUTION_STAFF], point=point, rows=rows, source="test")


def _subsidies(person, day):
    return [m.subsidy for m in Meal.objects.filter(person=person, date=day).order_by("meal")]


def test_daily_cap_and_rates_by_group(point, people, users):
    g, p = people["general"].id_number, people["poor"].id_number
    day = "2026-11-03"
    result = _record(
        users, point, [(g, day, "早餐"), (g, day, "午餐"), (g, day, "晚餐"), (p, day, "午餐"), (p, day, "晚餐")]
    )
    assert result.added == 5 and result.bad == 0
    assert _subsidies(people["general"], D(2026, 11, 3)) == [Decimal("3.00"), Decimal("3.00"), Decimal("0.00")]
    assert _subsidies(people["poor"], D(2026, 11, 3)) == [Decimal("8.00"), Decimal("8.00")]
    assert Meal.objects.get(person=people["poor"], meal=2).group == "poor"


def test_cap_follows_meal_order_when_a_morning_meal_arrives_late(point, people, users):
    g = people["general"].id_number
    _record(users, point, [(g, "2026-11-04", "午餐"), (g, "2026-11-04", "晚餐")])
    assert _subsidies(people["general"], D(2026, 11, 4)) == [Decimal("3.00"), Decimal("3.00")]
    _record(users, point, [(g, "2026-11-04", "早餐")])  # the breakfast from another reader, a day later
    assert _subsidies(people["general"], D(2026, 11, 4)) == [Decimal("3.00"), Decimal("3.00"), Decimal("0.00")]


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("reader.csv", text.encode("utf-8-sig"), content_type="text/csv")


def test_import_keeps_good_rows_reports_bad_and_twice_adds_nothing(point, people, users):
    g, y = people["general"].id_number, people["young"].id_number
    bad_check = g[:17] + ("0" if g[17] != "0" else "1")
    unknown = id_number_born(D(1940, 1, 1))
    content = "\n".join(
        [
            "身份证号,日期,餐次",
            f"{g},2026-11-05,午餐",  # 1 good
            f"{bad_check},2026-11-05,午餐",  # 2 checksum
            f"{unknown},2026-11-05,午餐",  # 3 not in the registry
            f"{g},2026-13-05,午餐",  # 4 bad date
            f"{g},2026-11-05,夜宵",  # 5 bad meal
            f"{y},2026-11-05,午餐",  # 6 under 60
            f"{g},2026/11/06,晚餐",  # 7 good (slashes)
            f"{g},2026-11-05,午餐",  # 8 repeated in the file
        ]
    )
    result = _record(users, point, services.rows_from_file(_csv(content)))
    assert (result.rows, result.added, result.duplicates, result.bad) == (8, 2, 1, 5)
    reasons = {e["row"]: e["reason"] for e in result.errors}
    assert set(reasons) == {2, 3, 4, 5, 6}
    assert "校验位" in reasons[2] and "人员库" in reasons[3] and "日期" in reasons[4]
    assert "餐次" in reasons[5] and "60" in reasons[6]
    again = _record(users, point, services.rows_from_file(_csv(content)))
    assert again.added == 0 and again.duplicates == 3 and Meal.objects.count() == 2


def test_import_excel(point, people, users):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号", "日期", "餐次"])
    book.active.append(["x", people["general"].id_number, "2026-11-07", "2"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("reader.xlsx", buffer.getvalue())
    assert _record(users, point, services.rows_from_file(upload)).added == 1


def test_file_without_the_columns_refused(point, users):
    with pytest.raises(DomainError, match="缺少列"):
        _record(users, point, services.rows_from_file(_csv("姓名,日期\nx,2026-11-01")))


def test_only_the_points_own_staff_or_the_jurisdiction_record(point, people, users, regions):
    other = Facility.objects.create(kind="meal_point", name="文峰食堂", region=regions["wenfeng_1"])
    with pytest.raises(DomainError, match="不能为该助餐点"):
        _record(users, other, [(people["general"].id_number, "2026-11-05", "午餐")])
    with pytest.raises(DomainError, match="不能为该助餐点"):
        services.meals_record(
            actor=users["other_caseworker"],
            point=point,
            rows=[(people["general"].id_number, "2026-11-05", "午餐")],
            source="t",
        )


def test_form_and_upload_pages(point, people, users, login):
    client = login(users[Role.INSTITUTION_STAFF])
    response = client.post(
        "/work/eldercare/meals/",
        {"point": point.pk, "id_number": people["general"].id_number, "date": "2026-11-08", "meal": "2"},
    )
    assert response.status_code == 200 and Meal.objects.count() == 1
    content = f"身份证号,日期,餐次\n{people['general'].id_number},2026-11-09,午餐\nBAD,2026-11-09,午餐\n"
    response = client.post("/work/eldercare/meals/", {"point": point.pk, "file": _csv(content)})
    body = response.content.decode()
    assert Meal.objects.count() == 2 and "第 2 行" in body


def _meals_of_november(users, point, people):
    g, p = people["general"].id_number, people["poor"].id_number
    _record(
        users,
        point,
        [(g, "2026-11-03", "早餐"), (g, "2026-11-03", "午餐"), (g, "2026-11-03", "晚餐"), (p, "2026-11-03", "午餐")],
    )


def _settle_meals(month="2026-11"):
    return services.meal_settlement_run(run_id=batchrun_create(kind=services.SETTLE_KIND, params={"month": month}).pk)


def test_monthly_settlement_per_point(point, people, users):
    _meals_of_november(users, point, people)
    summary = _settle_meals()
    assert (summary["added"], summary["points"], summary["meals"], summary["total"]) == (1, 1, 4, "14.00")
    assert _settle_meals()["added"] == 0  # rerun adds nothing
    s = MealSettlement.objects.get()
    assert (s.meals, s.subsidised, s.amount, s.district_id) == (4, 3, Decimal("14.00"), "320612000000")
    run = BatchRun.objects.filter(kind=services.SETTLE_KIND).order_by("pk").first()
    assert run.status == BatchRun.Status.SUCCEEDED and "14.00" in run.message
    services.meal_settlement_approve(actor=users[Role.REVIEWER], settlement=s)
    s.refresh_from_db()
    assert s.status == "approved" and s.approved_by == users[Role.REVIEWER]
    with pytest.raises(DomainError, match="已审核"):
        services.meal_settlement_approve(actor=users[Role.REVIEWER], settlement=s)
    # a meal of the settled month at that point is refused (it would not be paid); other months still go in
    late = _record(users, point, [(people["general"].id_number, "2026-11-04", "午餐")])
    assert late.added == 0 and "已结算" in late.errors[0]["reason"]
    assert _record(users, point, [(people["general"].id_number, "2026-12-01", "午餐")]).added == 1


def test_meal_settlement_refuses_a_month_not_over_or_malformed(point, people, users):
    with pytest.raises(CommandError, match="尚未结束"):
        call_command("settle_meals", month="2026-12")
    with pytest.raises(CommandError, match="月份"):
        call_command("settle_meals", month="2026/11")
    with pytest.raises(DomainError, match="尚未结束"):
        services.meal_settlement_start(user=users[Role.BUREAU_ADMIN], month=D(2026, 12, 1))
    with pytest.raises(DomainError, match="权限"):
        services.meal_settlement_start(user=users[Role.CASEWORKER], month=D(2026, 11, 1))
    assert not BatchRun.objects.filter(kind=services.SETTLE_KIND).exists()
    run = batchrun_create(kind=services.SETTLE_KIND, params={"month": "2026-13"})
    with pytest.raises(DomainError, match="01 至 12"):
        services.meal_settlement_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.FAILED and not MealSettlement.objects.exists()


def test_settle_meals_command(point, people, users):
    _meals_of_november(users, point, people)
    out = io.StringIO()
    call_command("settle_meals", month="2026-11", stdout=out)
    assert "14.00" in out.getvalue() and "共 1 个助餐点" in out.getvalue()


def test_resume_after_a_killed_meal_settlement(point, people, users, monkeypatch):
    _meals_of_november(users, point, people)
    run = batchrun_create(kind=services.SETTLE_KIND, params={"month": "2026-11"})
    monkeypatch.setattr(services, "_settle_chunk", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.meal_settlement_run(run_id=run.pk)
    monkeypatch.undo()
    assert not MealSettlement.objects.exists()
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.PENDING)
    assert services.meal_settlement_run(run_id=run.pk)["added"] == 1


def test_meal_settlement_pages_button_approval_and_bank_file(point, people, users, login):
    _meals_of_november(users, point, people)
    admin = login(users[Role.BUREAU_ADMIN])
    assert admin.post("/work/eldercare/meals/settlements/", {"month": "2026-12"}).status_code == 302
    assert not BatchRun.objects.filter(kind=services.SETTLE_KIND).exists()  # not over: refused
    admin.post("/work/eldercare/meals/settlements/", {"month": "2026-11"})
    run = BatchRun.objects.get(kind=services.SETTLE_KIND)
    assert run.params["month"] == "2026-11"
    services.meal_settlement_run(run_id=run.pk)  # what the worker runs
    s = MealSettlement.objects.get()
    client = login(users[Role.REVIEWER])
    page = client.get("/work/eldercare/meals/settlements/").content.decode()
    assert point.name in page and "14.00" in page
    detail = client.get(f"/work/eldercare/meals/settlements/{s.pk}/").content.decode()
    general = people["general"]
    assert general.name in detail and general.id_number in detail  # the reviewer's role sees full ID numbers
    audited = login(users[Role.AUDITOR]).get(f"/work/eldercare/meals/settlements/{s.pk}/").content.decode()
    assert general.name in audited and general.id_number not in audited and general.id_number[-4:] in audited
    client = login(users[Role.REVIEWER])
    assert AuditEvent.objects.filter(target_type="eldercare.mealsettlement", action="view").exists()
    assert client.get(f"/work/eldercare/meals/settlements/{s.pk}/bank.csv").status_code == 302  # not yet
    assert client.post(f"/work/eldercare/meals/settlements/{s.pk}/approve/").status_code == 302
    s.refresh_from_db()
    assert s.status == "approved"
    response = client.get(f"/work/eldercare/meals/settlements/{s.pk}/bank.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    by_name = {r[2]: r for r in rows[1:]}
    assert by_name[general.name][4:] == ["3", "2", "6.00"]
    assert by_name[general.name][3] != general.id_number and by_name[general.name][3][-4:] == general.id_number[-4:]
    assert rows[-1][4:] == ["4", "3", "14.00"]  # the point's total
    assert AuditEvent.objects.filter(target_type="eldercare.mealsettlement", action="export").exists()
    assert client.get(f"/work/eldercare/meals/settlements/{s.pk}/bank.xlsx").status_code == 200


def test_dashboard_meal_count_follows_each_import(point, people, users, regions):
    """The dashboard's monthly meal count comes from a per-community summary (one query for the
    city, summed per region); every import that adds meals makes it read again."""
    from eldercare.selectors.indicators import by_child

    g = people["general"].id_number
    _record(users, point, [(g, "2026-11-03", "午餐")])
    day = D(2026, 11, 20)
    assert by_child("meals", regions["city"], day) == {"320612000000": 1}
    assert by_child("meals", regions["jinsha"], day) == {"320612001001": 1}
    _record(users, point, [(g, "2026-11-04", "午餐"), (g, "2026-11-04", "晚餐"), (g, "2026-11-03", "午餐")])
    assert by_child("meals", regions["city"], day) == {"320612000000": 3}
    assert by_child("meals", regions["city"], D(2026, 10, 20)) == {}


def test_import_command(point, people, tmp_path):
    path = tmp_path / "reader.csv"
    path.write_text(
        f"身份证号,日期,餐次\n{people['general'].id_number},2026-11-10,午餐\nX,2026-11-10,午餐\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("import_meals", str(path), point=point.pk, stdout=out)
    assert "新增 1" in out.getvalue() and "第 2 行" in out.getvalue()
