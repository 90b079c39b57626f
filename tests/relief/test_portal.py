"""Residents apply online step by step, follow their case, answer a request
for documents and read the decision; nobody sees another household's case."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civil_affairs.models import AssetRecord, Document, HouseholdMember, IncomeRecord, Person, Role
from relief.models import Application
from relief.services import applications as svc
from tests.factories import PersonFactory, UserFactory, image_bytes, pdf_bytes, valid_id_number
from tests.relief.factories import visited

AUTHORISED = {"authorised_verification": "on", "bank_name": "农业银行", "bank_account": "6228480012345678901"}
# Submitting without every required document needs a word on why (tests/relief/test_resident_ux.py).
NOTE = {"missing_documents_note": "其余材料受理时带到窗口"}


def _step(client, app, step, data=None):
    return client.post(f"/my/relief/apply/{app.pk}/{step}/", data or {})


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def resident(users, relief_standards, today):
    return users[Role.RESIDENT]


def _apply(client, regions, **extra):
    data = {
        "kind": "dibao",
        "region": regions["jinsha_1"].code,
        "address": "幸福路1号",
        "reason": "失业，生活困难",
        **extra,
    }
    response = client.post("/my/relief/apply/", data)
    app = Application.objects.latest("id")
    assert response.status_code == 302 and response["Location"].endswith(f"/apply/{app.pk}/members/")
    return app


def _submitted(client, resident, regions):
    app = _apply(client, regions)
    _step(client, app, "income", {"person": resident.person.pk, "kind": "wages", "monthly_amount": "600", "months": 12})
    _step(client, app, "authorisation", AUTHORISED)
    assert _step(client, app, "review", NOTE).status_code == 302
    app.refresh_from_db()
    assert app.state == "submitted"
    return app


def _decided(app, staff, settings, *, confirm=True):
    svc.application_accept(
        actor=staff["caseworker"], application=app, checklist={k: True for k in svc.REQUIRED_DOCUMENTS[app.kind]}
    )
    visited(app, staff)
    svc.application_propose(actor=staff["caseworker"], application=app)
    if not confirm:
        return svc.application_reject(actor=staff["reviewer"], application=app, reason="家庭人均收入高于低保标准")
    svc.application_notice_publish(actor=staff["caseworker"], application=app)
    settings.MINZHENG_TODAY = dt.date(2026, 11, 9)
    return svc.application_confirm(actor=staff["reviewer"], application=app)


def test_resident_walks_every_step_and_submits(resident, login, regions):
    client = login(resident)
    start = _page(client, "/my/relief/apply/")
    assert "金沙社区" in start and "家庭住址" in start
    app = _apply(client, regions)
    assert app.household.members.get().person == resident.person and app.online and app.state == "draft"
    assert app.household.region == regions["jinsha_1"] and app.household.address == "幸福路1号"
    assert 'aria-current="step"' in _page(client, f"/my/relief/apply/{app.pk}/members/")

    spouse_id = valid_id_number(male=False, birth=dt.date(1985, 1, 1))
    assert (
        _step(
            client,
            app,
            "members",
            {
                "name": "钱配偶",
                "id_number": spouse_id,
                "relation": "spouse",
                "disability_grade": 2,
                "disability_type": "physical",
                "labour_capacity": "partial",
                "serious_illness": "on",
            },
        ).status_code
        == 302
    )
    spouse = Person.objects.get(id_number=spouse_id)
    assert (spouse.disability_grade, spouse.labour_capacity, spouse.serious_illness) == (2, "partial", True)
    members_page = _page(client, f"/my/relief/apply/{app.pk}/members/")
    assert "钱配偶" in members_page and spouse_id not in members_page and spouse_id[:4] + "*" in members_page

    assert (
        _step(
            client,
            app,
            "income",
            {"person": resident.person.pk, "kind": "wages", "monthly_amount": "600", "months": 12},
        ).status_code
        == 302
    )
    assert "¥7,200.00" in _page(client, f"/my/relief/apply/{app.pk}/income/")
    assert _step(client, app, "assets", {"person": spouse.pk, "kind": "deposit", "amount": "3000"}).status_code == 302
    authorisation = _page(client, f"/my/relief/apply/{app.pk}/authorisation/")
    assert "授权民政部门" in authorisation and "申请救助金额" not in authorisation  # dibao asks no amount
    response = _step(client, app, "authorisation", AUTHORISED)
    assert response.status_code == 302 and response["Location"].endswith("/documents/")
    assert (
        _step(
            client, app, "documents", {"kind": "id_card", "file": SimpleUploadedFile("id.pdf", pdf_bytes())}
        ).status_code
        == 302
    )
    assert "id.pdf" in _page(client, f"/my/relief/apply/{app.pk}/documents/")

    review = _page(client, f"/my/relief/apply/{app.pk}/review/")
    assert "钱配偶" in review and "已授权" in review and "¥3,000.00" in review and "id.pdf" in review
    assert "6228480012345678901" not in review  # the bank account is masked too
    response = _step(client, app, "review", NOTE)
    assert response.status_code == 302 and response["Location"].endswith(f"/applications/{app.pk}/")
    app.refresh_from_db()
    assert app.state == "submitted" and app.authorised_verification and app.bank_account == "6228480012345678901"
    assert app.household.members.count() == 2
    income = IncomeRecord.objects.get(household=app.household)
    assert (income.person, income.amount, income.source) == (resident.person, Decimal("7200.00"), "declared")
    assert AssetRecord.objects.get(household=app.household).amount == Decimal("3000.00")
    assert Document.objects.get(household=app.household).kind == "id_card"

    page = _page(client, f"/my/relief/applications/{app.pk}/")
    assert "已提交" in page and 'aria-current="step"' in page and "提交申请" in page
    # Submitted: the steps are no longer editable.
    assert client.get(f"/my/relief/apply/{app.pk}/income/").status_code == 302
    assert "已提交" in _page(client, "/my/relief/")


def test_bad_input_is_explained_and_nothing_saved_is_lost(resident, login, regions):
    client = login(resident)
    app = _apply(client, regions)
    _step(client, app, "income", {"person": resident.person.pk, "kind": "wages", "monthly_amount": "500", "months": 6})
    response = _step(
        client, app, "income", {"person": resident.person.pk, "kind": "pension", "monthly_amount": "-5", "months": 12}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "金额不能为负数" in page
    assert 'value="-5"' in page and "¥3,000.00" in page  # what was typed, and what was saved before
    assert IncomeRecord.objects.filter(household=app.household).count() == 1

    response = _step(client, app, "assets", {"person": resident.person.pk, "kind": "deposit", "amount": "abc"})
    assert response.status_code == 200 and "请输入金额" in response.content.decode()

    response = _step(client, app, "authorisation", {"bank_name": "农业银行", "bank_account": "12345"})
    assert response.status_code == 200 and "银行账号应为12至30位数字" in response.content.decode()
    assert 'value="12345"' in response.content.decode()

    response = _step(client, app, "review")
    page = response.content.decode()
    assert response.status_code == 200 and "请签署家庭经济状况核对授权" in page and "请填写收款银行账号" in page
    app.refresh_from_db()
    assert app.state == "draft" and app.reason == "失业，生活困难"


def test_invalid_id_number_is_refused_with_the_reason(resident, login, regions):
    client = login(resident)
    app = _apply(client, regions)
    good = valid_id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = _step(
        client,
        app,
        "members",
        {"name": "孙某", "id_number": wrong, "relation": "child", "disability_grade": 0, "labour_capacity": "full"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "校验位" in page
    assert f'value="{wrong}"' in page and 'value="孙某"' in page
    assert app.household.members.count() == 1


def test_a_member_of_another_household_is_a_form_error(resident, login, regions, households):
    client = login(resident)
    app = _apply(client, regions)
    taken = households["theirs"].members.get().person
    response = _step(
        client,
        app,
        "members",
        {
            "name": taken.name,
            "id_number": taken.id_number,
            "relation": "child",
            "disability_grade": 0,
            "labour_capacity": "full",
        },
    )
    assert response.status_code == 200 and "已是其他家庭的成员" in response.content.decode()


def test_start_asks_the_type_of_temporary_assistance_and_its_amount(resident, login, regions):
    client = login(resident)
    response = client.post(
        "/my/relief/apply/",
        {"kind": "temporary", "region": regions["wenfeng_1"].code, "address": "幸福路1号", "reason": "突发火灾"},
    )
    assert response.status_code == 200 and "请选择临时救助类型" in response.content.decode()
    assert not Application.objects.exists()
    response = client.post("/my/relief/apply/", {"kind": "dibao", "region": regions["jinsha_1"].code, "reason": "困难"})
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()  # no household: address

    app = _apply(client, regions, kind="temporary", temporary_type="emergency", region=regions["wenfeng_1"].code)
    assert app.temporary_type == "emergency" and app.region == regions["wenfeng_1"]
    assert app.household.region == regions["wenfeng_1"]  # their new household too, as they chose
    assert "申请救助金额" in _page(client, f"/my/relief/apply/{app.pk}/authorisation/")
    response = _step(client, app, "authorisation", {**AUTHORISED, "requested_amount": "0"})
    assert response.status_code == 200 and "申请救助金额须大于0" in response.content.decode()
    _step(client, app, "authorisation", {**AUTHORISED, "requested_amount": "2000"})
    assert _step(client, app, "review", NOTE).status_code == 302
    app.refresh_from_db()
    assert app.state == "submitted" and app.requested_amount == Decimal("2000.00")


def test_starting_again_continues_the_draft(resident, login, regions):
    client = login(resident)
    first = _apply(client, regions)
    # Now registered in a household: no address asked, the draft is continued.
    assert "家庭住址" not in _page(client, "/my/relief/apply/")
    response = client.post(
        "/my/relief/apply/", {"kind": "dibao", "region": regions["jinsha_1"].code, "reason": "再次填写"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/apply/{first.pk}/members/")
    assert Application.objects.count() == 1


def test_other_residents_and_staff_are_kept_out(resident, login, regions, users, client):
    app = _apply(login(resident), regions)
    stranger = UserFactory(
        username="13900000002", role=Role.RESIDENT, person=PersonFactory(hukou_region=regions["wenfeng_1"])
    )
    other = login(stranger)
    urls = [
        f"/my/relief/applications/{app.pk}/",
        f"/my/relief/apply/{app.pk}/members/",
        f"/my/relief/apply/{app.pk}/review/",
        f"/my/relief/applications/{app.pk}/documents/",
    ]
    for url in urls:
        assert other.get(url).status_code == 404, url
    assert other.post(f"/my/relief/apply/{app.pk}/review/").status_code == 404
    assert other.post(f"/my/relief/applications/{app.pk}/", {"withdraw": "1"}).status_code == 404
    assert app.number not in _page(other, "/my/relief/")
    app.refresh_from_db()
    assert app.state == "draft"
    for role in (Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN):
        staff_client = login(users[role])
        for url in ["/my/relief/", "/my/relief/apply/", *urls]:
            assert staff_client.get(url).status_code == 403, (role, url)
    client.logout()
    response = client.get(f"/my/relief/applications/{app.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_returned_then_resubmitted_then_approved(resident, login, regions, staff, settings):
    client = login(resident)
    app = _submitted(client, resident, regions)
    svc.application_return(
        actor=staff["caseworker"], application=app, reason="请补充户口簿", checklist={"id_card": True}
    )
    page = _page(client, f"/my/relief/applications/{app.pk}/")
    assert "请补充户口簿" in page and f"/my/relief/applications/{app.pk}/documents/" in page
    assert "请补充户口簿" in _page(client, f"/my/relief/applications/{app.pk}/documents/")
    response = client.post(
        f"/my/relief/applications/{app.pk}/documents/",
        {"kind": "hukou", "file": SimpleUploadedFile("hukou.exe", b"MZ")},
    )
    assert response.status_code == 200 and "只接受 PDF、JPG、PNG 文件" in response.content.decode()
    response = client.post(
        f"/my/relief/applications/{app.pk}/documents/",
        {"kind": "hukou", "file": SimpleUploadedFile("hukou.png", image_bytes("PNG"))},
    )
    assert response.status_code == 302
    assert Document.objects.filter(household=app.household, kind="hukou").exists()
    assert client.post(f"/my/relief/applications/{app.pk}/documents/", {"resubmit": "1", **NOTE}).status_code == 302
    app.refresh_from_db()
    assert app.state == "submitted"
    # Not returned any more: the documents page sends them to the progress page.
    assert client.get(f"/my/relief/applications/{app.pk}/documents/").status_code == 302

    svc.application_accept(
        actor=staff["caseworker"], application=app, checklist={k: True for k in svc.REQUIRED_DOCUMENTS["dibao"]}
    )
    visited(app, staff)
    svc.application_propose(actor=staff["caseworker"], application=app)
    svc.application_notice_publish(actor=staff["caseworker"], application=app)
    page = _page(client, f"/my/relief/applications/{app.pk}/")
    assert "公示中" in page and "2026年11月2日 至 2026年11月8日" in page
    settings.MINZHENG_TODAY = dt.date(2026, 11, 9)
    svc.application_confirm(actor=staff["reviewer"], application=app)
    page = _page(client, f"/my/relief/applications/{app.pk}/")
    # one member, 600 × 0.8 = 480 a month: 780 − 480 = 300.00
    assert "已批准" in page and "¥300.00" in page and "2026年12月起发放" in page
    listing = _page(client, "/my/relief/")
    assert "已批准" in listing and "¥300.00" in listing and "2026年12月" in listing and "正常享受" in listing
    assert 'data-testid="withdraw"' not in page


def test_rejection_shows_the_reason(resident, login, regions, staff, settings):
    client = login(resident)
    app = _apply(client, regions)
    _step(
        client, app, "income", {"person": resident.person.pk, "kind": "wages", "monthly_amount": "5000", "months": 12}
    )
    _step(client, app, "authorisation", AUTHORISED)
    _step(client, app, "review", NOTE)
    app.refresh_from_db()
    _decided(app, staff, settings, confirm=False)
    page = _page(client, f"/my/relief/applications/{app.pk}/")
    assert "不予批准" in page and "家庭人均收入高于低保标准" in page and "行政复议" in page


def test_withdraw_a_submitted_application(resident, login, regions):
    client = login(resident)
    app = _submitted(client, resident, regions)
    assert 'data-testid="withdraw"' in _page(client, f"/my/relief/applications/{app.pk}/")
    assert client.post(f"/my/relief/applications/{app.pk}/", {"withdraw": "1"}).status_code == 302
    app.refresh_from_db()
    assert app.state == "withdrawn"
    assert "已撤回" in _page(client, f"/my/relief/applications/{app.pk}/")
    # and a new application can be started
    assert _apply(client, regions).pk != app.pk


def test_list_page_queries_are_bounded(resident, login, regions, django_assert_max_num_queries):
    client = login(resident)
    for _n in range(3):
        app = _submitted(client, resident, regions)
        svc.application_withdraw(actor=resident, application=app)
    with django_assert_max_num_queries(8):
        assert client.get("/my/relief/").status_code == 200


def test_core_portal_links_to_relief(resident, login):
    client = login(resident)
    assert 'href="/my/relief/"' in _page(client, "/my/applications/")  # the list of each area's cases
    assert "/my/relief/apply/" in _page(client, "/")
    assert "/my/relief/apply/" in _page(client, "/my/relief/")
    assert HouseholdMember.objects.count() == 0  # looking does not register a household
