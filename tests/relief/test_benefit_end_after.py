"""Ending a benefit after a given month (another area takes the person over from
the next month): that month is still paid, later ones are not; lines already
generated for later months go from rolls nobody approved and are reported as
overpaid on approved ones."""

import datetime as dt
from decimal import Decimal

import pytest

from civil_affairs.models import AuditEvent, Role
from civil_affairs.services import DomainError
from relief.models import Benefit, Payment, PayrollRoll
from relief.services import payroll
from relief.services.benefits import benefit_end_after, benefits_close_finished
from tests.factories import MemberFactory
from tests.relief.factories import benefit_for

NOV, DEC, JAN = dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)


@pytest.fixture
def tekun(relief_standards, today):
    household = MemberFactory(household__region=relief_standards["jinsha_1"]).household
    return benefit_for(household, kind="tekun", care_level="partial", monthly_amount=Decimal("1614.00"))


def _months(benefit):
    return list(Payment.objects.filter(benefit=benefit).order_by("month").values_list("month", flat=True))


def test_the_last_month_is_paid_and_the_next_is_not(tekun, users):
    done = benefit_end_after(actor=users[Role.REVIEWER], benefit=tekun, last_month=NOV, reason="由儿童福利接续")
    tekun.refresh_from_db()
    # still live: the decision month is paid by relief, the next one by the other area
    assert (tekun.status, tekun.last_month, tekun.status_reason) == ("active", NOV, "由儿童福利接续")
    assert done["withdrawn"] == [] and done["overpaid"] == []
    assert payroll.payroll_generate(month=NOV).added == 1
    assert payroll.payroll_generate(month=DEC).added == 0
    assert _months(tekun) == [NOV]
    # once the month is over, the nightly close marks it stopped
    assert benefits_close_finished(today=dt.date(2026, 12, 2)) == 1
    tekun.refresh_from_db()
    assert tekun.status == "stopped"
    event = AuditEvent.objects.get(target_type="relief.benefit", target_id=str(tekun.pk), changes__step="end_after")
    assert event.changes["last_month"] == [None, "2026-11-01"]


def test_later_lines_withdrawn_from_open_rolls_and_reported_on_approved_ones(tekun, users):
    payroll.payroll_generate(month=NOV)
    payroll.payroll_generate(month=DEC)
    payroll.payroll_generate(month=JAN)
    dec_roll = PayrollRoll.objects.get(month=DEC)
    payroll.payroll_approve(actor=users[Role.BUREAU_ADMIN], roll=dec_roll)

    done = benefit_end_after(actor=users[Role.REVIEWER], benefit=tekun, last_month=NOV, reason="由儿童福利接续")

    assert done["withdrawn"] == [{"month": "2027-01-01", "amount": "1614.00"}]
    assert done["overpaid"] == [{"month": "2026-12-01", "amount": "1614.00"}]
    assert _months(tekun) == [NOV, DEC]  # the approved line stays, to be recovered
    assert payroll.payroll_generate(month=JAN).added == 0


def test_an_earlier_end_is_kept_and_nothing_left_stops_at_once(tekun, users):
    tekun.last_month = dt.date(2026, 10, 1)
    tekun.save(update_fields=["last_month"])
    benefit_end_after(actor=users[Role.REVIEWER], benefit=tekun, last_month=NOV, reason="x")
    tekun.refresh_from_db()
    assert tekun.last_month == dt.date(2026, 10, 1)  # never pushed later

    starts_later = benefit_for(tekun.household, kind="dibao", start_month=JAN)
    benefit_end_after(actor=users[Role.REVIEWER], benefit=starts_later, last_month=DEC, reason="x")
    starts_later.refresh_from_db()
    assert starts_later.status == Benefit.Status.STOPPED


def test_a_reason_is_required_and_a_stopped_benefit_refused(tekun, users):
    with pytest.raises(DomainError, match="原因"):
        benefit_end_after(actor=users[Role.REVIEWER], benefit=tekun, last_month=NOV, reason=" ")
    tekun.status = Benefit.Status.STOPPED
    tekun.save(update_fields=["status"])
    with pytest.raises(DomainError, match="不能再设定"):
        benefit_end_after(actor=users[Role.REVIEWER], benefit=tekun, last_month=NOV, reason="x")
