"""Eldercare end to end in headless Chromium: the provider's worker checks a
visit in and out and the elder's confirmation is recorded; a reviewer
approves a month's home-care settlement and downloads its bank file, and
a meal point's monthly settlement likewise (ID numbers masked); a
resident sees their senior-allowance payments."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from civil_affairs.models import Role
from civil_affairs.services import batchrun_create
from eldercare.models import Facility, MealSettlement, Provider, ProviderMember, ServiceItem, Settlement, Visit
from eldercare.services import allowance, homecare, meals, settlement
from tests.browser.conftest import log_in, screenshot
from tests.civil_affairs.factories import HouseholdFactory, MemberFactory, UserFactory
from tests.eldercare.conftest import elder_params  # noqa: F401 - fixture
from tests.eldercare.factories import elder, id_number_born

pytestmark = pytest.mark.browser


@pytest.fixture
def care(elder_params, users):  # noqa: F811
    r = elder_params
    provider = Provider.objects.create(
        name="康乐居家养老服务中心",
        credit_code="52320612MJ0000001A",
        region=r["jinsha"],
        bank_account="6222000011112222",
    )
    ServiceItem.objects.create(provider=provider, code="clean", name="助洁", unit_price="40.00")
    ServiceItem.objects.create(provider=provider, code="bath", name="助浴", unit_price="60.00")
    ProviderMember.objects.create(user=users[Role.INSTITUTION_STAFF], provider=provider)
    household = HouseholdFactory(region=r["jinsha_1"], number="H320612001000555")
    alone = MemberFactory(
        household=household, person__id_number=id_number_born(dt.date(1940, 2, 2)), person__name="孙独居"
    ).person
    return {"provider": provider, "alone": alone}


def test_worker_checks_a_visit_in_and_out_with_the_elders_confirmation(new_page, users, care):
    month = timezone.localdate().replace(day=1)
    order = homecare.order_create(
        actor=users[Role.CASEWORKER], person=care["alone"], provider=care["provider"], month=month
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    if start.date().replace(day=1) != month:  # keep the window inside the order's month
        start = timezone.make_aware(dt.datetime(month.year, month.month, 1, 9))
    visit = homecare.visit_plan(
        actor=users[Role.CASEWORKER], order=order, start=start, end=start + dt.timedelta(hours=2)
    )

    page = new_page()
    log_in(page, users[Role.INSTITUTION_STAFF].username)
    page.goto("/work/eldercare/visits/")
    page.get_by_role("link", name=start.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M")).click()
    page.get_by_test_id("check-in").click()
    expect(page.get_by_test_id("visit-status")).to_contain_text("服务中")
    page.get_by_label("助洁（¥40.00）").fill("1")
    page.get_by_label("助浴（¥60.00）").fill("1")
    page.get_by_label("老人（或家属）已当面确认服务").check()
    page.get_by_test_id("check-out").click()
    expect(page.get_by_test_id("visit-status")).to_contain_text("已完成")
    expect(page.get_by_test_id("elder-confirmed")).to_contain_text("已确认")
    expect(page.get_by_test_id("usage")).to_contain_text("已用 100%")
    screenshot(page, "eldercare-visit-checked-out")
    visit.refresh_from_db()
    assert visit.status == "done" and visit.elder_confirmed and str(visit.amount) == "100.00"
    assert visit.worker == users[Role.INSTITUTION_STAFF]


def test_reviewer_approves_a_settlement_and_downloads_the_bank_file(new_page, users, care, settings):
    settings.MINZHENG_TODAY = dt.date(2026, 12, 15)
    month = dt.date(2026, 11, 1)
    order = homecare.order_create(
        actor=users[Role.CASEWORKER], person=care["alone"], provider=care["provider"], month=month
    )
    start = timezone.make_aware(dt.datetime(2026, 11, 3, 9))
    visit = homecare.visit_plan(
        actor=users[Role.CASEWORKER], order=order, start=start, end=start + dt.timedelta(hours=1)
    )
    worker = users[Role.INSTITUTION_STAFF]
    homecare.visit_check_in(actor=worker, visit=visit, at=start)
    homecare.visit_check_out(
        actor=worker, visit=visit, quantities={"clean": 1}, elder_confirmed=True, at=start + dt.timedelta(minutes=50)
    )
    settlement.settlement_run(run_id=batchrun_create(kind=settlement.KIND, params={"month": "2026-11"}).pk)

    page = new_page()
    log_in(page, users[Role.REVIEWER].username)
    page.goto("/work/eldercare/settlements/")
    page.get_by_role("link", name="2026-11").click()
    expect(page.get_by_test_id("settlement-amount")).to_contain_text("40.00")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("settlement-status")).to_contain_text("已审核")
    with page.expect_download() as download:
        page.get_by_test_id("bank-xlsx").click()
    with open(download.value.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    assert sheet.cell(2, 1).value == "康乐居家养老服务中心" and float(sheet.cell(2, 4).value) == 40.0
    screenshot(page, "eldercare-settlement-approved")
    assert Settlement.objects.get().status == "approved"
    assert Visit.objects.get().locked


def test_reviewer_approves_a_meal_settlement(new_page, users, elder_params, settings):  # noqa: F811
    settings.MINZHENG_TODAY = dt.date(2026, 12, 15)
    point = Facility.objects.create(kind="meal_point", name="金沙社区长者食堂", region=elder_params["jinsha_1"])
    diner = elder(dt.date(1950, 6, 6), elder_params["jinsha_1"])
    day = [(diner.id_number, "2026-11-03", meal) for meal in ("午餐", "晚餐", "早餐")]  # 3 meals, 2 subsidised
    meals.meals_record(actor=None, point=point, rows=day, source="test", system=True)
    meals.meal_settlement_run(run_id=batchrun_create(kind=meals.SETTLE_KIND, params={"month": "2026-11"}).pk)

    page = new_page()
    log_in(page, users[Role.REVIEWER].username)
    page.goto("/work/eldercare/meals/settlements/")
    page.get_by_role("link", name="2026-11").click()
    expect(page.get_by_test_id("meal-settlement-amount")).to_contain_text("6.00")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("meal-settlement-status")).to_contain_text("已审核")
    with page.expect_download() as download:
        page.get_by_test_id("bank-xlsx").click()
    with open(download.value.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    row = [sheet.cell(2, c).value for c in range(1, 8)]
    assert row[0] == "金沙社区长者食堂" and row[2] == diner.name and float(row[6]) == 6.0
    assert row[3] != diner.id_number and row[3].endswith(diner.id_number[-4:])  # masked
    screenshot(page, "eldercare-meal-settlement-approved")
    assert MealSettlement.objects.get().status == "approved"


def test_resident_sees_senior_allowance_payments(new_page, users, elder_params, settings):  # noqa: F811
    settings.MINZHENG_TODAY = dt.date(2026, 12, 15)
    person = elder(dt.date(1925, 3, 3), elder_params["jinsha_1"], name="周百岁")
    resident = UserFactory(username="13900000088", phone="13900000088", role=Role.RESIDENT, person=person)
    for month in ("2026-10", "2026-11"):
        allowance.allowance_run(run_id=batchrun_create(kind=allowance.KIND, params={"month": month}).pk)
    page = new_page()
    log_in(page, resident.username)
    page.goto("/my/eldercare/")
    table = page.get_by_test_id("my-allowance")
    expect(table).to_contain_text("2026年11月")
    expect(table).to_contain_text("100岁及以上")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("¥500.00")
    screenshot(page, "eldercare-resident-allowance")


def test_charts_draw_under_the_content_security_policy(new_page, users, elder_params, settings):  # noqa: F811
    """The allowance month page and the dashboard draw their Chart.js charts with no CSP refusal or script error."""
    from eldercare.models import Bed, Institution

    settings.MINZHENG_TODAY = dt.date(2026, 12, 15)
    elder(dt.date(1930, 3, 3), elder_params["jinsha_1"])
    allowance.allowance_run(run_id=batchrun_create(kind=allowance.KIND, params={"month": "2026-11"}).pk)
    home = Institution.objects.create(
        name="福利院", filing_number="F-9", operator="public", region=elder_params["jinsha"]
    )
    Bed.objects.create(institution=home, room="1", number="1")
    page = new_page()
    problems = []
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    log_in(page, users[Role.BUREAU_ADMIN].username)
    page.goto("/work/eldercare/allowance/?month=2026-11")
    expect(page.locator("#allowance-chart")).to_be_visible()
    assert page.evaluate("() => !!(window.Chart && Chart.getChart('allowance-chart'))")
    page.goto("/work/eldercare/dashboard/")
    expect(page.locator("#eldercare-beds")).to_be_visible()
    assert page.evaluate("() => !!(window.Chart && Chart.getChart('eldercare-beds'))")
    screenshot(page, "eldercare-dashboard")
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p or "Error" in p], problems
