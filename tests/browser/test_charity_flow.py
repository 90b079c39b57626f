"""Charity end to end in headless Chromium: the organisation's staff enter a
drive's donations in one batch (a bad row first: refused with its row number,
nothing typed lost), issue receipts and print one; the public disclosure page
shows the totals without login and masks the beneficiary."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from charity import services
from charity.models import Donation, Receipt
from civil_affairs.rules import mask_name
from tests.browser.conftest import log_in, screenshot
from tests.charity.conftest import charity, today  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_drive_batch_entry_receipts_and_print(new_page, charity):  # noqa: F811
    org = charity["org"]
    page = new_page()
    log_in(page, charity["maker"].username)
    page.goto("/work/charity/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(org.name)  # staff land on their organisation
    page.get_by_test_id("batch-entry").click()
    page.get_by_label("募捐活动").select_option(label="2026年慈善一日捐")
    page.get_by_label("捐赠日期").fill("2026-06-10")
    page.get_by_label("捐赠人 1", exact=True).fill("张三")
    page.get_by_label("金额 1", exact=True).fill("100")
    page.get_by_label("捐赠人 2", exact=True).fill("南通某某有限公司")
    page.get_by_label("类型 2", exact=True).select_option("company")
    page.get_by_label("金额 2", exact=True).fill("5000")
    page.get_by_label("捐赠人 3", exact=True).fill("李四")
    page.get_by_label("金额 3", exact=True).fill("五十")
    page.get_by_test_id("batch-save").click()
    expect(page.locator(".alert")).to_contain_text("第3行")
    expect(page.get_by_label("捐赠人 2", exact=True)).to_have_value("南通某某有限公司")  # nothing lost
    assert not Donation.objects.exists()
    page.get_by_label("金额 3", exact=True).fill("50")
    page.get_by_label("匿名 4", exact=True).check()
    page.get_by_label("金额 4", exact=True).fill("20")
    page.get_by_test_id("batch-save").click()
    expect(page.locator(".alert")).to_contain_text("已登记 4 笔捐赠，合计 5170.00 元")
    expect(page.get_by_test_id("donation-row")).to_have_count(4)
    # a receipt for each named donor, from the list
    for _i in range(3):
        page.get_by_test_id("issue-receipt").first.click()
        expect(page.locator(".alert")).to_contain_text("已开具票据")
    expect(page.get_by_test_id("issue-receipt")).to_have_count(0)
    numbers = sorted(Receipt.objects.filter(organisation=org).values_list("number", flat=True))
    assert numbers == [1, 2, 3]
    page.get_by_test_id("receipt-link").first.click()
    expect(page.get_by_test_id("receipt")).to_contain_text("公益事业捐赠票据")
    expect(page.get_by_test_id("receipt-number")).to_contain_text(f"2026-{org.pk:04d}-")
    screenshot(page, "charity-receipt")
    page.emulate_media(media="print")
    expect(page.get_by_test_id("receipt-amount")).to_be_visible()


def test_public_disclosure_without_login_masks_beneficiaries(new_page, charity, households):  # noqa: F811
    org = charity["org"]
    head = households["ours"].members.get(relation="head").person
    donor = services.donor_get_or_create(org=org, kind="person", name="张三")
    services.donation_record(
        actor=charity["maker"], org=org, amount="8888", received_on=dt.date(2026, 3, 1), donor=donor
    )
    d = services.disbursement_propose(actor=charity["maker"], org=org, amount="1234", purpose="大病救助", person=head)
    services.disbursement_approve(actor=charity["checker"], disbursement=d)
    page = new_page()
    page.goto("/charity/")
    page.get_by_role("link", name=org.name).click()
    expect(page.get_by_test_id("total-income")).to_contain_text("8,888.00")
    expect(page.get_by_test_id("total-spending")).to_contain_text("1,234.00")
    expect(page.get_by_test_id("beneficiary")).to_have_text(mask_name(head.name))
    expect(page.locator("body")).not_to_contain_text(head.name)
    screenshot(page, "charity-public")


def test_dashboard_chart_runs_under_the_policy(new_page, charity, users):  # noqa: F811
    """The bureau's charity dashboard draws its Chart.js chart from a json_script block: no inline script."""
    from civil_affairs.models import Role

    org = charity["org"]
    donor = services.donor_get_or_create(org=org, kind="person", name="张三")
    services.donation_record(
        actor=charity["maker"], org=org, amount="300", received_on=dt.date(2026, 3, 1), donor=donor
    )
    page = new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, users[Role.BUREAU_ADMIN].username)
    page.goto("/work/charity/dashboard/")
    expect(page.get_by_test_id("raised-year")).to_contain_text("300.00")
    expect(page.locator("#charity-chart")).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('charity-chart'))")
    assert not [e for e in errors if "Content Security Policy" in e], errors
