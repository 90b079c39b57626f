"""Pages, portal, API, dashboard, imports and the demo seeder, end to end."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from childcare import payroll
from childcare.models import Allowance, Case, Child, Director, Visit
from civil_affairs.models import AuditEvent, BatchRun, Role
from tests.childcare.factories import approved, family, registered, submitted
from tests.civil_affairs.factories import UserFactory, pdf_bytes

pytestmark = pytest.mark.django_db

PARENTS = {
    "father_code": "dead",
    "father_since": "2024-05-01",
    "mother_code": "dead",
    "mother_since": "2025-02-01",
}


def _form(child, **extra):
    return {
        "child_id_number": child.id_number,
        "guardian_relation": "祖母",
        "category": "orphan",
        "setting": "dispersed",
        "bank_name": "农业银行",
        "bank_account": "6228480012345678901",
        **PARENTS,
        **extra,
    }


def test_guardian_applies_online_with_uploads(cc, login):
    guardian, child = family(cc["regions"]["jinsha_1"])
    resident = UserFactory(username="g1", role=Role.RESIDENT, person=guardian)
    client = login(resident)
    assert client.get("/my/childcare/apply/").status_code == 200
    upload = SimpleUploadedFile("death.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post("/my/childcare/apply/", {**_form(child), "documents": [upload]})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/my/childcare/cases/{case.pk}/"
    assert case.online and case.documents.count() == 1
    page = client.get(f"/my/childcare/cases/{case.pk}/").content.decode()
    assert case.number in page and "街道审核" in page
    assert case.number in client.get("/my/childcare/").content.decode()


def test_bad_input_keeps_what_was_typed(cc, login):
    guardian, child = family(cc["regions"]["jinsha_1"])
    client = login(UserFactory(username="g2", role=Role.RESIDENT, person=guardian))
    response = client.post("/my/childcare/apply/", _form(child, bank_account="12ab", mother_code=""))
    body = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "银行账号应为12至32位数字" in body and "请选择母亲的情形" in body
    assert child.id_number in body  # nothing lost
    # a rule's refusal: out of contact for only five months
    response = client.post("/my/childcare/apply/", _form(child, mother_code="out_of_contact", mother_since=""))
    assert "6 个月" in response.content.decode() and not Case.objects.exists()


def test_street_takes_checks_and_district_decides_on_pages(cc, login):
    guardian, child = family(cc["regions"]["jinsha_1"])
    street = login(cc[Role.CASEWORKER])
    response = street.post("/work/childcare/cases/new/", {**_form(child), "guardian_id_number": guardian.id_number})
    case = Case.objects.get()
    assert response.status_code == 302 and case.guardian == guardian and not case.online
    page = street.get(f"/work/childcare/cases/{case.pk}/").content.decode()
    assert 'data-testid="check-form"' in page and "符合认定条件" in page
    street.post(f"/work/childcare/cases/{case.pk}/check/", {"recommend": "1", "opinion": "入户核实属实"})
    district = login(cc[Role.REVIEWER])
    assert 'data-testid="decide-form"' in district.get(f"/work/childcare/cases/{case.pk}/").content.decode()
    district.post(f"/work/childcare/cases/{case.pk}/decide/", {"approve": "1", "note": "同意"})
    assert Allowance.objects.get(child=child).start_month == dt.date(2026, 12, 1)


def test_payroll_page_button_and_roll(cc, login, django_capture_on_commit_callbacks):
    guardian, child = family(cc["regions"]["jinsha_1"])
    approved(submitted(cc[Role.CASEWORKER], child, guardian=guardian), cc[Role.CASEWORKER], cc[Role.REVIEWER])
    admin = login(cc[Role.BUREAU_ADMIN])
    assert 'data-testid="generate-form"' in admin.get("/work/childcare/payroll/").content.decode()
    response = admin.post("/work/childcare/payroll/", {"month": "2026-12"})
    assert response.status_code == 302
    run = BatchRun.objects.get(kind=payroll.KIND)
    assert run.params == {"month": "2026-12"}
    response = admin.post("/work/childcare/payroll/", {"month": "2026/12"})
    assert response.status_code == 302 and BatchRun.objects.filter(kind=payroll.KIND).count() == 1
    payroll.allowance_generate(month=dt.date(2026, 12, 1))
    page = admin.get("/work/childcare/payroll/?month=2026-12").content.decode()
    assert "通州区" in page


def test_api_check_decide_and_visit(cc, login):
    guardian, child = family(cc["regions"]["jinsha_1"])
    case = submitted(cc[Role.CASEWORKER], child, guardian=guardian)
    api = login(cc[Role.CASEWORKER])
    assert (
        api.post(
            f"/api/childcare/cases/{case.pk}/check/", {"recommend": True}, content_type="application/json"
        ).status_code
        == 400
    )
    ok = api.post(
        f"/api/childcare/cases/{case.pk}/check/",
        {"recommend": True, "opinion": "属实"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["state"] == "checked"
    assert "*" in ok.json()["child"]["id_number"]
    refused = login(cc[Role.CASEWORKER]).post(
        f"/api/childcare/cases/{case.pk}/decide/", {"approve": True}, content_type="application/json"
    )
    assert refused.status_code == 403
    decided = login(cc[Role.REVIEWER]).post(
        f"/api/childcare/cases/{case.pk}/decide/", {"approve": True}, content_type="application/json"
    )
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    kid = registered(cc[Role.COMMUNITY_WORKER], cc["regions"]["jinsha_1"])
    director = login(cc[Role.COMMUNITY_WORKER])
    made = director.post(
        f"/api/childcare/children/{kid.pk}/visits/",
        {"visited_on": "2026-11-02", "seen": True, "notes": "在家"},
        content_type="application/json",
    )
    assert made.status_code == 201 and Visit.objects.filter(child=kid).count() == 1
    future = director.post(
        f"/api/childcare/children/{kid.pk}/visits/",
        {"visited_on": "2026-12-02", "seen": True, "notes": "x"},
        content_type="application/json",
    )
    assert future.status_code == 400 and "晚于今天" in future.json()["detail"]
    assert director.get("/api/childcare/children/").json()["results"][0]["id"] == kid.pk


def test_dashboard_and_coverage_with_exports(cc, login):
    guardian, child = family(cc["regions"]["jinsha_1"])
    approved(
        submitted(cc[Role.CASEWORKER], child, guardian=guardian, setting="institutional"),
        cc[Role.CASEWORKER],
        cc[Role.REVIEWER],
    )
    registered(cc[Role.COMMUNITY_WORKER], cc["regions"]["jinsha_1"], risk="high")
    client = login(cc[Role.BUREAU_ADMIN])
    page = client.get("/work/childcare/dashboard/?region=320612000000")
    assert page.status_code == 200 and 'id="childcare-risk-data"' in page.content.decode()
    f = page.context["f"]
    assert f["by_risk"]["left_behind"]["high"] == 1 and f["coverage"]["villages"] == 2
    assert (
        f["coverage"]["villages_covered"] == 2
        and f["coverage"]["streets"] == 2
        and f["coverage"]["streets_covered"] == 1
    )
    export = client.get("/work/childcare/dashboard/?region=320612000000&export=xlsx")
    rows = list(
        load_workbook(
            io.BytesIO(b"".join(export.streaming_content if export.streaming else [export.content]))
        ).active.values
    )
    assert any(r[0] == "村（社区）儿童主任覆盖" and r[1] == "2/2" for r in rows)
    coverage = client.get("/work/childcare/coverage/?region=320600000000").content.decode()
    assert "兴仁镇" in coverage and "文峰社区" in coverage  # no supervisor in 兴仁镇; no director in 文峰社区
    assert client.get("/work/childcare/coverage/?region=320600000000&export=xlsx").status_code == 200
    assert AuditEvent.objects.filter(action="export", target_type="childcare.coverage").exists()
    # a region outside the jurisdiction: 404
    assert login(cc[Role.REVIEWER]).get("/work/childcare/dashboard/?region=320613000000").status_code == 404


def test_import_registry_and_roster(cc):
    import tablib

    from childcare.resources import ChildResource, DirectorResource
    from tests.childcare.factories import person

    kid = person(cc["regions"]["jinsha_1"], birth=dt.date(2015, 5, 5))
    adult = person(cc["regions"]["jinsha_1"], birth=dt.date(1990, 5, 5))
    data = tablib.Dataset(headers=["儿童身份证号", "类别", "风险等级", "监护人姓名", "监护人情况", "就读学校"])
    data.append([kid.id_number, "留守儿童", "高", "王奶奶", "年老", "金沙小学"])
    data.append([adult.id_number, "留守儿童", "低", "", "", ""])
    result = ChildResource().import_data(data, dry_run=False, user=cc[Role.BUREAU_ADMIN])
    assert Child.objects.get().person == kid
    assert result.has_validation_errors()
    roster = tablib.Dataset(headers=["账号", "村（社区）区划代码", "联系电话"])
    worker = UserFactory(username="wf_director", role=Role.COMMUNITY_WORKER, region=cc["regions"]["wenfeng_1"])
    roster.append([worker.username, "320613001001", "13800000000"])
    roster.append([cc[Role.REVIEWER].username, "320612002001", ""])
    result = DirectorResource().import_data(roster, dry_run=False, user=cc[Role.BUREAU_ADMIN])
    assert Director.objects.filter(user=worker, region_id="320613001001").exists()
    assert not Director.objects.filter(user=cc[Role.REVIEWER]).exists()
    assert [r.number for r in result.invalid_rows] == [2]


def test_demo_seeder_is_set_based_and_repeatable(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from childcare.demo import seed_area
    from civil_affairs.demo import seed_city

    seed_city(households=600, seed=7)
    messages = []
    seed_area(seed=7, progress=messages.append)
    allowances, children = Allowance.objects.count(), Child.objects.count()
    assert allowances > 0 and children > 0 and Visit.objects.exists()
    assert Director.objects.count() > 0
    snapshot = sorted(Allowance.objects.values_list("child__id_number", "category", "setting"))
    seed_area(seed=7, progress=messages.append)  # a second run adds nothing
    assert Allowance.objects.count() == allowances and Child.objects.count() == children
    summary = payroll.allowance_generate(month=Allowance.objects.values_list("start_month", flat=True).first())
    assert summary["lines"] == allowances
    assert snapshot == sorted(Allowance.objects.values_list("child__id_number", "category", "setting"))


def test_public_guide_names_the_rates_in_force(regions, client):
    page = client.get("/guide/childcare/allowance/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "2760.00" in body and "2200.00" in body and "18周岁" in body
