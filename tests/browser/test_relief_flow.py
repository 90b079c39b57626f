"""Relief end to end in headless Chromium: a resident applies online; the
caseworker accepts and records the home visit, which the colleague named as
second visitor confirms in their own session; the caseworker proposes; the notice period
passes on the test clock; the investigating caseworker is refused the
decision and a reviewer confirms; the household is in next month's payroll
with the right amount; the resident sees "已批准" and the amount."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from civil_affairs.models import Role
from civil_affairs.rules import mask_name
from relief.models import Application, Payment
from relief.services.payroll import payroll_generate
from tests.browser.conftest import log_in, screenshot
from tests.factories import UserFactory, pdf_bytes, valid_id_number
from tests.relief.conftest import relief_standards, today  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

PDF = {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}


def _select_by_text(page, label, text):
    page.get_by_label(label).select_option(label=text)


def test_dibao_from_online_application_to_payroll(new_page, users, regions, relief_standards, today, settings):
    resident = users[Role.RESIDENT]
    UserFactory(username="colleague", role=Role.CASEWORKER, region=regions["jinsha"], first_name="同事")

    # ---- the resident applies online
    page = new_page()
    log_in(page, resident.username)
    page.goto("/my/relief/")
    page.get_by_test_id("apply").click()
    page.get_by_label("申请类别").select_option("dibao")
    page.get_by_label("所在社区/村（临时救助为困难发生地）").select_option(regions["jinsha_1"].code)
    page.get_by_label("家庭住址").fill("金沙镇幸福路8号")
    page.get_by_label("申请事由").fill("本人失业，配偶无收入")
    page.get_by_role("button", name="开始填写").click()

    spouse_id = valid_id_number(male=False, birth=dt.date(1984, 4, 4))
    page.get_by_label("姓名").fill("钱配偶")
    page.get_by_label("公民身份号码").fill(spouse_id)
    page.get_by_label("与户主关系").select_option("spouse")
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("apply-members")).to_contain_text("钱配偶")
    page.get_by_test_id("next-step").click()

    _select_by_text(page, "家庭成员", resident.person.name)
    page.get_by_label("收入类型").select_option("wages")
    page.get_by_label("月均金额（元）").fill("-100")
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("error-monthly_amount")).to_contain_text("金额不能为负数")
    page.get_by_label("月均金额（元）").fill("600")
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("apply-incomes")).to_contain_text("¥7,200.00")
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
    expect(page.get_by_test_id("apply-documents").locator("li")).to_have_count(4)
    page.get_by_test_id("next-step").click()
    screenshot(page, "relief-resident-review")
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("state")).to_have_text("已提交")
    application = Application.objects.get(applicant=resident.person)

    # ---- the caseworker accepts, visits, proposes and publishes the notice
    worker = new_page()
    log_in(worker, str(Role.CASEWORKER))
    worker.goto("/work/relief/")
    worker.get_by_role("link", name=application.number).click()
    worker.get_by_test_id("step-accept").click()
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("state")).to_have_text("已受理")
    expect(worker.get_by_test_id("days-left")).to_contain_text("剩 30 个工作日")
    worker.get_by_test_id("step-visit").click()
    worker.get_by_label("共同调查人").select_option(label="同事（金沙街道）")
    worker.get_by_label("居住及生活状况").fill("两居室，家电老旧")
    worker.get_by_label("调查结论").fill("申报属实")
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("visit-status")).to_have_text("待共同调查人确认")
    worker.get_by_test_id("step-propose").click()
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("form-errors")).to_contain_text("入户调查尚待共同调查人 同事 确认。")

    # ---- the colleague named as second visitor confirms the visit in their own session
    colleague = new_page()
    log_in(colleague, "colleague")
    colleague.goto("/work/relief/tasks/")
    expect(colleague.get_by_test_id("pending-visit")).to_contain_text(application.number)
    colleague.get_by_test_id("visit-confirm").click()
    expect(colleague.get_by_test_id("pending-visits")).to_contain_text("没有待您确认的入户调查")
    worker.goto(f"/work/relief/applications/{application.pk}/")
    expect(worker.get_by_test_id("visit-status")).to_contain_text("共同调查人已确认")
    worker.get_by_test_id("step-propose").click()
    # 2 members, 600 × 12 × 0.8 / 12 / 2 = 240.00 per person; (780 − 240) × 2 = 1 080.00
    expect(worker.get_by_test_id("per-capita")).to_have_text("¥240.00")
    expect(worker.get_by_test_id("working")).to_contain_text("¥1,080.00")
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("proposed-amount")).to_contain_text("¥1,080.00")
    worker.get_by_test_id("step-notice").click()
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("state")).to_have_text("公示中")
    worker.goto("/work/relief/notice/?region=320612001001")
    expect(worker.get_by_test_id("notice-name")).to_have_text(mask_name(resident.person.name))
    assert mask_name(resident.person.name) != resident.person.name
    expect(worker.get_by_test_id("notice-table")).not_to_contain_text(resident.person.id_number)

    # ---- the notice period passes (test clock); the investigator may not decide
    settings.MINZHENG_TODAY = dt.date(2026, 11, 9)
    worker.goto(f"/work/relief/applications/{application.pk}/confirm/")
    expect(worker.get_by_test_id("decider-problem")).to_contain_text("不得审批")
    worker.get_by_test_id("step-submit").click()
    expect(worker.get_by_test_id("form-errors")).to_contain_text("不得审批")
    application.refresh_from_db()
    assert application.state == "notice"

    # ---- a reviewer who did not investigate confirms
    reviewer = new_page()
    log_in(reviewer, str(Role.REVIEWER))
    reviewer.goto(f"/work/relief/applications/{application.pk}/")
    reviewer.get_by_test_id("step-confirm").click()
    reviewer.get_by_label("审批意见").fill("同意")
    reviewer.get_by_test_id("step-submit").click()
    expect(reviewer.get_by_test_id("state")).to_have_text("已批准")
    screenshot(reviewer, "relief-confirmed")

    # ---- next month's payroll carries the household with the right amount
    payroll_generate(month=dt.date(2026, 12, 1))
    assert Payment.objects.get(month=dt.date(2026, 12, 1)).amount == 1080
    reviewer.goto("/work/relief/payroll/")
    reviewer.get_by_role("link", name="2026-12").click()
    expect(reviewer.get_by_test_id("roll-lines")).to_contain_text(resident.person.name)
    expect(reviewer.get_by_test_id("roll-lines")).to_contain_text("¥1,080.00")
    reviewer.get_by_test_id("approve-roll").click()
    expect(reviewer.get_by_test_id("roll-status")).to_have_text("已审核")
    screenshot(reviewer, "relief-payroll")

    # ---- the resident sees the decision and the amount
    page.goto(f"/my/relief/applications/{application.pk}/")
    expect(page.get_by_test_id("decision")).to_contain_text("已批准")
    expect(page.get_by_test_id("decision")).to_contain_text("¥1,080.00")
    screenshot(page, "relief-resident-decision")
