"""Chromium checks of the bureau overview (a bar chart per indicator drawn,
the districts in the table) and of person 360 (relief's rows, a death recorded
from the page)."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from civil_affairs.models import Role
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def dibao(households, users, regions, settings):
    from relief.models import Benefit
    from relief.services.payroll import payroll_generate

    settings.MINZHENG_TODAY = dt.date(2026, 11, 2)
    household = households["ours"]
    head = household.members.get(relation="head").person
    benefit = Benefit.objects.create(
        household=household,
        recipient=head,
        kind="dibao",
        region=household.region,
        monthly_amount=Decimal("780.00"),
        members=2,
        start_month=dt.date(2026, 1, 1),
    )
    payroll_generate(month=dt.date(2026, 11, 1))
    return {"household": household, "head": head, "benefit": benefit}


def test_the_overview_draws_a_chart_per_indicator_and_lists_the_districts(new_page, dibao, users):
    page = new_page()
    log_in(page, str(Role.BUREAU_ADMIN))
    page.get_by_role("link", name="民政一张图").click()
    table = page.get_by_test_id("overview-table")
    expect(table).to_contain_text("通州区")
    expect(table).to_contain_text("崇川区")
    expect(page.get_by_test_id("total-relief_dibao_persons")).to_have_text("2")
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('canvas.overview-chart'))
        .map(c => { const chart = Chart.getChart(c); return chart ? chart.data.labels.join(',') : null; })""")
    assert len(drawn) >= 6 and all(labels == "通州区,崇川区" for labels in drawn), drawn
    screenshot(page, "overview")


def test_person_360_shows_relief_rows_and_records_a_death(new_page, dibao, users):
    page = new_page()
    log_in(page, str(Role.CASEWORKER))
    page.goto(f"/work/people/{dibao['head'].pk}/")
    relief = page.get_by_test_id("area-rows")
    expect(page.get_by_test_id("area-relief")).to_have_text("社会救助")
    expect(relief).to_contain_text("最低生活保障")
    expect(relief).to_contain_text("780.00")
    screenshot(page, "person-360")
    form = page.get_by_test_id("death-form")
    form.get_by_label("死亡日期").fill("2026-11-01")
    form.get_by_role("button", name="登记死亡").click()
    expect(page.locator(".alert")).to_contain_text("已登记死亡")
    expect(relief).to_contain_text("暂停")  # the payee died, the spouse lives on: the payee must change
    expect(page.get_by_test_id("death-form")).to_have_count(0)
