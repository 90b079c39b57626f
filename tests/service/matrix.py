"""The service experience's rows of the permission matrix (collected by
tests/matrix.py): guides are public, messages for every signed-in user,
printing for those who may read the case, ratings for the resident and the bureau."""

from civil_affairs.models import Role
from tests.matrix import ANON, EVERYONE, IN_JURISDICTION, expect

SIGNED_IN = set(EVERYONE) - {ANON}
OVERVIEW = {Role.BUREAU_ADMIN, Role.AUDITOR, Role.REVIEWER}
# Staff with the workbench but not relief: the case is not theirs to see (404, like another street's).
NOT_RELIEF = {"other_caseworker", Role.INSTITUTION_STAFF, Role.CHARITY_STAFF}

ROWS = {
    "service:guides": (lambda o: "/guide/relief/", "get", lambda who: 200),
    "service:guide": (lambda o: "/guide/relief/dibao/", "get", lambda who: 200),
    "service:material": (lambda o: "/guide/relief/dibao/materials/3/", "get", lambda who: 200),
    "service:messages": (lambda o: "/messages/", "get", expect(SIGNED_IN)),
    # forgotten password: the phone page for anyone; the code page without a reset under way goes back to it
    "service:password_forgot": (lambda o: "/password/forgot/", "get", lambda who: 200),
    "service:password_reset": (lambda o: "/password/forgot/code/", "get", lambda who: 302),
    # the accepted case of the resident (金沙社区): staff print it where they may read the case
    "service:print": (
        lambda o: f"/work/service/relief/{o['accepted_case'].pk}/print/receipt/",
        "get",
        expect(IN_JURISDICTION, out_of_scope=NOT_RELIEF),
    ),
    "service:resident_print": (
        lambda o: f"/my/service/relief/{o['accepted_case'].pk}/print/receipt/",
        "get",
        expect({Role.RESIDENT}),
    ),
    # rating a case still open: the resident is sent back with the reason
    "service:rate": (
        lambda o: f"/my/service/relief/{o['accepted_case'].pk}/rate/",
        "post",
        expect({Role.RESIDENT}, ok_status=302),
    ),
    "service:ratings": (lambda o: "/work/service/ratings/", "get", expect(OVERVIEW)),
}


def objects(core_objects, users):
    """The matrix resident's own temporary-assistance case in 金沙社区, accepted."""
    from decimal import Decimal

    from civil_affairs.errors import DomainError
    from civil_affairs.models import Region
    from relief.selectors.standards import standards_in_force
    from relief.services import applications as relief
    from relief.services.standards import standards_load_demo

    try:
        standards_in_force("320612001001", relief.clock.today())
    except DomainError:
        standards_load_demo(actor=None, region=Region.objects.get(code="320600000000"))
    resident, worker = users[Role.RESIDENT], users[Role.CASEWORKER]
    household = relief.resident_household_ensure(
        actor=resident, region=Region.objects.get(code="320612001001"), address="幸福路2号"
    )
    case = relief.application_create(
        actor=resident,
        household=household,
        kind="temporary",
        temporary_type="emergency",
        requested_amount=Decimal("800"),
    )
    relief.application_details_update(
        actor=resident, application=case, authorised_verification=True, bank_account="6228480012345678901"
    )
    relief.application_submit(actor=resident, application=case, missing_documents_note="火灾，证件烧毁")
    relief.application_accept(actor=worker, application=case, checklist={})
    return {"accepted_case": case}
