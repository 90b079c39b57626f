"""Sensitive access: who opens a child's record, audited views, masked names
in lists, nothing of children on public pages; list query counts."""

import datetime as dt

import pytest

from civil_affairs.models import AuditEvent, Role
from tests.childcare.factories import approved, family, registered, submitted
from tests.queries import assert_no_n_plus_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(cc):
    return registered(cc[Role.COMMUNITY_WORKER], cc["regions"]["jinsha_1"], risk="high")


def test_director_of_another_village_gets_403_or_404(cc, child, login):
    # 兴仁村's director: the child lies outside their jurisdiction (404)
    response = login(cc["other_director"]).get(f"/work/childcare/children/{child.pk}/")
    assert response.status_code == 404
    # a director of another community of the same street: inside the jurisdiction, not assigned (403)
    from childcare.models import Director
    from tests.civil_affairs.factories import RegionFactory, UserFactory

    neighbour = RegionFactory(code="320612001002", name="金东社区", parent=cc["regions"]["jinsha"])
    street_worker = UserFactory(username="jd_director", role=Role.COMMUNITY_WORKER, region=cc["regions"]["jinsha"])
    Director.objects.create(user=street_worker, region=neighbour)
    assert login(street_worker).get(f"/work/childcare/children/{child.pk}/").status_code == 403


def test_caseworker_without_childcare_scope_cannot_open(cc, child, login):
    response = login(cc["plain_caseworker"]).get(f"/work/childcare/children/{child.pk}/")
    assert response.status_code == 403
    api = login(cc["plain_caseworker"]).get(f"/api/childcare/children/{child.pk}/")
    assert api.status_code == 404


@pytest.mark.parametrize(
    "who", [Role.COMMUNITY_WORKER, Role.CASEWORKER, Role.REVIEWER, Role.BUREAU_ADMIN, Role.AUDITOR]
)
def test_every_view_is_audited(cc, child, login, who):
    response = login(cc[who]).get(f"/work/childcare/children/{child.pk}/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action="view", target_type="childcare.child", target_id=str(child.pk), actor=cc[who]
    ).exists()


def test_names_masked_in_lists_for_everyone_else(cc, child, login):
    name = child.person.name
    own = login(cc[Role.COMMUNITY_WORKER]).get("/work/childcare/children/").content.decode()
    assert name in own
    # a caseworker of the street without childcare scope sees the list masked, no link
    other = login(cc["plain_caseworker"]).get("/work/childcare/children/").content.decode()
    assert name not in other and name[0] + "*" in other
    assert f"/work/childcare/children/{child.pk}/" not in other


def test_no_child_data_on_public_pages(cc, child, client):
    for path in ("/", "/guide/childcare/allowance/", "/guide/childcare/"):
        body = client.get(path).content.decode()
        assert child.person.name not in body


def test_director_queue_flags_overdue(cc, child, login, settings):
    settings.MINZHENG_TODAY = dt.date(2026, 11, 20)
    page = login(cc[Role.COMMUNITY_WORKER]).get("/work/childcare/").content.decode()
    assert 'data-testid="overdue"' in page and child.person.name in page


def test_registry_list_queries_do_not_grow(cc, login, django_assert_max_num_queries):
    client = login(cc[Role.COMMUNITY_WORKER])

    def add(n):
        for _ in range(n):
            registered(cc[Role.COMMUNITY_WORKER], cc["regions"]["jinsha_1"], risk="low")

    assert_no_n_plus_one(client, "/work/childcare/children/", add)


def test_case_list_and_queue_queries_do_not_grow(cc, login):
    client = login(cc[Role.CASEWORKER])

    def add(n):
        for _ in range(n):
            _g, kid = family(cc["regions"]["jinsha_1"])
            submitted(cc[Role.CASEWORKER], kid)

    assert_no_n_plus_one(client, "/work/childcare/cases/", add)
    assert_no_n_plus_one(client, "/work/childcare/", add, rows=lambda response: len(response.context["cases"]))


def test_person_360_rows_only_for_those_who_may_open(cc, login):
    guardian, kid = family(cc["regions"]["jinsha_1"])
    approved(submitted(cc[Role.CASEWORKER], kid, guardian=guardian), cc[Role.CASEWORKER], cc[Role.REVIEWER])
    from childcare.person360 import person_rows

    rows = person_rows(cc[Role.REVIEWER], kid)
    assert {str(r.kind) for r in rows} == {"儿童基本生活费", "孤儿/事实无人抚养儿童认定"}
    assert person_rows(cc["plain_caseworker"], kid) == []
    assert person_rows(cc["other_director"], kid) == []
