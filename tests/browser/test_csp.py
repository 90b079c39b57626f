"""Content-Security-Policy (django-csp): the header is sent, and the main pages —
charts, htmx progress, the residents' form, the admin, Swagger UI — run in
Chromium under it without a single refused script or style."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from civil_affairs.models import Role
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

MONTH = dt.date(2026, 2, 1)


def test_every_page_sends_the_policy(client, db):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["img-src"] == "'self' data:" and directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'self'"


@pytest.fixture
def city(households, users, regions):
    """A paid dibao benefit in a generated roll, a price index and a subsidy roll:
    every chart on the workbench has figures to draw."""
    from relief.models import Benefit, PriceIndex, PriceSubsidy, PriceSubsidyRoll
    from relief.services.payroll import payroll_generate
    from relief.services.standards import standards_load_demo

    standards_load_demo(actor=None, region=regions["city"])
    household = households["ours"]
    head = household.members.get(relation="head").person
    Benefit.objects.create(
        household=household,
        recipient=head,
        kind="dibao",
        region=household.region,
        monthly_amount=Decimal("500"),
        start_month=dt.date(2026, 1, 1),
    )
    payroll_generate(month=MONTH)
    PriceIndex.objects.create(month=MONTH, region=regions["city"], cpi_yoy=Decimal("3.6"), food_yoy=Decimal("7.1"))
    roll = PriceSubsidyRoll.objects.create(month=MONTH, district=regions["tongzhou"])
    PriceSubsidy.objects.create(
        roll=roll, person=head, month=MONTH, group="dibao", region=household.region, amount=Decimal("28.08")
    )
    return regions


def _watch(page):
    """Console errors and page errors, CSP refusals among them."""
    problems = []
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
    return problems


def _refused(problems):
    return [p for p in problems if "Content Security Policy" in p or "Refused to" in p or "Error" in p]


def _has_chart(page, canvas_id):
    return page.evaluate(f"() => !!(window.Chart && Chart.getChart('{canvas_id}'))")


def test_workbench_pages_run_under_the_policy(new_page, city, users):
    page = new_page()
    problems = _watch(page)
    log_in(page, str(Role.CASEWORKER))
    page.goto("/work/")
    expect(page.locator("#area-chart")).to_be_visible()
    assert _has_chart(page, "area-chart")
    page.goto(f"/work/relief/payroll/?month={MONTH:%Y-%m}")
    assert _has_chart(page, "payroll-chart")
    page.goto(f"/work/relief/price-linkage/?month={MONTH:%Y-%m}")
    assert _has_chart(page, "index-chart") and _has_chart(page, "subsidy-chart")
    assert not _refused(problems), problems


def test_progress_bars_take_their_width_from_data_percent(new_page, users):
    from civil_affairs import services

    run = services.batchrun_create(kind="import_person", params={}, user=users[Role.CASEWORKER])
    services.batchrun_started(run_id=run.pk, total=4)
    services.batchrun_progress(run_id=run.pk, done=1, errors=[])
    page = new_page()
    problems = _watch(page)
    log_in(page, str(Role.CASEWORKER))
    page.goto(f"/work/batches/{run.pk}/")
    bar = page.get_by_test_id("batch-progress").locator(".progress-bar")
    expect(bar).to_have_attribute("data-percent", "25")
    expect(bar).to_have_attribute("style", "width: 25%;")  # set by minzheng.js, also after each htmx swap
    page.wait_for_timeout(1500)  # one htmx poll replaces the block
    expect(bar).to_have_attribute("style", "width: 25%;")
    assert not _refused(problems), problems


def test_resident_form_and_confirmations_work_without_inline_script(new_page, users, regions):
    from relief.services.standards import standards_load_demo

    standards_load_demo(actor=None, region=regions["city"])
    page = new_page()
    problems = _watch(page)
    log_in(page, users[Role.RESIDENT].username)
    page.goto("/my/relief/apply/")
    temporary_type = page.locator("#id_temporary_type")
    expect(temporary_type).to_be_hidden()  # apply_start.js: only for temporary assistance
    page.select_option("#id_kind", "temporary")
    expect(temporary_type).to_be_visible()
    # the language switch submits on change (data-autosubmit instead of onchange=)
    page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert not _refused(problems), problems


def test_admin_and_api_docs_run_under_the_policy(new_page, users, regions):
    page = new_page()
    problems = _watch(page)
    log_in(page, str(Role.BUREAU_ADMIN))
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"/admin/civil_affairs/region/{regions['jinsha_1'].pk}/change/")
    expect(page.locator("#region_form")).to_be_visible()
    page.goto("/admin/civil_affairs/person/add/")
    expect(page.locator("#person_form")).to_be_visible()
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Minzheng API", timeout=30_000)
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    assert not _refused(problems), problems


def test_overview_and_person_360_run_under_the_policy(new_page, city, users, households):
    page = new_page()
    problems = _watch(page)
    log_in(page, str(Role.BUREAU_ADMIN))
    page.goto("/work/overview/")
    expect(page.get_by_test_id("overview-table")).to_be_visible()
    assert _has_chart(page, "overview-relief_dibao_households")
    head = households["ours"].members.get(relation="head").person
    page.goto(f"/work/people/{head.pk}/")
    expect(page.get_by_test_id("area-relief")).to_be_visible()
    page.goto(f"/work/households/{households['ours'].pk}/")
    expect(page.get_by_test_id("area-links-relief")).to_be_visible()
    assert not _refused(problems), problems


def _row_texts(page):
    """The household rows' text without its white space (a cell's separator in inner_text is a tab
    once laid out, a newline while htmx is still swapping the rows in)."""
    return [
        "".join(text.split()) for text in page.get_by_test_id("household-table").locator("tbody tr").all_inner_texts()
    ]


def test_lists_region_picker_and_previous_page_run_under_the_policy(new_page, households, users, monkeypatch):
    """The region filter's suggestions (htmx into a datalist) and the keyset
    pages forwards and back, on the households list; the audit log's type list."""
    from civil_affairs import listing
    from tests.civil_affairs.factories import MemberFactory

    monkeypatch.setattr(listing, "PAGE_SIZE", 2)  # the live server runs in this process
    for _ in range(3):
        MemberFactory(household__region=households["ours"].region)
    page = new_page()
    problems = _watch(page)
    log_in(page, str(Role.REVIEWER))
    page.goto("/work/households/")
    expect(page.get_by_test_id("result-count")).to_contain_text("4")  # 通州区's households
    picker = page.get_by_test_id("region-picker")
    picker.press_sequentially("金沙")
    expect(page.locator('#region-options option[value="金沙社区"]')).to_have_count(1)
    expect(page.locator('#region-options option[value="金沙街道"]')).to_have_count(1)
    picker.fill("金沙社区")
    picker.press("Enter")
    # typing also refreshed the list for "金沙" (no region of that name): wait for the chosen one
    expect(page).to_have_url(re.compile(re.escape(quote("金沙社区"))))
    expect(page.get_by_test_id("household-table").locator("tbody tr")).to_have_count(2)
    first = _row_texts(page)
    first_number = page.get_by_test_id("household-table").locator("tbody tr td").first.inner_text().strip()
    expect(page.get_by_test_id("prev-page")).to_have_count(0)
    page.get_by_test_id("next-page").click()
    expect(page.get_by_test_id("prev-page")).to_be_visible()
    assert _row_texts(page) != first
    page.get_by_test_id("prev-page").click()
    expect(page.get_by_test_id("household-table").locator("tbody tr").first).to_contain_text(first_number)
    assert _row_texts(page) == first
    auditor = new_page()
    problems += _watch(auditor)
    log_in(auditor, str(Role.AUDITOR))
    auditor.goto("/work/audit/")
    expect(auditor.locator('select[name="target_type"]')).to_be_visible()
    assert not _refused(problems), problems
