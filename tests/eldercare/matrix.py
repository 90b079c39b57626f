"""Eldercare's rows of the permission matrix (collected by tests/matrix.py):
its workbench, residents' and API routes, with the records they need."""

from civil_affairs.models import Role
from tests.matrix import OTHER, REGISTRY, expect

AREA = {
    Role.CASEWORKER,
    Role.REVIEWER,
    Role.COMMUNITY_WORKER,
    Role.INSTITUTION_STAFF,
    Role.BUREAU_ADMIN,
    Role.AUDITOR,
    "other_caseworker",
}
ALLOWANCE = {Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR, "other_caseworker"}
# The rolls are 通州区's: the 文峰 caseworker (崇川区) does not see them.
ALLOWANCE_IN = ALLOWANCE - OTHER


def _approve(who):
    """The reviewer approves (302 back to the roll); the bureau is told it already is (302); others 403."""
    return {Role.REVIEWER: 302, Role.BUREAU_ADMIN: 302, "anonymous": 302}.get(who, 403)


HOMECARE = {Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR, Role.INSTITUTION_STAFF, "other_caseworker"}
# The visit is of 金沙社区 and of the provider the institution-staff user works for.
HOMECARE_IN = HOMECARE - OTHER
SETTLEMENT = {Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR, "other_caseworker"}
SETTLEMENT_IN = SETTLEMENT - OTHER

INSTITUTION = {
    Role.CASEWORKER,
    Role.REVIEWER,
    Role.BUREAU_ADMIN,
    Role.AUDITOR,
    Role.INSTITUTION_STAFF,
    "other_caseworker",
}
INSTITUTION_IN = INSTITUTION - OTHER
MANAGE = {Role.INSTITUTION_STAFF, Role.BUREAU_ADMIN}

DASHBOARD = {Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN, Role.AUDITOR, "other_caseworker"}

ROWS = {
    "eldercare:index": (lambda o: "/work/eldercare/", "get", expect(AREA)),
    # the dashboard of the user's own region
    "eldercare:dashboard": (lambda o: "/work/eldercare/dashboard/", "get", expect(DASHBOARD)),
    "eldercare:allowance": (lambda o: "/work/eldercare/allowance/", "get", expect(ALLOWANCE)),
    "eldercare:allowance_roll": (
        lambda o: f"/work/eldercare/allowance/rolls/{o['elder_allowance_roll'].pk}/",
        "get",
        expect(ALLOWANCE_IN, out_of_scope=OTHER),
    ),
    "eldercare:allowance_roll_approve": (
        lambda o: f"/work/eldercare/allowance/rolls/{o['elder_allowance_roll'].pk}/approve/",
        "post",
        _approve,
    ),
    "eldercare:allowance_roll_bank_file": (
        lambda o: f"/work/eldercare/allowance/rolls/{o['elder_allowance_roll_approved'].pk}/bank.csv",
        "get",
        expect(ALLOWANCE_IN, out_of_scope=OTHER),
    ),
    "eldercare_portal:home": (lambda o: "/my/eldercare/", "get", expect({Role.RESIDENT})),
    # the matrix's resident is not the elder served: 404 (their own visits only); staff 403
    "eldercare_portal:visit_report": (
        lambda o: f"/my/eldercare/visits/{o['elder_visit'].pk}/report/",
        "post",
        expect(set(), out_of_scope={Role.RESIDENT}),
    ),
    # home care: provider staff see their own provider's visits; other staff their jurisdiction's
    "eldercare:visits": (lambda o: "/work/eldercare/visits/", "get", expect(HOMECARE)),
    "eldercare:visit": (
        lambda o: f"/work/eldercare/visits/{o['elder_visit'].pk}/",
        "get",
        expect(HOMECARE_IN, out_of_scope=OTHER),
    ),
    # a step POSTed: back to the visit with the service's message (only the provider's worker may check in)
    "eldercare:visit_action": (
        lambda o: f"/work/eldercare/visits/{o['elder_visit'].pk}/check-in/",
        "post",
        expect(HOMECARE_IN, ok_status=302, out_of_scope=OTHER),
    ),
    "eldercare:settlements": (lambda o: "/work/eldercare/settlements/", "get", expect(SETTLEMENT)),
    "eldercare:settlement": (
        lambda o: f"/work/eldercare/settlements/{o['elder_settlement'].pk}/",
        "get",
        expect(SETTLEMENT_IN, out_of_scope=OTHER),
    ),
    "eldercare:settlement_approve": (
        lambda o: f"/work/eldercare/settlements/{o['elder_settlement'].pk}/approve/",
        "post",
        _approve,
    ),
    # institutions: the institution-staff user works in the institution of 金沙街道
    "eldercare:institutions": (lambda o: "/work/eldercare/institutions/", "get", expect(INSTITUTION)),
    "eldercare:institution": (
        lambda o: f"/work/eldercare/institutions/{o['elder_institution'].pk}/",
        "get",
        expect(INSTITUTION_IN, out_of_scope=OTHER),
    ),
    # POSTed empty: back to the institution with the service's message
    "eldercare:admit": (
        lambda o: f"/work/eldercare/institutions/{o['elder_institution'].pk}/admit/",
        "post",
        expect(MANAGE, ok_status=302),
    ),
    "eldercare:discharge": (
        lambda o: f"/work/eldercare/institutions/{o['elder_institution'].pk}/stays/{o['elder_stay'].pk}/discharge/",
        "post",
        expect(MANAGE, ok_status=302),
    ),
    "eldercare:meals": (lambda o: "/work/eldercare/meals/", "get", expect(INSTITUTION)),
    "eldercare:settlement_bank_file": (
        lambda o: f"/work/eldercare/settlements/{o['elder_settlement_approved'].pk}/bank.csv",
        "get",
        expect(SETTLEMENT_IN, out_of_scope=OTHER),
    ),
}

ROWS.update(
    {
        "api-eldercare:api-root": (lambda o: "/api/eldercare/", "get", expect(REGISTRY, anon=403)),
        "api-eldercare:allowance-roll-list": (
            lambda o: "/api/eldercare/allowance-rolls/",
            "get",
            expect(ALLOWANCE, anon=403),
        ),
        "api-eldercare:allowance-roll-detail": (
            lambda o: f"/api/eldercare/allowance-rolls/{o['elder_allowance_roll'].pk}/",
            "get",
            expect(ALLOWANCE_IN, anon=403, out_of_scope=OTHER),
        ),
        # the reviewer approves (200); the bureau is then told it already is (400)
        "api-eldercare:allowance-roll-approve": (
            lambda o: f"/api/eldercare/allowance-rolls/{o['elder_allowance_roll'].pk}/approve/",
            "post",
            lambda who: {Role.REVIEWER: 200, Role.BUREAU_ADMIN: 400, "other_caseworker": 404}.get(who, 403),
        ),
        "api-eldercare:allowance-roll-bank-file": (
            lambda o: f"/api/eldercare/allowance-rolls/{o['elder_allowance_roll_approved'].pk}/bank-file/csv/",
            "get",
            expect(ALLOWANCE_IN, anon=403, out_of_scope=OTHER),
        ),
        "api-eldercare:my-allowance-list": (
            lambda o: "/api/eldercare/my-allowance/",
            "get",
            expect({Role.RESIDENT}, anon=403),
        ),
        "api-eldercare:visit-list": (lambda o: "/api/eldercare/visits/", "get", expect(HOMECARE, anon=403)),
        "api-eldercare:visit-detail": (
            lambda o: f"/api/eldercare/visits/{o['elder_visit'].pk}/",
            "get",
            expect(HOMECARE_IN, anon=403, out_of_scope=OTHER),
        ),
        # only the provider's own worker checks in (200); other staff who see the visit get the rule's 400
        "api-eldercare:visit-check-in": (
            lambda o: f"/api/eldercare/visits/{o['elder_visit'].pk}/check-in/",
            "post",
            lambda who: (
                200 if who == Role.INSTITUTION_STAFF else 400 if who in HOMECARE_IN else 404 if who in OTHER else 403
            ),
        ),
        "api-eldercare:visit-check-out": (
            lambda o: f"/api/eldercare/visits/{o['elder_visit'].pk}/check-out/",
            "post",
            expect(HOMECARE_IN, ok_status=400, anon=403, out_of_scope=OTHER),
        ),
        "api-eldercare:visit-missed": (
            lambda o: f"/api/eldercare/visits/{o['elder_visit'].pk}/missed/",
            "post",
            expect(HOMECARE_IN, ok_status=400, anon=403, out_of_scope=OTHER),
        ),
        "api-eldercare:settlement-list": (
            lambda o: "/api/eldercare/settlements/",
            "get",
            expect(SETTLEMENT, anon=403),
        ),
        "api-eldercare:settlement-detail": (
            lambda o: f"/api/eldercare/settlements/{o['elder_settlement'].pk}/",
            "get",
            expect(SETTLEMENT_IN, anon=403, out_of_scope=OTHER),
        ),
        "api-eldercare:settlement-approve": (
            lambda o: f"/api/eldercare/settlements/{o['elder_settlement'].pk}/approve/",
            "post",
            lambda who: {Role.REVIEWER: 200, Role.BUREAU_ADMIN: 400, "other_caseworker": 404}.get(who, 403),
        ),
        "api-eldercare:institution-list": (
            lambda o: "/api/eldercare/institutions/",
            "get",
            expect(INSTITUTION, anon=403),
        ),
        "api-eldercare:institution-detail": (
            lambda o: f"/api/eldercare/institutions/{o['elder_institution'].pk}/",
            "get",
            expect(INSTITUTION_IN, anon=403, out_of_scope=OTHER),
        ),
        # an empty batch: the input's 400 for whoever may record or see meals
        "api-eldercare:meal-list": (
            lambda o: "/api/eldercare/meals/",
            "post",
            expect(INSTITUTION, ok_status=400, anon=403),
        ),
    }
)


# Home adaptations: the case and its photo are of 金沙社区 (通州区); the 文峰 caseworker gets 404.
ADAPTATION = {
    Role.CASEWORKER,
    Role.REVIEWER,
    Role.COMMUNITY_WORKER,
    Role.BUREAU_ADMIN,
    Role.AUDITOR,
    "other_caseworker",
}
ADAPTATION_IN = ADAPTATION - OTHER
ADAPTATION_MANAGE = {Role.CASEWORKER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN}

ROWS.update(
    {
        "eldercare:adaptations": (lambda o: "/work/eldercare/adaptations/", "get", expect(ADAPTATION)),
        "eldercare:adaptation_new": (
            lambda o: "/work/eldercare/adaptations/new/",
            "get",
            expect(ADAPTATION_MANAGE | OTHER),  # a form: whom it may be for is checked on submit
        ),
        "eldercare:adaptation": (
            lambda o: f"/work/eldercare/adaptations/{o['elder_adaptation'].pk}/",
            "get",
            expect(ADAPTATION_IN, out_of_scope=OTHER),
        ),
        # a step POSTed empty: back to the case with the service's message
        "eldercare:adaptation_step": (
            lambda o: f"/work/eldercare/adaptations/{o['elder_adaptation'].pk}/reject/",
            "post",
            expect(ADAPTATION_IN, ok_status=302, out_of_scope=OTHER),
        ),
        "eldercare:adaptation_photo": (
            lambda o: f"/work/eldercare/adaptations/photos/{o['elder_adaptation_photo'].pk}/",
            "get",
            expect(ADAPTATION_IN, out_of_scope=OTHER),
        ),
        "eldercare:assessment_requests": (
            lambda o: "/work/eldercare/assessment-requests/",
            "get",
            expect(ADAPTATION),
        ),
        # POSTed empty: back to the list with the message (the other district's caseworker: 404)
        "eldercare:assessment_request_record": (
            lambda o: f"/work/eldercare/assessment-requests/{o['elder_assessment_request'].pk}/record/",
            "post",
            expect(ADAPTATION_MANAGE, ok_status=302, out_of_scope=OTHER),
        ),
        "eldercare_portal:adaptations": (lambda o: "/my/eldercare/adaptations/", "get", expect({Role.RESIDENT})),
        # the matrix's resident is not of the elder's household: 404; staff 403
        "eldercare_portal:adaptation_photo": (
            lambda o: f"/my/eldercare/adaptations/photos/{o['elder_adaptation_photo'].pk}/",
            "get",
            expect(set(), out_of_scope={Role.RESIDENT}),
        ),
    }
)


ROWS.update(
    {
        "api-eldercare:adaptation-list": (
            lambda o: "/api/eldercare/adaptations/",
            "get",
            expect(ADAPTATION, anon=403),
        ),
        "api-eldercare:adaptation-detail": (
            lambda o: f"/api/eldercare/adaptations/{o['elder_adaptation'].pk}/",
            "get",
            expect(ADAPTATION_IN, anon=403, out_of_scope=OTHER),
        ),
        # POSTed empty: the input's (or the state's) 400 for whoever sees the case
        "api-eldercare:adaptation-assess": (
            lambda o: f"/api/eldercare/adaptations/{o['elder_adaptation'].pk}/assess/",
            "post",
            expect(ADAPTATION_IN, ok_status=400, anon=403, out_of_scope=OTHER),
        ),
        "api-eldercare:adaptation-order": (
            lambda o: f"/api/eldercare/adaptations/{o['elder_adaptation'].pk}/order/",
            "post",
            expect(ADAPTATION_IN, ok_status=400, anon=403, out_of_scope=OTHER),
        ),
        # the case is completed: the reviewer accepts (200); the caseworker ordered it (400), the rest
        # may not accept or find it accepted already (400)
        "api-eldercare:adaptation-accept": (
            lambda o: f"/api/eldercare/adaptations/{o['elder_adaptation'].pk}/accept/",
            "post",
            lambda who: 200 if who == Role.REVIEWER else 400 if who in ADAPTATION_IN else 404 if who in OTHER else 403,
        ),
        "api-eldercare:adaptation-pay": (
            lambda o: f"/api/eldercare/adaptations/{o['elder_adaptation'].pk}/pay/",
            "post",
            expect(ADAPTATION_IN, ok_status=400, anon=403, out_of_scope=OTHER),
        ),
    }
)


def objects(core_objects, users):
    """An 86-year-old of 金沙社区 paid for August (approved roll) and September (open roll)."""
    import datetime as dt

    from civil_affairs.models import Region
    from civil_affairs.services import batchrun_create
    from eldercare.models import SeniorAllowanceRoll
    from eldercare.services import allowance
    from tests.eldercare.factories import elder

    elder(dt.date(1940, 3, 3), Region.objects.get(code="320612001001"))
    for month in ("2026-08", "2026-09"):
        allowance.allowance_run(run_id=batchrun_create(kind=allowance.KIND, params={"month": month}).pk)
    approved = SeniorAllowanceRoll.objects.get(month=dt.date(2026, 8, 1), district_id="320612000000")
    allowance.allowance_roll_approve(actor=users[Role.REVIEWER], roll=approved)
    return {
        **_homecare(users),
        **_institution(users),
        **_meal_settlements(users),
        **_adaptation(users),
        **_vulnerable(users),
        "elder_allowance_roll": SeniorAllowanceRoll.objects.get(month=dt.date(2026, 9, 1), district_id="320612000000"),
        "elder_allowance_roll_approved": approved,
    }


def _homecare(users):
    """A provider of 通州区 (the institution-staff user works for it), an order and
    a planned visit of an 85-year-old living alone in 金沙社区, and two settlements."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from civil_affairs.models import Region
    from eldercare.models import Provider, ProviderMember, Settlement
    from eldercare.services import homecare
    from tests.civil_affairs.factories import HouseholdFactory, MemberFactory
    from tests.eldercare.factories import id_number_born

    jinsha = Region.objects.get(code="320612001000")
    provider = Provider.objects.create(name="康乐居家养老", credit_code="52320612MJ0000009X", region=jinsha)
    ProviderMember.objects.create(user=users[Role.INSTITUTION_STAFF], provider=provider)
    household = HouseholdFactory(region=Region.objects.get(code="320612001001"), number="H320612001000901")
    alone = MemberFactory(household=household, person__id_number=id_number_born(dt.date(1940, 1, 9))).person
    month = timezone.localdate().replace(day=1)
    order = homecare.order_create(actor=users[Role.CASEWORKER], person=alone, provider=provider, month=month)
    start = timezone.make_aware(dt.datetime(month.year, month.month, 2, 9))
    visit = homecare.visit_plan(
        actor=users[Role.CASEWORKER], order=order, start=start, end=start + dt.timedelta(hours=1)
    )
    common = {"provider": provider, "district_id": "320612000000", "visits": 1, "people": 1}
    settlement = Settlement.objects.create(
        month=dt.date(2026, 9, 1), earned=Decimal("40"), amount=Decimal("40"), **common
    )
    approved = Settlement.objects.create(
        month=dt.date(2026, 8, 1), earned=Decimal("40"), amount=Decimal("40"), status="approved", **common
    )
    return {"elder_visit": visit, "elder_settlement": settlement, "elder_settlement_approved": approved}


def _institution(users):
    """An institution of 金沙街道 (the institution-staff user works there) with a resident in one of two beds."""
    import datetime as dt

    from civil_affairs.models import Region
    from eldercare.models import Bed, Institution, InstitutionMember
    from eldercare.services import institutions
    from tests.eldercare.factories import elder

    home = Institution.objects.create(
        name="金沙敬老院",
        filing_number="320612-9001",
        operator="public",
        region=Region.objects.get(code="320612001000"),
    )
    InstitutionMember.objects.create(user=users[Role.INSTITUTION_STAFF], institution=home)
    bed = Bed.objects.create(institution=home, room="101", number="1", kind="nursing")
    Bed.objects.create(institution=home, room="101", number="2")
    resident = elder(dt.date(1936, 6, 6), Region.objects.get(code="320612001001"))
    stay = institutions.admission(actor=users[Role.INSTITUTION_STAFF], bed=bed, person=resident)
    return {"elder_institution": home, "elder_stay": stay}


# Visits to the vulnerable elderly: the entry and its visit are of 金沙社区 (the community worker's own);
# the 文峰 caseworker gets 404.
VULNERABLE = {
    Role.CASEWORKER,
    Role.REVIEWER,
    Role.COMMUNITY_WORKER,
    Role.BUREAU_ADMIN,
    Role.AUDITOR,
    "other_caseworker",
}
VULNERABLE_IN = VULNERABLE - OTHER
VISIT_RECORD = {Role.COMMUNITY_WORKER, Role.CASEWORKER}

ROWS.update(
    {
        "eldercare:vulnerable": (lambda o: "/work/eldercare/vulnerable/", "get", expect(VULNERABLE)),
        # the bureau's button: queued, back to the list
        "eldercare:vulnerable_build": (
            lambda o: "/work/eldercare/vulnerable/build/",
            "post",
            expect({Role.BUREAU_ADMIN}, ok_status=302),
        ),
        "eldercare:vulnerable_entry": (
            lambda o: f"/work/eldercare/vulnerable/{o['elder_vulnerable'].pk}/",
            "get",
            expect(VULNERABLE_IN, out_of_scope=OTHER),
        ),
        # POSTed empty: back to the elder's page with the service's message
        "eldercare:vulnerable_visit": (
            lambda o: f"/work/eldercare/vulnerable/{o['elder_vulnerable'].pk}/visit/",
            "post",
            expect(VISIT_RECORD - OTHER, ok_status=400, out_of_scope=OTHER),
        ),
        "eldercare:vulnerable_refer": (
            lambda o: f"/work/eldercare/vulnerable/visits/{o['elder_vulnerable_visit'].pk}/relief/",
            "post",
            expect(VISIT_RECORD - OTHER, ok_status=302, out_of_scope=OTHER),
        ),
        "api-eldercare:vulnerable-elder-list": (
            lambda o: "/api/eldercare/vulnerable-elders/",
            "get",
            expect(VULNERABLE, anon=403),
        ),
        # POSTed empty: the input's 400 for whoever records visits in the community; others 403
        "api-eldercare:vulnerable-elder-visits": (
            lambda o: f"/api/eldercare/vulnerable-elders/{o['elder_vulnerable'].pk}/visits/",
            "post",
            expect(VISIT_RECORD - OTHER, ok_status=400, anon=403, out_of_scope=OTHER),
        ),
        "api-eldercare:vulnerable-elder-detail": (
            lambda o: f"/api/eldercare/vulnerable-elders/{o['elder_vulnerable'].pk}/",
            "get",
            expect(VULNERABLE_IN, anon=403, out_of_scope=OTHER),
        ),
    }
)


def _vulnerable(users):
    """A 78-year-old living alone in 金沙社区 on the visit list, visited once."""
    import datetime as dt

    from civil_affairs.models import Region
    from eldercare.models import VulnerableElder, VulnerableVisit
    from tests.civil_affairs.factories import HouseholdFactory, MemberFactory
    from tests.eldercare.factories import id_number_born

    jinsha_1 = Region.objects.get(code="320612001001")
    household = HouseholdFactory(region=jinsha_1, number="H320612001000903")
    alone = MemberFactory(household=household, person__id_number=id_number_born(dt.date(1948, 2, 2))).person
    entry = VulnerableElder.objects.create(
        person=alone,
        region=jinsha_1,
        reasons=["alone"],
        listed_on=dt.date(2026, 9, 1),
        last_visit_on=dt.date(2026, 9, 3),
        next_due=dt.date(2026, 9, 10),
    )
    visit = VulnerableVisit.objects.create(
        entry=entry,
        person=alone,
        region=jinsha_1,
        visited_on=dt.date(2026, 9, 3),
        seen=True,
        checks={"health": "ok"},
        notes="",
        on_time=True,
        visitor=users[Role.COMMUNITY_WORKER],
    )
    return {"elder_vulnerable": entry, "elder_vulnerable_visit": visit}


def _adaptation(users):
    """A home adaptation of an 84-year-old living alone in 金沙社区, ordered and completed with one photo;
    and her request for an ability assessment."""
    import datetime as dt
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from PIL import Image

    from civil_affairs.models import Region
    from eldercare.models import AssessmentRequest, Contractor
    from eldercare.services import adaptations
    from tests.civil_affairs.factories import HouseholdFactory, MemberFactory
    from tests.eldercare.factories import id_number_born

    jinsha_1 = Region.objects.get(code="320612001001")
    contractor = Contractor.objects.create(name="安居改造队", credit_code="91320612MA0000009X", region=jinsha_1)
    household = HouseholdFactory(region=jinsha_1, number="H320612001000902")
    alone = MemberFactory(household=household, person__id_number=id_number_born(dt.date(1942, 1, 9))).person
    caseworker = users[Role.CASEWORKER]
    case = adaptations.adaptation_apply(actor=caseworker, person=alone, kind="adaptation")
    case = adaptations.adaptation_assess(actor=caseworker, adaptation=case, needs=[("扶手", "2", "350")])
    case = adaptations.adaptation_order(actor=caseworker, adaptation=case, contractor=contractor, budget="700")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(buffer, format="PNG")
    photo = SimpleUploadedFile("done.png", buffer.getvalue(), content_type="image/png")
    case = adaptations.adaptation_complete(actor=caseworker, adaptation=case, photos=[photo], actual_cost="700")
    request = AssessmentRequest.objects.create(
        person=alone, region=jinsha_1, requested_at=timezone.now(), due=dt.date(2026, 12, 31)
    )
    return {"elder_adaptation": case, "elder_adaptation_photo": case.photos.get(), "elder_assessment_request": request}


# Meal settlements: the point is of 金沙社区 (通州区); the 文峰 caseworker gets 404.
ROWS.update(
    {
        "eldercare:meal_settlements": (lambda o: "/work/eldercare/meals/settlements/", "get", expect(SETTLEMENT)),
        "eldercare:meal_settlement": (
            lambda o: f"/work/eldercare/meals/settlements/{o['elder_meal_settlement'].pk}/",
            "get",
            expect(SETTLEMENT_IN, out_of_scope=OTHER),
        ),
        "eldercare:meal_settlement_approve": (
            lambda o: f"/work/eldercare/meals/settlements/{o['elder_meal_settlement'].pk}/approve/",
            "post",
            _approve,
        ),
        "eldercare:meal_settlement_bank_file": (
            lambda o: f"/work/eldercare/meals/settlements/{o['elder_meal_settlement_approved'].pk}/bank.csv",
            "get",
            expect(SETTLEMENT_IN, out_of_scope=OTHER),
        ),
    }
)


def _meal_settlements(users):
    """A meal point of 金沙社区 with an open and an approved monthly settlement."""
    import datetime as dt
    from decimal import Decimal

    from civil_affairs.models import Region
    from eldercare.models import Facility, MealSettlement

    point = Facility.objects.create(
        kind="meal_point", name="金沙长者食堂", region=Region.objects.get(code="320612001001")
    )
    common = {"point": point, "district_id": "320612000000", "meals": 3, "subsidised": 2, "amount": Decimal("6.00")}
    return {
        "elder_meal_settlement": MealSettlement.objects.create(month=dt.date(2026, 9, 1), **common),
        "elder_meal_settlement_approved": MealSettlement.objects.create(
            month=dt.date(2026, 8, 1), status="approved", **common
        ),
    }
