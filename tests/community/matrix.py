"""Community's rows of the permission matrix (collected by tests/matrix.py): its
workbench, residents', public and API routes, with the records they need.

The election, topic and organisation belong to 金沙社区 (通州区 金沙街道): the
community worker of 金沙社区 and the 金沙 caseworker may run them; the 文峰
caseworker (another street) gets 404; readers without community_handle 403."""

import datetime as dt

from civil_affairs.models import Role
from community import services
from community.models import SocialOrg
from tests.matrix import ANON, OTHER, expect

VIEW = {Role.CASEWORKER, Role.REVIEWER, Role.COMMUNITY_WORKER, Role.BUREAU_ADMIN, Role.AUDITOR, "other_caseworker"}
VIEW_IN = VIEW - OTHER
ORG_IN = VIEW_IN - {Role.COMMUNITY_WORKER}
HANDLE = {Role.COMMUNITY_WORKER, Role.CASEWORKER, "other_caseworker"}
ORG = {Role.CASEWORKER, Role.BUREAU_ADMIN, "other_caseworker"}
DASH = {Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR, Role.CASEWORKER, "other_caseworker"}


def handle_record(who):
    """A step on a 金沙社区 record: its handlers act, the 文峰 caseworker 404, readers 403."""
    if who in (Role.COMMUNITY_WORKER, Role.CASEWORKER):
        return 302
    if who == "other_caseworker":
        return 404
    return 302 if who == ANON else 403


def handle_page(who):
    if who in (Role.COMMUNITY_WORKER, Role.CASEWORKER):
        return 200
    if who == "other_caseworker":
        return 404
    return 302 if who == ANON else 403


def org_step(who):
    if who in (Role.CASEWORKER, Role.BUREAU_ADMIN):
        return 302
    if who == "other_caseworker":
        return 404
    return 302 if who == ANON else 403


def objects(core, users):
    region = core["household"].region  # 金沙社区
    worker = users[Role.COMMUNITY_WORKER]
    election = services.election_create(
        actor=worker,
        region=region,
        election_day=dt.date(2026, 6, 20),
        committee_formed_on=dt.date(2026, 5, 1),
        seats=3,
    )
    topic = services.topic_propose(actor=worker, region=region, title="加装电梯")
    org = SocialOrg.objects.create(
        region=region.parent, name="金沙志愿者协会", kind=SocialOrg.Kind.COMMUNITY, registered_on=dt.date(2020, 1, 1)
    )
    return {"c_election": election, "c_topic": topic, "c_org": org, "c_region": region}


def public(who):
    return 200


ROWS = {
    "community:elections": (lambda o: "/work/community/", "get", expect(VIEW)),
    "community:election_new": (lambda o: "/work/community/elections/new/", "get", expect(HANDLE)),
    "community:election_detail": (
        lambda o: f"/work/community/elections/{o['c_election'].pk}/",
        "get",
        expect(VIEW_IN, out_of_scope=VIEW),
    ),
    # a community worker of another community cannot touch this election (the 文峰 caseworker: 404)
    "community:election_results": (
        lambda o: f"/work/community/elections/{o['c_election'].pk}/results/",
        "get",
        handle_page,
    ),
    "community:election_step": (
        lambda o: f"/work/community/elections/{o['c_election'].pk}/roll/",
        "post",
        handle_record,
    ),
    "community:topics": (lambda o: "/work/community/topics/", "get", expect(VIEW)),
    "community:topic_new": (lambda o: "/work/community/topics/new/", "get", expect(HANDLE)),
    "community:topic_detail": (
        lambda o: f"/work/community/topics/{o['c_topic'].pk}/",
        "get",
        expect(VIEW_IN, out_of_scope=VIEW),
    ),
    "community:topic_step": (lambda o: f"/work/community/topics/{o['c_topic'].pk}/accept/", "get", handle_page),
    # no evidence on entry 0: 404 for readers in and out of scope alike
    "community:evidence": (
        lambda o: "/work/community/evidence/0/",
        "get",
        expect(set(), denied=403, out_of_scope=VIEW),
    ),
    "community:orgs": (lambda o: "/work/community/orgs/", "get", expect(VIEW)),
    "community:org_new": (lambda o: "/work/community/orgs/new/", "get", expect(ORG)),
    # filed at 金沙街道: above the community worker's own community, so out of their scope
    "community:org_detail": (
        lambda o: f"/work/community/orgs/{o['c_org'].pk}/",
        "get",
        expect(ORG_IN, out_of_scope=VIEW),
    ),
    "community:org_step": (lambda o: f"/work/community/orgs/{o['c_org'].pk}/apply/", "post", org_step),
    "community:dashboard": (lambda o: "/work/community/dashboard/", "get", expect(DASH)),
    "community_portal:index": (lambda o: "/my/community/", "get", expect({Role.RESIDENT})),
    # the fixtures' resident neither proposed nor follows the topic
    "community_portal:topic": (
        lambda o: f"/my/community/topics/{o['c_topic'].pk}/",
        "get",
        expect(set(), denied=403, out_of_scope={Role.RESIDENT}),
    ),
    # a topic still at 议题征集 is not public, so it cannot be followed
    "community_portal:follow": (
        lambda o: f"/my/community/topics/{o['c_topic'].pk}/follow/",
        "post",
        expect(set(), denied=403, out_of_scope={Role.RESIDENT}),
    ),
    "community_public:community": (lambda o: f"/community/{o['c_region'].code}/", "get", public),
    # not public yet (议题征集): 404 for everyone
    "community_public:topic": (
        lambda o: f"/community/{o['c_region'].code}/topics/{o['c_topic'].pk}/",
        "get",
        lambda who: 404,
    ),
    "api-community:api-root": (lambda o: "/api/community/", "get", expect(VIEW, anon=403, denied=403)),
    "api-community:election-list": (lambda o: "/api/community/elections/", "get", expect(VIEW, anon=403)),
    "api-community:election-detail": (
        lambda o: f"/api/community/elections/{o['c_election'].pk}/",
        "get",
        expect(VIEW_IN, anon=403, out_of_scope=VIEW),
    ),
    "api-community:election-results": (
        lambda o: f"/api/community/elections/{o['c_election'].pk}/results/",
        "post",
        lambda who: {Role.COMMUNITY_WORKER: 400, Role.CASEWORKER: 400, "other_caseworker": 404}.get(who, 403),
    ),
    "api-community:topic-list": (lambda o: "/api/community/topics/", "get", expect(VIEW, anon=403)),
    "api-community:topic-detail": (
        lambda o: f"/api/community/topics/{o['c_topic'].pk}/",
        "get",
        expect(VIEW_IN, anon=403, out_of_scope=VIEW),
    ),
    "api-community:org-list": (lambda o: "/api/community/orgs/", "get", expect(VIEW, anon=403)),
    "api-community:org-detail": (
        lambda o: f"/api/community/orgs/{o['c_org'].pk}/",
        "get",
        expect(ORG_IN, anon=403, out_of_scope=VIEW),
    ),
    "api-community:execution-rate": (lambda o: "/api/community/execution-rate/", "get", expect(VIEW, anon=403)),
}

# Routes with a record in their path that are not full-record views (test_audit_coverage skips them):
NOT_RECORD_VIEWS = {
    # the form of an action on an election or a topic (results, accept, resolution…): the record's own
    # page is the audited view, and the action is audited by its service as a change
    "community:election_results",
    "community:topic_step",
    # an evidence file, audited as a DOWNLOAD of its topic (the matrix's entry 0 does not exist: 404)
    "community:evidence",
}
