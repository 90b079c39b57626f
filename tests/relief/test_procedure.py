"""The relief procedure through its services on the real database: each step,
its audit event, the maker–checker rule, deadlines, notices, rechecks."""

import datetime as dt
from decimal import Decimal

import pytest

from civil_affairs.models import AuditEvent, CalendarDay, IncomeRecord
from civil_affairs.services import DomainError
from relief.models import Application, Benefit
from relief.services import applications as svc
from relief.services import benefits as benefit_svc
from tests.civil_affairs.factories import IncomeFactory
from tests.relief.factories import TODAY, investigated, submitted, visited


def test_dibao_from_submission_to_benefit(family, staff, settings):
    app = investigated(submitted(family, staff), staff)
    assert app.state == "investigating" and app.deadline == dt.date(2026, 12, 14)  # 30 working days
    app = svc.application_propose(actor=staff["caseworker"], application=app, note="符合条件")
    # 1 200 × 12 × 0.8 / 12 / 3 = 320.00; (780 − 320) × 3 = 1 380.00
    assert app.working["income"]["per_capita"] == "320.00"
    assert app.proposed_amount == Decimal("1380.00") and app.eligible
    app = svc.application_notice_publish(actor=staff["caseworker"], application=app)
    assert (app.notice_start, app.notice_end) == (TODAY, dt.date(2026, 11, 8))
    with pytest.raises(DomainError, match="公示期"):
        svc.application_confirm(actor=staff["reviewer"], application=app)
    settings.MINZHENG_TODAY = dt.date(2026, 11, 9)
    with pytest.raises(DomainError, match="不得审批"):
        svc.application_confirm(actor=staff["caseworker"], application=app)
    app = svc.application_confirm(actor=staff["reviewer"], application=app, note="同意")
    benefit = Benefit.objects.get(application=app)
    assert benefit.monthly_amount == Decimal("1380.00") and benefit.start_month == dt.date(2026, 12, 1)
    assert benefit.next_recheck == dt.date(2027, 6, 1) and not benefit.stable  # 6 months
    assert benefit.recipient.name == "王一" and benefit.members == 3
    steps = list(
        AuditEvent.objects.filter(target_type="relief.application", target_id=str(app.pk))
        .order_by("at", "id")
        .values_list("changes__step", flat=True)
    )
    assert steps == [None, None, "submit", "accept", "visit", "propose", "notice", "confirm", "document_number"]


def test_the_database_refuses_an_investigator_as_decider(family, staff):
    from django.db import IntegrityError, transaction

    app = investigated(submitted(family, staff), staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=app.pk).update(decided_by=app.investigator)


def test_return_for_documents_and_resubmit(family, staff):
    app = submitted(family, staff)
    with pytest.raises(DomainError, match="材料不齐全"):
        svc.application_accept(actor=staff["caseworker"], application=app, checklist={"id_card": True})
    svc.application_return(
        actor=staff["caseworker"], application=app, reason="请补充收入证明", checklist={"id_card": True}
    )
    app.refresh_from_db()
    assert app.state == "returned" and app.return_reason == "请补充收入证明"
    svc.application_submit(actor=staff["caseworker"], application=app)
    app.refresh_from_db()
    assert app.state == "submitted"


def test_objection_sends_the_case_back(family, staff):
    app = investigated(submitted(family, staff), staff)
    svc.application_propose(actor=staff["caseworker"], application=app)
    svc.application_notice_publish(actor=staff["caseworker"], application=app)
    svc.application_objection_record(
        actor=staff["caseworker"], application=app, received_on=TODAY, content="该户有一辆小汽车", raised_by="匿名"
    )
    app.refresh_from_db()
    assert app.state == "investigating" and app.notice_end is None and app.objections.count() == 1


def test_deadline_counts_holidays(family, staff):
    CalendarDay.objects.create(date=dt.date(2026, 11, 3), is_working_day=False, name="假日")
    CalendarDay.objects.create(date=dt.date(2026, 11, 7), is_working_day=True, name="调休上班")
    app = submitted(family, staff)
    svc.application_accept(
        actor=staff["caseworker"], application=app, checklist={k: True for k in svc.REQUIRED_DOCUMENTS["dibao"]}
    )
    app.refresh_from_db()
    assert app.deadline == dt.date(2026, 12, 14)  # one day lost, one day gained
    svc.application_extend(actor=staff["caseworker"], application=app, reason="需补充核对外地房产")
    app.refresh_from_db()
    assert app.deadline == svc.deadline_for(TODAY, 45) == dt.date(2027, 1, 4)


def test_ineligible_household_is_refused_without_notice(family, staff):
    IncomeRecord.objects.filter(household=family).update(amount=Decimal("60000"))
    app = investigated(submitted(family, staff), staff)
    svc.application_propose(actor=staff["caseworker"], application=app)
    app.refresh_from_db()
    assert app.eligible is False and app.working["outcome"] == "refuse"
    with pytest.raises(DomainError):
        svc.application_notice_publish(actor=staff["caseworker"], application=app)
    with pytest.raises(DomainError, match="不予批准"):
        svc.application_confirm(actor=staff["reviewer"], application=app)
    svc.application_reject(actor=staff["reviewer"], application=app, reason="")
    app.refresh_from_db()
    assert app.state == "rejected" and "不低于低保标准" in app.decision_reason


def test_temporary_assistance_levels_and_pay_first(family, staff):
    app = submitted(
        family, staff, kind="temporary", temporary_type="emergency", requested_amount=Decimal("3000"), reason="火灾"
    )
    with pytest.raises(DomainError, match="街道审批上限 2340.00"):
        svc.application_pay_first(actor=staff["caseworker"], application=app, amount=Decimal("2340.01"))
    svc.application_pay_first(actor=staff["caseworker"], application=app, amount=Decimal("2000"))
    app.refresh_from_db()
    assert app.documents_due == dt.date(2026, 11, 9)  # 5 working days
    first = Benefit.objects.get(application=app)
    assert (first.monthly_amount, first.start_month, first.last_month) == (
        Decimal("2000.00"),
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 1),
    )
    svc.application_accept(actor=staff["caseworker"], application=app, checklist={"id_card": True})
    svc.application_propose(actor=staff["caseworker"], application=app, amount=Decimal("3000"))
    app.refresh_from_db()
    assert app.approval_level == "district"
    with pytest.raises(DomainError, match="区县审批"):
        svc.application_confirm(actor=staff["colleague"], application=app)
    svc.application_confirm(actor=staff["reviewer"], application=app)
    rest = Benefit.objects.filter(application=app).exclude(pk=first.pk).get()
    assert rest.monthly_amount == Decimal("1000.00") and rest.start_month == dt.date(2026, 12, 1)


def test_bureau_level_temporary_assistance(family, staff):
    app = submitted(family, staff, kind="temporary", temporary_type="expenditure", requested_amount=Decimal("5000"))
    svc.application_accept(actor=staff["caseworker"], application=app, checklist={"id_card": True})
    svc.application_propose(actor=staff["caseworker"], application=app, amount=Decimal("4680.01"))
    with pytest.raises(DomainError):
        svc.application_confirm(actor=staff["reviewer"], application=app)
    svc.application_confirm(actor=staff["admin"], application=app)  # the first of two bureau approvals
    assert Application.objects.get(pk=app.pk).state == "proposed"
    svc.application_confirm(actor=staff["admin2"], application=app)
    assert Application.objects.get(pk=app.pk).state == "confirmed"


def test_recheck_with_new_work_goes_to_gradual_exit(family, staff, settings):
    app = investigated(submitted(family, staff), staff)
    svc.application_propose(actor=staff["caseworker"], application=app)
    svc.application_notice_publish(actor=staff["caseworker"], application=app)
    settings.MINZHENG_TODAY = dt.date(2026, 11, 9)
    svc.application_confirm(actor=staff["reviewer"], application=app)
    benefit = Benefit.objects.get(application=app)
    # Half a year later the spouse has found work.
    settings.MINZHENG_TODAY = dt.date(2027, 6, 1)
    spouse = family.members.get(relation="spouse").person
    IncomeFactory(
        household=family,
        person=spouse,
        kind="wages",
        amount=Decimal("36000"),
        period_start=dt.date(2026, 6, 1),
        period_end=dt.date(2027, 5, 31),
    )
    recheck = benefit_svc.benefit_recheck_start(actor=staff["caseworker"], benefit=benefit)
    visited(recheck, staff, on=dt.date(2027, 6, 1), findings="配偶已就业")
    svc.application_propose(actor=staff["caseworker"], application=recheck)
    recheck.refresh_from_db()
    assert recheck.working["outcome"] == "gradual_exit"
    svc.application_reject(actor=staff["reviewer"], application=recheck, reason="家庭收入超过低保标准，进入渐退期")
    benefit.refresh_from_db()
    assert benefit.status == "gradual_exit" and benefit.last_month == dt.date(2027, 12, 1)  # Jul–Dec: 6 months
    assert benefit_svc.benefits_close_finished(today=dt.date(2028, 1, 5)) == 1
    benefit.refresh_from_db()
    assert benefit.status == "stopped"
