"""End-to-end in headless Chromium with a real Celery worker: the bureau
administrator uploads a death feed (a bad row reported by its number; the
death reaches every area's handler at import), runs the recheck from the task
queue, and the street's caseworker finds the task with its evidence and
closes it."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from civil_affairs.models import Role
from relief.models import Benefit, ReviewTask
from relief.services.standards import standards_load_demo
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser  # and `broker`, from the worker fixture (tests/conftest.py)


@pytest.fixture
def dibao_household(households, regions):
    standards_load_demo(actor=None, region=regions["city"])
    household = households["ours"]
    head = household.members.get(relation="head").person
    Benefit.objects.create(
        household=household,
        recipient=head,
        kind="dibao",
        region=household.region,
        monthly_amount=Decimal("560.00"),
        start_month=dt.date(2026, 1, 1),
        next_recheck=dt.date(2027, 6, 1),
    )
    return household


def test_feed_upload_recheck_and_task_queue(new_page, dibao_household, users, celery_worker_process, tmp_path):
    spouse = dibao_household.members.get(relation="spouse").person
    feed = tmp_path / "death.csv"
    feed.write_text(
        "id_number,name,death_date\n"
        f"{spouse.id_number},{spouse.name},2026-11-01\n"
        "320612198001011235,坏数据,2026-11-01\n",
        encoding="utf-8",
    )

    admin = new_page()
    log_in(admin, str(Role.BUREAU_ADMIN))
    admin.goto("/work/")
    # a core page now (/work/feeds/), in the workbench's system menu
    admin.get_by_role("navigation", name="工作台导航").get_by_role("link", name="比对数据导入").click()
    admin.get_by_label("数据类别").select_option("death")
    admin.get_by_label("文件").set_input_files(str(feed))
    admin.get_by_role("button", name="开始导入").click()
    expect(admin.get_by_test_id("batch-progress")).to_have_attribute("data-status", "succeeded", timeout=60_000)
    expect(admin.get_by_test_id("batch-message")).to_contain_text("新增 1 条")
    # the death is a life event raised by the import itself: every area's handler ran with the rows
    expect(admin.get_by_test_id("batch-message")).to_contain_text("其中 1 人的情况已通知各业务领域处理")
    expect(admin.get_by_test_id("batch-errors")).to_contain_text("3")  # the bad row is the file's row 3
    expect(admin.get_by_test_id("batch-errors")).to_contain_text("校验位")
    screenshot(admin, "feed-import")

    admin.goto("/work/relief/tasks/")
    admin.get_by_label("复核日期").fill("2026-11-23")
    admin.get_by_role("button", name="立即运行资格复核").click()
    expect(admin.get_by_test_id("batch-progress")).to_have_attribute("data-status", "succeeded", timeout=60_000)
    expect(admin.get_by_test_id("batch-counts")).to_contain_text("死亡核查")

    task = ReviewTask.objects.get(kind="death")
    caseworker = new_page()
    log_in(caseworker, str(Role.CASEWORKER))
    caseworker.goto("/work/relief/")
    caseworker.get_by_test_id("tasks-link").click()
    table = caseworker.get_by_test_id("task-table")
    expect(table).to_contain_text("死亡核查")
    expect(table).not_to_contain_text(spouse.id_number)  # masked in the list
    table.get_by_role("link").filter(has_text="死亡核查").first.click()
    expect(caseworker.get_by_test_id("evidence")).to_contain_text("2026-11-01")
    screenshot(caseworker, "review-task")
    form = caseworker.get_by_test_id("resolve-form")
    form.get_by_label("说明").fill("已核实：配偶死亡，下月起按一人重新核定。")
    form.get_by_role("button", name="提交").click()
    expect(caseworker.get_by_test_id("task-status")).to_contain_text("已处理")
    task.refresh_from_db()
    assert task.status == ReviewTask.Status.DONE and task.resolved_by == users[Role.CASEWORKER]

    other = new_page()
    log_in(other, "other_caseworker")
    assert other.goto(f"/work/relief/tasks/{task.pk}/").status == 404


def test_price_linkage_from_the_button_to_the_bank_file(
    new_page, dibao_household, users, regions, celery_worker_process
):
    """A month below the thresholds is refused with its figures; a triggering
    month runs on the worker; the district's reviewer approves its roll and
    downloads the bank file."""
    from relief.models import PriceIndex

    PriceIndex.objects.create(
        month=dt.date(2026, 9, 1), region=regions["city"], cpi_yoy=Decimal("3.2"), food_yoy=Decimal("2.1")
    )
    PriceIndex.objects.create(
        month=dt.date(2026, 10, 1), region=regions["city"], cpi_yoy=Decimal("3.6"), food_yoy=Decimal("2.1")
    )
    admin = new_page()
    log_in(admin, str(Role.BUREAU_ADMIN))
    admin.goto("/work/relief/price-linkage/")
    admin.get_by_label("补贴月份").fill("2026-09")
    admin.get_by_role("button", name="运行该月联动").click()
    expect(admin.get_by_role("alert").first).to_contain_text("未达到启动条件")
    expect(admin.get_by_role("alert").first).to_contain_text("3.2%")

    admin.get_by_label("补贴月份").fill("2026-10")
    admin.get_by_role("button", name="运行该月联动").click()
    expect(admin.get_by_test_id("batch-progress")).to_have_attribute("data-status", "succeeded", timeout=60_000)
    admin.get_by_role("link", name="刷新结果").click()
    expect(admin.get_by_test_id("month-lines")).to_have_text("2")  # the two members, 780 × 3.6 % each
    expect(admin.get_by_test_id("month-total")).to_contain_text("56.16")
    screenshot(admin, "price-linkage")

    reviewer = new_page()
    log_in(reviewer, str(Role.REVIEWER))
    reviewer.goto("/work/relief/price-linkage/?month=2026-10")
    reviewer.get_by_test_id("roll-table").get_by_role("link").first.click()
    expect(reviewer.get_by_test_id("roll-lines")).to_contain_text("28.08")
    # the shared roll page confirms with the figures, as the payroll's does
    dialogs = []
    reviewer.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    reviewer.get_by_test_id("approve-roll").click()
    expect(reviewer.get_by_test_id("roll-status")).to_contain_text("已审核")
    assert dialogs == ["确认批准 通州区 2026年10月 花名册：2 人，合计 ¥56.16？"]
    with reviewer.expect_download() as download:
        reviewer.get_by_test_id("bank-csv").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert "28.08" in content and content.count("\n") == 3  # the header and two people
