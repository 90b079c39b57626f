"""Residents apply online step by step, follow their case, answer a request
for documents and read the decision; nobody sees another household's case."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civil_affairs.models import AssetRecord, Document, IncomeRecord, Role
from relief.models import Application
from relief.services import applications as svc
from tests.factories import valid_id_number


def _step(client, app, step, data=None):
    return client.post(f"/my/relief/apply/{app.pk}/{step}/", data or {})


@pytest.fixture
def resident(users, relief_standards, today):
    return users[Role.RESIDENT]


def _apply(client, regions):
    response = client.post("/my/relief/apply/", {"kind": "dibao", "region": regions["jinsha_1"].code,
                                                 "address": "幸福路1号", "reason": "失业，生活困难"})
    app = Application.objects.latest("id")
    assert response.status_code == 302 and response["Location"].endswith(f"/{app.pk}/members/")
    return app


def test_resident_walks_every_step_and_submits(resident, login, regions):
    client = login(resident)
    app = _apply(client, regions)
    assert app.household.members.get().person == resident.person and app.online
    spouse_id = valid_id_number(male=False, birth=dt.date(1985, 1, 1))
    assert _step(client, app, "members", {"name": "钱配偶", "id_number": spouse_id, "relation": "spouse",
                                          "disability_grade": 0, "labour_capacity": "full"}).status_code == 302
    assert app.household.members.count() == 2
    assert _step(client, app, "income", {"person": resident.person.pk, "kind": "wages", "monthly_amount": "600",
                                         "months": 12}).status_code == 302
    assert _step(client, app, "assets", {"person": resident.person.pk, "kind": "deposit",
                                         "amount": "3000"}).status_code == 302
    assert _step(client, app, "authorisation", {"authorised_verification": "on", "bank_name": "农业银行",
                                                "bank_account": "6228480012345678901"}).status_code == 302
    assert _step(client, app, "documents", {"kind": "id_card", "file": SimpleUploadedFile(
        "id.pdf", b"%PDF-1.4 x")}).status_code == 302
    review = client.get(f"/my/relief/apply/{app.pk}/review/").content.decode()
    assert "钱配偶" in review and "已授权" in review
    assert _step(client, app, "review").status_code == 302
    app.refresh_from_db()
    assert app.state == "submitted"
    assert IncomeRecord.objects.get(household=app.household).amount == Decimal("7200.00")
    assert AssetRecord.objects.filter(household=app.household, kind="deposit").exists()
    assert Document.objects.filter(household=app.household).count() == 1
    page = client.get(f"/my/relief/applications/{app.pk}/").content.decode()
    assert "已提交" in page and 'aria-current="step"' in page


def test_bad_input_is_explained_and_nothing_saved_is_lost(resident, login, regions):
    client = login(resident)
    app = _apply(client, regions)
    response = _step(client, app, "income", {"person": resident.person.pk, "kind": "wages", "monthly_amount": "-5",
                                             "months": 12})
    assert response.status_code == 200 and "金额不能为负数" in response.content.decode()
    response = _step(client, app, "review")
    assert response.status_code == 200 and "请签署家庭经济状况核对授权" in response.content.decode()
    app.refresh_from_db()
    assert app.state == "draft" and app.reason == "失业，生活困难"


def test_invalid_id_number_is_refused_with_the_reason(resident, login, regions):
    client = login(resident)
    app = _apply(client, regions)
    good = valid_id_number()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = _step(client, app, "members", {"name": "孙某", "id_number": wrong, "relation": "child",
                                              "disability_grade": 0, "labour_capacity": "full"})
    assert response.status_code == 200 and "校验位" in response.content.decode()
    assert f'value="{wrong}"' in response.content.decode()


def test_other_residents_and_staff_are_kept_out(resident, login, regions, users):
    from tests.factories import PersonFactory, UserFactory

    app = _apply(login(resident), regions)
    stranger = UserFactory(username="13900000002", role=Role.RESIDENT,
                           person=PersonFactory(hukou_region=regions["wenfeng_1"]))
    other = login(stranger)
    assert other.get(f"/my/relief/applications/{app.pk}/").status_code == 404
    assert other.get(f"/my/relief/apply/{app.pk}/members/").status_code == 404
    assert login(users[Role.CASEWORKER]).get("/my/relief/").status_code == 403


def test_returned_then_resubmitted_then_decided(resident, login, regions, staff, settings):
    client = login(resident)
    app = _apply(client, regions)
    _step(client, app, "income", {"person": resident.person.pk, "kind": "wages", "monthly_amount": "600",
                                  "months": 12})
    _step(client, app, "authorisation", {"authorised_verification": "on", "bank_name": "农业银行",
                                         "bank_account": "6228480012345678901"})
    _step(client, app, "review")
    svc.application_return(actor=staff["caseworker"], application=app, reason="请补充户口簿",
                           checklist={"id_card": True})
    page = client.get(f"/my/relief/applications/{app.pk}/").content.decode()
    assert "请补充户口簿" in page
    client.post(f"/my/relief/applications/{app.pk}/documents/",
                {"kind": "hukou", "file": SimpleUploadedFile("hukou.png", b"\x89PNG\r\n\x1a\nxxxx")})
    client.post(f"/my/relief/applications/{app.pk}/documents/", {"resubmit": "1"})
    app.refresh_from_db()
    assert app.state == "submitted"
    svc.application_accept(actor=staff["caseworker"], application=app,
                           checklist={k: True for k in svc.REQUIRED_DOCUMENTS["dibao"]})
    svc.application_visit_record(actor=staff["caseworker"], application=app, second_visitor=staff["colleague"],
                                 visited_on=dt.date(2026, 11, 2), living_conditions="简陋", findings="属实")
    svc.application_propose(actor=staff["caseworker"], application=app)
    svc.application_notice_publish(actor=staff["caseworker"], application=app)
    settings.MINZHENG_TODAY = dt.date(2026, 11, 9)
    svc.application_confirm(actor=staff["reviewer"], application=app)
    page = client.get(f"/my/relief/applications/{app.pk}/").content.decode()
    # one member, 600 × 0.8 = 480 a month: 780 − 480 = 300.00
    assert "已批准" in page and "¥300.00" in page and "2026年12月" in page
    assert "¥300.00" in client.get("/my/relief/").content.decode()
