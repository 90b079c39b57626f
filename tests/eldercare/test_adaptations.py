"""Home adaptations and family care beds on PostgreSQL: who may apply and the
cap per home (5 000.00 for dibao/extremely poor, 3 000.00 for other eligible
elders), the needs list to the fen, the budget within the cap (5 000.00
passes, 5 000.01 refused by the rule and by the database), every state
transition with its audit event and deadline, completion photos through the
core's upload check, acceptance by a second person (the database refuses the
orderer), payment within the budget, residents applying only for their own
household, and a caseworker of another district getting 404."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from civil_affairs.models import AuditEvent, HouseholdMember, Role
from civil_affairs.services import DomainError
from eldercare import rules
from eldercare.models import Adaptation, AdaptationPhoto, AssessmentRequest, Contractor
from eldercare.selectors import adaptations as selectors
from eldercare.services import adaptations as services
from eldercare.services import homecare
from tests.civil_affairs.factories import HouseholdFactory, MemberFactory, UserFactory
from tests.eldercare.factories import id_number_born

VALUES = {"adaptation_cap_poor": Decimal("5000.00"), "adaptation_cap_other": Decimal("3000.00")}


# ---------------------------------------------------------------- rules


@pytest.mark.parametrize(
    "age, poor, alone, level, kind, expected",
    [
        (72, True, False, 0, "adaptation", ("poor", "5000.00")),
        (72, True, False, None, "care_bed", None),  # a care bed needs 中度失能 or worse
        (72, True, False, 2, "care_bed", ("poor", "5000.00")),
        (85, False, True, None, "adaptation", ("other", "3000.00")),  # 80+ living alone
        (66, False, False, 2, "adaptation", ("other", "3000.00")),  # 中度失能
        (66, False, False, 1, "adaptation", None),  # 轻度失能, not poor, not alone
        (59, True, False, 4, "adaptation", None),  # under 60
        (60, True, False, None, "adaptation", ("poor", "5000.00")),
    ],
)
def test_who_may_apply_and_the_cap(age, poor, alone, level, kind, expected):
    got = rules.adaptation_cap(age=age, poor=poor, living_alone=alone, level=level, kind=kind, values=VALUES)
    assert got == (None if expected is None else (expected[0], Decimal(expected[1])))


def test_needs_total_and_limits():
    # 2 × 350.00 grab rails + 1 × 1 280.50 shower chair
    assert rules.needs_total([(2, Decimal("350.00")), (1, Decimal("1280.50"))]) == Decimal("1980.50")
    cap = Decimal("5000.00")
    assert rules.budget_problem(budget=Decimal("5000.00"), cap=cap) is None
    assert rules.budget_problem(budget=Decimal("5000.01"), cap=cap) == "over_cap"
    assert rules.budget_problem(budget=Decimal("0"), cap=cap) == "not_positive"
    assert rules.budget_problem(budget=Decimal("100.005"), cap=cap) == "not_fen"
    assert rules.payment_problem(amount=Decimal("4750.00"), budget=Decimal("4750.00")) is None
    assert rules.payment_problem(amount=Decimal("4800.00"), budget=Decimal("4750.00")) == "over_budget"


@given(st.lists(st.tuples(st.integers(1, 999), st.decimals("0.01", "99999.99", places=2)), max_size=12))
def test_needs_total_is_exact_to_the_fen(lines):
    total = rules.needs_total(lines)
    assert total == sum((q * c for q, c in lines), Decimal(0))
    assert total.as_tuple().exponent == -2


# ---------------------------------------------------------------- services


def png(name="done.png", colour=(200, 120, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def home(elder_params, users, today):
    r = elder_params
    contractor = Contractor.objects.create(
        name="通州安居适老改造工程队", credit_code="91320612MA0000001A", region=r["jinsha"]
    )
    # an 85-year-old living alone in 金沙社区 (other eligible: cap 3 000)
    household = HouseholdFactory(region=r["jinsha_1"], number="H320612001000881")
    alone = MemberFactory(
        household=household, person__id_number=id_number_born(dt.date(1941, 4, 4)), person__name="钱独居"
    ).person
    return {"contractor": contractor, "alone": alone, "regions": r}


@pytest.fixture
def poor_elder(home, users):
    """A 76-year-old head of a dibao household (cap 5 000)."""
    from relief.models import Benefit

    r = home["regions"]
    household = HouseholdFactory(region=r["jinsha_1"], number="H320612001000882")
    head = MemberFactory(
        household=household, person__id_number=id_number_born(dt.date(1950, 3, 3)), person__name="李低保"
    ).person
    MemberFactory(household=household, relation=HouseholdMember.Relation.SPOUSE)
    Benefit.objects.create(
        household=household,
        recipient=head,
        kind="dibao",
        region=household.region,
        monthly_amount=Decimal("500"),
        start_month=dt.date(2026, 1, 1),
    )
    return head


def _assessed(users, person, needs=(("卫生间扶手", "2", "350.00"), ("淋浴椅", "1", "1280.50"))):
    case = services.adaptation_apply(actor=users[Role.CASEWORKER], person=person, kind="adaptation")
    return services.adaptation_assess(actor=users[Role.CASEWORKER], adaptation=case, needs=needs, note="卫生间湿滑")


def _steps(case):
    return list(
        AuditEvent.objects.filter(target_type="eldercare.adaptation", target_id=str(case.pk))
        .order_by("id")
        .values_list("changes__step", flat=True)
    )


def test_every_step_to_paid_with_deadlines_and_audit(home, users, poor_elder):
    caseworker, reviewer = users[Role.CASEWORKER], users[Role.REVIEWER]
    case = services.adaptation_apply(actor=caseworker, person=poor_elder, kind="adaptation", reason="卫生间无扶手")
    # applied on Tuesday 2026-12-15: assessment within 10 working days → 2026-12-29
    assert (case.state, case.group, case.cap, case.channel) == ("applied", "poor", Decimal("5000.00"), "counter")
    assert case.assess_due == dt.date(2026, 12, 29) and case.due_on == case.assess_due
    case = services.adaptation_assess(
        actor=caseworker,
        adaptation=case,
        needs=[("卫生间扶手", "2", "350.00"), ("淋浴椅", "1", "1280.50"), ("", "", "")],
    )
    assert (case.state, case.estimate) == ("assessed", Decimal("1980.50"))
    assert [(n.item, n.cost) for n in case.needs.all()] == [
        ("卫生间扶手", Decimal("700.00")),
        ("淋浴椅", Decimal("1280.50")),
    ]
    assert case.order_due == dt.date(2026, 12, 22)  # 5 working days
    case = services.adaptation_order(actor=caseworker, adaptation=case, contractor=home["contractor"], budget="5000.00")
    assert (case.state, case.budget, case.work_due) == ("ordered", Decimal("5000.00"), dt.date(2027, 1, 14))
    case = services.adaptation_complete(
        actor=caseworker, adaptation=case, photos=[png(), png("after.png", (10, 200, 10))], actual_cost="4750.00"
    )
    assert case.state == "completed" and case.photos.count() == 2 and case.actual_cost == Decimal("4750.00")
    case = services.adaptation_accept(actor=reviewer, adaptation=case, note="扶手牢固")
    assert case.state == "accepted" and case.accepted_by == reviewer
    case = services.adaptation_pay(actor=reviewer, adaptation=case, reference="ZF-2026-001")
    assert (case.state, case.paid_amount) == ("paid", Decimal("4750.00"))
    assert _steps(case) == ["apply", "assess", "order", "complete", "accept", "pay"]
    # a paid case is closed: a new application for the same elder is possible again
    assert services.adaptation_apply(actor=caseworker, person=poor_elder, kind="adaptation").state == "applied"


def test_budget_at_the_cap_passes_one_fen_more_refused(home, users, poor_elder):
    case = _assessed(users, poor_elder)
    with pytest.raises(DomainError, match="超过补助上限 5,000.00 元"):
        services.adaptation_order(
            actor=users[Role.CASEWORKER], adaptation=case, contractor=home["contractor"], budget="5000.01"
        )
    case.refresh_from_db()
    assert case.state == "assessed" and case.budget is None
    # the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        Adaptation.objects.filter(pk=case.pk).update(budget=Decimal("5000.01"))
    ordered = services.adaptation_order(
        actor=users[Role.CASEWORKER], adaptation=case, contractor=home["contractor"], budget="5000.00"
    )
    assert ordered.budget == Decimal("5000.00")


def test_other_eligible_cap_is_3000(home, users):
    case = _assessed(users, home["alone"])
    assert (case.group, case.cap) == ("other", Decimal("3000.00"))
    with pytest.raises(DomainError, match="超过补助上限"):
        services.adaptation_order(
            actor=users[Role.CASEWORKER], adaptation=case, contractor=home["contractor"], budget="3000.01"
        )


def test_not_eligible_and_one_open_case(home, users, regions):
    household = HouseholdFactory(region=regions["jinsha_1"], number="H320612001000883")
    younger = MemberFactory(household=household, person__id_number=id_number_born(dt.date(1960, 5, 5))).person
    MemberFactory(household=household, relation=HouseholdMember.Relation.SPOUSE)
    with pytest.raises(DomainError, match="不符合适老化改造补助条件"):
        services.adaptation_apply(actor=users[Role.CASEWORKER], person=younger, kind="adaptation")
    # a care bed needs 中度失能 or worse, even at 85 living alone
    with pytest.raises(DomainError, match="不符合家庭养老床位条件"):
        services.adaptation_apply(actor=users[Role.CASEWORKER], person=home["alone"], kind="care_bed")
    homecare.assessment_record(
        actor=users[Role.CASEWORKER],
        person=home["alone"],
        level=3,
        assessor="评估员甲",
        assessed_on=dt.date(2026, 11, 20),
    )
    bed = services.adaptation_apply(actor=users[Role.CASEWORKER], person=home["alone"], kind="care_bed")
    assert (bed.kind, bed.cap) == ("care_bed", Decimal("3000.00"))
    with pytest.raises(DomainError, match="已有一件办理中"):
        services.adaptation_apply(actor=users[Role.CASEWORKER], person=home["alone"], kind="care_bed")
    with pytest.raises(IntegrityError), transaction.atomic():
        Adaptation.objects.create(
            kind="care_bed",
            person=home["alone"],
            region=bed.region,
            channel="counter",
            group="other",
            cap=Decimal("3000.00"),
            applied_at=bed.applied_at,
            assess_due=bed.assess_due,
        )


def test_acceptance_by_the_orderer_refused_in_the_database(home, users, poor_elder):
    caseworker = users[Role.CASEWORKER]
    case = _assessed(users, poor_elder)
    case = services.adaptation_order(actor=caseworker, adaptation=case, contractor=home["contractor"], budget="1980.50")
    case = services.adaptation_complete(actor=caseworker, adaptation=case, photos=[png()], actual_cost="1980.50")
    with pytest.raises(DomainError, match="派单人不能验收"):
        services.adaptation_accept(actor=caseworker, adaptation=case)
    with pytest.raises(IntegrityError, match="eldercare_adaptation_two_people"), transaction.atomic():
        Adaptation.objects.filter(pk=case.pk).update(state="accepted", accepted_by=caseworker)
    # another caseworker of the same street may accept
    colleague = UserFactory(username="jinsha_2", role=Role.CASEWORKER, region=home["regions"]["jinsha"])
    assert services.adaptation_accept(actor=colleague, adaptation=case).accepted_by == colleague


def test_payment_never_above_the_budget(home, users, poor_elder):
    caseworker, reviewer = users[Role.CASEWORKER], users[Role.REVIEWER]
    case = _assessed(users, poor_elder)
    case = services.adaptation_order(actor=caseworker, adaptation=case, contractor=home["contractor"], budget="4750.00")
    with pytest.raises(DomainError, match="超过工单预算"):
        services.adaptation_complete(actor=caseworker, adaptation=case, photos=[png()], actual_cost="4800.00")
    case = services.adaptation_complete(actor=caseworker, adaptation=case, photos=[png()], actual_cost="4750.00")
    case = services.adaptation_accept(actor=reviewer, adaptation=case)
    with pytest.raises(DomainError, match="支付金额 4,800.00 元超过工单预算 4,750.00 元"):
        services.adaptation_pay(actor=reviewer, adaptation=case, amount="4800.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Adaptation.objects.filter(pk=case.pk).update(paid_amount=Decimal("4750.01"))
    assert services.adaptation_pay(actor=reviewer, adaptation=case, amount="4700.00").paid_amount == Decimal("4700.00")


def test_steps_refused_out_of_order_and_send_back(home, users, poor_elder):
    caseworker, reviewer = users[Role.CASEWORKER], users[Role.REVIEWER]
    case = services.adaptation_apply(actor=caseworker, person=poor_elder, kind="adaptation")
    with pytest.raises(DomainError, match="不能办理此步骤"):
        services.adaptation_order(actor=caseworker, adaptation=case, contractor=home["contractor"], budget="100")
    with pytest.raises(DomainError, match="请至少填写一项"):
        services.adaptation_assess(actor=caseworker, adaptation=case, needs=[("", "", "")])
    with pytest.raises(DomainError, match="第 1 行：估算单价"):
        services.adaptation_assess(actor=caseworker, adaptation=case, needs=[("扶手", "1", "-5")])
    case = _assessed_from(case, caseworker)
    case = services.adaptation_order(actor=caseworker, adaptation=case, contractor=home["contractor"], budget="2000")
    with pytest.raises(DomainError, match="至少一张完工照片"):
        services.adaptation_complete(actor=caseworker, adaptation=case, photos=[], actual_cost="1900")
    fake = SimpleUploadedFile("done.png", b"\x89PNG\r\n\x1a\n<?php evil ?>", content_type="image/png")
    with pytest.raises(DomainError):
        services.adaptation_complete(actor=caseworker, adaptation=case, photos=[png(), fake], actual_cost="1900")
    assert AdaptationPhoto.objects.count() == 0  # nothing stored when one photo is bad
    pdf = SimpleUploadedFile("done.pdf", b"%PDF-1.4 not really", content_type="application/pdf")
    with pytest.raises(DomainError):
        services.adaptation_complete(actor=caseworker, adaptation=case, photos=[pdf], actual_cost="1900")
    case = services.adaptation_complete(actor=caseworker, adaptation=case, photos=[png()], actual_cost="1900")
    case = services.adaptation_send_back(actor=reviewer, adaptation=case, note="扶手松动，需加固")
    assert case.state == "ordered" and case.completed_at is None
    case = services.adaptation_complete(actor=caseworker, adaptation=case, photos=[png()], actual_cost="1900")
    assert case.photos.count() == 2
    with pytest.raises(DomainError, match="不予受理须填写原因"):
        services.adaptation_reject(actor=caseworker, adaptation=case, reason="")
    with pytest.raises(DomainError, match="不能办理此步骤"):
        services.adaptation_reject(actor=caseworker, adaptation=case, reason="迟了")


def _assessed_from(case, actor):
    return services.adaptation_assess(actor=actor, adaptation=case, needs=[("扶手", "1", "1000")])


def test_reject_at_assessment(home, users):
    case = services.adaptation_apply(actor=users[Role.CASEWORKER], person=home["alone"], kind="adaptation")
    case = services.adaptation_reject(actor=users[Role.CASEWORKER], adaptation=case, reason="已自行改造，无需补助")
    assert case.state == "rejected" and case.due_on is None
    assert _steps(case) == ["apply", "reject"]


def test_overdue_flag_in_the_list(home, users, settings, login):
    case = services.adaptation_apply(actor=users[Role.CASEWORKER], person=home["alone"], kind="adaptation")
    assert not selectors.adaptation_list_filtered(users[Role.CASEWORKER], {"overdue": "1"}).exists()
    settings.MINZHENG_TODAY = dt.date(2026, 12, 30)  # the assessment was due 2026-12-29
    assert list(selectors.adaptation_list_filtered(users[Role.CASEWORKER], {"overdue": "1"})) == [case]
    page = login(users[Role.CASEWORKER]).get("/work/eldercare/adaptations/?overdue=1")
    assert page.status_code == 200 and "已逾期" in page.content.decode()


def test_other_district_caseworker_gets_404_and_cannot_act(home, users, login):
    case = services.adaptation_apply(actor=users[Role.CASEWORKER], person=home["alone"], kind="adaptation")
    other = users["other_caseworker"]
    assert login(other).get(f"/work/eldercare/adaptations/{case.pk}/").status_code == 404
    assert login(other).post(f"/work/eldercare/adaptations/{case.pk}/reject/", {"reason": "x"}).status_code == 404
    assert not selectors.adaptation_list_for_user(other).exists()
    with pytest.raises(DomainError, match="不在您的管辖范围"):
        services.adaptation_reject(actor=other, adaptation=case, reason="x")
    with pytest.raises(DomainError, match="不在您的管辖范围"):
        services.adaptation_apply(actor=other, person=home["alone"], kind="care_bed")


# ---------------------------------------------------------------- residents


@pytest.fixture
def family(home, users):
    """A verified resident living with their 85-year-old father (who is not living alone, but assessed 中度失能)."""
    r = home["regions"]
    household = HouseholdFactory(region=r["jinsha_1"], number="H320612001000884")
    father = MemberFactory(
        household=household, person__id_number=id_number_born(dt.date(1941, 6, 6)), person__name="周老爷子"
    ).person
    son = MemberFactory(
        household=household,
        relation=HouseholdMember.Relation.CHILD,
        person__id_number=id_number_born(dt.date(1970, 6, 6)),
        person__name="周儿子",
    ).person
    homecare.assessment_record(
        actor=users[Role.CASEWORKER], person=father, level=2, assessor="评估员乙", assessed_on=dt.date(2026, 11, 20)
    )
    resident = UserFactory(username="13900000077", phone="13900000077", role=Role.RESIDENT, person=son)
    return {"father": father, "son": son, "resident": resident}


def test_resident_applies_for_an_elder_of_their_household_only(home, users, family, login):
    client = login(family["resident"])
    page = client.get("/my/eldercare/adaptations/")
    assert page.status_code == 200 and "周老爷子" in page.content.decode()
    response = client.post("/my/eldercare/adaptations/", {"person": family["father"].pk, "kind": "adaptation"})
    assert response.status_code == 302
    case = Adaptation.objects.get(person=family["father"])
    assert (case.channel, case.applicant, case.cap) == ("online", family["resident"], Decimal("3000.00"))
    # someone outside the household: refused by the page and by the service, nothing created
    client.post("/my/eldercare/adaptations/", {"person": home["alone"].pk, "kind": "adaptation"})
    assert not Adaptation.objects.filter(person=home["alone"]).exists()
    with pytest.raises(DomainError, match="只能为本人或本户"):
        services.adaptation_apply(actor=family["resident"], person=home["alone"], kind="adaptation")
    # the ability assessment request, and the caseworker recording it
    client.post("/my/eldercare/adaptations/", {"person": family["father"].pk, "what": "assessment"})
    request = AssessmentRequest.objects.get(person=family["father"])
    assert request.state == "requested" and request.due == dt.date(2026, 12, 29)
    with pytest.raises(DomainError, match="只能为本人或本户"):
        services.assessment_request(resident=family["resident"], person=home["alone"])
    staff = login(users[Role.CASEWORKER])
    staff.post(
        f"/work/eldercare/assessment-requests/{request.pk}/record/",
        {"level": "3", "assessor": "评估员丙", "assessed_on": "2026-11-25"},
    )
    request.refresh_from_db()
    assert request.state == "done" and request.assessment.level == 3
    page = login(family["resident"]).get("/my/eldercare/adaptations/").content.decode()
    assert "重度失能" in page and "待评估" in page


def test_photos_served_after_a_permission_check(home, users, family, login):
    caseworker = users[Role.CASEWORKER]
    case = services.adaptation_apply(actor=caseworker, person=family["father"], kind="adaptation")
    case = _assessed_from(case, caseworker)
    case = services.adaptation_order(actor=caseworker, adaptation=case, contractor=home["contractor"], budget="1000")
    case = services.adaptation_complete(actor=caseworker, adaptation=case, photos=[png()], actual_cost="1000")
    photo = case.photos.get()
    got = login(users[Role.REVIEWER]).get(f"/work/eldercare/adaptations/photos/{photo.pk}/")
    assert got.status_code == 200 and got["Content-Type"] == "image/png" and b"".join(got.streaming_content)[:4]
    assert AuditEvent.objects.filter(
        action="download", target_type="eldercare.adaptationphoto", target_id=str(photo.pk), changes__adaptation=case.pk
    ).exists()
    assert login(users["other_caseworker"]).get(f"/work/eldercare/adaptations/photos/{photo.pk}/").status_code == 404
    assert login(family["resident"]).get(f"/my/eldercare/adaptations/photos/{photo.pk}/").status_code == 200
    stranger = UserFactory(username="13900000066", phone="13900000066", role=Role.RESIDENT, person=home["alone"])
    assert login(stranger).get(f"/my/eldercare/adaptations/photos/{photo.pk}/").status_code == 404


def test_pages_walk_the_steps(home, users, poor_elder, login):
    # another district's caseworker: the number reads as unknown, not as "someone else's"
    other = login(users["other_caseworker"])
    page = other.post(
        "/work/eldercare/adaptations/new/", {"id_number": poor_elder.id_number, "kind": "adaptation", "reason": ""}
    )
    assert "未找到该身份证号码对应的人员" in page.content.decode() and "管辖范围" not in page.content.decode()
    staff = login(users[Role.CASEWORKER])
    response = staff.post(
        "/work/eldercare/adaptations/new/", {"id_number": poor_elder.id_number, "kind": "adaptation", "reason": ""}
    )
    case = Adaptation.objects.get(person=poor_elder)
    assert response.status_code == 302 and response["Location"] == f"/work/eldercare/adaptations/{case.pk}/"
    staff.post(f"/work/eldercare/adaptations/{case.pk}/assess/", {"item_1": "扶手", "qty_1": "2", "cost_1": "350"})
    staff.post(
        f"/work/eldercare/adaptations/{case.pk}/order/", {"contractor": home["contractor"].pk, "budget": "5000.01"}
    )
    case.refresh_from_db()
    assert case.state == "assessed"  # refused, message shown, nothing lost
    page = staff.get(f"/work/eldercare/adaptations/{case.pk}/").content.decode()
    assert "超过补助上限" in page and "¥700.00" in page
    staff.post(f"/work/eldercare/adaptations/{case.pk}/order/", {"contractor": home["contractor"].pk, "budget": "700"})
    staff.post(f"/work/eldercare/adaptations/{case.pk}/complete/", {"photos": [png()], "actual_cost": "690.00"})
    login(users[Role.REVIEWER]).post(f"/work/eldercare/adaptations/{case.pk}/accept/", {"note": "合格"})
    login(users[Role.REVIEWER]).post(f"/work/eldercare/adaptations/{case.pk}/pay/", {"amount": ""})
    case.refresh_from_db()
    assert (case.state, case.paid_amount) == ("paid", Decimal("690.00"))


def test_list_queries_bounded(home, users, poor_elder, login, django_assert_max_num_queries):
    for person in (poor_elder, home["alone"]):
        services.adaptation_apply(actor=users[Role.CASEWORKER], person=person, kind="adaptation")
    client = login(users[Role.CASEWORKER])
    with django_assert_max_num_queries(12):
        assert client.get("/work/eldercare/adaptations/").status_code == 200


# ---------------------------------------------------------------- demo data


def test_demo_seeder_in_proportion_valid_and_repeatable(elder_params, users, today):
    """3 000 people aged 60–99 in 金沙社区: ~0.4 % get an adaptation, ~0.1 % of those 80+ a care bed;
    every row passes the database's checks; a rerun adds nothing."""
    from civil_affairs.models import Person
    from civil_affairs.rules import make_id_number
    from eldercare.demo_adaptations import seed_adaptations
    from eldercare.models import AdaptationNeed

    community = elder_params["jinsha_1"]
    people = []
    for n in range(3000):
        birth = dt.date(1927 + n % 39, 1 + n % 12, 1 + n % 28)
        people.append(
            Person(
                id_number=make_id_number("320612", birth, n % 997),
                name="张" + "".join("〇一二三四五六七八九"[int(d)] for d in str(n)),
                sex="M" if n % 2 else "F",
                birth_date=birth,
                hukou_region=community,
                residence_region=community,
            )
        )
    Person.objects.bulk_create(people, ignore_conflicts=True)
    said = []
    seed_adaptations(seed=7, progress=said.append)
    cases = Adaptation.objects.all()
    assert 4 <= cases.count() <= 30, cases.count()
    assert Contractor.objects.filter(region_id="320612000000").exists()
    for case in cases:
        assert case.cap in (Decimal("5000.00"), Decimal("3000.00"))
        if case.estimate is not None:
            assert case.estimate == sum(n.cost for n in case.needs.all())
        if case.budget is not None:
            assert case.budget == min(case.estimate, case.cap)
        if case.state in ("accepted", "paid"):
            assert case.accepted_by_id != case.ordered_by_id
    assert said and "适老化改造" in said[0]
    before = (Adaptation.objects.count(), AdaptationNeed.objects.count(), Contractor.objects.count())
    seed_adaptations(seed=7, progress=said.append)
    assert (Adaptation.objects.count(), AdaptationNeed.objects.count(), Contractor.objects.count()) == before


def test_list_exported_to_excel_masked_and_audited(home, users, login):
    import openpyxl

    services.adaptation_apply(actor=users[Role.CASEWORKER], person=home["alone"], kind="adaptation")
    response = login(users[Role.CASEWORKER]).get("/work/eldercare/adaptations/?export=xlsx&state=open")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(2, 2).value == "钱独居" and "*" in sheet.cell(2, 3).value and sheet.cell(2, 6).value == "待评估"
    assert AuditEvent.objects.filter(action="export", target_type="eldercare.adaptation").exists()


def test_api_steps_with_the_numbers(home, users, poor_elder, client):
    case = _assessed(users, poor_elder)
    client.force_login(users[Role.CASEWORKER], backend="django.contrib.auth.backends.ModelBackend")
    url = f"/api/eldercare/adaptations/{case.pk}/"
    got = client.get(url).json()
    assert got["estimate"] == "1980.50" and got["cap"] == "5000.00" and "*" in got["id_number"]
    refused = client.post(url + "order/", {"contractor": home["contractor"].pk, "budget": "5000.01"})
    assert refused.status_code == 400 and "超过补助上限" in refused.content.decode()
    ordered = client.post(url + "order/", {"contractor": home["contractor"].pk, "budget": "5000.00"})
    assert ordered.status_code == 200 and ordered.json()["state"] == "ordered"
    case = services.adaptation_complete(
        actor=users[Role.CASEWORKER], adaptation=Adaptation.objects.get(pk=case.pk), photos=[png()], actual_cost="4999"
    )
    assert client.post(url + "accept/", {}).status_code == 400  # the orderer
    client.force_login(users[Role.REVIEWER], backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(url + "accept/", {"note": "合格"}).json()["state"] == "accepted"
    assert client.post(url + "pay/", {"amount": "5000.01"}).status_code == 400
    paid = client.post(url + "pay/", {})
    assert paid.status_code == 200 and paid.json()["paid_amount"] == "4999.00"
    assert client.get("/api/eldercare/adaptations/").json()["results"][0]["state"] == "paid"
    client.force_login(users["other_caseworker"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(url).status_code == 404 and client.get("/api/eldercare/adaptations/").json()["results"] == []


def test_unverified_resident_cannot_apply(home, users, family):
    resident = family["resident"]
    resident.verified_at = None
    resident.save(update_fields=["verified_at"])
    with pytest.raises(DomainError, match="实名核验"):
        services.adaptation_apply(actor=resident, person=family["father"], kind="adaptation")
    with pytest.raises(DomainError, match="实名核验"):
        services.assessment_request(resident=resident, person=family["father"])
    assert not Adaptation.objects.exists() and not AssessmentRequest.objects.exists()
