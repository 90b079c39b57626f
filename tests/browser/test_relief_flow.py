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
from tests.relief.conftest import family, relief_standards, today  # noqa: F401 - fixtures

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
    # district → street → community: each select is filled (htmx) from the one before it
    page.get_by_label("所在区县").select_option(label="崇川区")
    page.get_by_label("所在街道/乡镇").select_option(label="文峰街道")
    expect(page.get_by_label("所在社区/村")).to_contain_text("文峰社区")
    page.get_by_label("所在区县").select_option(label="通州区")
    page.get_by_label("所在街道/乡镇").select_option(label="金沙街道")
    expect(page.get_by_label("所在社区/村")).not_to_contain_text("文峰社区")
    page.get_by_label("所在社区/村").select_option(label="金沙社区")
    page.get_by_label("家庭住址").fill("金沙镇幸福路8号")
    page.get_by_label("申请事由").fill("本人失业，配偶无收入")
    page.get_by_role("button", name="开始填写").click()

    spouse_id = valid_id_number(male=False, birth=dt.date(1984, 4, 4))
    page.get_by_label("姓名").fill("钱配偶")
    page.get_by_label("公民身份号码").fill(spouse_id)
    page.get_by_label("与户主关系").select_option("spouse")
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("apply-members")).to_contain_text("钱配偶")
    # a mistake corrected: the spouse can only work part-time
    page.get_by_test_id("member-row").filter(has_text="钱配偶").get_by_test_id("edit-item").click()
    page.get_by_label("劳动能力").select_option("partial")
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("member-row").filter(has_text="钱配偶")).to_contain_text("部分丧失")
    page.get_by_test_id("next-step").click()

    _select_by_text(page, "家庭成员", resident.person.name)
    page.get_by_label("收入类型").select_option("wages")
    page.get_by_label("月均金额（元）").fill("-100")
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("error-monthly_amount")).to_contain_text("金额不能为负数")
    page.get_by_label("月均金额（元）").fill("600")
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("apply-incomes")).to_contain_text("¥7,200.00")
    # a line added by mistake, deleted after a confirmation
    _select_by_text(page, "家庭成员", "钱配偶")
    page.get_by_label("收入类型").select_option("transfer")
    page.get_by_label("月均金额（元）").fill("50")
    page.get_by_test_id("step-save").click()
    expect(page.get_by_test_id("apply-incomes")).to_contain_text("¥600.00")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("apply-incomes").locator("tr", has_text="转移净收入").get_by_test_id("delete-item").click()
    expect(page.get_by_test_id("apply-incomes")).not_to_contain_text("转移净收入")
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
    expect(worker.get_by_test_id("document-pdf")).to_have_count(4)  # the uploads, each opened in a new tab
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
    expect(worker.get_by_test_id("confirm-blockers")).to_contain_text("不得审批")
    expect(worker.get_by_test_id("step-submit")).to_be_disabled()
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
    dialogs = []
    reviewer.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    reviewer.get_by_test_id("approve-roll").click()
    expect(reviewer.get_by_test_id("roll-status")).to_have_text("已审核")
    assert dialogs == ["确认批准 通州区 2026年12月 花名册：1 人，合计 ¥1,080.00？"]
    screenshot(reviewer, "relief-payroll")

    # ---- the resident sees the decision and the amount
    page.goto(f"/my/relief/applications/{application.pk}/")
    expect(page.get_by_test_id("decision")).to_contain_text("已批准")
    expect(page.get_by_test_id("decision")).to_contain_text("¥1,080.00")
    screenshot(page, "relief-resident-decision")


def test_payroll_confirmation_names_the_figures_and_the_list_follows_the_run(new_page, users, family, today):
    """Generating asks first, naming the household count and monthly total; a
    run in progress polls its bar, and when it finishes the page reloads with
    the rolls it made (it used to say 尚未生成花名册 until reloaded by hand)."""
    from django.utils import timezone

    from civil_affairs.models import BatchRun
    from relief.services import payroll as payroll_services
    from tests.relief.factories import benefit_for

    benefit_for(family, monthly_amount=1234.5)
    admin = new_page()
    log_in(admin, str(Role.BUREAU_ADMIN))
    admin.goto("/work/relief/payroll/")
    admin.get_by_label("发放月份").fill("2026-12")
    dialogs = []
    admin.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    admin.get_by_role("button", name="生成花名册").click()
    expect(admin.get_by_test_id("no-rolls")).to_be_visible()
    assert dialogs == ["确认生成所选月份的发放花名册？按当前在保待遇估算：1 户，每月合计 ¥1,234.50（以生成结果为准）。"]
    assert not BatchRun.objects.filter(kind=payroll_services.KIND).exists()  # dismissed: nothing started

    now = timezone.now()
    run = BatchRun.objects.create(
        kind=payroll_services.KIND,
        params={"month": "2026-12"},
        status="running",
        region=users[Role.BUREAU_ADMIN].region,
        created_by=users[Role.BUREAU_ADMIN],
        started_at=now,
        heartbeat_at=now,
    )
    admin.goto(f"/work/relief/payroll/?month=2026-12&run={run.pk}")
    expect(admin.get_by_test_id("batch-progress")).to_have_attribute("data-status", "running")
    expect(admin.get_by_test_id("no-rolls")).to_be_visible()
    # The worker's part, done here: the roll is written and the run marked finished.
    payroll_services.payroll_generate(month=dt.date(2026, 12, 1))
    BatchRun.objects.filter(pk=run.pk).update(status="succeeded", finished_at=timezone.now())
    expect(admin.get_by_test_id("roll-table")).to_contain_text("通州区", timeout=10_000)
    expect(admin.get_by_test_id("month-total")).to_contain_text("¥1,234.50")
