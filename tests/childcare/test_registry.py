"""The registry of children in distress and left behind: first visit in 2/5/10
working days by risk, versioned risk changes, visits (overdue flags), referrals
tracked to closure (temporary assistance opens a relief case), rosters."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from childcare import selectors, services
from childcare.models import Child, Referral, RiskChange
from civil_affairs.models import AuditEvent, Role
from civil_affairs.services import DomainError
from tests.childcare.factories import family, person, registered
from tests.civil_affairs.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("risk", "due"), [("high", dt.date(2026, 11, 4)), ("medium", dt.date(2026, 11, 9)), ("low", dt.date(2026, 11, 16))]
)
def test_first_visit_deadline_by_risk(cc, risk, due):
    child = registered(cc[Role.COMMUNITY_WORKER], cc["regions"]["jinsha_1"], risk=risk)
    assert child.first_visit_due == child.next_visit_due == due  # 2 / 5 / 10 working days after Monday 2 Nov


def test_visits_and_overdue(cc, settings):
    director = cc[Role.COMMUNITY_WORKER]
    child = registered(director, cc["regions"]["jinsha_1"], risk="high")
    visit = services.visit_record(actor=director, child=child, visited_on=dt.date(2026, 11, 2), seen=True, notes="在家")
    child.refresh_from_db()
    assert visit.on_time and child.next_visit_due == dt.date(2026, 12, 2)  # monthly for high risk
    settings.MINZHENG_TODAY = dt.date(2026, 12, 10)
    queue = list(selectors.director_queue(director))
    assert queue == [child] and queue[0].next_visit_due < dt.date(2026, 12, 10)
    late = services.visit_record(
        actor=director, child=child, visited_on=dt.date(2026, 12, 10), seen=False, notes="未见"
    )
    assert not late.on_time
    with pytest.raises(DomainError, match="晚于今天"):
        services.visit_record(actor=director, child=child, visited_on=dt.date(2026, 12, 11), seen=True, notes="x")
    with pytest.raises(DomainError, match="走访记录"):
        services.visit_record(actor=director, child=child, visited_on=dt.date(2026, 12, 10), seen=True, notes=" ")


def test_risk_changes_are_versioned(cc):
    director = cc[Role.COMMUNITY_WORKER]
    child = registered(director, cc["regions"]["jinsha_1"], risk="low")
    services.child_risk_change(actor=director, child=child, risk="high", reason="监护人住院", version=1)
    child.refresh_from_db()
    assert child.risk == "high" and child.version == 2
    assert child.next_visit_due == dt.date(2026, 11, 4)  # not visited yet: two working days from registration
    history = list(RiskChange.objects.filter(child=child).values_list("version", "old", "new", "reason", "by"))
    assert history == [(1, "", "low", "登记", director.pk), (2, "low", "high", "监护人住院", director.pk)]
    with pytest.raises(DomainError, match="已被他人修改"):
        services.child_risk_change(actor=director, child=child, risk="medium", reason="好转", version=1)
    with pytest.raises(DomainError, match="写明原因"):
        services.child_risk_change(actor=director, child=child, risk="medium", reason="", version=2)


def test_referrals_to_closure_and_relief_case(cc):
    director = cc[Role.COMMUNITY_WORKER]
    _guardian, kid = family(cc["regions"]["jinsha_1"])
    child = services.child_register(actor=director, person=kid, kind="poverty", risk="high")
    medical = services.referral_open(actor=director, child=child, service="medical", reason="需要体检")
    services.referral_close(actor=director, referral=medical, outcome="已体检")
    medical.refresh_from_db()
    assert medical.status == "closed" and medical.closed_on == dt.date(2026, 11, 2)
    relief = services.referral_open(actor=director, child=child, service="relief", reason="家庭突发困难")
    from relief.models import Application

    application = Application.objects.get(number=relief.relief_application)
    assert application.kind == "temporary" and application.household == kid.membership.household
    assert "儿童主任转介" in application.reason
    # a child without a household cannot be referred to relief: a clear message, nothing written
    loner = services.child_register(
        actor=director, person=person(cc["regions"]["jinsha_1"]), kind="poverty", risk="low"
    )
    with pytest.raises(DomainError, match="没有户籍家庭"):
        services.referral_open(actor=director, child=loner, service="relief", reason="困难")
    assert Referral.objects.filter(child=loner).count() == 0


def test_only_the_assigned_director_registers_and_visits(cc):
    child = registered(cc[Role.COMMUNITY_WORKER], cc["regions"]["jinsha_1"])
    with pytest.raises(PermissionDenied):
        services.visit_record(
            actor=cc["other_director"], child=child, visited_on=dt.date(2026, 11, 2), seen=True, notes="x"
        )
    with pytest.raises(PermissionDenied):
        registered(cc["other_director"], cc["regions"]["jinsha_1"])
    # the street's supervisor may
    services.visit_record(
        actor=cc[Role.CASEWORKER], child=child, visited_on=dt.date(2026, 11, 2), seen=True, notes="督导"
    )


def test_rosters_one_per_village_and_street(cc):
    admin = cc[Role.BUREAU_ADMIN]
    second = UserFactory(username="js_cw2", role=Role.COMMUNITY_WORKER, region=cc["regions"]["jinsha_1"])
    with pytest.raises(DomainError, match="已有儿童主任"):
        services.director_assign(actor=admin, user=second, region=cc["regions"]["jinsha_1"])
    with pytest.raises(DomainError, match="村（社区）工作人员"):
        services.director_assign(actor=admin, user=cc[Role.REVIEWER], region=cc["regions"]["jinsha_1"])
    wenfeng_worker = UserFactory(username="wf_cw", role=Role.COMMUNITY_WORKER, region=cc["regions"]["wenfeng_1"])
    made = services.director_assign(actor=admin, user=wenfeng_worker, region=cc["regions"]["wenfeng_1"])
    assert made.region_id == "320613001001"
    assert AuditEvent.objects.filter(target_type="childcare.director", target_id=str(made.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.director_assign(actor=cc[Role.REVIEWER], user=second, region=cc["regions"]["jinsha_1"])
    wf_cw = UserFactory(username="wf_cs", role=Role.CASEWORKER, region=cc["regions"]["wenfeng"])
    assert services.supervisor_assign(actor=admin, user=wf_cw, region=cc["regions"]["wenfeng"]).user == wf_cw


def test_adults_are_not_registered(cc):
    with pytest.raises(DomainError, match="未满 18"):
        registered(cc[Role.COMMUNITY_WORKER], cc["regions"]["jinsha_1"], birth=dt.date(2008, 11, 2))
    assert not Child.objects.exists()
