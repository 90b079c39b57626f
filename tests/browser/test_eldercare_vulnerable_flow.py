"""Visits to the vulnerable elderly end to end in headless Chromium: a
community worker opens their queue, sees an overdue visit, records a visit
with what was seen and notes, and opens a relief temporary-assistance case
from it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from civil_affairs.models import Role
from civil_affairs.services import batchrun_create
from eldercare.models import VulnerableElder, VulnerableVisit
from eldercare.services import vulnerable
from tests.browser.conftest import log_in, screenshot
from tests.civil_affairs.factories import HouseholdFactory, MemberFactory
from tests.eldercare.conftest import elder_params  # noqa: F401 - fixture
from tests.eldercare.factories import id_number_born

pytestmark = pytest.mark.browser


def test_community_worker_records_an_overdue_visit_and_refers_to_relief(
    new_page,
    users,
    elder_params,  # noqa: F811
    settings,
):
    from relief.models import Application

    settings.MINZHENG_TODAY = dt.date(2026, 12, 15)
    region = elder_params["jinsha_1"]
    household = HouseholdFactory(region=region, number="H320612001000777")
    MemberFactory(
        household=household,
        person__id_number=id_number_born(dt.date(1947, 4, 4)),
        person__name="钱独居",
        person__residence_region=region,
    )
    run = batchrun_create(kind=vulnerable.KIND, params={"date": "2026-12-01"})
    vulnerable.visit_list_build_run(run_id=run.pk)
    entry = VulnerableElder.objects.get(person__name="钱独居")
    assert entry.next_due == dt.date(2026, 12, 8)  # a week after listing: overdue by the 15th

    page = new_page()
    log_in(page, users[Role.COMMUNITY_WORKER].username)
    page.goto("/work/eldercare/")
    page.get_by_role("link", name="探访关爱").click()
    row = page.get_by_test_id("queue-row").filter(has_text="钱独居")
    expect(row.get_by_test_id("overdue")).to_have_text("逾期 7 天")
    expect(page.get_by_test_id("queue-counts")).to_contain_text("逾期未探访 1 人")
    row.get_by_role("link", name="钱独居").click()
    expect(page.get_by_test_id("reasons")).to_have_text("独居")

    page.get_by_label("身体状况").select_option("concern")
    for label in ("居家安全（水电气、防跌倒）", "饮食起居", "精神状态", "个人及环境卫生"):
        page.get_by_label(label).select_option("ok")
    page.get_by_label("探访记录（所见情况、需求；未见到时写明去向）").fill("腿脚不便，冬季取暖费用困难")
    page.get_by_test_id("save-visit").click()
    expect(page.get_by_test_id("visit-notes")).to_have_text("腿脚不便，冬季取暖费用困难")
    expect(page.get_by_test_id("next-due")).to_have_text("2026-12-22")
    screenshot(page, "eldercare-vulnerable-visit")

    page.get_by_label("转介原因").fill("无力承担取暖费用")
    page.get_by_test_id("refer").click()
    expect(page.get_by_test_id("relief-referred")).to_contain_text("已转介临时救助")

    visit = VulnerableVisit.objects.get(entry=entry)
    assert visit.seen and visit.checks["health"] == "concern" and visit.visitor == users[Role.COMMUNITY_WORKER]
    application = Application.objects.get()
    assert (application.kind, application.state) == ("temporary", "draft")
    assert visit.relief_application == application.number
