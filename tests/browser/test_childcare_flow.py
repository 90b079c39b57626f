"""Childcare end to end in headless Chromium: a guardian applies online for an
orphan's allowance with a death certificate uploaded, the street's supervisor
checks, a district reviewer approves and the guardian sees it approved; a
child director records a high-risk visit and a referral, and the street's
supervisor sees both on the child's record."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from childcare.models import Allowance, Case, Referral, Visit
from civil_affairs.models import Role
from tests.browser.conftest import log_in, screenshot
from tests.childcare.conftest import cc, today  # noqa: F401 - fixtures
from tests.childcare.factories import family, registered
from tests.factories import UserFactory, pdf_bytes

pytestmark = pytest.mark.browser

PDF = {"name": "death.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}


def test_guardian_applies_street_checks_district_approves(new_page, cc):  # noqa: F811 - the fixture
    guardian, child = family(cc["regions"]["jinsha_1"])
    resident = UserFactory(username="13900000077", phone="13900000077", role=Role.RESIDENT, person=guardian)

    page = new_page()
    log_in(page, resident.username)
    page.goto("/my/childcare/")
    page.get_by_test_id("apply").click()
    page.get_by_label("儿童身份证号码").fill(child.id_number)
    page.get_by_label("监护人与儿童关系").fill("祖母")
    page.get_by_label("申请类别").select_option("orphan")
    page.get_by_label("养育方式").select_option("dispersed")
    page.get_by_label("开户银行").fill("农业银行")
    page.get_by_label("监护人收款账号").fill("12ab")  # a typo: refused, nothing lost
    page.get_by_label("父亲情形", exact=True).select_option("dead")
    page.get_by_label("父亲情形起始日期").fill("2024-05-01")
    page.get_by_label("母亲情形", exact=True).select_option("dead")
    page.get_by_label("母亲情形起始日期").fill("2025-02-01")
    page.get_by_label("证明材料（死亡证明、判决书、残疾证等）").set_input_files([PDF])
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("error-bank_account")).to_contain_text("银行账号应为12至32位数字")
    expect(page.get_by_label("儿童身份证号码")).to_have_value(child.id_number)
    page.get_by_label("监护人收款账号").fill("6228480012345678901")
    page.get_by_label("证明材料（死亡证明、判决书、残疾证等）").set_input_files([PDF])
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("case-state")).to_contain_text("待街道审核")
    case = Case.objects.get(child=child)
    assert case.online and case.documents.count() == 1
    screenshot(page, "childcare-applied")

    # ---- the street's supervisor checks
    street = new_page()
    log_in(street, cc[Role.CASEWORKER].username)
    street.goto("/work/childcare/")
    street.get_by_test_id("case-queue").get_by_role("link", name=case.number).click()
    expect(street.get_by_test_id("assessment")).to_contain_text("符合认定条件")
    street.get_by_label("符合条件，报区县审批").check()
    street.get_by_label("审核意见").fill("入户核实，父母均已死亡，属实")
    street.get_by_test_id("check-submit").click()
    expect(street.get_by_test_id("case-state")).to_contain_text("待区县审批")
    expect(street.get_by_test_id("decide-form")).to_have_count(0)  # caseworkers never decide

    # ---- a district reviewer approves
    district = new_page()
    log_in(district, cc[Role.REVIEWER].username)
    district.goto(f"/work/childcare/cases/{case.pk}/")
    district.get_by_label("批准", exact=True).check()
    district.get_by_label("审批意见").fill("同意")
    district.get_by_test_id("decide-submit").click()
    expect(district.get_by_test_id("case-state")).to_contain_text("已批准")
    allowance = Allowance.objects.get(child=child)
    assert allowance.start_month == dt.date(2026, 12, 1)

    page.goto(f"/my/childcare/cases/{case.pk}/")
    expect(page.get_by_test_id("case-state")).to_contain_text("已批准")
    expect(page.get_by_test_id("progress")).to_contain_text("区县审批")
    screenshot(page, "childcare-approved")


def test_director_visits_and_refers_supervisor_sees(new_page, cc):  # noqa: F811 - the fixture
    director = cc[Role.COMMUNITY_WORKER]
    child = registered(director, cc["regions"]["jinsha_1"], risk="high")

    page = new_page()
    log_in(page, director.username)
    page.goto("/work/childcare/")
    page.get_by_test_id("director-queue").get_by_role("link", name=child.person.name).click()
    expect(page.get_by_test_id("risk")).to_contain_text("高")
    visit = page.get_by_test_id("visit-form")
    visit.get_by_label("走访日期").fill("2026-11-02")
    visit.get_by_label("走访记录").fill("爷爷住院，孩子独自在家，情绪低落")
    visit.get_by_test_id("visit-submit").click()
    expect(page.get_by_test_id("visits")).to_contain_text("孩子独自在家")
    expect(page.get_by_test_id("next-visit")).to_contain_text("2026-12-02")
    referral = page.get_by_test_id("referral-form")
    referral.get_by_label("转介服务").select_option("psychological")
    referral.get_by_label("转介原因").fill("情绪低落，需要心理疏导")
    referral.get_by_test_id("referral-submit").click()
    expect(page.get_by_test_id("referrals")).to_contain_text("心理")
    assert Visit.objects.filter(child=child, seen=True).count() == 1
    assert Referral.objects.filter(child=child, service="psychological", status="open").exists()

    supervisor = new_page()
    log_in(supervisor, cc[Role.CASEWORKER].username)
    supervisor.goto("/work/childcare/children/")
    supervisor.get_by_test_id("child-table").get_by_role("link", name=child.person.name).click()
    expect(supervisor.get_by_test_id("visits")).to_contain_text("孩子独自在家")
    expect(supervisor.get_by_test_id("referrals")).to_contain_text("情绪低落")
    screenshot(supervisor, "childcare-supervisor")


def test_dashboard_and_roll_charts_run_under_the_policy(new_page, cc):  # noqa: F811 - the fixture
    from childcare import payroll
    from tests.childcare.factories import approved, submitted

    guardian, child = family(cc["regions"]["jinsha_1"])
    approved(submitted(cc[Role.CASEWORKER], child, guardian=guardian), cc[Role.CASEWORKER], cc[Role.REVIEWER])
    registered(cc[Role.COMMUNITY_WORKER], cc["regions"]["jinsha_1"], risk="medium")
    payroll.allowance_generate(month=dt.date(2026, 12, 1))
    page = new_page()
    problems = []
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    log_in(page, cc[Role.BUREAU_ADMIN].username)
    page.goto("/work/childcare/dashboard/?region=320612000000")
    expect(page.get_by_test_id("dashboard-figures")).to_contain_text("事实无人抚养儿童")
    assert page.evaluate("() => !!(window.Chart && Chart.getChart('childcare-risk-chart'))")
    page.goto("/work/childcare/payroll/?month=2026-12")
    assert page.evaluate("() => !!(window.Chart && Chart.getChart('childpay-chart'))")
    assert not [p for p in problems if "Content Security Policy" in p or "Refused to" in p or "Error" in p], problems
