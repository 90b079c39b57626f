"""Pages, portal and API: thin views over the services, jurisdiction by community,
bad input kept with a Chinese message, lists with bounded queries."""

import datetime as dt

import pytest

from civil_affairs.models import Role
from community import services
from community.models import Election, Topic
from tests.factories import UserFactory
from tests.queries import assert_no_n_plus_one

from . import factories as f


@pytest.fixture
def jinsha(regions):
    return regions["jinsha_1"]


def _results_post(election, box):
    data = {f"box0-{k}": v for k, v in box.items() if k != "votes"}
    for c, n in zip(election.candidates.order_by("id"), box["votes"], strict=False):
        data[f"box0-c{c.pk}"] = n
    return data


def test_results_page_refuses_numbers_that_do_not_add_up_and_keeps_them(login, worker, jinsha):
    f.voters(jinsha, 9)
    election = f.election(worker, jinsha, to=Election.State.CANDIDATES)
    roll = election.voters.filter(removed=False).count()
    client = login(worker)
    bad = {
        "name": "一号箱",
        "registered": roll,
        "issued": 8,
        "returned": 8,
        "valid": 7,
        "invalid": 0,
        "votes": [5, 5, 5, 1],
    }
    page = client.post(f"/work/community/elections/{election.pk}/results/", _results_post(election, bad))
    body = page.content.decode()
    assert page.status_code == 200
    assert "有效票 7 + 无效票 0 = 7，与收回选票 8 不符" in body
    assert 'value="一号箱"' in body and 'value="7"' in body  # nothing lost
    good = {**bad, "valid": 8}
    done = client.post(f"/work/community/elections/{election.pk}/results/", _results_post(election, good), follow=True)
    assert "选举有效" in done.content.decode()
    election.refresh_from_db()
    assert election.valid is True and election.state == Election.State.COUNTED


def test_results_page_declares_invalid_when_half_voted(login, worker, jinsha):
    f.voters(jinsha, 9)
    election = f.election(worker, jinsha, to=Election.State.CANDIDATES)
    roll = election.voters.filter(removed=False).count()
    half = roll // 2 if roll % 2 == 0 else roll // 2  # not more than half
    box = {
        "name": "一号箱",
        "registered": roll,
        "issued": half,
        "returned": half,
        "valid": half,
        "invalid": 0,
        "votes": [half, half, half, 0],
    }
    page = login(worker).post(
        f"/work/community/elections/{election.pk}/results/", _results_post(election, box), follow=True
    )
    assert "选举无效" in page.content.decode()


def test_worker_of_another_community_cannot_touch_this_election(client, regions, worker, jinsha):
    election = f.election(worker, jinsha)
    other = UserFactory(username="cw_wenfeng", role=Role.COMMUNITY_WORKER, region=regions["wenfeng_1"])
    client.force_login(other, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/work/community/elections/{election.pk}/").status_code == 404
    assert client.post(f"/work/community/elections/{election.pk}/roll/").status_code == 404
    assert client.get(f"/work/community/elections/{election.pk}/results/").status_code == 404
    assert not election.voters.exists()


def test_publish_too_late_shows_the_rule(login, worker, jinsha):
    f.voters(jinsha, 3)
    election = f.election(worker, jinsha, to=Election.State.ROLL)
    page = login(worker).post(f"/work/community/elections/{election.pk}/publish/", {"on": "2026-06-01"}, follow=True)
    assert "选民名单须在选举日前至少 20 天公布" in page.content.decode()
    election.refresh_from_db()
    assert election.state == Election.State.ROLL


def test_portal_propose_and_voter_roll_status(today, login, users, worker, regions):
    resident = users[Role.RESIDENT]
    jinsha = regions["jinsha_1"]
    client = login(resident)
    page = client.get("/my/community/")
    assert page.status_code == 200 and "没有进行中的选举" in page.content.decode()
    missing = client.post("/my/community/", {"title": "", "description": "说明"})
    assert "说明" in missing.content.decode() and missing.status_code == 200  # kept
    client.post("/my/community/", {"title": "增设快递柜", "description": "方便老人"})
    topic = Topic.objects.get(title="增设快递柜")
    assert topic.region == jinsha and topic.proposer == resident.person
    election = services.election_create(
        actor=worker, region=jinsha, election_day=dt.date(2026, 7, 1), committee_formed_on=dt.date(2026, 6, 1)
    )
    services.voter_roll_build(actor=worker, elections=[election])
    assert "您在选民名单中" in client.get("/my/community/").content.decode()


def test_lists_have_no_n_plus_one(login, users, regions):
    bureau = users[Role.BUREAU_ADMIN]
    client = login(bureau)

    def topics(n):
        for i in range(n):
            region = regions["jinsha_1"] if i % 2 else regions["wenfeng_1"]
            services.topic_propose(actor=bureau, region=region, title=f"议题{i}")

    def orgs(n):
        for i in range(n):
            f.org(regions["jinsha"], name=f"组织{Topic.objects.count()}{i}")
            Topic.objects.create(region=regions["jinsha_1"], title="计数", proposed_on=dt.date(2026, 1, 1))

    def elections(n):
        made = Election.objects.count()
        for i in range(n):
            Election.objects.create(
                region=regions["jinsha_1"],
                election_day=dt.date(2020, 1, 1) + dt.timedelta(days=made + i),
                committee_formed_on=dt.date(2019, 1, 1),
                state="handed_over",
            )

    assert_no_n_plus_one(client, "/work/community/topics/", topics)
    client.get("/work/community/orgs/")  # the server's pinyin collation is looked up once per process
    assert_no_n_plus_one(client, "/work/community/orgs/", orgs)
    assert_no_n_plus_one(client, "/work/community/", elections)


def test_dashboard_and_export(today, login, users, regions, worker):
    services.topic_propose(actor=worker, region=regions["jinsha_1"], title="议题")
    client = login(users[Role.BUREAU_ADMIN])
    page = client.get("/work/community/dashboard/")
    assert page.status_code == 200 and "通州区" in page.content.decode()
    export = client.get("/work/community/dashboard/?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_api_results_and_execution_rate(today, client, users, worker, jinsha):
    from rest_framework.test import APIClient

    f.voters(jinsha, 9)
    election = f.election(worker, jinsha, to=Election.State.CANDIDATES)
    roll = election.voters.filter(removed=False).count()
    api = APIClient()
    api.force_authenticate(worker)
    ids = [c.pk for c in election.candidates.order_by("id")]
    bad = {
        "boxes": [
            {
                "name": "一号箱",
                "registered": roll,
                "issued": 8,
                "returned": 8,
                "valid": 6,
                "invalid": 1,
                "votes": {str(i): 5 for i in ids},
            }
        ]
    }
    refused = api.post(f"/api/community/elections/{election.pk}/results/", bad, format="json")
    assert refused.status_code == 400 and "有效票 6 + 无效票 1 = 7" in refused.json()["detail"]
    bad["boxes"][0]["valid"] = 7
    ok = api.post(f"/api/community/elections/{election.pk}/results/", bad, format="json")
    assert ok.status_code == 200 and ok.json()["valid"] is True
    rate = api.get("/api/community/execution-rate/")
    assert rate.status_code == 200 and "total" in rate.json()
