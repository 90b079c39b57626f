"""/api/relief/: the procedure driven through its POST actions, scoped by
jurisdiction, refusals as 400 with the Chinese reason, masked ID numbers."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from civil_affairs import rules as core_rules
from civil_affairs.models import Role
from relief.models import Benefit
from relief.services import applications as svc
from tests.relief.factories import submitted


def _act(client, app, step, data=None):
    return client.post(f"/api/relief/applications/{app.pk}/{step}/", data or {}, content_type="application/json")


def _co_sign(login, staff, visit_id):
    """The colleague named as second visitor confirms the visit in their own session."""
    response = login(staff["colleague"]).post(f"/api/relief/visits/{visit_id}/confirm/")
    assert response.status_code == 200 and response.json()["confirmed_at"]


def test_full_procedure_through_the_api(family, staff, login, settings):
    app = submitted(family, staff)
    worker = login(staff["caseworker"])
    checklist = {k: True for k in svc.REQUIRED_DOCUMENTS["dibao"]}
    assert _act(worker, app, "accept", {"checklist": checklist}).json()["state"] == "accepted"
    visit = _act(
        worker,
        app,
        "visit",
        {
            "second_visitor": staff["colleague"].pk,
            "visited_on": "2026-11-02",
            "living_conditions": "简陋",
            "findings": "属实",
        },
    )
    assert visit.status_code == 200 and [v["status"] for v in visit.json()["visits"]] == ["pending"]
    early = _act(worker, app, "propose", {"note": "符合"})
    assert early.status_code == 400 and early.json()["detail"] == "入户调查尚待共同调查人 陈同事 确认。"
    _co_sign(login, staff, visit.json()["visits"][0]["id"])
    worker = login(staff["caseworker"])
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
    benefit = Benefit.objects.create(
        household=family,
        recipient=head,
        kind="dibao",
        region=family.region,
        monthly_amount=500,
        start_month=dt.date(2026, 1, 1),
    )
    recheck = login(staff["caseworker"]).post(f"/api/relief/benefits/{benefit.pk}/recheck/")
    assert recheck.status_code == 201 and recheck.json()["state"] == "accepted"
    assert recheck.json()["recheck_of"] == benefit.pk
    reviewer = login(staff["reviewer"])
    stopped = reviewer.post(
        f"/api/relief/benefits/{benefit.pk}/status/",
        {"status": "suspended", "reason": "核查"},
        content_type="application/json",
    )
    assert stopped.status_code == 200 and stopped.json()["status"] == "suspended"
    assert (
        login(staff["caseworker"])
        .post(
            f"/api/relief/benefits/{benefit.pk}/status/",
            {"status": "stopped", "reason": "x"},
            content_type="application/json",
        )
        .status_code
        == 403
    )


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
    Benefit.objects.create(
        household=family,
        recipient=head,
        kind="dibao",
        region=family.region,
        monthly_amount=500,
        start_month=dt.date(2026, 1, 1),
    )
    payroll_generate(month=parse_month(month))
    roll = PayrollRoll.objects.get()
    reviewer = login(staff["reviewer"])
    assert reviewer.get("/api/relief/payroll/").json()["results"][0]["total"] == "500.00"
    assert reviewer.post(f"/api/relief/payroll/{roll.pk}/approve/").json()["status"] == "approved"


def test_roll_bank_file_through_the_api(family, staff, users, login):
    """The rolls' API base (civil_affairs.rolls.RollViewSet) gives both kinds their bank file: refused before
    approval, then the roll's lines as CSV or Excel, masked for the auditor, audited as an export."""
    from civil_affairs.models import AuditEvent
    from relief.models import PriceSubsidy, PriceSubsidyRoll

    roll = PriceSubsidyRoll.objects.create(month=dt.date(2026, 10, 1), district_id="320612000000")
    head = family.members.get(relation="head").person
    PriceSubsidy.objects.create(
        roll=roll,
        person=head,
        month=roll.month,
        group="dibao",
        region=family.region,
        amount=Decimal("28.08"),
        bank_account="6228480000000000001",
    )
    reviewer = login(staff["reviewer"])
    early = reviewer.get(f"/api/relief/price-linkage/{roll.pk}/bank-file/csv/")
    assert early.status_code == 400 and "审核通过后" in early.json()["detail"]
    assert reviewer.post(f"/api/relief/price-linkage/{roll.pk}/approve/").status_code == 200
    full = reviewer.get(f"/api/relief/price-linkage/{roll.pk}/bank-file/csv/")
    rows = list(csv.reader(io.StringIO(b"".join(full.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["姓名", "身份证号", "银行账号", "金额（元）", "保障群体", "所在社区/村"],
        [head.name, head.id_number, "6228480000000000001", "28.08", "低保对象", family.region.name],
    ]
    masked = login(users[Role.AUDITOR]).get(f"/api/relief/price-linkage/{roll.pk}/bank-file/xlsx/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(masked.streaming_content))).active
    assert [c.value for c in sheet[2]][:2] == [head.name, core_rules.mask_id_number(head.id_number)]
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.EXPORT, target_type="relief.pricesubsidyroll", target_id=str(roll.pk)
        ).count()
        == 2
    )


def test_return_extend_objection_and_reject_through_the_api(family, staff, login, settings):
    worker = login(staff["caseworker"])
    app = submitted(family, staff)
    returned = _act(worker, app, "return", {"reason": "请补充收入证明", "checklist": {"id_card": True}})
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert returned.json()["return_reason"] == "请补充收入证明"
    assert _act(worker, app, "submit").json()["state"] == "submitted"
    checklist = {k: True for k in svc.REQUIRED_DOCUMENTS["dibao"]}
    assert _act(worker, app, "accept", {"checklist": checklist}).status_code == 200
    extended = _act(worker, app, "extend", {"reason": "需核对外地房产"}).json()
    assert extended["deadline"] == "2027-01-04" and extended["extension_reason"] == "需核对外地房产"
    again = _act(worker, app, "extend", {"reason": "再延"})
    assert again.status_code == 400 and again.json() == {"detail": "该申请已延期一次。"}
    visit = _act(
        worker,
        app,
        "visit",
        {
            "second_visitor": staff["colleague"].pk,
            "visited_on": "2026-11-02",
            "living_conditions": "简陋",
            "findings": "属实",
        },
    )
    _co_sign(login, staff, visit.json()["visits"][0]["id"])
    worker = login(staff["caseworker"])
    _act(worker, app, "propose", {"note": "符合"})
    _act(worker, app, "notice")
    objected = _act(
        worker, app, "objection", {"received_on": "2026-11-03", "content": "该户有小汽车", "raised_by": "匿名"}
    ).json()
    assert objected["state"] == "investigating" and objected["objections"][0]["content"] == "该户有小汽车"
    _act(worker, app, "propose", {"note": "复查后仍符合"})
    reviewer = login(staff["reviewer"])
    rejected = _act(reviewer, app, "reject", {"reason": "经复查，家庭有机动车"})
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert rejected.json()["decision_reason"] == "经复查，家庭有机动车"


def test_visit_input_is_validated_before_the_service(family, staff, login):
    app = submitted(family, staff)
    worker = login(staff["caseworker"])
    _act(worker, app, "accept", {"checklist": {k: True for k in svc.REQUIRED_DOCUMENTS["dibao"]}})
    missing = _act(worker, app, "visit", {"visited_on": "2026-11-02"})
    assert missing.status_code == 400 and {"second_visitor", "living_conditions", "findings"} <= set(missing.json())
    alone = _act(
        worker,
        app,
        "visit",
        {
            "second_visitor": staff["caseworker"].pk,
            "visited_on": "2026-11-02",
            "living_conditions": "简陋",
            "findings": "属实",
        },
    )
    assert alone.status_code == 400 and alone.json()["second_visitor"] == [
        "请选择本街道（乡镇）可办理社会救助的另一名在岗经办人作为共同调查人。"
    ]


def test_pay_first_for_an_emergency(family, staff, login):
    app = submitted(
        family, staff, kind="temporary", temporary_type="emergency", requested_amount=Decimal("3000"), reason="火灾"
    )
    worker = login(staff["caseworker"])
    too_much = _act(worker, app, "pay-first", {"amount": "2340.01"})
    assert too_much.status_code == 400 and "街道审批上限 2340.00" in too_much.json()["detail"]
    paid = _act(worker, app, "pay-first", {"amount": "2000"}).json()
    assert paid["paid_first_amount"] == "2000.00" and paid["documents_due"] == "2026-11-09"
    assert _act(worker, app, "pay-first", {"amount": "-1"}).status_code == 400


def test_application_list_filters_pages_and_stays_flat(family, staff, users, login, django_assert_max_num_queries):
    apps = [
        submitted(family, staff, kind=kind, **extra)
        for kind, extra in (
            ("dibao", {}),
            ("marginal", {}),
            ("temporary", {"temporary_type": "expenditure", "requested_amount": Decimal("800")}),
        )
    ]
    worker = login(staff["caseworker"])
    _act(worker, apps[0], "accept", {"checklist": {k: True for k in svc.REQUIRED_DOCUMENTS["dibao"]}})
    reviewer = login(staff["reviewer"])
    with django_assert_max_num_queries(6):
        page = reviewer.get("/api/relief/applications/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    with django_assert_max_num_queries(6):
        rest = reviewer.get(page["next"]).json()
    assert {r["id"] for r in page["results"] + rest["results"]} == {a.pk for a in apps} and rest["next"] is None

    def ids(query):
        return {r["id"] for r in reviewer.get(f"/api/relief/applications/?{query}").json()["results"]}

    assert ids("state=accepted") == {apps[0].pk}
    assert ids("kind=temporary") == {apps[2].pk}
    assert ids("region=320612001000") == ids("region=320612000000") == {a.pk for a in apps}  # subtrees
    assert ids("region=320612002000") == set()
    assert reviewer.get("/api/relief/applications/?state=nonsense").status_code == 400


def test_standards_in_force_errors(relief_standards, users, login):
    client = login(users[Role.CASEWORKER])
    missing = client.get("/api/relief/standards/in-force/?region=320612001001&on=2020-01-01")
    assert missing.status_code == 400 and "缺少救助标准" in missing.json()["detail"]
    assert client.get("/api/relief/standards/in-force/?region=3206").status_code == 400
    assert client.get("/api/relief/standards/in-force/?region=320612001001&on=2026-13-01").status_code == 400
    # an ancestor's standards are visible; the value in force defaults to today
    city = client.get("/api/relief/standards/in-force/?region=320600000000").json()
    assert city["values"]["notice_days"] == "7"
    keys = client.get("/api/relief/standards/?key=dibao_standard").json()["results"]
    assert [(s["region"], s["value"]) for s in keys] == [("320600000000", "780.0000")]


def test_benefit_list_is_scoped_filtered_and_masked(family, staff, users, login):
    head = family.members.get(relation="head").person
    benefit = Benefit.objects.create(
        household=family,
        recipient=head,
        kind="dibao",
        region=family.region,
        monthly_amount=500,
        start_month=dt.date(2026, 1, 1),
    )
    reviewer = login(staff["reviewer"])
    rows = reviewer.get("/api/relief/benefits/?status=active&kind=dibao&region=320612001001").json()["results"]
    assert [r["id"] for r in rows] == [benefit.pk]
    assert rows[0]["recipient_id_number"] == f"{head.id_number[:4]}**********{head.id_number[-4:]}"
    assert head.id_number not in reviewer.get(f"/api/relief/benefits/{benefit.pk}/").content.decode()
    assert reviewer.get("/api/relief/benefits/?status=stopped").json()["results"] == []
    other = login(users["other_caseworker"])
    assert other.get(f"/api/relief/benefits/{benefit.pk}/").status_code == 404
    assert other.post(f"/api/relief/benefits/{benefit.pk}/recheck/").status_code == 404
    reviewer = login(staff["reviewer"])
    wrong = reviewer.post(
        f"/api/relief/benefits/{benefit.pk}/status/",
        {"status": "active", "reason": "x"},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and "不能改为该状态" in wrong.json()["detail"]


def test_review_tasks_and_subsidy_rolls_through_the_api(family, staff, users, login):
    """Tasks of the nightly recheck are listed within the jurisdiction with masked
    ID numbers and resolved by POST; price-subsidy rolls show people and money
    and are approved by the district's reviewer."""
    from civil_affairs.models import AuditEvent
    from relief.models import PriceSubsidy, PriceSubsidyRoll, ReviewTask

    head = family.members.get(relation="head").person
    benefit = Benefit.objects.create(
        household=family,
        recipient=head,
        kind="dibao",
        region=family.region,
        monthly_amount=Decimal("540.00"),
        start_month=dt.date(2026, 1, 1),
    )
    task = ReviewTask.objects.create(
        kind="vehicle",
        benefit=benefit,
        person=head,
        region=benefit.region,
        key="7",
        evidence={"plate": "苏F12345"},
        due=dt.date(2026, 11, 12),
    )
    worker = login(staff["caseworker"])
    listed = worker.get("/api/relief/tasks/?kind=vehicle&status=open").json()["results"]
    assert [t["id"] for t in listed] == [task.pk]
    assert listed[0]["person_id_number"] != head.id_number and "*" in listed[0]["person_id_number"]
    assert listed[0]["evidence"] == {"plate": "苏F12345"} and listed[0]["household_number"] == family.number
    empty = worker.post(
        f"/api/relief/tasks/{task.pk}/resolve/", {"status": "done", "note": ""}, content_type="application/json"
    )
    assert empty.status_code == 400
    done = worker.post(
        f"/api/relief/tasks/{task.pk}/resolve/",
        {"status": "dismissed", "note": "代步车，已核实"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    assert AuditEvent.objects.filter(target_type="relief.reviewtask", target_id=str(task.pk)).exists()
    assert login(users["other_caseworker"]).get(f"/api/relief/tasks/{task.pk}/").status_code == 404

    roll = PriceSubsidyRoll.objects.create(month=dt.date(2026, 10, 1), district_id="320612000000")
    for person in (m.person for m in family.members.all()):
        PriceSubsidy.objects.create(
            roll=roll, person=person, month=roll.month, group="dibao", region=family.region, amount=Decimal("28.08")
        )
    rolls = login(staff["reviewer"]).get("/api/relief/price-linkage/").json()["results"]
    assert [(r["people"], r["total"], r["status"]) for r in rolls] == [(3, "84.24", "generated")]
    approved = login(staff["reviewer"]).post(f"/api/relief/price-linkage/{roll.pk}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = login(staff["admin"]).post(f"/api/relief/price-linkage/{roll.pk}/approve/")
    assert again.status_code == 400 and "已审核" in again.json()["detail"]
