"""Childcare's rows of the permission matrix (collected by tests/matrix.py).

The records belong to 金沙社区 (通州区 金沙街道): its child director is the
community worker, the 金沙 caseworker is the street's supervisor, the district
reviewer and the bureau administrator are childcare staff, the auditor reads
everything.  The 文峰 caseworker (another district) gets 404 for them; roles
without the capability 403."""

from civil_affairs.models import Role
from tests.matrix import expect

CW, RV, DIR, ADMIN, AUD = Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN, Role.AUDITOR
OTHER = {"other_caseworker"}
VIEW = {CW, RV, DIR, ADMIN, AUD, "other_caseworker"}
RECORD = {CW, RV, DIR, ADMIN, AUD}  # who may open a 金沙社区 child's record
REGISTRY = {DIR, CW, ADMIN, "other_caseworker"}
PAYROLL = {CW, RV, ADMIN, AUD, "other_caseworker"}
DASHBOARD = {CW, RV, ADMIN, AUD, "other_caseworker"}


def _post(ok: set, status: int = 302, *, capability: set, out_of_scope=OTHER):
    """A POST: `status` for `ok`, 404 for holders of the capability out of scope, 403 without it."""

    def policy(who):
        if who == "anonymous":
            return 302
        if who in ok:
            return status
        if who in out_of_scope and who in capability:
            return 404
        return 403

    return policy


W = "/work/childcare"
A = "/api/childcare"
ROWS = {
    "childcare:index": (lambda o: f"{W}/", "get", expect(VIEW)),
    "childcare:cases": (lambda o: f"{W}/cases/", "get", expect(VIEW)),
    "childcare:case_new": (lambda o: f"{W}/cases/new/", "get", expect({CW, "other_caseworker"})),
    "childcare:case_detail": (lambda o: f"{W}/cases/{o['cc_case'].pk}/", "get", expect(RECORD, out_of_scope=OTHER)),
    "childcare:case_check": (
        lambda o: f"{W}/cases/{o['cc_case'].pk}/check/",
        "post",
        _post({CW}, capability={CW, "other_caseworker"}),
    ),
    "childcare:case_decide": (
        lambda o: f"{W}/cases/{o['cc_case'].pk}/decide/",
        "post",
        _post({RV, ADMIN}, capability={RV, ADMIN}),
    ),
    "childcare:allowances": (lambda o: f"{W}/allowances/", "get", expect(VIEW)),
    "childcare:allowance_detail": (
        lambda o: f"{W}/allowances/{o['cc_allowance'].pk}/",
        "get",
        expect(RECORD, out_of_scope=OTHER),
    ),
    "childcare:allowance_action": (
        lambda o: f"{W}/allowances/{o['cc_allowance'].pk}/stop/",
        "post",
        _post({RV, ADMIN}, capability={RV, ADMIN}),
    ),
    "childcare:children": (lambda o: f"{W}/children/", "get", expect(VIEW)),
    "childcare:child_new": (lambda o: f"{W}/children/new/", "get", expect(REGISTRY)),
    "childcare:child_detail": (
        lambda o: f"{W}/children/{o['cc_child'].pk}/",
        "get",
        expect(RECORD, out_of_scope=OTHER),
    ),
    "childcare:child_action": (
        lambda o: f"{W}/children/{o['cc_child'].pk}/visit/",
        "post",
        _post({CW, DIR, ADMIN}, capability=REGISTRY),
    ),
    "childcare:referral_close": (
        lambda o: f"{W}/referrals/{o['cc_referral'].pk}/close/",
        "post",
        _post({CW, DIR, ADMIN}, capability=REGISTRY),
    ),
    "childcare:discovery_resolve": (
        lambda o: f"{W}/discovery/{o['cc_task'].pk}/resolve/",
        "post",
        _post({CW, DIR, ADMIN}, capability=REGISTRY),
    ),
    "childcare:payroll": (lambda o: f"{W}/payroll/", "get", expect(PAYROLL)),
    "childcare:roll_detail": (
        lambda o: f"{W}/payroll/{o['cc_roll'].pk}/",
        "get",
        expect(PAYROLL - OTHER, out_of_scope=OTHER),
    ),
    "childcare:roll_approve": (
        lambda o: f"{W}/payroll/{o['cc_roll'].pk}/approve/",
        "post",
        _post({RV, ADMIN}, capability={RV, ADMIN}),
    ),
    # the bank file of an approved roll (an audited export)
    "childcare:roll_bank_file": (
        lambda o: f"{W}/payroll/{o['cc_roll_approved'].pk}/bank.csv",
        "get",
        expect(PAYROLL - OTHER, out_of_scope=OTHER),
    ),
    "childcare:coverage": (lambda o: f"{W}/coverage/", "get", expect(DASHBOARD)),
    "childcare:dashboard": (lambda o: f"{W}/dashboard/", "get", expect(DASHBOARD)),
    # the residents' portal: residents only, their own case
    "childcare_portal:index": (lambda o: "/my/childcare/", "get", expect({Role.RESIDENT})),
    "childcare_portal:apply": (lambda o: "/my/childcare/apply/", "get", expect({Role.RESIDENT})),
    "childcare_portal:case": (lambda o: f"/my/childcare/cases/{o['cc_own_case'].pk}/", "get", expect({Role.RESIDENT})),
    "childcare_portal:withdraw": (
        lambda o: f"/my/childcare/cases/{o['cc_own_case'].pk}/withdraw/",
        "post",
        expect({Role.RESIDENT}, ok_status=302),
    ),
    # the API
    "api-childcare:api-root": (
        lambda o: f"{A}/",
        "get",
        expect({CW, RV, DIR, ADMIN, AUD, "other_caseworker"}, anon=403),
    ),
    "api-childcare:case-list": (lambda o: f"{A}/cases/", "get", expect(VIEW, anon=403)),
    "api-childcare:case-detail": (
        lambda o: f"{A}/cases/{o['cc_case'].pk}/",
        "get",
        expect(RECORD, anon=403, out_of_scope=OTHER),
    ),
    "api-childcare:case-check": (
        lambda o: f"{A}/cases/{o['cc_case'].pk}/check/",
        "post",
        lambda who: {CW: 400, RV: 403, DIR: 403, ADMIN: 403, AUD: 403, "other_caseworker": 404}.get(who, 403),
    ),
    "api-childcare:case-decide": (
        lambda o: f"{A}/cases/{o['cc_case'].pk}/decide/",
        "post",
        lambda who: {RV: 400, ADMIN: 400, "other_caseworker": 404}.get(who, 403),
    ),
    "api-childcare:allowance-list": (lambda o: f"{A}/allowances/", "get", expect(VIEW, anon=403)),
    "api-childcare:allowance-detail": (
        lambda o: f"{A}/allowances/{o['cc_allowance'].pk}/",
        "get",
        expect(RECORD, anon=403, out_of_scope=OTHER),
    ),
    "api-childcare:child-list": (lambda o: f"{A}/children/", "get", expect(VIEW, anon=403)),
    "api-childcare:child-detail": (
        lambda o: f"{A}/children/{o['cc_child'].pk}/",
        "get",
        expect(RECORD, anon=403, out_of_scope=OTHER),
    ),
    "api-childcare:child-visits": (
        lambda o: f"{A}/children/{o['cc_child'].pk}/visits/",
        "post",
        lambda who: {CW: 400, DIR: 400, ADMIN: 400, RV: 403, AUD: 403, "other_caseworker": 404}.get(who, 403),
    ),
    "api-childcare:roll-list": (lambda o: f"{A}/payroll/", "get", expect(PAYROLL, anon=403)),
    "api-childcare:roll-detail": (
        lambda o: f"{A}/payroll/{o['cc_roll'].pk}/",
        "get",
        expect(PAYROLL - OTHER, anon=403, out_of_scope=OTHER),
    ),
    "api-childcare:roll-approve": (
        lambda o: f"{A}/payroll/{o['cc_roll'].pk}/approve/",
        "post",
        lambda who: {RV: 200, ADMIN: 400, "other_caseworker": 404}.get(who, 403),
    ),
    "api-childcare:roll-bank-file": (
        lambda o: f"{A}/payroll/{o['cc_roll_approved'].pk}/bank-file/csv/",
        "get",
        expect(PAYROLL - OTHER, anon=403, out_of_scope=OTHER),
    ),
}


def objects(core_objects, users):
    """A case, an allowance in an approved and a generated roll, a registry child with a
    referral, a discovery task (all of 金沙社区) and a resident's own case."""
    import datetime as dt

    from childcare import payroll, services
    from childcare.models import Case, Director, DiscoveryTask, Referral, Staff, Supervisor
    from civil_affairs.models import Region
    from tests.childcare.factories import family, person

    jinsha_1 = Region.objects.get(code="320612001001")
    Director.objects.create(user=users[DIR], region=jinsha_1)
    Supervisor.objects.create(user=users[CW], region_id="320612001000")
    Staff.objects.create(user=users[RV])
    Staff.objects.create(user=users[ADMIN])
    worker = users[CW]
    guardian, child = family(jinsha_1)
    submitted = services.case_submit(
        actor=worker,
        child=child,
        guardian=guardian,
        category="orphan",
        parents=[{"which": "father", "code": "dead"}, {"which": "mother", "code": "dead"}],
        bank_account="6228480012345678901",
    )
    _g2, child2 = family(jinsha_1)
    approved = services.case_submit(
        actor=worker,
        child=child2,
        category="orphan",
        parents=[{"which": "father", "code": "dead"}, {"which": "mother", "code": "dead"}],
        bank_account="6228480012345678902",
    )
    services.case_check(actor=worker, case=approved, recommend=True, opinion="属实")
    services.case_decide(actor=users[RV], case=approved, approve=True)
    allowance = approved.allowance
    # two months of rolls: the first approved (its bank file), the second still to approve
    from civil_affairs.months import add_months

    payroll.allowance_generate(month=allowance.start_month)
    payroll.allowance_generate(month=add_months(allowance.start_month, 1))
    first = allowance.payments.get(month=allowance.start_month).roll
    payroll.allowance_roll_approve(actor=users[RV], roll=first)
    registry = services.child_register(
        actor=users[DIR], person=person(jinsha_1, birth=dt.date(2014, 6, 1)), kind="left_behind", risk="high"
    )
    referral = Referral.objects.create(
        child=registry, service="medical", reason="体检", opened_on=registry.registered_on, opened_by=users[DIR]
    )
    task = DiscoveryTask.objects.create(
        child=child, parent=guardian, region=jinsha_1, event="death", key="death:x", evidence={}
    )
    resident = users[Role.RESIDENT]
    own = Case.objects.create(
        number="ETOWN000001",
        child=person(jinsha_1, birth=dt.date(2016, 1, 1)),
        guardian=resident.person,
        region=jinsha_1,
        category="orphan",
        submitted_on=registry.registered_on,
        submitted_by=resident,
        check_due=registry.registered_on,
        online=True,
    )
    return {
        "cc_case": submitted,
        "cc_allowance": allowance,
        "cc_child": registry,
        "cc_referral": referral,
        "cc_task": task,
        "cc_roll": allowance.payments.get(month=add_months(allowance.start_month, 1)).roll,
        "cc_roll_approved": first,
        "cc_own_case": own,
    }
