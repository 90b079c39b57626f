"""A home adaptation end to end in headless Chromium: a resident applies online
for their father; the street caseworker assesses it with a needs list, orders
it from a contractor within the cap and records the completion with a photo;
a reviewer (not the orderer) accepts it and records the payment; the resident
sees it paid, with the photo, on the portal."""

import datetime as dt
from decimal import Decimal

import pytest
from PIL import Image
from playwright.sync_api import expect

from civil_affairs.models import HouseholdMember, Role
from eldercare.models import Adaptation, Contractor
from eldercare.services import homecare
from tests.browser.conftest import log_in, screenshot
from tests.civil_affairs.factories import HouseholdFactory, MemberFactory, UserFactory
from tests.eldercare.conftest import elder_params  # noqa: F401 - fixture
from tests.eldercare.factories import id_number_born

pytestmark = pytest.mark.browser


@pytest.fixture
def family(elder_params, users, tmp_path):  # noqa: F811
    r = elder_params
    Contractor.objects.create(name="通州安居适老改造工程队", credit_code="91320612MA0000001A", region=r["jinsha"])
    household = HouseholdFactory(region=r["jinsha_1"], number="H320612001000991")
    father = MemberFactory(
        household=household, person__id_number=id_number_born(dt.date(1941, 6, 6)), person__name="周老爷子"
    ).person
    son = MemberFactory(
        household=household,
        relation=HouseholdMember.Relation.CHILD,
        person__id_number=id_number_born(dt.date(1970, 6, 6)),
        person__name="周儿子",
    ).person
    homecare.assessment_record(
        actor=users[Role.CASEWORKER], person=father, level=2, assessor="评估员乙", assessed_on=dt.date(2026, 11, 1)
    )
    resident = UserFactory(username="13900000077", phone="13900000077", role=Role.RESIDENT, person=son)
    photo = tmp_path / "handrail.png"
    Image.new("RGB", (32, 24), (180, 140, 60)).save(photo, format="PNG")
    return {"father": father, "resident": resident, "photo": photo}


def test_application_to_payment_visible_on_the_portal(new_page, users, family):
    # the resident applies online for their father
    page = new_page()
    log_in(page, family["resident"].username)
    page.goto("/my/eldercare/adaptations/")
    page.locator("#a-person").select_option(label="周老爷子")
    page.locator("#a-kind").select_option(value="adaptation")
    page.locator("#a-reason").fill("卫生间没有扶手，老人起身困难")
    page.get_by_test_id("apply").click()
    expect(page.get_by_test_id("my-adaptation-state")).to_have_text("待评估")

    # the caseworker assesses, orders within the cap and records the completion with a photo
    staff = new_page()
    log_in(staff, users[Role.CASEWORKER].username)
    staff.goto("/work/eldercare/adaptations/")
    staff.get_by_test_id("adaptations").get_by_role("link").first.click()
    expect(staff.get_by_test_id("adaptation-cap")).to_contain_text("¥3,000.00")
    staff.locator("#item_1").fill("卫生间扶手")
    staff.locator("#qty_1").fill("2")
    staff.locator("#cost_1").fill("350")
    staff.locator("#item_2").fill("淋浴椅")
    staff.locator("#qty_2").fill("1")
    staff.locator("#cost_2").fill("1280.50")
    staff.get_by_test_id("assess").click()
    expect(staff.get_by_test_id("adaptation-state")).to_have_text("待派单")
    expect(staff.get_by_test_id("adaptation-estimate")).to_contain_text("¥1,980.50")
    staff.locator("#contractor").select_option(label="通州安居适老改造工程队")
    staff.locator("#budget").fill("3000.01")
    staff.get_by_test_id("order").click()
    expect(staff.locator(".alert-danger, .alert-error").first).to_contain_text("超过补助上限")
    staff.locator("#contractor").select_option(label="通州安居适老改造工程队")
    staff.locator("#budget").fill("2000")
    staff.get_by_test_id("order").click()
    expect(staff.get_by_test_id("adaptation-state")).to_have_text("施工中")
    staff.locator("#photos").set_input_files(str(family["photo"]))
    staff.locator("#actual_cost").fill("1980.50")
    staff.get_by_test_id("complete").click()
    expect(staff.get_by_test_id("adaptation-state")).to_have_text("待验收")
    expect(staff.get_by_test_id("adaptation-photos").locator("img")).to_have_count(1)
    expect(staff.get_by_test_id("accept-form")).to_have_count(0)  # the orderer may not accept

    # a reviewer accepts and records the payment
    reviewer = new_page()
    log_in(reviewer, users[Role.REVIEWER].username)
    case = Adaptation.objects.get(person=family["father"])
    reviewer.goto(f"/work/eldercare/adaptations/{case.pk}/")
    assert reviewer.evaluate("() => document.querySelector('[data-testid=adaptation-photos] img').naturalWidth") == 32
    reviewer.locator("#accept-note").fill("扶手牢固，验收合格")
    reviewer.get_by_test_id("accept").click()
    expect(reviewer.get_by_test_id("adaptation-state")).to_have_text("待支付")
    reviewer.locator("#reference").fill("ZF-2026-0001")
    reviewer.get_by_test_id("pay").click()
    expect(reviewer.get_by_test_id("adaptation-state")).to_have_text("已支付")
    expect(reviewer.get_by_test_id("adaptation-paid")).to_contain_text("¥1,980.50")
    screenshot(reviewer, "eldercare-adaptation-paid")

    # the resident sees it paid, with the photo
    page.goto("/my/eldercare/adaptations/")
    expect(page.get_by_test_id("my-adaptation-state")).to_have_text("已支付")
    expect(page.get_by_test_id("my-adaptation")).to_contain_text("¥1,980.50")
    expect(page.get_by_test_id("my-adaptation").locator("img")).to_have_count(1)
    screenshot(page, "eldercare-adaptation-portal")
    case.refresh_from_db()
    assert (case.state, case.channel, case.budget, case.paid_amount) == (
        "paid",
        "online",
        Decimal("2000.00"),
        Decimal("1980.50"),
    )
    assert case.ordered_by == users[Role.CASEWORKER] and case.accepted_by == users[Role.REVIEWER]
