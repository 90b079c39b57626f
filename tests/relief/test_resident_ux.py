"""Issue 12 items 4–6, the dead ends: a resident corrects or deletes what they
declared, learns on the start page that they cannot apply again, is warned
about missing documents and picks their community from a cascade; the
caseworker sees the documents at acceptance, only the kind's proposal fields
and the urgent cases first; the reviewer sees why "批准" is disabled, and
payroll confirmations name the figures.  Client requests on PostgreSQL."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civil_affairs.models import AssetRecord, AuditEvent, HouseholdMember, IncomeRecord, Person, Role, Source
from civil_affairs.services import DomainError, document_upload
from relief.models import Application, PayrollRoll
from relief.services import applications as svc
from relief.services import payroll as payroll_svc
from tests.civil_affairs.factories import IncomeFactory, MemberFactory, image_bytes, pdf_bytes, valid_id_number
from tests.relief.factories import benefit_for, investigated, submitted

AUTHORISED = {"authorised_verification": "on", "bank_name": "农业银行", "bank_account": "6228480012345678901"}


@pytest.fixture
def resident(users, relief_standards, today):
    return users[Role.RESIDENT]


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _draft(client, regions) -> Application:
    response = client.post(
        "/my/relief/apply/",
        {"kind": "dibao", "region": regions["jinsha_1"].code, "address": "幸福路1号", "reason": "失业"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Application.objects.latest("id")


def _with_spouse(client, app) -> HouseholdMember:
    number = valid_id_number(male=False, birth=dt.date(1985, 1, 1))
    assert (
        client.post(
            f"/my/relief/apply/{app.pk}/members/",
            {
                "name": "钱配偶",
                "id_number": number,
                "relation": "spouse",
                "disability_grade": 0,
                "labour_capacity": "full",
            },
        ).status_code
        == 302
    )
    return HouseholdMember.objects.get(person__id_number=number)


# ---------------------------------------------------------------- item 4: correcting a draft


def test_resident_edits_and_deletes_a_member(resident, login, regions):
    client = login(resident)
    app = _draft(client, regions)
    spouse = _with_spouse(client, app)
    members = _page(client, f"/my/relief/apply/{app.pk}/members/")
    edit_url = f"/my/relief/apply/{app.pk}/members/{spouse.pk}/edit/"
    assert edit_url in members and f"/my/relief/apply/{app.pk}/members/{spouse.pk}/delete/" in members
    head = app.household.members.get(relation="head")
    assert f"/members/{head.pk}/delete/" not in members  # the head has no delete button

    form = _page(client, edit_url)
    assert "修改家庭成员 钱配偶" in form and 'name="id_number"' not in form  # the registry's number stays
    response = client.post(
        edit_url,
        {
            "relation": "other",
            "disability_grade": 2,
            "disability_type": "physical",
            "labour_capacity": "partial",
            "serious_illness": "on",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/apply/{app.pk}/members/")
    spouse.refresh_from_db()
    spouse.person.refresh_from_db()
    assert spouse.relation == "other"
    assert (spouse.person.disability_grade, spouse.person.labour_capacity, spouse.person.serious_illness) == (
        2,
        "partial",
        True,
    )
    assert AuditEvent.objects.filter(
        target_type="civil_affairs.household", target_id=str(app.household_id), changes__relation=["spouse", "other"]
    ).exists()

    # Their declared income goes with them; the head's stays.
    for person, kind in ((spouse.person_id, "wages"), (resident.person.pk, "transfer")):
        response = client.post(
            f"/my/relief/apply/{app.pk}/income/",
            {"person": person, "kind": kind, "monthly_amount": "300", "months": 12},
        )
        assert response.status_code == 302, response.content.decode()[-3000:]
    assert IncomeRecord.objects.filter(household=app.household).count() == 2
    assert (
        client.get(f"/my/relief/apply/{app.pk}/members/{spouse.pk}/delete/").status_code == 302
    )  # GET deletes nothing
    assert HouseholdMember.objects.filter(pk=spouse.pk).exists()
    response = client.post(f"/my/relief/apply/{app.pk}/members/{spouse.pk}/delete/")
    assert response.status_code == 302
    assert not HouseholdMember.objects.filter(pk=spouse.pk).exists()
    assert list(IncomeRecord.objects.filter(household=app.household).values_list("kind", flat=True)) == ["transfer"]
    assert Person.objects.filter(pk=spouse.person_id).exists()  # still in the registry, in no household
    assert AuditEvent.objects.filter(
        target_type="civil_affairs.household", target_id=str(app.household_id), changes__has_key="member_removed"
    ).exists()

    # The head cannot be deleted, through the page or the service.
    client.post(f"/my/relief/apply/{app.pk}/members/{head.pk}/delete/")
    assert HouseholdMember.objects.filter(pk=head.pk).exists()
    with pytest.raises(DomainError, match="户主不能删除"):
        svc.application_member_remove(actor=resident, application=app, member_id=head.pk)


def test_a_member_of_a_case_in_handling_is_not_deleted(resident, login, regions, staff):
    """Another case of the household is with a caseworker: deleting a member
    would change its facts under them, so the resident is told to ask them."""
    client = login(resident)
    app = _draft(client, regions)
    spouse = _with_spouse(client, app)
    temporary = svc.application_create(
        actor=staff["caseworker"],
        household=app.household,
        kind="temporary",
        temporary_type="emergency",
        requested_amount=Decimal("800"),
    )
    svc.application_details_update(
        actor=staff["caseworker"],
        application=temporary,
        authorised_verification=True,
        bank_name="农业银行",
        bank_account="6228480012345678901",
    )
    svc.application_submit(actor=staff["caseworker"], application=temporary)
    response = client.post(f"/my/relief/apply/{app.pk}/members/{spouse.pk}/delete/", follow=True)
    assert "另有一件办理中的临时救助申请" in response.content.decode() and temporary.number in response.content.decode()
    assert HouseholdMember.objects.filter(pk=spouse.pk).exists()


def test_resident_edits_and_deletes_income_and_asset_lines(resident, login, regions):
    client = login(resident)
    app = _draft(client, regions)
    client.post(
        f"/my/relief/apply/{app.pk}/income/",
        {"person": resident.person.pk, "kind": "wages", "monthly_amount": "600", "months": 12},
    )
    income = IncomeRecord.objects.get(household=app.household)
    page = _page(client, f"/my/relief/apply/{app.pk}/income/{income.pk}/edit/")
    assert "修改收入" in page and 'value="600.00"' in page  # the monthly amount as declared
    response = client.post(
        f"/my/relief/apply/{app.pk}/income/{income.pk}/edit/",
        {"person": resident.person.pk, "kind": "wages", "monthly_amount": "650", "months": 6},
    )
    assert response.status_code == 302
    income.refresh_from_db()
    assert income.amount == Decimal("3900.00") and income.period_end == dt.date(2026, 11, 1)
    assert income.period_start == dt.date(2026, 5, 2)
    assert AuditEvent.objects.filter(
        target_type="civil_affairs.incomerecord",
        target_id=str(income.pk),
        action="update",
        changes__amount=["7200.00", "3900.00"],
    ).exists()
    # Bad input comes back with the reason; nothing changes.
    response = client.post(
        f"/my/relief/apply/{app.pk}/income/{income.pk}/edit/",
        {"person": resident.person.pk, "kind": "wages", "monthly_amount": "-1", "months": 6},
    )
    assert response.status_code == 200 and "金额不能为负数" in response.content.decode()

    client.post(
        f"/my/relief/apply/{app.pk}/assets/", {"person": resident.person.pk, "kind": "deposit", "amount": "3000"}
    )
    asset = AssetRecord.objects.get(household=app.household)
    assert (
        client.post(
            f"/my/relief/apply/{app.pk}/assets/{asset.pk}/edit/",
            {"person": resident.person.pk, "kind": "deposit", "amount": "2500"},
        ).status_code
        == 302
    )
    asset.refresh_from_db()
    assert asset.amount == Decimal("2500.00")
    assert client.post(f"/my/relief/apply/{app.pk}/assets/{asset.pk}/delete/").status_code == 302
    assert client.post(f"/my/relief/apply/{app.pk}/income/{income.pk}/delete/").status_code == 302
    assert not AssetRecord.objects.filter(household=app.household).exists()
    assert not IncomeRecord.objects.filter(household=app.household).exists()
    assert AuditEvent.objects.filter(
        target_type="civil_affairs.assetrecord", target_id=str(asset.pk), action="delete"
    ).exists()


def test_imported_records_and_other_households_lines_are_not_the_residents(resident, login, regions, family):
    client = login(resident)
    app = _draft(client, regions)
    feed = IncomeFactory(
        household=app.household,
        person=resident.person,
        kind="wages",
        amount=Decimal("1000"),
        source=Source.FEED,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 10, 31),
    )
    page = _page(client, f"/my/relief/apply/{app.pk}/income/")
    assert f"/income/{feed.pk}/edit/" not in page
    assert client.get(f"/my/relief/apply/{app.pk}/income/{feed.pk}/edit/").status_code == 404
    assert client.post(f"/my/relief/apply/{app.pk}/income/{feed.pk}/delete/").status_code == 404
    with pytest.raises(DomainError, match="不能由申请人修改或删除"):
        svc.application_record_remove(actor=resident, application=app, model=IncomeRecord, record_id=feed.pk)
    other = IncomeRecord.objects.filter(household=family).first()
    assert client.post(f"/my/relief/apply/{app.pk}/income/{other.pk}/delete/").status_code == 404
    other_member = family.members.exclude(relation="head").first()
    assert client.post(f"/my/relief/apply/{app.pk}/members/{other_member.pk}/delete/").status_code == 404
    assert IncomeRecord.objects.filter(pk__in=[feed.pk, other.pk]).count() == 2

    # Submitted: nothing is edited any more.
    app.state = "submitted"
    app.save(update_fields=["state"])
    assert client.get(f"/my/relief/apply/{app.pk}/income/{feed.pk}/edit/").status_code == 302


# ---------------------------------------------------------------- item 4: a duplicate refused on the start page


def test_a_household_already_on_dibao_is_told_on_the_start_page(resident, login, regions):
    client = login(resident)
    app = _draft(client, regions)
    app.state = "withdrawn"
    app.save(update_fields=["state"])
    benefit_for(app.household)
    page = _page(client, "/my/relief/apply/")
    assert 'data-testid="apply-refusals"' in page and "自 2026-01 起已享受最低生活保障" in page
    before = Application.objects.count()
    response = client.post("/my/relief/apply/", {"kind": "dibao", "reason": "再申请"})
    assert response.status_code == 200 and "已享受最低生活保障" in response.content.decode()
    assert Application.objects.count() == before
    # The service refuses with the same words (counter applications too).
    with pytest.raises(DomainError, match="已享受最低生活保障"):
        svc.application_create(actor=resident, household=app.household, kind="dibao")
    # Temporary assistance may still be asked for.
    assert (
        client.post(
            "/my/relief/apply/", {"kind": "temporary", "temporary_type": "emergency", "reason": "火灾"}
        ).status_code
        == 302
    )


def test_an_open_case_blocks_a_second_one_before_anything_is_filled(family, staff, users, login, today):
    submitted(family, staff)
    head = family.members.get(relation="head").person
    resident = users[Role.RESIDENT]
    resident.person = head
    resident.save(update_fields=["person"])
    page = _page(login(resident), "/my/relief/apply/")
    assert "已有一件办理中的最低生活保障申请" in page and "已提交" in page


# ---------------------------------------------------------------- item 4: missing documents


def test_submitting_without_documents_warns_and_records_the_note(resident, login, regions, staff):
    client = login(resident)
    app = _draft(client, regions)
    client.post(f"/my/relief/apply/{app.pk}/authorisation/", AUTHORISED)
    document_upload(
        actor=resident, kind="id_card", uploaded=SimpleUploadedFile("id.pdf", pdf_bytes()), household=app.household
    )
    review = _page(client, f"/my/relief/apply/{app.pk}/review/")
    assert 'data-testid="missing-documents"' in review
    assert "户口簿" in review and "收入证明" in review and "核对授权书" in review
    assert 'name="missing_documents_note"' in review

    response = client.post(f"/my/relief/apply/{app.pk}/review/")
    assert response.status_code == 200 and "请上传，或说明原因后提交" in response.content.decode()
    app.refresh_from_db()
    assert app.state == "draft"

    response = client.post(f"/my/relief/apply/{app.pk}/review/", {"missing_documents_note": "户口簿在老家，受理时带来"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == "submitted" and app.missing_documents == ["hukou", "income_proof", "authorisation"]
    assert app.missing_documents_note == "户口簿在老家，受理时带来"
    event = AuditEvent.objects.filter(
        target_type="relief.application", target_id=str(app.pk), changes__step="submit"
    ).get()
    assert event.changes["missing_documents"] == ["hukou", "income_proof", "authorisation"]

    accept = _page(login(staff["caseworker"]), f"/work/relief/applications/{app.pk}/accept/")
    assert 'data-testid="submitted-missing"' in accept and "户口簿在老家，受理时带来" in accept
    assert "户口簿、收入证明、核对授权书" in accept


def test_all_documents_uploaded_needs_no_note(resident, login, regions):
    client = login(resident)
    app = _draft(client, regions)
    client.post(f"/my/relief/apply/{app.pk}/authorisation/", AUTHORISED)
    for kind in svc.REQUIRED_DOCUMENTS["dibao"]:
        document_upload(
            actor=resident, kind=kind, uploaded=SimpleUploadedFile(f"{kind}.pdf", pdf_bytes()), household=app.household
        )
    assert 'data-testid="missing-documents"' not in _page(client, f"/my/relief/apply/{app.pk}/review/")
    assert client.post(f"/my/relief/apply/{app.pk}/review/").status_code == 302
    app.refresh_from_db()
    assert app.state == "submitted" and app.missing_documents == [] and app.missing_documents_note == ""


# ---------------------------------------------------------------- item 4: the community cascade


def test_the_start_page_asks_district_then_street_then_community(resident, login, regions):
    client = login(resident)
    page = _page(client, "/my/relief/apply/")
    # The resident lives in 金沙社区: their district, street and community are preselected; other
    # streets' communities are not listed (no flat list of every community in the city).
    assert 'name="district"' in page and 'name="street"' in page and 'name="region"' in page
    assert "通州区" in page and "崇川区" in page and "金沙街道" in page and "金沙社区" in page
    assert "文峰社区" not in page and "兴仁村" not in page
    assert 'hx-get="/my/relief/regions/"' in page

    streets = _page(client, f"/my/relief/regions/?district={regions['tongzhou'].code}")
    assert "金沙街道" in streets and "兴仁镇" in streets and "文峰街道" not in streets
    villages = _page(client, f"/my/relief/regions/?street={regions['wenfeng'].code}")
    assert "文峰社区" in villages and "金沙社区" not in villages
    # Only districts and streets of the city have options to give.
    for parent in (regions["city"].code, regions["province"].code, regions["jinsha_1"].code, "abc", ""):
        assert '<option value="3' not in _page(client, f"/my/relief/regions/?district={parent}")

    # Without JavaScript a chosen district comes back with its streets to pick from.
    response = client.post(
        "/my/relief/apply/",
        {"kind": "dibao", "district": regions["chongchuan"].code, "address": "文峰路1号", "reason": "失业"},
    )
    assert response.status_code == 200 and "文峰街道" in response.content.decode()
    assert "该字段是必填项" in response.content.decode()  # the one wording of "required" (Django's)


def test_a_household_with_a_community_is_not_asked_for_one(family, users, login, today):
    resident = users[Role.RESIDENT]
    resident.person = family.members.get(relation="head").person
    resident.save(update_fields=["person"])
    client = login(resident)
    page = _page(client, "/my/relief/apply/")
    assert 'name="region"' not in page and 'name="district"' not in page and 'name="address"' not in page
    response = client.post("/my/relief/apply/", {"kind": "temporary", "temporary_type": "emergency", "reason": "火灾"})
    assert response.status_code == 302
    assert Application.objects.latest("id").region == family.region


# ---------------------------------------------------------------- item 5: the caseworker


def test_the_accept_page_previews_the_documents(family, staff, login, today):
    app = submitted(family, staff)
    worker = staff["caseworker"]
    photo = document_upload(
        actor=worker, kind="hukou", household=family, uploaded=SimpleUploadedFile("hukou.png", image_bytes("PNG"))
    )
    scan = document_upload(
        actor=worker, kind="income_proof", household=family, uploaded=SimpleUploadedFile("wages.pdf", pdf_bytes())
    )
    client = login(worker)
    page = _page(client, f"/work/relief/applications/{app.pk}/accept/")
    assert f'<img class="img-fluid img-thumbnail mt-1 mh-22rem" src="/work/documents/{photo.pk}/?inline=1"' in page
    assert f'href="/work/documents/{scan.pk}/?inline=1" target="_blank" rel="noopener"' in page

    inline = client.get(f"/work/documents/{photo.pk}/?inline=1")
    assert inline.status_code == 200 and inline["Content-Type"] == "image/png"
    assert inline["Content-Disposition"].startswith("inline") and inline["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(
        action="download", target_type="civil_affairs.document", target_id=str(photo.pk), changes__inline=True
    ).exists()
    pdf = client.get(f"/work/documents/{scan.pk}/?inline=1")
    assert pdf["Content-Disposition"].startswith("inline") and pdf["Content-Type"] == "application/pdf"
    # Without ?inline=1 it is still a download; someone out of the jurisdiction still gets nothing.
    assert client.get(f"/work/documents/{photo.pk}/")["Content-Disposition"].startswith("attachment")
    assert login(staff["neighbour"]).get(f"/work/documents/{photo.pk}/?inline=1").status_code == 404


def test_a_document_type_for_a_fire_or_accident_certificate(family, staff, login, today):
    client = login(staff["caseworker"])
    assert "火灾/事故证明" in _page(client, f"/work/households/{family.pk}/")
    document = document_upload(
        actor=staff["caseworker"],
        kind="accident",
        household=family,
        uploaded=SimpleUploadedFile("fire.pdf", pdf_bytes()),
    )
    assert document.get_kind_display() == "火灾/事故证明"


@pytest.mark.parametrize(
    "kind, shown, hidden",
    [
        ("dibao", [], ["care_level", "support_mode", "has_capable_supporter", "amount"]),
        ("tekun", ["care_level", "support_mode", "has_capable_supporter"], ["amount"]),
        ("temporary", ["amount"], ["care_level", "support_mode", "has_capable_supporter"]),
    ],
)
def test_the_proposal_form_shows_only_the_kinds_fields(family, staff, login, kind, shown, hidden):
    extra = {"temporary_type": "expenditure", "requested_amount": Decimal("500")} if kind == "temporary" else {}
    app = investigated(submitted(family, staff, kind=kind, **extra), staff)
    page = _page(login(staff["caseworker"]), f"/work/relief/applications/{app.pk}/propose/")
    for name in shown:
        assert f'name="{name}"' in page, name
    for name in hidden:
        assert f'name="{name}"' not in page, name
    assert 'name="note"' in page


def test_emergency_cases_come_first_in_the_queue_with_a_badge(family, staff, login, regions, today):
    plain = submitted(family, staff)

    other = MemberFactory(household__region=regions["jinsha_1"], person__name="孙急难").household
    urgent = svc.application_create(
        actor=staff["caseworker"],
        household=other,
        kind="temporary",
        temporary_type="emergency",
        requested_amount=Decimal("800"),
    )
    svc.application_details_update(
        actor=staff["caseworker"],
        application=urgent,
        authorised_verification=True,
        bank_name="农业银行",
        bank_account="6228480012345678901",
    )
    svc.application_submit(actor=staff["caseworker"], application=urgent)
    Application.objects.filter(pk=urgent.pk).update(created_at=plain.created_at + dt.timedelta(hours=1))
    client = login(staff["caseworker"])
    for url in ("/work/relief/", "/work/relief/?state=submitted", "/work/relief/?sort=-created_at"):
        page = _page(client, url)
        assert page.index(urgent.number) < page.index(plain.number), url
        assert page.count(urgent.number) == 1 and 'data-testid="urgent-badge"' in page


# ---------------------------------------------------------------- item 6: the reviewer


def _in_notice(family, staff):
    app = investigated(submitted(family, staff), staff)
    svc.application_propose(actor=staff["caseworker"], application=app)
    return svc.application_notice_publish(actor=staff["caseworker"], application=app)


def test_approve_is_disabled_with_the_reason_during_the_notice(family, staff, login, settings):
    app = _in_notice(family, staff)
    reviewer = login(staff["reviewer"])
    detail = _page(reviewer, f"/work/relief/applications/{app.pk}/")
    assert 'data-testid="step-confirm-disabled"' in detail and "disabled" in detail
    assert "公示期至 2026-11-08 结束，结束后方可审批" in detail
    assert f'/applications/{app.pk}/confirm/"' not in detail
    step = _page(reviewer, f"/work/relief/applications/{app.pk}/confirm/")
    assert 'data-testid="confirm-blockers"' in step and 'disabled aria-describedby="confirm-blockers"' in step
    # The service refuses with the same reason the page gives.
    assert svc.decision_blockers(staff["reviewer"], app) == ["公示期至 2026-11-08 结束，结束后方可审批。"]
    with pytest.raises(DomainError, match="公示期至 2026-11-08 结束"):
        svc.application_confirm(actor=staff["reviewer"], application=app)

    settings.MINZHENG_TODAY = dt.date(2026, 11, 9)
    detail = _page(reviewer, f"/work/relief/applications/{app.pk}/")
    assert 'data-testid="step-confirm-disabled"' not in detail and f'/applications/{app.pk}/confirm/"' in detail
    assert svc.decision_blockers(staff["reviewer"], app) == []
    # The caseworker who investigated may not approve: the same list says so.
    caseworker = _page(login(staff["caseworker"]), f"/work/relief/applications/{app.pk}/")
    assert (
        'data-testid="step-confirm-disabled"' in caseworker and "参与调查或提出审核意见的工作人员不得审批" in caseworker
    )
    svc.application_confirm(actor=staff["reviewer"], application=app)


def test_an_ineligible_proposal_cannot_be_approved(family, staff, login):
    IncomeFactory(
        household=family,
        person=family.members.get(relation="head").person,
        kind="wages",
        amount=Decimal("90000"),
        period_start=dt.date(2025, 11, 2),
        period_end=dt.date(2026, 11, 1),
    )
    app = investigated(submitted(family, staff), staff)
    svc.application_propose(actor=staff["caseworker"], application=app)
    app.refresh_from_db()
    assert app.eligible is False
    blockers = svc.decision_blockers(staff["reviewer"], app)
    assert blockers == ["审核意见为不符合条件，只能作出不予批准决定。"]
    detail = _page(login(staff["reviewer"]), f"/work/relief/applications/{app.pk}/")
    assert blockers[0] in detail and 'data-testid="step-reject"' in detail


def test_payroll_confirmations_name_the_figures(family, staff, login, today, regions):
    benefit_for(family, monthly_amount=Decimal("1234.50"))
    admin = login(staff["admin"])
    page = _page(admin, "/work/relief/payroll/")
    assert "按当前在保待遇估算：1 户，每月合计 ¥1,234.50" in page
    payroll_svc.payroll_generate(month=dt.date(2026, 12, 1))
    roll = PayrollRoll.objects.get(month=dt.date(2026, 12, 1))
    page = _page(login(staff["reviewer"]), f"/work/relief/payroll/{roll.pk}/")
    assert 'data-confirm="确认批准 通州区 2026年12月 花名册：1 人，合计 ¥1,234.50？"' in page


def test_the_payroll_page_reloads_when_the_run_finishes(family, staff, login, today):
    run = payroll_svc.payroll_start(user=staff["admin"], month=dt.date(2026, 12, 1))
    page = _page(login(staff["admin"]), f"/work/relief/payroll/?month=2026-12&run={run.pk}")
    assert 'data-testid="payroll-run" data-reload-when-done' in page
    with open("static/js/minzheng.js", encoding="utf-8") as script:
        assert "[data-reload-when-done]" in script.read()
