"""Relief's rows of the permission matrix (collected by tests/matrix.py): its
workbench, residents' and API routes, with the records they need."""

from civil_affairs.models import Role
from tests.matrix import IN_JURISDICTION, OTHER, REGISTRY, expect

RELIEF = {Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN, Role.AUDITOR, "other_caseworker"}
RELIEF_HANDLE = {Role.CASEWORKER, "other_caseworker"}
PAYROLL = {Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR, "other_caseworker"}
# The roll is 通州区's: the 文峰 caseworker (崇川区) does not see it.
PAYROLL_IN = PAYROLL - {"other_caseworker"}


def handle_step(who):
    """A handling step POSTed empty on a submitted temporary case: the street's
    caseworker gets the rule's 400, other streets 404, everyone else 403."""
    return {Role.CASEWORKER: 400, "other_caseworker": 404}.get(who, 403)


def decide_step(who):
    return {Role.CASEWORKER: 400, Role.REVIEWER: 400, Role.BUREAU_ADMIN: 400, "other_caseworker": 404}.get(who, 403)


def _api_steps():
    steps = {
        name: handle_step
        for name in ("submit", "accept", "return", "extend", "visit", "propose", "notice", "objection", "pay-first")
    }
    steps.update(confirm=decide_step, reject=decide_step)
    return {
        f"api-relief:application-{name}": (
            (lambda name: lambda o: f"/api/relief/applications/{o['application'].pk}/{name}/")(name),  # noqa: B023 (bound by the call)
            "post",
            policy,
        )
        for name, policy in steps.items()
    }


# url name → (path builder, method, status per user)
ROWS = {
    # relief workbench: the case and benefit belong to 金沙社区
    "relief:queue": (lambda o: "/work/relief/", "get", expect(RELIEF)),
    "relief:application_new": (lambda o: "/work/relief/applications/new/", "get", expect(RELIEF_HANDLE)),
    "relief:application_detail": (
        lambda o: f"/work/relief/applications/{o['application'].pk}/",
        "get",
        expect(IN_JURISDICTION, out_of_scope=RELIEF),
    ),
    # a handling step: only the caseworker of the street; others who may read the case get 403
    "relief:application_step": (
        lambda o: f"/work/relief/applications/{o['application'].pk}/accept/",
        "get",
        expect({Role.CASEWORKER}, out_of_scope={"other_caseworker"}),
    ),
    "relief:notice_print": (lambda o: "/work/relief/notice/", "get", expect(RELIEF)),
    "relief:household_economy": (
        lambda o: f"/work/relief/households/{o['household'].pk}/economy/",
        "get",
        expect(IN_JURISDICTION, out_of_scope=RELIEF),
    ),
    "relief:benefits": (lambda o: "/work/relief/benefits/", "get", expect(RELIEF)),
    "relief:benefit_detail": (
        lambda o: f"/work/relief/benefits/{o['benefit'].pk}/",
        "get",
        expect(IN_JURISDICTION, out_of_scope=RELIEF),
    ),
    # POST recheck: the street's caseworker opens it (302 to the new case)
    "relief:benefit_action": (
        lambda o: f"/work/relief/benefits/{o['benefit'].pk}/recheck/",
        "post",
        expect({Role.CASEWORKER}, ok_status=302, out_of_scope={"other_caseworker"}),
    ),
    "relief:payroll": (lambda o: "/work/relief/payroll/", "get", expect(PAYROLL)),
    "relief:roll_detail": (
        lambda o: f"/work/relief/payroll/{o['roll'].pk}/",
        "get",
        expect(PAYROLL_IN, out_of_scope=OTHER),
    ),
    # the first approver (the reviewer) approves; the bureau is told it already is: both redirect back
    "relief:roll_approve": (
        lambda o: f"/work/relief/payroll/{o['roll'].pk}/approve/",
        "post",
        expect({Role.REVIEWER, Role.BUREAU_ADMIN}, ok_status=302),
    ),
    # a held line's release/withdrawal: reviewers and the bureau (the line is not held: refused with a
    # message, redirect back); out-of-district reviewers never see the roll
    "relief:roll_line_hold": (
        lambda o: f"/work/relief/payroll/{o['roll'].pk}/lines/{o['roll'].payments.get().pk}/hold/",
        "post",
        expect({Role.REVIEWER, Role.BUREAU_ADMIN}, ok_status=302),
    ),
    # before approval the bank file is refused with a message (redirect back)
    "relief:roll_bank_file": (
        lambda o: f"/work/relief/payroll/{o['roll'].pk}/bank.csv",
        "get",
        expect(PAYROLL_IN, ok_status=302, out_of_scope=OTHER),
    ),
    # review tasks of the nightly recheck: the task is on 金沙社区's benefit
    "relief:tasks": (lambda o: "/work/relief/tasks/", "get", expect(RELIEF)),
    "relief:task_detail": (
        lambda o: f"/work/relief/tasks/{o['task'].pk}/",
        "get",
        expect(IN_JURISDICTION, out_of_scope=RELIEF),
    ),
    # an empty POST: the bureau administrator is sent back with the form's message
    "relief:recheck_start": (
        lambda o: "/work/relief/tasks/recheck/",
        "post",
        expect({Role.BUREAU_ADMIN}, ok_status=302),
    ),
    # price-linkage subsidy: seen like the payroll, its roll (通州区) like a payroll roll
    "relief:price_linkage": (lambda o: "/work/relief/price-linkage/", "get", expect(PAYROLL)),
    "relief:subsidy_roll": (
        lambda o: f"/work/relief/price-linkage/rolls/{o['subsidy_roll'].pk}/",
        "get",
        expect(PAYROLL_IN, out_of_scope=OTHER),
    ),
    "relief:subsidy_roll_approve": (
        lambda o: f"/work/relief/price-linkage/rolls/{o['subsidy_roll'].pk}/approve/",
        "post",
        expect({Role.REVIEWER, Role.BUREAU_ADMIN}, ok_status=302),
    ),
    "relief:subsidy_roll_bank_file": (
        lambda o: f"/work/relief/price-linkage/rolls/{o['subsidy_roll'].pk}/bank.csv",
        "get",
        expect(PAYROLL_IN, ok_status=302, out_of_scope=OTHER),
    ),
    # a home visit names the 金沙 caseworker as second visitor: only they confirm or decline it (302 back to
    # their task list; an empty decline is sent back with the message), other roles 403, other streets 404
    "relief:visit_confirm": (
        lambda o: f"/work/relief/visits/{o['visit'].pk}/confirm/",
        "post",
        expect({Role.CASEWORKER}, ok_status=302, out_of_scope=OTHER),
    ),
    "relief:visit_decline": (
        lambda o: f"/work/relief/visits/{o['visit'].pk}/decline/",
        "post",
        expect({Role.CASEWORKER}, ok_status=302, out_of_scope=OTHER),
    ),
    # residents' relief pages: only the resident, on their own case
    "relief_portal:applications": (lambda o: "/my/relief/", "get", expect({Role.RESIDENT})),
    "relief_portal:apply": (lambda o: "/my/relief/apply/", "get", expect({Role.RESIDENT})),
    "relief_portal:apply_step": (
        lambda o: f"/my/relief/apply/{o['own_application'].pk}/members/",
        "get",
        expect({Role.RESIDENT}),
    ),
    "relief_portal:application": (
        lambda o: f"/my/relief/applications/{o['own_application'].pk}/",
        "get",
        expect({Role.RESIDENT}),
    ),
    # correcting a line of their own draft (here: the head's member row), and the start page's region cascade
    "relief_portal:apply_item": (
        lambda o: (
            f"/my/relief/apply/{o['own_application'].pk}/members/"
            f"{o['own_application'].household.members.get(relation='head').pk}/edit/"
        ),
        "get",
        expect({Role.RESIDENT}),
    ),
    "relief_portal:region_options": (
        lambda o: "/my/relief/regions/?district=320612000000",
        "get",
        expect({Role.RESIDENT}),
    ),
    # not returned for documents: back to the case page
    "relief_portal:application_documents": (
        lambda o: f"/my/relief/applications/{o['own_application'].pk}/documents/",
        "get",
        expect({Role.RESIDENT}, ok_status=302),
    ),
    "api-relief:api-root": (lambda o: "/api/relief/", "get", expect(REGISTRY, anon=403)),
    "api-relief:standard-list": (lambda o: "/api/relief/standards/", "get", expect(RELIEF, anon=403)),
    "api-relief:standard-detail": (
        lambda o: f"/api/relief/standards/{o['standard'].pk}/",
        "get",
        expect(RELIEF, anon=403),
    ),
    "api-relief:standard-in-force": (
        lambda o: "/api/relief/standards/in-force/?region=320612001001",
        "get",
        expect(IN_JURISDICTION, anon=403, out_of_scope=OTHER),
    ),
    "api-relief:application-list": (lambda o: "/api/relief/applications/", "get", expect(RELIEF, anon=403)),
    "api-relief:application-detail": (
        lambda o: f"/api/relief/applications/{o['application'].pk}/",
        "get",
        expect(IN_JURISDICTION, anon=403, out_of_scope=OTHER),
    ),
    **_api_steps(),
    # visits awaiting my signature: for those who investigate; confirm/decline like the pages (decline needs a reason)
    "api-relief:visit-list": (lambda o: "/api/relief/visits/", "get", expect(RELIEF_HANDLE, anon=403)),
    "api-relief:visit-confirm": (
        lambda o: f"/api/relief/visits/{o['visit'].pk}/confirm/",
        "post",
        expect({Role.CASEWORKER}, anon=403, out_of_scope=OTHER),
    ),
    "api-relief:visit-decline": (
        lambda o: f"/api/relief/visits/{o['visit'].pk}/decline/",
        "post",
        expect({Role.CASEWORKER}, ok_status=400, anon=403, out_of_scope=OTHER),
    ),
    "api-relief:benefit-list": (lambda o: "/api/relief/benefits/", "get", expect(RELIEF, anon=403)),
    "api-relief:benefit-detail": (
        lambda o: f"/api/relief/benefits/{o['benefit'].pk}/",
        "get",
        expect(IN_JURISDICTION, anon=403, out_of_scope=OTHER),
    ),
    "api-relief:benefit-recheck": (
        lambda o: f"/api/relief/benefits/{o['benefit'].pk}/recheck/",
        "post",
        expect({Role.CASEWORKER}, ok_status=201, anon=403, out_of_scope=OTHER),
    ),
    "api-relief:benefit-change-status": (
        lambda o: f"/api/relief/benefits/{o['benefit'].pk}/status/",
        "post",
        expect({Role.REVIEWER, Role.BUREAU_ADMIN}, ok_status=400, anon=403, out_of_scope=OTHER),
    ),
    "api-relief:roll-list": (lambda o: "/api/relief/payroll/", "get", expect(PAYROLL, anon=403)),
    "api-relief:roll-detail": (
        lambda o: f"/api/relief/payroll/{o['roll'].pk}/",
        "get",
        expect(PAYROLL_IN, anon=403, out_of_scope=OTHER),
    ),
    "api-relief:roll-approve": (
        lambda o: f"/api/relief/payroll/{o['roll'].pk}/approve/",
        "post",
        lambda who: {Role.REVIEWER: 200, Role.BUREAU_ADMIN: 400, "other_caseworker": 404}.get(who, 403),
    ),
    # the bank file: refused (400, the roll is not approved) to those who see the roll
    "api-relief:roll-bank-file": (
        lambda o: f"/api/relief/payroll/{o['roll'].pk}/bank-file/csv/",
        "get",
        expect(PAYROLL_IN, ok_status=400, anon=403, out_of_scope=OTHER),
    ),
    # review tasks: read like benefits; resolving an empty POST is the handler's 400
    "api-relief:task-list": (lambda o: "/api/relief/tasks/", "get", expect(RELIEF, anon=403)),
    "api-relief:task-detail": (
        lambda o: f"/api/relief/tasks/{o['task'].pk}/",
        "get",
        expect(IN_JURISDICTION, anon=403, out_of_scope=OTHER),
    ),
    "api-relief:task-resolve": (
        lambda o: f"/api/relief/tasks/{o['task'].pk}/resolve/",
        "post",
        expect({Role.CASEWORKER}, ok_status=400, anon=403, out_of_scope=OTHER),
    ),
    "api-relief:subsidy-roll-list": (lambda o: "/api/relief/price-linkage/", "get", expect(PAYROLL, anon=403)),
    "api-relief:subsidy-roll-detail": (
        lambda o: f"/api/relief/price-linkage/{o['subsidy_roll'].pk}/",
        "get",
        expect(PAYROLL_IN, anon=403, out_of_scope=OTHER),
    ),
    "api-relief:subsidy-roll-approve": (
        lambda o: f"/api/relief/price-linkage/{o['subsidy_roll'].pk}/approve/",
        "post",
        lambda who: {Role.REVIEWER: 200, Role.BUREAU_ADMIN: 400, "other_caseworker": 404}.get(who, 403),
    ),
    "api-relief:subsidy-roll-bank-file": (
        lambda o: f"/api/relief/price-linkage/{o['subsidy_roll'].pk}/bank-file/csv/",
        "get",
        expect(PAYROLL_IN, ok_status=400, anon=403, out_of_scope=OTHER),
    ),
}


def objects(core_objects, users):
    return _relief_case(core_objects["household"], users)


def _relief_case(household, users):
    """A submitted temporary-assistance case, a live dibao benefit paid in a
    generated roll, and a resident's own draft."""
    import datetime as dt
    from decimal import Decimal

    from civil_affairs.models import Region
    from relief.models import Benefit
    from relief.services import applications as relief
    from relief.services.standards import standards_load_demo

    standards_load_demo(actor=None, region=Region.objects.get(code="320600000000"))
    worker = users[Role.CASEWORKER]
    application = relief.application_create(
        actor=worker,
        household=household,
        kind="temporary",
        temporary_type="emergency",
        requested_amount=Decimal("1000"),
    )
    relief.application_details_update(
        actor=worker, application=application, authorised_verification=True, bank_account="6228480012345678901"
    )
    relief.application_submit(actor=worker, application=application)
    head = household.members.get(relation="head").person
    benefit = Benefit.objects.create(
        household=household,
        recipient=head,
        kind="dibao",
        region=household.region,
        monthly_amount=Decimal("500"),
        start_month=dt.date(2026, 1, 1),
    )
    from civil_affairs.models import Parameter
    from relief.models import PayrollRoll
    from relief.services.payroll import payroll_generate

    payroll_generate(month=dt.date(2026, 2, 1))
    resident = users[Role.RESIDENT]
    own = relief.application_create(
        actor=resident,
        kind="dibao",
        household=relief.resident_household_ensure(
            actor=resident, region=Region.objects.get(code="320612001001"), address="幸福路2号"
        ),
    )
    from relief.models import PriceSubsidy, PriceSubsidyRoll, ReviewTask

    task = ReviewTask.objects.create(
        kind="vehicle",
        benefit=benefit,
        person=head,
        region=benefit.region,
        key="1",
        evidence={"plate": "苏F12345"},
        due=dt.date(2026, 2, 10),
    )
    subsidy_roll = PriceSubsidyRoll.objects.create(month=dt.date(2026, 2, 1), district_id="320612000000")
    PriceSubsidy.objects.create(
        roll=subsidy_roll,
        person=head,
        month=subsidy_roll.month,
        group="dibao",
        region=benefit.region,
        amount=Decimal("28.08"),
    )
    return {
        "application": application,
        "benefit": benefit,
        "roll": PayrollRoll.objects.get(),
        "standard": Parameter.objects.first(),
        "own_application": own,
        "task": task,
        "subsidy_roll": subsidy_roll,
        "visit": _visit_naming(worker, household),
    }


def _visit_naming(second_visitor, household):
    """A home visit on another temporary case of the household, made by a
    colleague of 金沙街道 and naming the 金沙 caseworker as second visitor."""
    from decimal import Decimal

    from civil_affairs import clock
    from relief.services import applications as relief
    from tests.factories import UserFactory

    colleague = UserFactory(role=Role.CASEWORKER, region=second_visitor.region, first_name="金沙同事")
    case = relief.application_create(
        actor=colleague,
        household=household,
        kind="temporary",
        temporary_type="expenditure",
        requested_amount=Decimal("800"),
    )
    relief.application_details_update(
        actor=colleague, application=case, authorised_verification=True, bank_account="6228480012345678901"
    )
    relief.application_submit(actor=colleague, application=case)
    relief.application_accept(actor=colleague, application=case, checklist={"id_card": True})
    return relief.application_visit_record(
        actor=colleague,
        application=case,
        second_visitor=second_visitor,
        visited_on=clock.today(),
        living_conditions="简陋",
        findings="属实",
    )
