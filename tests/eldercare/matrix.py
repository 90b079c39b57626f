"""Eldercare's rows of the permission matrix (collected by tests/matrix.py):
its workbench, residents' and API routes, with the records they need."""

from civil_affairs.models import Role
from tests.matrix import OTHER, expect

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


ROWS = {
    "eldercare:index": (lambda o: "/work/eldercare/", "get", expect(AREA)),
    "eldercare:allowance": (lambda o: "/work/eldercare/allowance/", "get", expect(ALLOWANCE)),
    "eldercare:allowance_roll": (
        lambda o: f"/work/eldercare/allowance/rolls/{o['allowance_roll'].pk}/",
        "get",
        expect(ALLOWANCE_IN, out_of_scope=OTHER),
    ),
    "eldercare:allowance_roll_approve": (
        lambda o: f"/work/eldercare/allowance/rolls/{o['allowance_roll'].pk}/approve/",
        "post",
        _approve,
    ),
    "eldercare:allowance_roll_bank_file": (
        lambda o: f"/work/eldercare/allowance/rolls/{o['allowance_roll_approved'].pk}/bank.csv",
        "get",
        expect(ALLOWANCE_IN, out_of_scope=OTHER),
    ),
    "eldercare_portal:home": (lambda o: "/my/eldercare/", "get", expect({Role.RESIDENT})),
}


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
        "allowance_roll": SeniorAllowanceRoll.objects.get(month=dt.date(2026, 9, 1), district_id="320612000000"),
        "allowance_roll_approved": approved,
    }
