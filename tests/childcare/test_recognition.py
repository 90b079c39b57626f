"""Recognition end to end on PostgreSQL: application (online and at the street)
→ street check → district decision by someone else → allowance from next month;
the 特困 exclusion through relief's service; stops and yearly review."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from childcare import services
from childcare.models import Allowance, Case
from civil_affairs.models import AuditEvent, Role
from civil_affairs.months import add_months
from civil_affairs.services import DomainError
from tests.childcare.factories import DEAD_PARENTS, approved, family, person, submitted
from tests.civil_affairs.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_online_application_to_allowance(cc):
    guardian, child = family(cc["regions"]["jinsha_1"])
    resident = UserFactory(username="guardian1", role=Role.RESIDENT, person=guardian)
    case = submitted(resident, child)
    assert case.online and case.guardian == guardian and case.number.startswith("ET20261102")
    assert case.check_due == dt.date(2026, 11, 23)  # 15 working days after Monday 2 November
    services.case_check(actor=cc[Role.CASEWORKER], case=case, recommend=True, opinion="情况属实")
    case.refresh_from_db()
    assert case.state == Case.State.CHECKED and case.decision_due is not None
    services.case_decide(actor=cc[Role.REVIEWER], case=case, approve=True, note="同意")
    allowance = Allowance.objects.get(child=child)
    assert allowance.start_month == dt.date(2026, 12, 1)  # from the next month
    assert allowance.last_month == dt.date(2033, 4, 1)  # 18th birthday 2033-04-01
    assert allowance.next_review == dt.date(2027, 11, 2)
    steps = set(
        AuditEvent.objects.filter(target_type="childcare.case", target_id=str(case.pk)).values_list(
            "changes__step", flat=True
        )
    )
    assert steps == {"submit", "check", "decide"}


def test_resident_only_for_a_child_of_their_household(cc):
    guardian, _child = family(cc["regions"]["jinsha_1"])
    stranger = person(cc["regions"]["jinsha_1"], birth=dt.date(2016, 1, 1))
    resident = UserFactory(username="guardian2", role=Role.RESIDENT, person=guardian)
    with pytest.raises(DomainError, match="同一户籍家庭"):
        submitted(resident, stranger)


def test_maker_checker(cc):
    _guardian, child = family(cc["regions"]["jinsha_1"])
    case = submitted(cc[Role.CASEWORKER], child)
    services.case_check(actor=cc[Role.CASEWORKER], case=case, recommend=True, opinion="属实")
    Case.objects.filter(pk=case.pk).update(checked_by=cc[Role.REVIEWER])
    with pytest.raises(DomainError, match="不能审批自己审核"):
        services.case_decide(actor=cc[Role.REVIEWER], case=case, approve=True)
    # and the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(decided_by=cc[Role.REVIEWER])


def test_street_check_refuses_an_ineligible_recommendation(cc):
    _guardian, child = family(cc["regions"]["jinsha_1"])
    parents = [
        {"which": "father", "code": "dead", "since": dt.date(2024, 5, 1)},
        # out of contact since 2026-05-03: 5 months 30 days on 2026-11-02
        {"which": "mother", "code": "out_of_contact", "since": dt.date(2026, 5, 3)},
    ]
    case = submitted(cc[Role.CASEWORKER], child, parents=parents, category="unsupported")
    with pytest.raises(DomainError, match="父母情形不符合"):
        services.case_check(actor=cc[Role.CASEWORKER], case=case, recommend=True, opinion="属实")
    case.parents.filter(which="mother").update(since=dt.date(2026, 5, 2))  # six months to the day
    services.case_check(actor=cc[Role.CASEWORKER], case=case, recommend=True, opinion="属实")


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(cc):
    _guardian, child = family(cc["regions"]["jinsha_1"])
    with pytest.raises(DomainError, match="父亲和母亲"):
        submitted(cc[Role.CASEWORKER], child, parents=DEAD_PARENTS[:1])
    with pytest.raises(DomainError, match="6 个月"):
        submitted(cc[Role.CASEWORKER], child, parents=[DEAD_PARENTS[0], {"which": "mother", "code": "deprived"}])
    assert not Case.objects.exists()
    submitted(cc[Role.CASEWORKER], child)
    with pytest.raises(DomainError, match="办理中的认定申请"):
        submitted(cc[Role.CASEWORKER], child)


def test_only_assigned_staff_handle_cases(cc):
    _guardian, child = family(cc["regions"]["jinsha_1"])
    with pytest.raises(PermissionDenied):
        submitted(cc["plain_caseworker"], child)  # a caseworker without childcare scope
    case = submitted(cc[Role.CASEWORKER], child)
    with pytest.raises(PermissionDenied):
        services.case_check(actor=cc["plain_caseworker"], case=case, recommend=True, opinion="x")


def test_tekun_benefit_stopped_through_relief(cc):
    from childcare import payroll as child_payroll
    from childcare.models import AllowancePayment
    from relief.models import Benefit, Payment
    from relief.services import payroll as relief_payroll
    from tests.relief.factories import benefit_for

    guardian, child = family(cc["regions"]["jinsha_1"])
    household = child.membership.household
    tekun = benefit_for(household, kind="tekun", recipient=child, monthly_amount=Decimal("1164.00"))
    case = submitted(cc[Role.CASEWORKER], child, guardian=guardian)
    approved(case, cc[Role.CASEWORKER], cc[Role.REVIEWER])
    tekun.refresh_from_db()
    allowance = Allowance.objects.get(child=child)
    # relief pays the decision month, the allowance every month after it: none twice, none missed
    assert tekun.status == Benefit.Status.ACTIVE
    assert tekun.last_month == add_months(allowance.start_month, -1)
    assert "儿童基本生活费" in tekun.status_reason
    # both payrolls run for the decision month and the next: each month paid exactly once
    decision_month, first_month = tekun.last_month, allowance.start_month
    for month in (decision_month, first_month):
        relief_payroll.payroll_generate(month=month)
        child_payroll.allowance_generate(month=month)
    assert list(Payment.objects.filter(benefit=tekun).values_list("month", flat=True)) == [decision_month]
    assert list(AllowancePayment.objects.filter(allowance=allowance).values_list("month", flat=True)) == [first_month]
    assert AuditEvent.objects.filter(target_type="relief.benefit", target_id=str(tekun.pk)).exists()


def test_stop_and_review(cc):
    guardian, child = family(cc["regions"]["jinsha_1"])
    approved(submitted(cc[Role.CASEWORKER], child, guardian=guardian), cc[Role.CASEWORKER], cc[Role.REVIEWER])
    allowance = Allowance.objects.get(child=child)
    services.allowance_review(actor=cc[Role.REVIEWER], allowance=allowance, still_eligible=True, note="仍符合")
    allowance.refresh_from_db()
    assert allowance.next_review == dt.date(2027, 11, 2)
    services.allowance_stop(actor=cc[Role.REVIEWER], allowance=allowance, reason="adopted", on=dt.date(2027, 3, 15))
    allowance.refresh_from_db()
    assert allowance.status == "stopped" and allowance.last_month == dt.date(2027, 3, 1)
    with pytest.raises(DomainError):
        services.allowance_stop(actor=cc[Role.REVIEWER], allowance=allowance, reason="adopted")


def test_one_live_allowance_per_child(cc):
    guardian, child = family(cc["regions"]["jinsha_1"])
    approved(submitted(cc[Role.CASEWORKER], child, guardian=guardian), cc[Role.CASEWORKER], cc[Role.REVIEWER])
    with pytest.raises(DomainError, match="已在享受"):
        submitted(cc[Role.CASEWORKER], child)
