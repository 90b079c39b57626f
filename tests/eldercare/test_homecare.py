"""Purchased home care on PostgreSQL: eligibility and allowance with the
DOMAIN.md numbers (dibao from relief through the registry, 80+ living
alone, assessed moderate or worse, +100 when severe), visits checked in and
out by the provider's own worker (flagged, never refused), missed visits
need a reason, usage alerts, the settlement never above each elder's
allowance, refusal of a month not over, rerun, approval and bank file,
corrections after lock, and provider staff scoped to their provider."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from civil_affairs.models import AuditEvent, BatchRun, HouseholdMember, Role
from civil_affairs.services import DomainError, batchrun_create
from eldercare import rules
from eldercare.models import HomeCareOrder, Provider, ProviderMember, ServiceItem, Settlement, Visit
from eldercare.selectors import homecare as selectors
from eldercare.services import homecare as services
from eldercare.services import settlement as settlement_services
from tests.civil_affairs.factories import HouseholdFactory, MemberFactory, UserFactory
from tests.eldercare.factories import id_number_born

NOV = dt.date(2026, 11, 1)
VALUES = {
    "homecare_allowance_poor": Decimal("200"),
    "homecare_allowance_other": Decimal("100"),
    "homecare_allowance_severe_extra": Decimal("100"),
}


# ---------------------------------------------------------------- rules


@pytest.mark.parametrize(
    "age, poor, alone, level, expected",
    [
        (72, True, False, 0, ("poor", "200.00")),
        (72, True, False, 3, ("poor", "300.00")),  # dibao + 重度失能
        (85, False, True, None, ("other", "100.00")),  # 80+ living alone
        (79, False, True, None, None),  # living alone but under 80
        (66, False, False, 2, ("other", "100.00")),  # 中度失能
        (66, False, False, 4, ("other", "200.00")),  # 完全失能: +100
        (66, False, False, 1, None),  # 轻度失能 only
        (58, True, False, 4, None),  # under 60
        (60, True, False, None, ("poor", "200.00")),
    ],
)
def test_homecare_allowance(age, poor, alone, level, expected):
    got = rules.homecare_allowance(age=age, poor=poor, living_alone=alone, level=level, values=VALUES)
    assert got == (None if expected is None else (expected[0], Decimal(expected[1])))


@pytest.mark.parametrize(
    "age, level, expected",
    [
        (66, None, ("other", "100.00")),  # 低保边缘, 能力完好: eligible (DOMAIN.md), the others' allowance
        (66, 3, ("other", "200.00")),  # + 重度失能
        (60, 0, ("other", "100.00")),
        (59, None, None),  # under 60
    ],
)
def test_marginal_low_income_is_eligible(age, level, expected):
    got = rules.homecare_allowance(age=age, poor=False, marginal=True, living_alone=False, level=level, values=VALUES)
    assert got == (None if expected is None else (expected[0], Decimal(expected[1])))


@pytest.mark.parametrize(
    "used, alert",
    [("159.99", None), ("160", 80), ("179.99", 80), ("180", 90), ("199.99", 90), ("200", 100), ("230", 100)],
)
def test_usage_alerts_at_80_90_100(used, alert):
    assert rules.usage_alert(used=Decimal(used), allowance=Decimal("200")) == alert


def test_settlement_never_above_each_allowance():
    assert rules.settlement_amount([(Decimal("230"), Decimal("200")), (Decimal("80"), Decimal("100"))]) == (
        Decimal("310.00"),
        Decimal("280.00"),
        1,
    )


money = st.decimals(min_value=0, max_value=2000, places=2)


@given(st.lists(st.tuples(money, money), max_size=30))
def test_settlement_property(per_elder):
    earned, paid, capped = rules.settlement_amount(per_elder)
    assert paid <= earned
    assert paid <= sum((a for _e, a in per_elder), Decimal(0))
    assert capped == sum(1 for e, a in per_elder if e > a)
    assert paid.as_tuple().exponent == -2


@given(st.lists(st.tuples(st.integers(0, 10), money), max_size=10))
def test_visit_amount_is_the_sum_to_the_fen(items):
    amount = rules.visit_amount([(Decimal(q), p) for q, p in items])
    assert amount == sum((q * p for q, p in items), Decimal(0)).quantize(Decimal("0.01"))


def test_visit_flags():
    start = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=1)
    ok = rules.visit_flags(
        planned_start=start,
        planned_end=end,
        checked_in=start,
        checked_out=end + dt.timedelta(minutes=30),
        confirmed=True,
    )
    assert ok == []
    late = rules.visit_flags(
        planned_start=start,
        planned_end=end,
        checked_in=start,
        checked_out=end + dt.timedelta(minutes=31),
        confirmed=False,
    )
    assert late == ["outside_window", "unconfirmed"]


# ---------------------------------------------------------------- services


@pytest.fixture
def care(elder_params, users, today):
    r = elder_params
    provider = Provider.objects.create(
        name="通州康乐居家养老服务中心",
        credit_code="52320612MJ0000001A",
        region=r["jinsha"],
        bank_account="6222000011112222",
    )
    other = Provider.objects.create(name="崇川颐养服务社", credit_code="52320613MJ0000002B", region=r["wenfeng"])
    ServiceItem.objects.create(provider=provider, code="clean", name="助洁", unit_price=Decimal("40.00"))
    ServiceItem.objects.create(provider=provider, code="bath", name="助浴", unit_price=Decimal("60.00"))
    worker = users[Role.INSTITUTION_STAFF]
    ProviderMember.objects.create(user=worker, provider=provider)
    rival = UserFactory(username="rival_worker", role=Role.INSTITUTION_STAFF, region=r["tongzhou"])
    ProviderMember.objects.create(user=rival, provider=other)
    # an 85-year-old living alone in 金沙社区
    household = HouseholdFactory(region=r["jinsha_1"], number="H320612001000777")
    alone = MemberFactory(
        household=household, person__id_number=id_number_born(dt.date(1941, 2, 2)), person__name="孙独居"
    ).person
    return {"provider": provider, "other": other, "worker": worker, "rival": rival, "alone": alone, "regions": r}


def _order(care, users, person=None):
    return services.order_create(
        actor=users[Role.CASEWORKER], person=person or care["alone"], provider=care["provider"], month=NOV
    )


def _at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime(2026, 11, day, hour, minute))


def _done_visit(care, order, day, quantities, *, confirmed=True, out_hour=10):
    visit = services.visit_plan(actor=care["worker"], order=order, start=_at(day, 9), end=_at(day, 10))
    services.visit_check_in(actor=care["worker"], visit=visit, at=_at(day, 9, 5))
    return services.visit_check_out(
        actor=care["worker"], visit=visit, quantities=quantities, elder_confirmed=confirmed, at=_at(day, out_hour)
    )


def test_eligibility_from_the_registry_and_assessment(care, users, regions):
    order = _order(care, users)
    assert order.group == "other" and order.allowance == Decimal("100.00")
    # a 66-year-old in a two-person household: not eligible until assessed 重度失能 (100 + 100)
    household = HouseholdFactory(region=regions["jinsha_1"], number="H320612001000778")
    younger = MemberFactory(household=household, person__id_number=id_number_born(dt.date(1960, 5, 5))).person
    MemberFactory(household=household, relation=HouseholdMember.Relation.SPOUSE)
    with pytest.raises(DomainError, match="不符合"):
        _order(care, users, younger)
    services.assessment_record(
        actor=users[Role.CASEWORKER], person=younger, level=3, assessor="评估员甲", assessed_on=dt.date(2026, 10, 20)
    )
    order = _order(care, users, younger)
    assert (order.group, order.allowance) == ("other", Decimal("200.00"))
    with pytest.raises(DomainError, match="本月已有"):
        _order(care, users, younger)


def test_dibao_elder_is_in_the_poor_group(care, users, regions):
    from relief.models import Benefit

    household = HouseholdFactory(region=regions["jinsha_1"], number="H320612001000779")
    head = MemberFactory(household=household, person__id_number=id_number_born(dt.date(1950, 3, 3))).person
    MemberFactory(household=household, relation=HouseholdMember.Relation.SPOUSE)
    Benefit.objects.create(
        household=household,
        recipient=head,
        kind="dibao",
        region=household.region,
        monthly_amount=Decimal("500"),
        start_month=dt.date(2026, 1, 1),
    )
    order = _order(care, users, head)
    assert (order.group, order.allowance) == ("poor", Decimal("200.00"))


def test_marginal_low_income_elder_is_eligible_through_relief(care, users, regions):
    """A 66-year-old of a marginal low-income household (relief's registry, read through
    relief/selectors/low_income.py): eligible in the "other" group; not before the benefit starts
    nor after it stopped."""
    from relief.models import Benefit
    from relief.selectors.low_income import is_marginal

    household = HouseholdFactory(region=regions["jinsha_1"], number="H320612001000781")
    head = MemberFactory(household=household, person__id_number=id_number_born(dt.date(1960, 3, 3))).person
    spouse = MemberFactory(household=household, relation=HouseholdMember.Relation.SPOUSE).person
    with pytest.raises(DomainError, match="低保边缘"):
        _order(care, users, head)
    benefit = Benefit.objects.create(
        household=household,
        recipient=head,
        kind="marginal",
        region=household.region,
        monthly_amount=Decimal("0"),
        start_month=dt.date(2026, 11, 1),
    )
    assert is_marginal(head.pk, NOV) and is_marginal(spouse.pk, NOV)  # every member of the household
    assert not is_marginal(head.pk, dt.date(2026, 10, 1))  # before it started
    order = _order(care, users, head)
    assert (order.group, order.allowance) == ("other", Decimal("100.00"))
    Benefit.objects.filter(pk=benefit.pk).update(status="stopped")
    assert not is_marginal(spouse.pk, NOV)


def test_assessment_validity_from_the_parameter(care, users):
    a = services.assessment_record(
        actor=users[Role.CASEWORKER],
        person=care["alone"],
        level=2,
        assessor="评估员乙",
        assessed_on=dt.date(2026, 1, 31),
    )
    assert a.valid_until == dt.date(2027, 1, 31)
    with pytest.raises(DomainError, match="评估员"):
        services.assessment_record(
            actor=users[Role.CASEWORKER], person=care["alone"], level=2, assessor=" ", assessed_on=dt.date(2026, 1, 31)
        )


def test_check_in_and_out_with_the_elders_confirmation(care, users):
    order = _order(care, users)
    visit = _done_visit(care, order, 3, {"clean": 1, "bath": 1})
    assert visit.status == "done" and visit.amount == Decimal("100.00") and visit.elder_confirmed
    assert not visit.flagged
    steps = list(
        AuditEvent.objects.filter(target_type="eldercare.visit", target_id=str(visit.pk)).values_list(
            "changes__step", flat=True
        )
    )
    assert "check_in" in steps and "check_out" in steps


def test_outside_window_or_unconfirmed_is_flagged_not_refused(care, users):
    order = _order(care, users)
    visit = _done_visit(care, order, 4, {"clean": 1}, confirmed=False, out_hour=12)
    assert visit.status == "done" and visit.flagged
    assert visit.flag_reasons == ["outside_window", "unconfirmed"]
    with pytest.raises(DomainError, match="核查意见"):
        services.visit_review(actor=users[Role.CASEWORKER], visit=visit, accept=True, note="")
    services.visit_review(actor=users[Role.CASEWORKER], visit=visit, accept=True, note="电话回访老人确认")
    visit.refresh_from_db()
    assert not visit.flagged and visit.status == "done"


def test_only_the_providers_own_worker_checks_in(care, users):
    order = _order(care, users)
    visit = services.visit_plan(actor=care["worker"], order=order, start=_at(5, 9), end=_at(5, 10))
    with pytest.raises(DomainError, match="该服务组织"):
        services.visit_check_in(actor=care["rival"], visit=visit)
    with pytest.raises(DomainError, match="该服务组织"):
        services.visit_check_in(actor=users[Role.CASEWORKER], visit=visit)


def test_missed_visit_needs_a_reason(care, users):
    order = _order(care, users)
    visit = services.visit_plan(actor=care["worker"], order=order, start=_at(6, 9), end=_at(6, 10))
    with pytest.raises(DomainError, match="原因"):
        services.visit_missed(actor=care["worker"], visit=visit, reason="  ")
    services.visit_missed(actor=care["worker"], visit=visit, reason="老人住院")
    visit.refresh_from_db()
    assert visit.status == "missed" and visit.missed_reason == "老人住院"
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(missed_reason="")  # the database refuses it too


def test_unknown_item_and_empty_checkout_refused(care, users):
    order = _order(care, users)
    visit = services.visit_plan(actor=care["worker"], order=order, start=_at(7, 9), end=_at(7, 10))
    services.visit_check_in(actor=care["worker"], visit=visit, at=_at(7, 9))
    with pytest.raises(DomainError, match="价格目录"):
        services.visit_check_out(actor=care["worker"], visit=visit, quantities={"massage": 1}, elder_confirmed=True)
    with pytest.raises(DomainError, match="至少"):
        services.visit_check_out(actor=care["worker"], visit=visit, quantities={"clean": 0}, elder_confirmed=True)


def test_usage_alerts(care, users):
    order = _order(care, users)  # allowance 100
    _done_visit(care, order, 3, {"clean": 2})  # 80
    assert selectors.usage_for_order(order)["alert"] == 80
    _done_visit(care, order, 4, {"clean": 1})  # 120
    assert selectors.usage_for_order(order)["alert"] == 100


def _settle(month="2026-11"):
    run = batchrun_create(kind=settlement_services.KIND, params={"month": month})
    return settlement_services.settlement_run(run_id=run.pk)


def test_settlement_capped_per_elder_rerun_and_lock(care, users):
    order = _order(care, users)  # 100 a month
    _done_visit(care, order, 3, {"clean": 1, "bath": 1})  # 100
    _done_visit(care, order, 10, {"clean": 1})  # 40: 140 earned, 100 paid
    flagged = _done_visit(care, order, 12, {"clean": 1}, confirmed=False)  # awaiting review: not settled
    summary = _settle()
    assert summary["added"] == 1 and summary["flagged"] == 1 and summary["providers"] == 1
    s = Settlement.objects.get(provider=care["provider"], month=NOV)
    assert (s.visits, s.people, s.earned, s.amount, s.capped_people) == (2, 1, Decimal("140.00"), Decimal("100.00"), 1)
    assert s.district_id == "320612000000"
    assert Visit.objects.filter(order=order, locked=True).count() == 2
    flagged.refresh_from_db()
    assert not flagged.locked
    again = _settle()
    assert again["added"] == 0 and Settlement.objects.filter(month=NOV).count() == 1


def test_settlement_refuses_a_month_not_over(care, users):
    with pytest.raises(CommandError, match="尚未结束"):
        call_command("settle_home_care", month="2026-12")
    with pytest.raises(CommandError, match="月份"):
        call_command("settle_home_care", month="2026/11")
    assert not BatchRun.objects.filter(kind=settlement_services.KIND).exists()


def test_settle_command(care, users):
    order = _order(care, users)
    _done_visit(care, order, 3, {"clean": 1})
    out = io.StringIO()
    call_command("settle_home_care", month="2026-11", stdout=out)
    assert "40.00" in out.getvalue() and "共 1 家" in out.getvalue()


def test_resume_after_a_killed_settlement(care, users, monkeypatch):
    order = _order(care, users)
    _done_visit(care, order, 3, {"clean": 1})
    run = batchrun_create(kind=settlement_services.KIND, params={"month": "2026-11"})
    monkeypatch.setattr(settlement_services, "_chunk", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        settlement_services.settlement_run(run_id=run.pk)
    monkeypatch.undo()
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.PENDING)
    assert settlement_services.settlement_run(run_id=run.pk)["added"] == 1


def test_approval_then_bank_file(care, users, login):
    order = _order(care, users)
    _done_visit(care, order, 3, {"clean": 1})
    _settle()
    s = Settlement.objects.get()
    client = login(users[Role.REVIEWER])
    assert client.get(f"/work/eldercare/settlements/{s.pk}/bank.csv").status_code == 302  # not yet
    with pytest.raises(DomainError, match="权限"):
        settlement_services.settlement_approve(actor=users[Role.CASEWORKER], settlement=s)
    with pytest.raises(DomainError, match="管辖"):
        settlement_services.settlement_approve(
            actor=UserFactory(role=Role.REVIEWER, region=care["regions"]["chongchuan"]), settlement=s
        )
    assert client.post(f"/work/eldercare/settlements/{s.pk}/approve/").status_code == 302
    s.refresh_from_db()
    assert s.status == "approved" and s.approved_by == users[Role.REVIEWER]
    response = client.get(f"/work/eldercare/settlements/{s.pk}/bank.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][:4] == ["通州康乐居家养老服务中心", "52320612MJ0000001A", "6222000011112222", "40.00"]
    assert AuditEvent.objects.filter(target_type="eldercare.settlement", action="export").exists()


def test_correction_after_lock_needs_reason_and_reviewer(care, users):
    order = _order(care, users)
    visit = _done_visit(care, order, 3, {"clean": 1})
    _settle()
    with pytest.raises(DomainError, match="锁定"):
        services.visit_missed(actor=care["worker"], visit=visit, reason="x")
    with pytest.raises(DomainError, match="原因"):
        services.visit_correct(
            actor=users[Role.CASEWORKER], visit=visit, amount=Decimal("20"), reason="", reviewer=users[Role.REVIEWER]
        )
    with pytest.raises(DomainError, match="审核人"):
        services.visit_correct(
            actor=users[Role.CASEWORKER], visit=visit, amount=Decimal("20"), reason="多计一项", reviewer=None
        )
    services.visit_correct(
        actor=users[Role.CASEWORKER],
        visit=visit,
        amount=Decimal("20"),
        reason="多计一项",
        reviewer=users[Role.REVIEWER],
    )
    assert Settlement.objects.get().amount == Decimal("20.00")  # the open settlement follows


def test_provider_staff_see_only_their_own(care, users, login):
    order = _order(care, users)
    visit = services.visit_plan(actor=care["worker"], order=order, start=_at(8, 9), end=_at(8, 10))
    assert list(selectors.visit_list_for_user(care["worker"])) == [visit]
    assert list(selectors.visit_list_for_user(care["rival"])) == []
    assert list(selectors.order_list_for_user(care["rival"])) == []
    assert login(care["rival"]).get(f"/work/eldercare/visits/{visit.pk}/").status_code == 404
    page = login(care["worker"]).get(f"/work/eldercare/visits/{visit.pk}/")
    assert page.status_code == 200 and "check-in" in page.content.decode()
    assert login(users[Role.CASEWORKER]).get(f"/work/eldercare/visits/{visit.pk}/").status_code == 200
    assert login(users["other_caseworker"]).get(f"/work/eldercare/visits/{visit.pk}/").status_code == 404


def test_worker_pages_check_in_and_out(care, users, login):
    order = _order(care, users)
    visit = services.visit_plan(actor=care["worker"], order=order, start=_at(9, 9), end=_at(9, 10))
    client = login(care["worker"])
    assert client.post(f"/work/eldercare/visits/{visit.pk}/check-in/").status_code == 302
    client.post(f"/work/eldercare/visits/{visit.pk}/check-out/", {"qty_clean": "1", "elder_confirmed": "on"})
    visit.refresh_from_db()
    assert visit.status == "done" and visit.elder_confirmed and visit.amount == Decimal("40.00")
    # checked out now, not in November's window: flagged for review, not refused
    assert visit.flagged and visit.flag_reasons == ["outside_window"]


def test_order_once_per_person_and_month_in_the_database(care, users):
    order = _order(care, users)
    with pytest.raises(IntegrityError), transaction.atomic():
        HomeCareOrder.objects.create(
            person=order.person, provider=care["other"], month=NOV, group="other", allowance=1, region=order.region
        )


def test_elder_reports_a_visit_that_did_not_happen(care, users, login):
    order = _order(care, users)
    visit = _done_visit(care, order, 3, {"clean": 1})
    elder_user = UserFactory(username="13900000077", phone="13900000077", role=Role.RESIDENT, person=care["alone"])
    client = login(elder_user)
    assert "my-visits" in client.get("/my/eldercare/").content.decode()
    assert client.post(f"/my/eldercare/visits/{visit.pk}/report/", {"note": "当天没有人来"}).status_code == 302
    visit.refresh_from_db()
    assert visit.flagged and "reported_by_elder" in visit.flag_reasons
    assert _settle()["flagged"] == 1 and Settlement.objects.count() == 0  # out of the settlement until reviewed
    other = login(users[Role.RESIDENT])
    assert other.post(f"/my/eldercare/visits/{visit.pk}/report/", {"note": "x"}).status_code == 404
