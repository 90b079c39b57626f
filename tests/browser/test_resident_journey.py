"""The resident journey of issue 12 ("Done means") in headless Chromium, on
the demo city made by `seed_demo` (not only on factories): register with an
SMS code, read the guide, apply for dibao with a member, income and
documents, correct the member, submit and see the timeline; the caseworker
finds the applicant by name, sees the documents, accepts and prints the
receipt; the resident sees the message and the receipt; after the reviewer
decides, the resident reads the decision letter with the appeal rights.
Screenshots go to docs/screenshots/ (README "Service experience")."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from civil_affairs import sms
from civil_affairs.models import Role
from relief.models import Application
from tests.browser.conftest import log_in
from tests.factories import UserFactory, pdf_bytes, valid_id_number

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PDF = {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
PHONE, NAME = "13912345678", "周新民"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def demo_city(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SMS_BACKEND = "civil_affairs.sms.LocmemBackend"
    call_command("seed_demo", "--households", "300", "--seed", "12", stdout=io.StringIO())
    sms.outbox.clear()


def test_resident_journey_on_the_demo_city(demo_city, new_page):
    # ---- register with a code sent to the phone, then read the guide
    page = new_page()
    page.goto("/register/")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_label("姓名").fill(NAME)
    page.get_by_label("公民身份号码").fill(valid_id_number(address_code="320612", birth=dt.date(1975, 3, 8)))
    page.locator("#id_password1").fill("Minzheng@2026")
    page.locator("#id_password2").fill("Minzheng@2026")
    page.get_by_label("我确认以上信息真实，并同意民政部门依法核对").check()
    page.get_by_role("button", name="注册").click()
    code = sms.outbox[-1].message.split("验证码 ")[1][:6]
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="完成注册").click()
    page.goto("/")
    page.get_by_test_id("guide-relief").click()
    page.get_by_role("link", name="最低生活保障（低保）申请").click()
    expect(page.get_by_test_id("guide")).to_contain_text("核对授权书")
    expect(page.get_by_test_id("guide")).to_contain_text("每人每月")
    shot(page, "guide")

    # ---- apply for dibao: a member (corrected), an income line, the documents
    page.goto("/my/relief/apply/")
    expect(page.get_by_test_id("apply-guides")).to_be_visible()
    page.get_by_label("申请类别").select_option("dibao")
    page.get_by_label("所在区县").select_option("320612000000")
    page.get_by_label("所在街道/乡镇").select_option("320612001000")
    page.get_by_label("所在社区/村").select_option("320612001001")
    page.get_by_label("家庭住址").fill("金沙镇新民路6号")
    page.get_by_label("申请事由").fill("本人因病失业，家庭无稳定收入")
    page.get_by_role("button", name="开始填写").click()
    page.get_by_label("姓名").fill("周小女")
    page.get_by_label("公民身份号码").fill(valid_id_number(male=False, birth=dt.date(2012, 5, 5)))
    page.get_by_label("与户主关系").select_option("child")
    page.get_by_test_id("step-save").click()
    page.get_by_test_id("member-row").filter(has_text="周小女").get_by_test_id("edit-item").click()
    page.get_by_label("劳动能力").select_option("none")
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("member-row").filter(has_text="周小女")).to_be_visible()
    page.get_by_test_id("next-step").click()
    page.get_by_label("家庭成员").select_option(label=NAME)
    page.get_by_label("收入类型").select_option("wages")
    page.get_by_label("月均金额（元）").fill("300")
    page.get_by_test_id("step-save").click()
    page.get_by_test_id("next-step").click()
    page.get_by_test_id("next-step").click()  # no assets
    page.get_by_label("我已阅读并同意上述家庭经济状况核对授权").check()
    page.get_by_label("开户银行").fill("农业银行")
    page.get_by_label("收款银行账号").fill("6228480012345678901")
    page.get_by_test_id("step-save").click()
    for kind in ("id_card", "hukou", "income_proof", "authorisation"):
        page.get_by_label("材料类型").select_option(kind)
        page.get_by_label("文件（PDF、JPG、PNG，不超过10MB）").set_input_files(PDF)
        page.get_by_test_id("step-save").click()
    page.get_by_test_id("next-step").click()
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("state")).to_have_text("已提交")
    expect(page.get_by_test_id("timeline")).to_contain_text("提交申请")
    application = Application.objects.get(applicant__name=NAME)

    # ---- the caseworker finds the applicant by name, sees the documents, accepts, prints the receipt
    worker = new_page()
    log_in(worker, "caseworker_jinsha")
    worker.goto(f"/work/people/?q={NAME}")
    expect(worker.locator("main")).to_contain_text(NAME)
    worker.goto(f"/work/relief/applications/{application.pk}/")
    worker.get_by_test_id("step-accept").click()
    expect(worker.get_by_test_id("document-pdf")).to_have_count(4)
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("state")).to_have_text("已受理")
    expect(worker.get_by_test_id("timeline")).to_contain_text("受理")
    with worker.expect_popup() as popup:
        worker.get_by_test_id("print-links").locator("[data-doc=receipt]").click()
    expect(popup.value.get_by_test_id("print-document")).to_contain_text(application.number)

    # ---- the resident sees the message and the receipt
    page.goto("/my/relief/")
    expect(page.get_by_test_id("unread-count")).to_contain_text("1")
    page.get_by_test_id("messages-link").click()
    expect(page.get_by_test_id("messages")).to_contain_text("您的申请已受理")
    page.goto(f"/my/service/relief/{application.pk}/print/receipt/")
    expect(page.get_by_test_id("print-document")).to_contain_text("受理回执")

    # ---- visit (co-signed), proposal, and the reviewer's decision
    UserFactory(username="colleague_jinsha", role=Role.CASEWORKER, region_id="320612001000", first_name="陈同事")
    worker.goto(f"/work/relief/applications/{application.pk}/")
    worker.get_by_test_id("step-visit").click()
    worker.get_by_label("共同调查人").select_option(label="陈同事（金沙街道）")
    worker.get_by_label("居住及生活状况").fill("租住一室，家具简陋")
    worker.get_by_label("调查结论").fill("申报属实")
    worker.get_by_test_id("step-submit").click()
    colleague = new_page()
    log_in(colleague, "colleague_jinsha")
    colleague.goto("/work/relief/tasks/")
    colleague.get_by_test_id("visit-confirm").click()
    worker.goto(f"/work/relief/applications/{application.pk}/")
    worker.get_by_test_id("step-propose").click()
    worker.get_by_test_id("step-submit").click()
    reviewer = new_page()
    log_in(reviewer, "reviewer_tz")
    reviewer.goto(f"/work/relief/applications/{application.pk}/reject/")
    reviewer.get_by_label("不予批准理由（申请人可见）").fill("家庭人均收入经核对高于低保标准")
    reviewer.get_by_test_id("step-submit").click()
    expect(reviewer.get_by_test_id("state")).to_have_text("不予批准")

    # ---- the resident reads the decision letter with the appeal rights, and the timeline
    page.goto(f"/my/relief/applications/{application.pk}/")
    expect(page.get_by_test_id("timeline")).to_contain_text("审批：不予批准")
    expect(page.get_by_test_id("timeline")).to_contain_text("工作人员")
    shot(page, "resident-case")
    page.goto(f"/my/service/relief/{application.pk}/print/decision/")
    expect(page.get_by_test_id("document-number")).to_contain_text("民救〔")
    expect(page.get_by_test_id("appeal-rights")).to_contain_text("行政复议")
    expect(page.get_by_test_id("appeal-rights")).to_contain_text("行政诉讼")
    shot(page, "decision-letter")

    # ---- large print, remembered by the browser
    page.goto("/my/relief/")
    page.get_by_test_id("large-print").click()
    page.goto(f"/my/relief/applications/{application.pk}/")
    expect(page.locator("body")).to_have_class("large-print")
    shot(page, "large-print")
