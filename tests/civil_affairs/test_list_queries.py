"""The core's list pages and API lists cost the same queries for 1 row as for
a full page (no N+1), on the real database."""

from civil_affairs.models import AuditEvent, HouseholdMember, Role
from civil_affairs.services import audit_record, batchrun_create
from tests.civil_affairs.factories import MemberFactory
from tests.queries import assert_no_n_plus_one


def _families(regions):
    """`n` households in 金沙社区, each a head and a spouse (sizes and heads are per row)."""

    def make(n):
        for _ in range(n):
            head = MemberFactory(household__region=regions["jinsha_1"])
            MemberFactory(household=head.household, relation=HouseholdMember.Relation.SPOUSE)

    return make


def _people(regions):
    """`n` people in 金沙社区, each the head of a household."""

    def make(n):
        for _ in range(n):
            MemberFactory(household__region=regions["jinsha_1"])

    return make


def test_people_list(regions, users, login):
    for role in (Role.CASEWORKER, Role.COMMUNITY_WORKER):  # full ID numbers and birth dates, and masked
        assert_no_n_plus_one(login(users[role]), "/work/people/?sort=residence_region", _people(regions))


def test_households_list(regions, users, login):
    assert_no_n_plus_one(login(users[Role.REVIEWER]), "/work/households/", _families(regions))


def test_audit_list(regions, users, households, login):
    person = households["ours"].members.get(relation="head").person
    actor = users[Role.CASEWORKER]

    def make(n):
        for _ in range(n):
            audit_record(actor=actor, action=AuditEvent.Action.VIEW, target=person)

    assert_no_n_plus_one(login(users[Role.AUDITOR]), "/work/audit/?target_type=civil_affairs.person", make)


def test_batch_list(regions, users, login):
    admin = users[Role.BUREAU_ADMIN]

    def make(n):
        for _ in range(n):
            batchrun_create(kind="import_person", params={"kind": "person", "filename": "p.csv"}, user=admin)

    assert_no_n_plus_one(login(admin), "/work/batches/", make, rows=lambda response: len(response.context["runs"]))


def test_api_persons_and_households(regions, users, login):
    client = login(users[Role.CASEWORKER])
    assert_no_n_plus_one(client, "/api/core/persons/", _people(regions))
    assert_no_n_plus_one(client, "/api/core/households/", _families(regions))
