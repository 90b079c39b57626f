"""Issue 10, findings 7 and 8: a home visit counts as made by two only once
the named second visitor — one of the street's caseworkers — confirms it in
their own session; temporary assistance has a hard ceiling (a dated
standard) and a case for the bureau needs two different bureau approvals.
Services, pages and API on the real database."""

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civil_affairs.models import AuditEvent, Parameter, Role
from civil_affairs.money import money
from civil_affairs.parameters import parameter_set
from civil_affairs.services import DomainError
from relief import rules
from relief.models import Application, Benefit, HomeVisit, Payment
from relief.services import applications as svc
from relief.services.standards import DEMO_STANDARDS
from tests.factories import UserFactory
from tests.relief.factories import TODAY, submitted, visited

S = rules.Standards.from_values({str(k): v for k, v in DEMO_STANDARDS.items()})


def accepted(family, staff, kind="dibao", **extra) -> Application:
    app = submitted(family, staff, kind=kind, **extra)
    return svc.application_accept(
        actor=staff["caseworker"], application=app, checklist={k: True for k in svc.REQUIRED_DOCUMENTS[kind]}
    )


def record_visit(app, staff, second) -> HomeVisit:
    return svc.application_visit_record(
        actor=staff["caseworker"],
        application=app,
        second_visitor=second,
        visited_on=TODAY,
        living_conditions="两居室",
        findings="属实",
    )


# ---------------------------------------------------------------- who may be named


@pytest.mark.parametrize("who", ["auditor", "reviewer", "community_worker", "neighbour", "inactive"])
def test_only_the_streets_caseworkers_may_be_named_in_the_service(family, staff, users, who):
    app = accepted(family, staff)
    candidate = {
        "auditor": users[Role.AUDITOR],
        "reviewer": users[Role.REVIEWER],
        "community_worker": users[Role.COMMUNITY_WORKER],
        "neighbour": staff["neighbour"],
        "inactive": UserFactory(role=Role.CASEWORKER, region=staff["caseworker"].region, is_active=False),
    }[who]
    with pytest.raises(DomainError, match="另一名在岗经办人"):
        record_visit(app, staff, candidate)
    assert not HomeVisit.objects.exists()


def test_the_page_offers_only_the_streets_caseworkers_and_refuses_others(family, staff, users, login):
    app = accepted(family, staff)
    worker = login(staff["caseworker"])
    page = worker.get(f"/work/relief/applications/{app.pk}/visit/").content.decode()
    assert "陈同事（金沙街道）" in page and "参与调查的人员不得审批本案" in page
    for absent in ("兴仁经办人", users[Role.AUDITOR].first_name, users[Role.REVIEWER].first_name):
        assert f">{absent}（" not in page
    response = worker.post(
        f"/work/relief/applications/{app.pk}/visit/",
        {
            "visited_on": "2026-11-02",
            "second_visitor": users[Role.AUDITOR].pk,
            "living_conditions": "简陋",
            "findings": "属实",
        },
    )
    assert response.status_code == 200 and "另一名在岗经办人" in response.content.decode()
    assert not HomeVisit.objects.exists()


def test_the_api_refuses_a_co_visitor_outside_the_list(family, staff, users, login):
    app = accepted(family, staff)
    worker = login(staff["caseworker"])
    for user in (users[Role.REVIEWER], users[Role.AUDITOR], staff["neighbour"]):
        response = worker.post(
            f"/api/relief/applications/{app.pk}/visit/",
            {"second_visitor": user.pk, "visited_on": "2026-11-02", "living_conditions": "简陋", "findings": "属实"},
            content_type="application/json",
        )
        assert response.status_code == 400 and "另一名在岗经办人" in response.json()["second_visitor"][0]
    assert not HomeVisit.objects.exists()


# ---------------------------------------------------------------- the second signature


def test_proposal_waits_for_the_second_visitors_confirmation(family, staff):
    app = accepted(family, staff)
    visit = record_visit(app, staff, staff["colleague"])
    with pytest.raises(DomainError, match="^入户调查尚待共同调查人 陈同事 确认。$"):
        svc.application_propose(actor=staff["caseworker"], application=app)
    with pytest.raises(DomainError, match="本人"):  # the first visitor cannot sign for them
        svc.visit_confirm(actor=staff["caseworker"], visit=visit)
    svc.visit_confirm(actor=staff["colleague"], visit=visit)
    with pytest.raises(DomainError, match="已于"):  # once
        svc.visit_confirm(actor=staff["colleague"], visit=visit)
    event = AuditEvent.objects.get(target_type="relief.homevisit", target_id=str(visit.pk))
    assert event.actor == staff["colleague"] and event.changes["step"] == "visit_confirm"
    app = svc.application_propose(actor=staff["caseworker"], application=app)
    assert app.state == "proposed"


def test_confirmation_happens_in_the_second_visitors_own_session(family, staff, users, login):
    app = accepted(family, staff)
    visit = record_visit(app, staff, staff["colleague"])
    url = f"/work/relief/visits/{visit.pk}/confirm/"
    assert login(staff["caseworker"]).post(url).status_code == 403  # the first visitor
    assert login(users[Role.REVIEWER]).post(url).status_code == 403
    assert login(users["other_caseworker"]).post(url).status_code == 404
    visit.refresh_from_db()
    assert visit.confirmed_at is None
    colleague = login(staff["colleague"])
    response = colleague.post(url)
    assert response.status_code == 302 and response["Location"].endswith("/work/relief/tasks/#visits")
    visit.refresh_from_db()
    assert visit.confirmed_at is not None
    detail = login(staff["caseworker"]).get(f"/work/relief/applications/{app.pk}/").content.decode()
    assert 'data-status="confirmed"' in detail and "共同调查人已确认" in detail


def test_the_task_list_shows_the_visit_to_the_second_visitor_only(family, staff, login):
    app = accepted(family, staff)
    record_visit(app, staff, staff["colleague"])
    mine = login(staff["colleague"]).get("/work/relief/tasks/").content.decode()
    assert "待我确认的入户调查" in mine and mine.count('data-testid="pending-visit"') == 1 and app.number in mine
    assert 'data-testid="visits-to-confirm"' in login(staff["colleague"]).get("/work/relief/").content.decode()
    theirs = login(staff["caseworker"]).get("/work/relief/tasks/").content.decode()
    assert 'data-testid="pending-visit"' not in theirs and "没有待您确认的入户调查" in theirs
    listed = login(staff["colleague"]).get("/api/relief/visits/").json()["results"]
    assert [v["application_number"] for v in listed] == [app.number]
    assert login(staff["caseworker"]).get("/api/relief/visits/").json()["results"] == []


def test_a_declined_visit_is_void_and_a_new_one_is_needed(family, staff, login):
    app = accepted(family, staff)
    visit = record_visit(app, staff, staff["colleague"])
    colleague = login(staff["colleague"])
    colleague.post(f"/work/relief/visits/{visit.pk}/decline/", {"reason": ""})  # a reason is required
    assert "没有待您确认" not in colleague.get("/work/relief/tasks/").content.decode()
    assert colleague.post(f"/work/relief/visits/{visit.pk}/decline/", {"reason": "我那天没有去"}).status_code == 302
    assert "没有待您确认的入户调查" in colleague.get("/work/relief/tasks/").content.decode()
    with pytest.raises(DomainError, match="已被拒绝确认"):
        svc.visit_confirm(actor=staff["colleague"], visit=visit)
    with pytest.raises(DomainError, match="拒绝确认，请重新入户调查"):
        svc.application_propose(actor=staff["caseworker"], application=app)
    assert HomeVisit.objects.filter(pk=visit.pk, confirmed_at=None).exists()  # kept on record, never deleted
    detail = login(staff["caseworker"]).get(f"/work/relief/applications/{app.pk}/").content.decode()
    assert 'data-status="declined"' in detail and "我那天没有去" in detail
    visited(app, staff)
    assert svc.application_propose(actor=staff["caseworker"], application=app).state == "proposed"


def test_confirm_and_decline_through_the_api(family, staff, users, login):
    app = accepted(family, staff)
    first = record_visit(app, staff, staff["colleague"])
    assert login(staff["caseworker"]).post(f"/api/relief/visits/{first.pk}/confirm/").status_code == 403
    colleague = login(staff["colleague"])
    assert (
        colleague.post(f"/api/relief/visits/{first.pk}/decline/", {}, content_type="application/json").status_code
        == 400
    )
    declined = colleague.post(
        f"/api/relief/visits/{first.pk}/decline/", {"reason": "记录与实际不符"}, content_type="application/json"
    )
    assert declined.status_code == 200 and declined.json()["confirmed_at"] is None
    again = colleague.post(f"/api/relief/visits/{first.pk}/confirm/")
    assert again.status_code == 400 and "已被拒绝确认" in again.json()["detail"]
    second = record_visit(app, staff, staff["colleague"])
    assert colleague.post(f"/api/relief/visits/{second.pk}/confirm/").json()["confirmed_at"]
    visits = login(staff["caseworker"]).get(f"/api/relief/applications/{app.pk}/").json()["visits"]
    assert {v["id"]: (v["status"], v["decline_reason"]) for v in visits} == {
        first.pk: ("declined", "记录与实际不符"),
        second.pk: ("confirmed", ""),
    }


def test_a_temporary_case_may_skip_the_visit_but_not_an_unsigned_one(family, staff):
    app = accepted(family, staff, kind="temporary", temporary_type="expenditure", requested_amount=Decimal("500"))
    record_visit(app, staff, staff["colleague"])
    with pytest.raises(DomainError, match="尚待共同调查人"):
        svc.application_propose(actor=staff["caseworker"], application=app, amount=Decimal("500"))


# ---------------------------------------------------------------- the ceiling, as arithmetic


def test_ceiling_worked_example():
    assert rules.temporary_ceiling(S) == Decimal("18720.00")  # 780 × 24
    assert rules.temporary_amount_problem(amount=Decimal("18720.00"), standards=S) is None
    problem = rules.temporary_amount_problem(amount=Decimal("18720.01"), standards=S)
    assert problem == "拟救助金额 18720.01 元超过临时救助硬上限 18720.00 元（低保标准 780.00 元 × 24 倍），不能提出。"
    assert rules.temporary_approval_level(amount=Decimal("18720.00"), standards=S) == "bureau"


def test_without_a_ceiling_in_force_nothing_is_proposed():
    bare = dataclasses.replace(S, temp_ceiling_multiple=None)
    assert rules.temporary_ceiling(bare) is None
    assert "尚未设定" in rules.temporary_amount_problem(amount=Decimal("1"), standards=bare)


@given(
    standard=st.decimals(min_value=1, max_value=5000, places=2),
    multiple=st.integers(min_value=6, max_value=60),
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2),
)
def test_ceiling_property(standard, multiple, amount):
    s = dataclasses.replace(S, dibao_standard=standard, temp_ceiling_multiple=Decimal(multiple))
    ceiling = rules.temporary_ceiling(s)
    assert ceiling == money(standard * multiple)
    problem = rules.temporary_amount_problem(amount=amount, standards=s)
    assert (problem is None) == (amount <= ceiling)
    if problem:
        assert str(amount) in problem and str(ceiling) in problem


# ---------------------------------------------------------------- the ceiling in the procedure


def test_the_ceiling_is_enforced_at_proposal(family, staff):
    app = accepted(family, staff, kind="temporary", temporary_type="expenditure", requested_amount=Decimal("20000"))
    with pytest.raises(DomainError, match="18720.01 元超过临时救助硬上限 18720.00 元"):
        svc.application_propose(actor=staff["caseworker"], application=app, amount=Decimal("18720.01"))
    app = svc.application_propose(actor=staff["caseworker"], application=app, amount=Decimal("18720.00"))
    assert app.approval_level == "bureau" and app.working["temporary"]["ceiling"] == "18720.00"


def test_a_region_without_the_ceiling_standard_cannot_propose_temporary_assistance(family, staff):
    Parameter.objects.filter(key="temp_ceiling_multiple").delete()
    app = accepted(family, staff, kind="temporary", temporary_type="expenditure", requested_amount=Decimal("500"))
    with pytest.raises(DomainError, match="尚未设定"):
        svc.application_propose(actor=staff["caseworker"], application=app, amount=Decimal("500"))


def test_a_billion_yuan_proposal_from_the_finding_is_refused_through_the_workbench(family, staff, login, users):
    app = accepted(family, staff, kind="temporary", temporary_type="emergency", requested_amount=Decimal("1000000000"))
    worker = login(staff["caseworker"])
    response = worker.post(f"/work/relief/applications/{app.pk}/propose/", {"amount": "1000000000", "note": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "1000000000.00 元超过临时救助硬上限 18720.00 元" in page
    app.refresh_from_db()
    assert app.state == "accepted" and app.proposed_amount is None
    assert not Benefit.objects.filter(application=app).exists() and not Payment.objects.exists()


def test_the_level_is_checked_again_at_the_decision(family, staff, regions, settings):
    """Proposed at street level (2 000 ≤ 3 × 780); the standard falls to 600 before
    the decision, so 2 000 now needs the district: the caseworker may not decide."""
    app = accepted(family, staff, kind="temporary", temporary_type="expenditure", requested_amount=Decimal("2000"))
    app = svc.application_propose(actor=staff["caseworker"], application=app, amount=Decimal("2000"))
    assert app.approval_level == "street"
    parameter_set(actor=None, region=regions["city"], key="dibao_standard", value=Decimal("600"), effective_from=TODAY)
    with pytest.raises(DomainError, match="区县审批"):
        svc.application_confirm(actor=staff["colleague"], application=app)


# ---------------------------------------------------------------- two bureau approvals (一事一议)


def bureau_case(family, staff) -> Application:
    app = accepted(family, staff, kind="temporary", temporary_type="expenditure", requested_amount=Decimal("6000"))
    app = svc.application_propose(actor=staff["caseworker"], application=app, amount=Decimal("6000"))
    assert app.approval_level == "bureau"  # above 6 × 780 = 4 680
    return app


def test_a_bureau_case_needs_two_different_bureau_administrators(family, staff):
    app = bureau_case(family, staff)
    app = svc.application_confirm(actor=staff["admin"], application=app, note="同意")
    assert (app.state, app.first_approved_by, app.decided_by) == ("proposed", staff["admin"], None)
    assert not Benefit.objects.filter(application=app).exists()
    with pytest.raises(DomainError, match="另一名市民政局审批人"):
        svc.application_confirm(actor=staff["admin"], application=app)
    with pytest.raises(DomainError, match="市民政局"):  # a reviewer is no second bureau approval
        svc.application_confirm(actor=staff["reviewer"], application=app)
    app = svc.application_confirm(actor=staff["admin2"], application=app)
    assert (app.state, app.decided_by) == ("confirmed", staff["admin2"])
    assert Benefit.objects.get(application=app).monthly_amount == Decimal("6000.00")
    steps = list(
        AuditEvent.objects.filter(target_type="relief.application", target_id=str(app.pk))
        .order_by("id")
        .values_list("changes__step", flat=True)
    )
    assert steps[-3:] == ["first_approval", "confirm", "document_number"]  # the letter numbered with the decision


def test_maker_checker_applies_to_both_bureau_approvals(family, staff, regions):
    investigator = UserFactory(role=Role.BUREAU_ADMIN, region=regions["city"])
    app = bureau_case(family, staff)
    Application.objects.filter(pk=app.pk).update(proposed_by=investigator)
    with pytest.raises(DomainError, match="不得审批"):
        svc.application_confirm(actor=investigator, application=app)


def test_the_first_approval_is_shown_on_the_page_and_in_the_api(family, staff, login):
    app = bureau_case(family, staff)
    admin = login(staff["admin"])
    response = admin.post(f"/work/relief/applications/{app.pk}/confirm/", {"note": "同意"}, follow=True)
    page = response.content.decode()
    assert "已记录第一审批意见，须另一名市民政局审批人确认。" in page and 'data-testid="first-approval"' in page
    data = admin.get(f"/api/relief/applications/{app.pk}/").json()
    assert data["state"] == "proposed" and data["first_approved_by"] == staff["admin"].pk and data["first_approved_at"]
    twice = admin.post(f"/api/relief/applications/{app.pk}/confirm/", {}, content_type="application/json")
    assert twice.status_code == 400 and "另一名市民政局审批人" in twice.json()["detail"]
    done = login(staff["admin2"]).post(
        f"/api/relief/applications/{app.pk}/confirm/", {}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["state"] == "confirmed"


def test_a_single_decider_may_still_reject(family, staff):
    app = bureau_case(family, staff)
    svc.application_confirm(actor=staff["admin"], application=app)
    app = svc.application_reject(actor=staff["admin"], application=app, reason="经复核不符合一事一议条件")
    assert app.state == "rejected"
