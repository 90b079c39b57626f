"""/api/relief/: the procedure driven through its POST actions, scoped by
jurisdiction, refusals as 400 with the Chinese reason, masked ID numbers."""
import datetime as dt

import pytest

from civil_affairs.models import Role
from relief.models import Benefit
from relief.services import applications as svc
from tests.relief.test_procedure import submitted


def _act(client, app, step, data=None):
    return client.post(f"/api/relief/applications/{app.pk}/{step}/", data or {}, content_type="application/json")


def test_full_procedure_through_the_api(family, staff, login, settings):
    app = submitted(family, staff)
    worker = login(staff["caseworker"])
    checklist = {k: True for k in svc.REQUIRED_DOCUMENTS["dibao"]}
    assert _act(worker, app, "accept", {"checklist": checklist}).json()["state"] == "accepted"
    visit = _act(worker, app, "visit", {"second_visitor": staff["colleague"].pk, "visited_on": "2026-11-02",
                                        "living_conditions": "简陋", "findings": "属实"})
    assert visit.status_code == 200 and len(visit.json()["visits"]) == 1
    proposal = _act(worker, app, "propose", {"note": "符合"}).json()
    assert proposal["proposed_amount"] == "1380.00" and proposal["working"]["income"]["per_capita"] == "320.00"
    assert _act(worker, app, "notice").json()["notice_end"] == "2026-11-08"
    early = _act(login(staff["reviewer"]), app, "confirm")
    assert early.status_code == 400 and "公示期" in early.json()["detail"]
    settings.MINZHENG_TODAY = dt.date(2026, 11, 9)
    refused = _act(login(staff["caseworker"]), app, "confirm")
    assert refused.status_code == 400 and "不得审批" in refused.json()["detail"]
    confirmed = _act(login(staff["reviewer"]), app, "confirm", {"note": "同意"})
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    assert Benefit.objects.get(application=app).monthly_amount == 1380


def test_wrong_state_and_bad_input_are_400(family, staff, login):
    app = submitted(family, staff)
    worker = login(staff["caseworker"])
    response = _act(worker, app, "notice")
    assert response.status_code == 400 and "不能进行此操作" in response.json()["detail"]
    assert _act(worker, app, "accept", {"checklist": "yes"}).status_code == 400


def test_jurisdiction_roles_and_masking(family, staff, users, login, django_assert_max_num_queries):
    app = submitted(family, staff)
    number = app.applicant.id_number
    other = login(users["other_caseworker"])
    assert other.get(f"/api/relief/applications/{app.pk}/").status_code == 404
    assert other.get("/api/relief/applications/").json()["results"] == []
    auditor = login(users[Role.AUDITOR])
    with django_assert_max_num_queries(6):
        listing = auditor.get("/api/relief/applications/")
    row = listing.json()["results"][0]
    assert row["applicant_id_number"] == f"{number[:4]}**********{number[-4:]}"
    assert _act(auditor, app, "accept", {"checklist": {}}).status_code == 403
    assert login(users[Role.RESIDENT]).get("/api/relief/applications/").status_code == 403


def test_benefit_actions(family, staff, login):
    head = family.members.get(relation="head").person
    benefit = Benefit.objects.create(household=family, recipient=head, kind="dibao", region=family.region,
                                     monthly_amount=500, start_month=dt.date(2026, 1, 1))
    recheck = login(staff["caseworker"]).post(f"/api/relief/benefits/{benefit.pk}/recheck/")
    assert recheck.status_code == 201 and recheck.json()["state"] == "accepted"
    assert recheck.json()["recheck_of"] == benefit.pk
    reviewer = login(staff["reviewer"])
    stopped = reviewer.post(f"/api/relief/benefits/{benefit.pk}/status/", {"status": "suspended", "reason": "核查"},
                            content_type="application/json")
    assert stopped.status_code == 200 and stopped.json()["status"] == "suspended"
    assert login(staff["caseworker"]).post(f"/api/relief/benefits/{benefit.pk}/status/",
                                           {"status": "stopped", "reason": "x"},
                                           content_type="application/json").status_code == 403


def test_standards_in_force(relief_standards, users, login):
    client = login(users[Role.CASEWORKER])
    values = client.get("/api/relief/standards/in-force/?region=320612001001&on=2026-11-01").json()["values"]
    assert values["dibao_standard"] == "780.0000" and values["care_full"] == "1200.0000"
    assert client.get("/api/relief/standards/in-force/?region=320613001001").status_code == 404
    assert client.get("/api/relief/standards/").json()["results"]


@pytest.mark.parametrize("month", ["2026-12"])
def test_payroll_rolls_api(family, staff, login, month):
    from relief.models import PayrollRoll
    from relief.services.payroll import parse_month, payroll_generate

    head = family.members.get(relation="head").person
    Benefit.objects.create(household=family, recipient=head, kind="dibao", region=family.region,
                           monthly_amount=500, start_month=dt.date(2026, 1, 1))
    payroll_generate(month=parse_month(month))
    roll = PayrollRoll.objects.get()
    reviewer = login(staff["reviewer"])
    assert reviewer.get("/api/relief/payroll/").json()["results"][0]["total"] == "500.00"
    assert reviewer.post(f"/api/relief/payroll/{roll.pk}/approve/").json()["status"] == "approved"
