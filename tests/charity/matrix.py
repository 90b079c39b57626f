"""Charity's rows of the permission matrix (collected by tests/matrix.py).

The fixtures' charity_staff user is bound to 通州区慈善总会 ("ours"); another
organisation (崇川区, "theirs") has its own donor, donation, receipt and
disbursement: charity staff get 404 for those, the bureau and auditor (city)
see both, the 通州区 reviewer only ours."""

from civil_affairs.models import Role
from tests.matrix import ANON, expect

STAFF = Role.CHARITY_STAFF
VIEW = {STAFF, Role.BUREAU_ADMIN, Role.AUDITOR, Role.REVIEWER}
CITY = {Role.BUREAU_ADMIN, Role.AUDITOR}  # see every organisation of the city


def ours_only(ok_status=200, *, who_ok=VIEW):
    """A record of our organisation: the roles that may view it; 403 for the rest."""
    return expect(who_ok, ok_status=ok_status)


def theirs(who):
    """A record of the other organisation (崇川区): our charity staff and the 通州区 reviewer 404."""
    if who == ANON:
        return 302
    if who in CITY:
        return 200
    if who in (STAFF, Role.REVIEWER):
        return 404
    return 403


def handle_post(ok_status=302):
    """A POST only the organisation's own staff may make (others who may view: 403)."""
    return expect({STAFF}, ok_status=ok_status)


def objects(core_objects, users):
    import datetime as dt

    from charity import services
    from charity.models import Organisation
    from civil_affairs.models import Region

    admin = users[Role.BUREAU_ADMIN]
    ours = services.organisation_create(
        actor=admin, name="通州区慈善总会", region=Region.objects.get(code="320612000000"), org_type="foundation",
        registered_on=dt.date(2015, 1, 1), recognition=Organisation.Recognition.RECOGNISED,
        recognised_on=dt.date(2016, 1, 1), public_fundraising=True,
    )  # fmt: skip
    other = services.organisation_create(
        actor=admin, name="崇川区慈善基金会", region=Region.objects.get(code="320613000000"), org_type="foundation",
        registered_on=dt.date(2015, 1, 1), recognition=Organisation.Recognition.RECOGNISED,
        recognised_on=dt.date(2016, 1, 1),
    )  # fmt: skip
    services.staff_bind(actor=admin, user=users[STAFF], organisation=ours)
    made = {"org": ours, "other_org": other}
    for key, org in (("", ours), ("other_", other)):
        donor = services.donor_get_or_create(org=org, kind="person", name=f"捐赠人{key}")
        donation = services.donation_record(
            actor=admin, org=org, amount="100", received_on=dt.date(2026, 1, 5), donor=donor
        )
        receipt = services.receipt_issue(actor=admin, donation=donation)
        second = services.donation_record(
            actor=admin, org=org, amount="50", received_on=dt.date(2026, 1, 6), donor=donor
        )
        d = services.disbursement_propose(
            actor=admin, org=org, amount="10", purpose="救助", person=core_objects["person"]
        )
        made.update({f"{key}donor": donor, f"{key}donation": second, f"{key}receipt": receipt, f"{key}disbursement": d})
    return made


ROWS = {
    "charity:index": (lambda o: "/work/charity/", "get", lambda who: {STAFF: 302}.get(who, ours_only()(who))),
    "charity:org_new": (lambda o: "/work/charity/organisations/new/", "get", expect({Role.BUREAU_ADMIN})),
    "charity:org_detail": (lambda o: f"/work/charity/organisations/{o['org'].pk}/", "get", ours_only()),
    # an empty POST: the bureau is told the action is unknown and sent back
    "charity:supervise": (
        lambda o: f"/work/charity/organisations/{o['org'].pk}/supervise/",
        "post",
        expect({Role.BUREAU_ADMIN}, ok_status=302),
    ),
    "charity:setup": (lambda o: f"/work/charity/organisations/{o['org'].pk}/setup/", "post", handle_post()),
    "charity:donations": (lambda o: f"/work/charity/organisations/{o['org'].pk}/donations/", "get", ours_only()),
    "charity:batch_entry": (
        lambda o: f"/work/charity/organisations/{o['org'].pk}/donations/batch/",
        "get",
        expect({STAFF}),
    ),
    "charity:statement_import": (
        lambda o: f"/work/charity/organisations/{o['org'].pk}/statement/",
        "get",
        expect({STAFF}),
    ),
    "charity:receipts": (lambda o: f"/work/charity/organisations/{o['org'].pk}/receipts/", "get", ours_only()),
    "charity:disbursements": (
        lambda o: f"/work/charity/organisations/{o['org'].pk}/disbursements/",
        "get",
        ours_only(),
    ),
    "charity:ledger": (lambda o: f"/work/charity/organisations/{o['org'].pk}/ledger/", "get", ours_only()),
    # another organisation's donor, receipt and disbursement: 404 for our charity staff
    "charity:donor_detail": (lambda o: f"/work/charity/donors/{o['other_donor'].pk}/", "get", theirs),
    "charity:receipt_print": (lambda o: f"/work/charity/receipts/{o['other_receipt'].pk}/", "get", theirs),
    "charity:disbursement_detail": (
        lambda o: f"/work/charity/disbursements/{o['other_disbursement'].pk}/",
        "get",
        theirs,
    ),
    # POSTs on our records: our staff only (302 back with a message)
    "charity:donation_action": (
        lambda o: f"/work/charity/donations/{o['donation'].pk}/decline/",
        "post",
        handle_post(),
    ),
    "charity:receipt_void": (lambda o: f"/work/charity/receipts/{o['receipt'].pk}/void/", "post", handle_post()),
    "charity:disbursement_decide": (
        lambda o: f"/work/charity/disbursements/{o['disbursement'].pk}/decide/",
        "post",
        handle_post(),
    ),
    # the dashboard: charity staff see their organisation's, the bureau/auditor the city, the reviewer the district
    "charity:dashboard": (lambda o: "/work/charity/dashboard/", "get", ours_only()),
    # residents' portal
    "charity_portal:mine": (lambda o: "/my/charity/", "get", expect({Role.RESIDENT})),
    "charity_portal:receipt": (
        lambda o: f"/my/charity/receipts/{o['receipt'].pk}/",
        "get",
        lambda who: {ANON: 302, Role.RESIDENT: 404}.get(who, 403),
    ),  # fmt: skip
    # public disclosure: everyone, no login
    "charity_public:index": (lambda o: "/charity/", "get", lambda who: 200),
    "charity_public:org": (lambda o: f"/charity/{o['org'].pk}/", "get", lambda who: 200),
    # API
    "api-charity:api-root": (lambda o: "/api/charity/", "get", expect(VIEW, anon=403)),
    "api-charity:organisation-list": (lambda o: "/api/charity/organisations/", "get", expect(VIEW, anon=403)),
    "api-charity:organisation-detail": (
        lambda o: f"/api/charity/organisations/{o['other_org'].pk}/",
        "get",
        lambda who: {ANON: 403}.get(who, theirs(who) if who != ANON else 403),
    ),  # fmt: skip
    "api-charity:donation-list": (lambda o: "/api/charity/donations/", "get", expect(VIEW, anon=403)),
    "api-charity:donation-detail": (
        lambda o: f"/api/charity/donations/{o['other_donation'].pk}/",
        "get",
        lambda who: {ANON: 403}.get(who, theirs(who) if who != ANON else 403),
    ),  # fmt: skip
    "api-charity:receipt-list": (lambda o: "/api/charity/receipts/", "get", expect(VIEW, anon=403)),
    "api-charity:receipt-detail": (
        lambda o: f"/api/charity/receipts/{o['other_receipt'].pk}/",
        "get",
        lambda who: {ANON: 403}.get(who, theirs(who) if who != ANON else 403),
    ),  # fmt: skip
    "api-charity:disbursement-list": (lambda o: "/api/charity/disbursements/", "get", expect(VIEW, anon=403)),
    "api-charity:disbursement-detail": (
        lambda o: f"/api/charity/disbursements/{o['other_disbursement'].pk}/",
        "get",
        lambda who: {ANON: 403}.get(who, theirs(who) if who != ANON else 403),
    ),  # fmt: skip
}

# Routes with a record in their path that are not full-record views (test_audit_coverage skips them):
NOT_RECORD_VIEWS = {
    # forms of the organisation's own staff to enter a drive's donations or upload a bank statement:
    # they show no donor; what they write is audited by the services
    "charity:batch_entry",
    "charity:statement_import",
}
