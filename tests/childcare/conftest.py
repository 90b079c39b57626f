"""Childcare fixtures: the fixed day, and the childcare people of 金沙: the
community worker of 金沙社区 as its child director, the 金沙 caseworker as the
street's supervisor, the district reviewer and the bureau as childcare staff."""

import pytest

from childcare.models import Director, Staff, Supervisor
from civil_affairs.models import Role
from tests.childcare.factories import TODAY
from tests.civil_affairs.factories import UserFactory


@pytest.fixture
def today(settings):
    settings.MINZHENG_TODAY = TODAY
    return TODAY


@pytest.fixture
def cc(users, regions, today):
    Director.objects.create(user=users[Role.COMMUNITY_WORKER], region=regions["jinsha_1"])
    Supervisor.objects.create(user=users[Role.CASEWORKER], region=regions["jinsha"])
    Staff.objects.create(user=users[Role.REVIEWER])
    Staff.objects.create(user=users[Role.BUREAU_ADMIN])
    made = dict(users)
    made["other_director"] = UserFactory(
        username="xr_director", role=Role.COMMUNITY_WORKER, region=regions["xingren_1"]
    )
    Director.objects.create(user=made["other_director"], region=regions["xingren_1"])
    made["plain_caseworker"] = UserFactory(username="js_plain", role=Role.CASEWORKER, region=regions["jinsha"])
    made["regions"] = regions
    return made
