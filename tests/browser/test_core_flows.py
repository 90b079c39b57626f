"""End-to-end in headless Chromium: resident registers and sees their
household; caseworker searches and opens it; another street is refused;
an import shows live progress from a real Celery worker."""

import re

import pytest
from playwright.sync_api import expect

from civil_affairs.models import Role
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_resident_registers_logs_in_and_sees_household(new_page, households, sms_outbox):
    head = households["ours"].members.get(relation="head").person
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="注册账号").click()
    page.get_by_label("手机号码").fill(head.phone)  # the phone the registry holds: a code proves it
    page.get_by_label("姓名").fill(head.name)
    # a wrong check digit first: a clear message, and the form keeps what was typed
    wrong = head.id_number[:17] + ("0" if head.id_number[17] != "0" else "1")
    page.get_by_label("公民身份号码").fill(wrong)
    page.locator("#id_password1").fill("Safe-pass-2026")
    page.locator("#id_password2").fill("Safe-pass-2026")
    page.get_by_label("我确认以上信息真实").check()
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_test_id("error-id_number")).to_contain_text("校验位错误")
    expect(page.get_by_label("手机号码")).to_have_value(head.phone)
    page.get_by_label("公民身份号码").fill(head.id_number)
    page.locator("#id_password1").fill("Safe-pass-2026")
    page.locator("#id_password2").fill("Safe-pass-2026")
    page.get_by_role("button", name="注册").click()
    # step two: the code texted to that phone (the live server runs in this process: its outbox is ours)
    expect(page.get_by_test_id("code-sent")).to_contain_text(head.phone[-4:])
    code = re.search(r"\d{6}", sms_outbox[-1].message).group()
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="完成注册").click()
    expect(page.get_by_test_id("my-household")).to_contain_text(households["ours"].number)
    page.get_by_role("button", name="退出").click()

    log_in(page, head.phone, "Safe-pass-2026")
    expect(page).to_have_url(re.compile(r"/my/household/$"))
    expect(page.get_by_test_id("my-household")).to_contain_text("李秀英")
    expect(page.get_by_test_id("my-household")).not_to_contain_text(head.id_number)
    screenshot(page, "resident-household")
    page.get_by_role("link", name="我的申请").click()
    # one list per area that takes applications: relief's is empty
    page.get_by_test_id("application-lists").get_by_role("link", name="社会救助").click()
    expect(page.get_by_test_id("no-applications")).to_be_visible()


def test_registering_with_someone_elses_id_and_a_new_phone_shows_nothing_until_verified(
    new_page, households, users, sms_outbox
):
    """The takeover of issue 10: a known name and ID number with another phone gets an account that waits for
    the street office; the caseworker verifies it after seeing the ID card, then the household shows."""
    head = households["ours"].members.get(relation="head").person
    page = new_page()
    page.goto("/register/")
    page.get_by_label("手机号码").fill("13811112222")
    page.get_by_label("姓名").fill(head.name)
    page.get_by_label("公民身份号码").fill(head.id_number)
    page.locator("#id_password1").fill("Safe-pass-2026")
    page.locator("#id_password2").fill("Safe-pass-2026")
    page.get_by_label("我确认以上信息真实").check()
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_test_id("pending-verification")).to_contain_text("身份证")
    assert sms_outbox == []
    page.goto("/my/household/")
    expect(page).to_have_url(re.compile(r"/my/pending/$"))
    expect(page.locator("body")).not_to_contain_text("李秀英")

    worker = new_page()
    log_in(worker, str(Role.CASEWORKER))
    worker.goto(f"/work/people/{head.pk}/")
    worker.get_by_role("button", name="核验居民账号（已当面查验身份证件）").click()
    expect(worker.get_by_test_id("unverified-account")).to_have_count(0)
    page.goto("/my/household/")
    expect(page.get_by_test_id("my-household")).to_contain_text("李秀英")


def test_caseworker_searches_and_opens_household_other_street_refused(new_page, households, users):
    household = households["ours"]
    head = household.members.get(relation="head").person
    page = new_page()
    log_in(page, str(Role.CASEWORKER))
    expect(page.get_by_test_id("current-user")).to_contain_text("金沙街道")
    page.get_by_label("搜索").fill(head.id_number)
    page.get_by_role("button", name="查找家庭").click()
    table = page.get_by_test_id("household-table")
    expect(table).to_contain_text(household.number)
    expect(table).not_to_contain_text(households["theirs"].number)
    screenshot(page, "caseworker-search")
    table.get_by_role("link", name=household.number).click()
    expect(page.get_by_test_id("household-title")).to_contain_text(household.number)
    expect(page.get_by_test_id("members")).to_contain_text(head.id_number)  # full number for the caseworker
    screenshot(page, "caseworker-household")
    detail_url = page.url

    other = new_page()
    log_in(other, "other_caseworker")
    response = other.goto(detail_url)
    assert response.status == 404
    other.goto(f"/work/households/?q={head.id_number}")
    expect(other.get_by_test_id("household-table")).to_contain_text("没有符合条件的家庭")


def test_live_search_filters_as_you_type(new_page, households, users):
    page = new_page()
    log_in(page, str(Role.REVIEWER))
    page.goto("/work/people/")
    expect(page.get_by_test_id("person-table")).to_contain_text("李秀英")
    page.get_by_label("身份证号/姓名/电话").fill("王")
    expect(page.get_by_test_id("person-table")).not_to_contain_text("李秀英")
    expect(page.get_by_test_id("person-table")).to_contain_text("王建国")
    assert "q=%E7%8E%8B" in page.url  # the filter is in the address bar, so it can be shared


def test_import_shows_live_progress_from_the_worker(new_page, regions, users, celery_worker_process, tmp_path):
    from tests.civil_affairs.factories import PERSON_IMPORT_ROWS as ROWS
    from tests.civil_affairs.factories import person_csv

    upload = tmp_path / "people.csv"
    upload.write_bytes(person_csv(*ROWS))
    page = new_page()
    log_in(page, str(Role.CASEWORKER))
    page.goto("/work/import/")
    page.get_by_label("导入内容").select_option("person")
    page.get_by_label("文件").set_input_files(str(upload))
    page.get_by_role("button", name="开始导入").click()
    progress = page.get_by_test_id("batch-progress")
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=60_000)
    expect(page.get_by_test_id("batch-message")).to_contain_text("成功 1 行，错误 3 行")
    expect(page.get_by_test_id("batch-errors")).to_contain_text("校验位错误")
    screenshot(page, "import-progress")


def test_english_from_the_language_switch(new_page, users):
    page = new_page()
    page.goto("/")
    page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
